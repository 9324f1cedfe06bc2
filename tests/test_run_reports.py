"""What a run reports: success only when nothing was lost, partial and failed runs, rejections by
reason, words stored as unknown, notes; files read again after a mapping changes; one bad file
isolated from the others."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from collectors import CollectContext, Collector, Record, Rejected, Setting, hookimpl
from collectors.collector import Yielded
from collectors.config import Config, collector_settings
from collectors.errors import SourceError
from collectors.files import SourceFile, read_new_files
from collectors.parsing import column_date_order, parse_date, parse_time
from collectors.registry import load_registry
from collectors.runner import reason_kind, run_collector
from collectors.status import collector_statuses
from collectors.words import UNKNOWN, UnknownWords, WordTable
from models.service import ApprovalItem

ONLINE = WordTable("online", {"网办": "yes", "一网通办": "yes", "窗口": "no"})


class Items(Collector):
    """Approval items from JSON files.

    System: a folder of JSON lists of items. Settings: ``path``, ``online_map``. Caveats: none.
    Format: ``[{"id": …, "name": …, "channel": …, "updated": …}]``.
    """

    name = "items"
    title = "事项"
    kinds = ("approval_item",)
    settings = (Setting("path", str, ""), Setting("online_map", dict, {}))
    record_settings = ("online_map",)

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        words = ONLINE.extended(context.settings["online_map"], "online_map")
        reads.append(context.settings["online_map"])

        def read(file: SourceFile) -> Iterator[Yielded]:
            for item in json.loads(file.data):
                if not item.get("name"):
                    yield Rejected(f"{file.name}: item {item['id']} has no name", str(item["id"]))
                    continue
                yield Record("approval_item", {
                    "external_id": str(item["id"]), "name": item["name"],
                    "online": words.value(item.get("channel"), context.unknown_words) == "yes",
                    "updated_at": parse_time(item.get("updated")),
                })

        yield from read_new_files(Path(context.settings["path"]), (".json",), context, "path", read)


reads: list[dict[str, str]] = []
plugin = SimpleNamespace(storm_collectors=hookimpl(lambda: [Items]))


@pytest.fixture
def items_registry():
    return load_registry([plugin])


def run(store, registry, folder: Path, reread: bool = False, **settings):
    overrides = {name: json.dumps(value, ensure_ascii=False) for name, value in settings.items()}
    values = collector_settings(Config(path=None), Items, {"path": str(folder), **overrides})
    return run_collector(store, registry, "items", values, reread=reread)


def write(folder: Path, name: str, items: list[dict]) -> None:
    (folder / name).write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")


def stored(store) -> int:
    with store.begin() as session:
        return session.scalar(select(func.count()).select_from(ApprovalItem))


def status_of(store, registry) -> dict:
    with store.begin() as session:
        statuses = {status.name: status.as_json() for status in collector_statuses(session, registry, Config(None))}
    return statuses["items"]["last_run"]


def test_success_partial_and_failed(store, items_registry, tmp_path):
    write(tmp_path, "a.json", [{"id": 1, "name": "设立登记", "channel": "网办"}])
    assert run(store, items_registry, tmp_path).status == "success"

    write(tmp_path, "b.json", [{"id": 2, "name": "变更登记"}, {"id": 3, "name": ""}, {"id": 4}])
    partial = run(store, items_registry, tmp_path)
    assert (partial.status, partial.inserted, partial.rejected) == ("partial", 1, 2)
    assert partial.reasons == {"item # has no name": 2}
    assert status_of(store, items_registry)["status"] == "partial"
    assert "2 rejected: item # has no name" in status_of(store, items_registry)["notes"]

    write(tmp_path, "c.json", [{"id": 5}, {"id": 6}])
    failed = run(store, items_registry, tmp_path)
    assert (failed.status, failed.rejected) == ("failed", 2)
    assert failed.error == "all 2 records rejected: item # has no name"
    assert stored(store) == 2


def test_a_word_no_table_knows_is_stored_as_unknown_and_counted(store, items_registry, tmp_path):
    write(tmp_path, "a.json", [{"id": n, "name": "事项", "channel": word}
                               for n, word in enumerate(["自助终端", "自助终端", "网办", "掌上办"])])
    result = run(store, items_registry, tmp_path)
    assert (result.status, result.inserted) == ("success", 4), "an unknown word rejects nothing"
    assert result.unknown_words == {"online": {"自助终端": 2, "掌上办": 1}}
    assert "3 records had a online word we do not know: 自助终端 (2), 掌上办 (1)" in status_of(
        store, items_registry)["notes"]


def test_a_changed_mapping_or_reread_reads_the_files_again(store, items_registry, tmp_path):
    write(tmp_path, "a.json", [{"id": 1, "name": "事项", "channel": "自助终端"}])
    reads.clear()
    assert run(store, items_registry, tmp_path).inserted == 1
    assert run(store, items_registry, tmp_path).fetched == 0, "an unchanged file is read once"

    remapped = run(store, items_registry, tmp_path, online_map={"自助终端": "yes"})
    assert (remapped.fetched, remapped.updated, remapped.unknown_words) == (1, 1, {})
    assert run(store, items_registry, tmp_path, online_map={"自助终端": "yes"}).fetched == 0
    assert run(store, items_registry, tmp_path, reread=True, online_map={"自助终端": "yes"}).fetched == 1
    with store.begin() as session:
        assert session.scalars(select(ApprovalItem.online)).one() is True


def test_a_word_map_to_a_value_the_table_does_not_have_is_refused():
    with pytest.raises(SourceError, match=r"online_map\['自助终端'\] = 'maybe' is not a online; use one of no, yes"):
        ONLINE.extended({"自助终端": "maybe"}, "online_map")


def test_one_file_that_breaks_its_reader_is_isolated(store, items_registry, tmp_path):
    write(tmp_path, "a.json", [{"id": 1, "name": "事项"}])
    (tmp_path / "b.json").write_text("[" * 100_000 + "]" * 100_000)  # RecursionError in json
    (tmp_path / "c.json").write_text('[{"id": 2, "name": "事项"}, {"id": 3, "name": "事项", "updated": "x"}]')
    write(tmp_path, "d.json", [{"id": 4, "name": "事项"}])

    result = run(store, items_registry, tmp_path)
    assert (result.status, result.inserted, result.rejected) == ("partial", 2, 2)
    assert any(p.startswith("b.json: RecursionError") for p in result.problems)
    assert any(p.startswith("c.json: ValueError: 'x' is not a date or time") for p in result.problems)
    assert stored(store) == 2, "nothing of a file that failed half-way is stored"
    again = run(store, items_registry, tmp_path)
    assert (again.status, again.fetched) == ("success", 0), "a rejected file does not block the next run"
    write(tmp_path, "c.json", [{"id": 2, "name": "事项"}, {"id": 3, "name": "事项", "updated": "2026/3/5"}])
    assert run(store, items_registry, tmp_path).inserted == 2


def test_word_tables():
    unknown = UnknownWords()
    channels = WordTable("channel", {"政风行风": "radio", "热线": "hotline"}, contains=True)
    assert channels.value("政风行风热线", unknown) == "radio", "the first word of the table wins"
    assert channels.value("市长热线 12345", unknown) == "hotline"
    assert channels.value("ＨＯＴＬＩＮＥ", unknown) == "hotline", "stored values pass, width and case folded"
    assert channels.value("  ", unknown) is None
    assert channels.value("来信", unknown) == UNKNOWN
    assert unknown.as_dict() == {"channel": {"来信": 1}}


@pytest.mark.parametrize(("text", "order", "expected"), [
    ("2026-03-05", "ymd", dt.datetime(2026, 3, 4, 16, tzinfo=dt.UTC)),
    ("2026/3/5 9:32", "ymd", dt.datetime(2026, 3, 5, 1, 32, tzinfo=dt.UTC)),
    ("2026年3月5日 9:32:09", "ymd", dt.datetime(2026, 3, 5, 1, 32, 9, tzinfo=dt.UTC)),
    ("2026.3.5", "ymd", dt.datetime(2026, 3, 4, 16, tzinfo=dt.UTC)),
    ("12/31/2016", "ymd", dt.datetime(2016, 12, 30, 16, tzinfo=dt.UTC)),
    ("11/30/2016 8:05 PM", "mdy", dt.datetime(2016, 11, 30, 12, 5, tzinfo=dt.UTC)),
    ("05/03/2026", "dmy", dt.datetime(2026, 3, 4, 16, tzinfo=dt.UTC)),
    ("05/03/2026", "mdy", dt.datetime(2026, 5, 2, 16, tzinfo=dt.UTC)),
    ("46086", "ymd", dt.datetime(2026, 3, 4, 16, tzinfo=dt.UTC)),
    ("46086.5", "ymd", dt.datetime(2026, 3, 5, 4, tzinfo=dt.UTC)),
    ("2026-03-05T09:30:00Z", "ymd", dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)),
])
def test_times_as_offices_write_them(text, order, expected):
    assert parse_time(text, order=order) == expected


@pytest.mark.parametrize("text", ["13/13/2026", "2026-02-30", "31/12/2016 25:00", "12345", "昨天"])
def test_what_is_not_a_time(text):
    with pytest.raises(ValueError, match="is not"):
        parse_time(text, order="dmy")


def test_dates_for_uploads():
    assert parse_date("2026/3/5 9:30") == dt.date(2026, 3, 5)
    assert parse_date("46086") == dt.date(2026, 3, 5)


def test_a_column_decides_its_date_order_from_the_dates_that_can_be_read_one_way():
    assert column_date_order(["2/3/2016", "11/30/2016"], "auto", "时间") == (
        "mdy", "时间: dates with the year last read month first (date_order auto)")
    assert column_date_order(["2/3/2016", "30/11/2016"], "auto", "时间")[0] == "dmy"
    order, note = column_date_order(["2/3/2016", ""], "auto", "时间")
    assert order == "mdy" and "set date_order if they are day first" in note
    assert column_date_order(["2016-11-30"], "auto", "时间") == ("ymd", None)
    assert column_date_order(["30/11/2016"], "mdy", "时间") == ("mdy", None), "a set order is kept"
    with pytest.raises(SourceError, match="时间 holds dates written month first and day first"):
        column_date_order(["11/30/2016", "30/11/2016"], "auto", "时间")
    with pytest.raises(SourceError, match="date_order must be one of"):
        column_date_order([], "daymonth", "时间")


def test_reasons_fold_where_and_values():
    assert reason_kind("export.csv row 12: '11/30/2016' is not a date or time") == "'…' is not a date or time"
    assert reason_kind("no name") == "no name"
