"""``storm``: initialise the store, run collectors, compute indicators, serve the demo."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from collectors import exports
from collectors.cells import keep as keep_cells
from collectors.cells import snapshot
from collectors.config import (
    Config,
    check_collector_sections,
    collector_settings,
    load_config,
    parse_overrides,
)
from collectors.demo import DemoContext, DemoFiles, DemoServer, demo_context
from collectors.errors import UserError
from collectors.registry import Registry, load_registry
from collectors.report import STATUS_LABELS, indicator_reports
from collectors.runner import RunResult, run_collector
from collectors.status import collector_statuses, run_notes
from collectors.template_files import blank_csv, blank_xlsx
from collectors.templates import DATED_PERIODS
from collectors.upload_problems import ALREADY_UPLOADED, escaped, login_failed, rejected, stored
from collectors.uploads import ingest
from collectors.worker import Worker
from models.accounts import AccountError, Role, User, add_user, authenticate, reset_password, set_active
from models.campaign_file import CampaignError, load_campaign, read_campaign
from models.migrate import migrate
from models.store import URL_VARIABLE, Store, StoreError, open_store
from storm import orders_cli
from storm.bench.scale import Scale

log = logging.getLogger("storm")
DEMO_SOURCES_PORT = 8765
DASHBOARD_PORT = 8501


@dataclass
class App:
    """What every command needs, opened on first use."""

    config_path: str | None

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @cached_property
    def registry(self) -> Registry:
        registry = load_registry()
        check_collector_sections(self.config, set(registry.collectors))
        return registry

    @cached_property
    def store(self) -> Store:
        return open_store(self.config.database_url)

    def ready_store(self) -> Store:
        """The store, which must have been initialised."""
        store = self.store
        if not inspect(store.engine).has_table("campaign"):
            raise UserError(f"the store at {store.engine.url} is not initialised; run `storm init` first")
        return store

    def settings(self, name: str, overrides: dict[str, str] | None = None) -> dict[str, Any]:
        return collector_settings(self.config, self.registry.collector(name), overrides)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# --- commands ----------------------------------------------------------------------------


def cmd_init(app: App, args: argparse.Namespace) -> int:
    spec = read_campaign(app.config.campaign_file, app.config.campaign_year)
    store = app.store
    app.registry  # plugins' tables are declared on import, before migrate creates them
    migrate(store)
    with store.begin() as session:
        load_campaign(session, spec)
        rebuilt = keep_cells(session, app.registry, app.config)
    print(
        f"store ready at {store.engine.url.render_as_string(hide_password=True)}; campaign "
        f"{spec.data['campaign']['name']} {spec.year}: {len(spec.units)} units, {len(spec.data['tasks'])} tasks, "
        f"{len(spec.data['indicators'])} indicators; {len(rebuilt)} indicators' cells rebuilt"
    )
    return 0


def cmd_recompute(app: App, args: argparse.Namespace) -> int:
    """Rebuild indicator cells from the rows (every indicator's, or those named) and take today's snapshot."""
    registry = app.registry
    unknown = sorted(set(args.ids) - set(registry.indicators))
    if unknown:
        raise UserError(f"no computed indicator is named {', '.join(unknown)}; `storm plugins` lists them")
    started = time.monotonic()
    with app.ready_store().begin() as session:
        rebuilt = keep_cells(session, registry, app.config, only=args.ids or None, force=True)
        snapshot(session, registry)
    print(f"{len(rebuilt)} indicators' cells rebuilt and today's snapshot taken ({time.monotonic() - started:.1f} s)")
    return 0


def _summary(result: RunResult, seconds: float) -> str:
    return (
        f"{result.collector}: {result.status}, {result.fetched} fetched, {result.inserted} new, "
        f"{result.updated} updated, {result.unchanged} unchanged, {result.rejected} rejected ({seconds:.1f} s)"
    )


def _run_all(
    app: App, store: Store, settings: dict[str, dict[str, Any]], dry_run: bool, as_json: bool, reread: bool = False
) -> int:
    results = []
    for name, values in settings.items():
        started = time.monotonic()
        result = run_collector(store, app.registry, name, values, dry_run=dry_run, reread=reread)
        results.append(result)
        if not as_json:
            print(_summary(result, time.monotonic() - started))
            for note in run_notes(dict(result.reasons.most_common(5)), result.unknown_words, result.notes):
                print(f"  {note}")
            for problem in result.problems[:5]:
                print(f"  rejected: {problem}")
    if as_json:
        _print_json([vars(result) for result in results])
    failed = [result for result in results if result.status == "failed"]
    for result in failed:
        print(f"storm: error: {result.collector} failed: {result.error}", file=sys.stderr)
    return 2 if failed else 0


def cmd_collect(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    names = args.names or sorted(app.registry.collectors)
    overrides = parse_overrides(args.set or [])
    if overrides and len(names) != 1:
        raise UserError("--set applies to one collector: name exactly one, e.g. storm collect service_center --set …")
    settings = {name: app.settings(name, overrides) for name in names}
    if not args.names:
        settings = {name: values for name, values in settings.items() if values["enabled"]}
    return _run_all(app, store, settings, args.dry_run, args.json, args.reread)


def _stop_event() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def cmd_worker(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    settings = {name: app.settings(name) for name in sorted(app.registry.collectors)}
    worker = Worker(store, app.registry, settings, jobs=orders_cli.worker_jobs(app, store))
    log.info("worker started: %s", ", ".join(name for name in worker.settings) or "no enabled collector")
    worker.run(_stop_event())
    return 0


def cmd_status(app: App, args: argparse.Namespace) -> int:
    with app.ready_store().begin() as session:
        statuses = collector_statuses(session, app.registry, app.config)
    if args.json:
        _print_json([status.as_json() for status in statuses])
        return 0
    for status in statuses:
        run = status.last_run or {}
        print(
            f"{status.name:<16} {run.get('status', 'never run'):<8} last success "
            f"{status.last_success_at or '—'}  next {status.next_run_at or 'disabled'}"
            + ("  STALE" if status.stale else "")
        )
        for note in run.get("notes", []):
            print(f"  {note}")
    return 0


def cmd_indicators(app: App, args: argparse.Namespace) -> int:
    with app.ready_store().begin() as session:
        reports = indicator_reports(session, app.registry, app.config, breakdowns=args.breakdowns)
    if args.json:
        _print_json([report.as_json(breakdowns=args.breakdowns) for report in reports])
        return 0
    for report in reports:
        value = "—" if report.value is None else f"{report.value:.4g}"
        target = "" if report.target is None else f" / {report.target:g}"
        print(f"{report.task:>2} {report.id:<36} {value}{target}  {STATUS_LABELS[report.status]}")
    return 0


def cmd_plugins(app: App, args: argparse.Namespace) -> int:
    registry = app.registry
    data = {
        "plugins": registry.plugin_names(),
        "collectors": [
            {
                "name": name,
                "title": collector.title,
                "kinds": list(collector.kinds),
                "every_minutes": collector.every_minutes,
                "settings": [
                    {"name": s.name, "type": s.type.__name__, "default": s.default, "help": s.help}
                    for s in collector.all_settings()
                ],
                "doc": (collector.__doc__ or "").strip(),
            }
            for name, collector in sorted(registry.collectors.items())
        ],
        "record_kinds": [{"name": kind.name, "table": kind.model.__tablename__, "title": kind.title}
                         for kind in registry.record_kinds.values()],
        "indicators": [{"id": spec.id, "sources": list(spec.sources)} for spec in registry.indicators.values()],
        "upload_templates": [{"id": t.id, "title": t.title, "table": t.table.name}
                             for t in registry.upload_templates.values()],
    }
    if args.json:
        _print_json(data)
        return 0
    print("plugins:", ", ".join(data["plugins"]))
    for collector in data["collectors"]:
        print(f"collector {collector['name']} ({collector['title']}): {', '.join(collector['kinds'])}")
    print(f"indicators computed by plugins: {len(data['indicators'])}")
    return 0


def _demo_context(app: App, store: Store) -> DemoContext:
    with store.begin() as session:
        return demo_context(session, seed=int(app.config.section("demo").get("seed", 2026)))


def _demo_server(app: App, context: DemoContext, port: int) -> DemoServer:
    sources = app.registry.demo_sources(context)
    try:
        return DemoServer(sources, port=port).start()
    except OSError as exc:
        raise UserError(f"cannot serve the demo sources on port {port} ({exc.strerror}); pick another with --sources-port") from None


def _demo_folders(app: App, store: Store, context: DemoContext) -> list[tuple[DemoFiles, Path]]:
    """Write the demo files beside the store (the SQLite file's folder, else the working directory)."""
    database = store.engine.url.database if store.dialect == "sqlite" else None
    base = Path(database).resolve().parent if database and database != ":memory:" else Path.cwd()
    try:
        return [(files, files.write(base)) for files in app.registry.demo_files(context)]
    except OSError as exc:
        raise UserError(f"cannot write the demo files into {base} ({exc.strerror}); "
                        "run the demo where you may write files") from None


def cmd_demo_sources(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    context = _demo_context(app, store)
    server = _demo_server(app, context, args.port)
    stop = _stop_event()
    for source in server.sources:
        print(f"{source.name} ({source.collector}): {server.url_of(source)}")
    for files, folder in _demo_folders(app, store, context):
        print(f"{files.name} ({files.collector}): {folder}")
    stop.wait()
    server.stop()
    return 0


def _dashboard_command(port: int) -> list[str]:
    spec = find_spec("dashboard")
    if spec is None or spec.origin is None:
        raise UserError("the dashboard package is not installed; run pip install -e . first")
    server_file = Path(spec.origin).parent / "server.py"
    return [sys.executable, "-m", "streamlit", "run", str(server_file), "--server.headless=true",
            f"--server.port={port}", "--browser.gatherUsageStats=false", "--client.toolbarMode=viewer",
            "--client.showErrorDetails=none"]


def cmd_demo(app: App, args: argparse.Namespace) -> int:
    cmd_init(app, args)
    store = app.store
    context = _demo_context(app, store)
    server = _demo_server(app, context, args.sources_port)
    try:
        settings = {
            source.collector: app.settings(source.collector, {"url": server.url_of(source), "path": ""})
            for source in server.sources
        }
        settings |= {files.collector: app.settings(files.collector, {files.setting: str(folder)})
                     for files, folder in _demo_folders(app, store, context)}
        status = _run_all(app, store, settings, dry_run=False, as_json=False)
        if args.collect_only:
            return status
        stop = _stop_event()
        worker = Worker(store, app.registry, settings)
        threading.Thread(target=worker.run, args=(stop, False), name="worker", daemon=True).start()
        env = {**os.environ, URL_VARIABLE: app.config.database_url}
        if app.config.path:
            env["STORM_CONFIG"] = str(app.config.path.resolve())
        print(f"dashboard: http://localhost:{args.port}  (Ctrl-C stops)")
        dashboard = subprocess.Popen(_dashboard_command(args.port), env=env)
        while dashboard.poll() is None and not stop.is_set():
            stop.wait(0.5)
        dashboard.terminate()
        dashboard.wait()
        stop.set()
        return 0
    finally:
        server.stop()


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise UserError("the two passwords differ")
    return first


def cmd_user(app: App, args: argparse.Namespace) -> int:
    if args.action != "list" and not args.username:
        raise UserError(f"storm user {args.action} needs a user name")
    with app.ready_store().begin() as session:
        if args.action == "list":
            users = session.scalars(select(User).order_by(User.username)).all()
            rows = [{"username": u.username, "role": u.role, "unit": u.unit_code, "active": u.active,
                     "last_login_at": u.last_login_at} for u in users]
            if args.json:
                _print_json(rows)
            for row in rows if not args.json else []:
                print(f"{row['username']:<20} {row['role']:<7} {row['unit'] or '':<12} "
                      f"{'active' if row['active'] else 'disabled'}")
            return 0
        if args.action == "add":
            add_user(session, "cli", args.username, _password(args), args.role, args.unit, args.name or "")
        elif args.action == "reset-password":
            reset_password(session, "cli", args.username, _password(args))
        else:
            set_active(session, "cli", args.username, args.action == "enable")
    print(f"{args.action}: {args.username}")
    return 0


def _upload_actor(store: Store, args: argparse.Namespace) -> User | None:
    """The account ``--as`` names, logged in (None: the operator, acting as an admin)."""
    if not args.as_user:
        return None
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")
    with store.begin() as session:
        user = authenticate(session, args.as_user, password)
    if user is None:
        raise UserError(login_failed(args.as_user))
    return user


def cmd_upload(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path} ({exc.strerror}); give the path of a CSV or XLSX file") from None
    actor = _upload_actor(store, args)
    with store.begin() as session:
        result = ingest(session, app.registry, args.template, args.unit, args.period, path.name, data, actor)
    if args.json:
        _print_json(result.as_json())
    else:
        named = result.periods if result.period == DATED_PERIODS else []
        report = {
            "stored": [stored(result.rows_stored, result.rows_replaced, named, result.replaced_periods)],
            "already_uploaded": [ALREADY_UPLOADED],
            "rejected": [problem.text for problem in result.problems],
        }
        for line in report.get(result.status, []) + result.notes:
            print(escaped(line))  # a cell's control characters never reach the terminal raw
    if result.ok:
        return 0
    error = result.problems[0].text if result.status == "refused" else rejected(len(result.problems))
    print(f"storm: error: {escaped(error)}", file=sys.stderr)
    return 2


def cmd_templates(app: App, args: argparse.Namespace) -> int:
    templates = sorted(app.registry.upload_templates.values(), key=lambda t: t.id)
    if args.json:
        _print_json([
            {"id": t.id, "title": t.title, "period": t.period, "row_unit": t.row_unit, "feeds": list(t.feeds),
             "columns": [{"field": c.field, "header": c.header, "type": c.type, "required": c.required,
                          "choices": list(c.words or ()), "min": c.min, "max": c.max, "help": c.help}
                         for c in t.columns]}
            for t in templates
        ])
        return 0
    for t in templates:
        print(f"{t.id:<18} {t.title:<6} {t.period:<8} {'、'.join(t.headers)}")
    return 0


def _write(output: Path, content: bytes) -> None:
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise UserError(f"cannot write {output} ({exc.strerror}); give another path with -o") from None


def cmd_template(app: App, args: argparse.Namespace) -> int:
    template = app.registry.upload_template(args.template)
    fmt = args.format or (Path(args.output).suffix.lstrip(".").lower() if args.output else "") or "csv"
    if fmt not in ("csv", "xlsx"):
        raise UserError(f"--format is csv or xlsx, not '{fmt}'")
    output = Path(args.output or f"{template.id}.{fmt}")
    _write(output, blank_csv(template) if fmt == "csv" else blank_xlsx(template))
    print(f"{template.title}: {output}")
    return 0


def cmd_export(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    if args.report == "evaluation":
        day = exports.parse_date(args.date)
        with store.begin() as session:
            content = exports.workbook_bytes(exports.evaluation_sheets(
                exports.evaluation(session, app.registry, app.config, day)))
        output = Path(args.output or f"总结测评-{day.isoformat()}.xlsx")
    else:
        period = exports.parse_week(args.week) if args.week else exports.parse_month(args.month)
        with store.begin() as session:
            content = exports.bulletin_docx(exports.bulletin(session, app.registry, app.config, period))
        output = Path(args.output or f"情况通报-{period.key}.docx")
    _write(output, content)
    print(output)
    return 0


def cmd_bench(app: App, args: argparse.Namespace) -> int:
    from storm.bench.run import BenchOptions, run_bench

    scale = Scale(cases=args.cases, complaints=args.complaints, tenders=args.tenders, ledger_rows=args.ledger_rows)
    folder = Path(args.folder) if args.folder else None
    _print_json(run_bench(BenchOptions(scale, args.database_url, folder, args.seed), app.config, app.registry))
    return 0


# --- the parser --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="storm", description="机关效能风暴行动 monitoring")
    parser.add_argument("--config", help="config file (default $STORM_CONFIG or ./storm.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[App, argparse.Namespace], int], text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        sub.set_defaults(handler=handler)
        return sub

    demo = command("demo", cmd_demo, "init the store, start demo sources, collect, serve the dashboard")
    demo.add_argument("--collect-only", action="store_true", help="stop after the first collection")
    demo.add_argument("--port", type=int, default=DASHBOARD_PORT, help="dashboard port")
    demo.add_argument("--sources-port", type=int, default=0, help="demo sources port (default: a free one)")
    command("init", cmd_init, "create or migrate the store and load the campaign")
    collect = command("collect", cmd_collect, "run collectors once (all enabled ones by default)")
    collect.add_argument("names", nargs="*", metavar="NAME")
    collect.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting (repeatable)")
    collect.add_argument("--dry-run", action="store_true", help="fetch and validate, store nothing")
    collect.add_argument("--reread", action="store_true",
                         help="read again the files read before (after changing a mapping setting)")
    collect.add_argument("--json", action="store_true")
    command("worker", cmd_worker, "run collectors on their schedules until stopped")
    for name, handler, text in (
        ("status", cmd_status, "collectors' last and next runs"),
        ("plugins", cmd_plugins, "plugins, collectors, record kinds and indicators"),
    ):
        command(name, handler, text).add_argument("--json", action="store_true")
    recompute = command("recompute", cmd_recompute, "rebuild indicator cells from the stored rows")
    recompute.add_argument("ids", nargs="*", metavar="ID", help="indicator ids (default: every indicator)")
    indicators = command("indicators", cmd_indicators, "compute every indicator now")
    indicators.add_argument("--json", action="store_true")
    indicators.add_argument("--breakdowns", action="store_true", help="also by unit and by month")
    user = command("user", cmd_user, "manage local accounts")
    user.add_argument("action", choices=["add", "disable", "enable", "reset-password", "list"])
    user.add_argument("username", nargs="?")
    user.add_argument("--role", choices=[role.value for role in Role], default=Role.UNIT.value)
    user.add_argument("--unit", help="the unit code of a unit account")
    user.add_argument("--name", help="display name")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user.add_argument("--json", action="store_true")
    upload = command("upload", cmd_upload, "validate an office's ledger file and store it, all rows or none")
    upload.add_argument("file", metavar="FILE", help="a CSV or XLSX file")
    upload.add_argument("--template", required=True, help="template id (see storm templates)")
    upload.add_argument("--unit", required=True, help="the uploading unit: code, name or short name")
    upload.add_argument("--period", help="2026-06, 2026 or campaign, as the template counts; rows outside it are "
                        "refused (default: each row's date gives its period, so a cumulative ledger replaces "
                        "every month or year it holds)")
    upload.add_argument("--as", dest="as_user", metavar="USERNAME", help="upload as this account (checked)")
    upload.add_argument("--password-stdin", action="store_true", help="read the --as password from standard input")
    upload.add_argument("--json", action="store_true")
    command("templates", cmd_templates, "list the upload templates").add_argument("--json", action="store_true")
    template = command("template", cmd_template, "write a template's blank CSV or XLSX")
    template.add_argument("template", metavar="TEMPLATE")
    template.add_argument("--format", choices=["csv", "xlsx"], help="default: from -o's suffix, else csv")
    template.add_argument("-o", "--output", metavar="FILE", help="default: TEMPLATE.csv or TEMPLATE.xlsx")
    export = command("export", cmd_export, "write the 总结测评 workbook or a 情况通报 bulletin")
    reports = export.add_subparsers(dest="report", required=True, metavar="REPORT")
    evaluation = reports.add_parser("evaluation", help="the 总结测评 workbook (XLSX) as of a day")
    evaluation.add_argument("--date", required=True, help="the day the report is as of, e.g. 2026-11-30")
    bulletin = reports.add_parser("bulletin", help="the weekly or monthly 情况通报 (DOCX)")
    span = bulletin.add_mutually_exclusive_group(required=True)
    span.add_argument("--week", help="an ISO week, e.g. 2026-W47")
    span.add_argument("--month", help="a month, e.g. 2026-11")
    for sub in (evaluation, bulletin):
        sub.add_argument("-o", "--output", metavar="FILE", help="default: a name with the date or period")
    bench = command("bench", cmd_bench, "load a synthetic district-year, time ingest, indicators and pages (JSON)")
    for name, default in asdict(Scale()).items():
        bench.add_argument(f"--{name.replace('_', '-')}", type=int, default=default,
                           help=f"rows to generate (default {default:,})")
    bench.add_argument("--database-url", help="an empty database to run on (default: a new SQLite file)")
    bench.add_argument("--folder", help="keep the generated files (and the SQLite store) here")
    bench.add_argument("--seed", type=int, default=2026, help="the generators' seed")
    orders_cli.add_commands(command)
    sources = command("demo-sources", cmd_demo_sources, "serve the demo sources on localhost and write the demo files")
    sources.add_argument("--port", type=int, default=DEMO_SOURCES_PORT)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    app = App(args.config)
    try:
        return args.handler(app, args)
    except (UserError, StoreError, CampaignError, AccountError) as exc:
        print(f"storm: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
