"""What the store takes on disk: the database's size, and on SQLite each table's and index's pages
(``dbstat``), with the bytes per case of the cases table and of its indexes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from models.service import Case
from models.store import Store

CASES = Case.__tablename__


def _sqlite_objects(store: Store) -> dict[str, dict[str, Any]] | None:
    """Bytes of each table and index with the table it belongs to (None: no ``dbstat`` in this SQLite)."""
    query = text("SELECT m.name, m.tbl_name, m.type, sum(d.pgsize) FROM dbstat d JOIN sqlite_master m "
                 "ON m.name = d.name GROUP BY m.name, m.tbl_name, m.type")
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(query).all()
    except OperationalError:
        return None
    return {name: {"table": table, "kind": kind, "bytes": int(size)} for name, table, kind, size in rows}


def _database_bytes(store: Store) -> int:
    with store.engine.connect() as connection:
        if store.dialect == "sqlite":
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
            return int(pages) * int(connection.exec_driver_sql("PRAGMA page_size").scalar_one())
        return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def _pg_objects(store: Store) -> dict[str, dict[str, Any]]:
    query = text("SELECT c.relname, coalesce(t.relname, c.relname), c.relkind, pg_relation_size(c.oid) "
                 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid "
                 "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')")
    with store.engine.connect() as connection:
        rows = connection.execute(query).all()
    return {name: {"table": table, "kind": "index" if kind == "i" else "table", "bytes": int(size)}
            for name, table, kind, size in rows}


def storage(store: Store) -> dict[str, Any]:
    """The database's bytes, per case, and the cases table's and each of its indexes' bytes per case."""
    with store.engine.connect() as connection:
        cases = connection.execute(select(func.count()).select_from(Case)).scalar_one()
    total = _database_bytes(store)
    objects = _sqlite_objects(store) if store.dialect == "sqlite" else _pg_objects(store)
    per_case = (lambda size: round(size / cases, 1)) if cases else (lambda size: None)
    report: dict[str, Any] = {"database_bytes": total, "cases": cases, "database_bytes_per_case": per_case(total)}
    if objects is None:
        return {**report, "note": "this SQLite has no dbstat table: only the file's size is known"}
    of_cases = {name: found["bytes"] for name, found in objects.items() if found["table"] == CASES}
    indexes = {name: size for name, size in of_cases.items() if objects[name]["kind"] == "index"}
    table = of_cases.get(CASES, 0)
    return {
        **report,
        "bytes_per_case": per_case(table + sum(indexes.values())),
        "table_bytes_per_case": per_case(table),
        "index_bytes_per_case": per_case(sum(indexes.values())),
        "indexes_per_case": {name: per_case(size) for name, size in sorted(indexes.items(), key=lambda i: -i[1])},
        "objects": {name: found["bytes"] for name, found in sorted(objects.items(), key=lambda o: -o[1]["bytes"])},
    }
