"""The tenders collector on OCDS as bulk downloads come (JSON Lines, gzip, zip), on releases of one
process arriving out of date order, and on method words.

The bulk files are made here from the real OCDS files in ``tests/fixtures/ocds`` (origin and
licence in ``tests/fixtures/README.md``): a release package turned into JSON Lines, gzipped, zipped.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile
from decimal import Decimal

from sqlalchemy import func, select

from collectors.demo import DemoResponse
from collectors.runner import run_collector
from models.indicators import compute
from models.indicators.tenders import MEASURES
from models.procurement import Award, Contract, Procurement
from models.summaries import Filter, tenders
from tests.conftest import serve
from tests.test_tenders_collector import FIXTURES, release, rows, settings, write

UTC = dt.UTC
PORTUGAL = FIXTURES / "portugal_base_release_package_100.json"


def counts(store) -> tuple[int, int, int]:
    """(processes, awards, contracts) stored."""
    with store.begin() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Procurement, Award, Contract))


def portugal_lines() -> bytes:
    """Portugal's 100 releases as JSON Lines, one release a line."""
    package = json.loads(PORTUGAL.read_bytes())[0]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in package["releases"]).encode()


def moldova_lines() -> bytes:
    """Moldova's five record packages, one a line, as some publishers write a ``.json`` file."""
    files = sorted((FIXTURES / "moldova-records").glob("*.json"))
    return b"".join(json.dumps(json.loads(f.read_bytes())).encode() + b"\n" for f in files)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- bulk shapes ---------------------------------------------------------------------------------


def test_json_lines_in_jsonl_and_in_json_files(store, registry, tmp_path):
    (tmp_path / "portugal.jsonl").write_bytes(portugal_lines())
    (tmp_path / "moldova.json").write_bytes(moldova_lines())

    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    assert (result.status, result.rejected) == ("success", 0), result.problems
    assert counts(store) == (100 + 5, 100 + 5, 100 + 5)
    assert rows(store, Procurement)["ocds-ngfbwp-16949496"].number_of_tenderers == 1


def test_gzip_and_zip_of_every_shape(store, registry, tmp_path):
    (tmp_path / "portugal.jsonl.gz").write_bytes(gzip.compress(portugal_lines()))
    (tmp_path / "cdmx.json.gz").write_bytes(gzip.compress((FIXTURES / "mexico_cdmx_release_package.json").read_bytes()))
    taiwan = {f"taiwan/{f.name}": f.read_bytes() for f in (FIXTURES / "taiwan-releases-zh").glob("*.json")}
    (tmp_path / "bulk.zip").write_bytes(zipped({
        **taiwan,
        "moldova.jsonl.gz": gzip.compress(moldova_lines()),
        "LICENSE.txt": b"CC-BY 4.0",  # not OCDS: not read
        "__MACOSX/taiwan/._x.json": b"\x00\x05\x16\x07",
    }))

    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    assert (result.status, result.rejected) == ("success", 0), result.problems
    # Portugal 100/100/100, CDMX 1/1/1, Taiwan 11/11/0, Moldova 5/5/5
    assert counts(store) == (117, 117, 106)
    assert rows(store, Procurement)["OCDS-87SD3T-AD-SF-DRM-063-2015"].buyer_name == "SECRETARÍA DE FINANZAS"
    again = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    assert again.fetched == 0, "compressed files already read are skipped like the others"


def test_a_gzip_or_zip_bomb_is_refused_by_name_and_the_rest_is_read(store, registry, tmp_path):
    bomb = gzip.compress(b" " * (3 << 20))  # 3 MB of spaces, 3 kB packed
    assert len(bomb) < 20_000
    (tmp_path / "bomb.json.gz").write_bytes(bomb)
    (tmp_path / "bomb.zip").write_bytes(zipped({"a.json": b"[" + b" " * (3 << 20) + b"]"}))
    (tmp_path / "portugal.jsonl.gz").write_bytes(gzip.compress(portugal_lines()))

    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path), max_unpacked_mb="1"))

    assert result.status == "partial" and result.rejected == 2, result.problems
    problems = " | ".join(result.problems)
    assert "bomb.json.gz: unpacks to more than 1 MB, so it is not read" in problems
    assert "bomb.zip: unpacks to more than 1 MB" in problems and "raise max_unpacked_mb" in problems
    assert counts(store) == (100, 100, 100)


def test_broken_lines_and_broken_archives_are_rejected_one_by_one(store, registry, tmp_path):
    lines = portugal_lines().splitlines(keepends=True)
    (tmp_path / "releases.jsonl").write_bytes(b"".join(lines[:10]) + b'{"ocid": "x", \n' + b"\n" + b"".join(lines[10:]))
    (tmp_path / "cut.json.gz").write_bytes(gzip.compress(portugal_lines())[:500])
    (tmp_path / "notzip.zip").write_bytes(b"PK\x03\x04 not really")

    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    problems = " | ".join(result.problems)
    assert result.status == "partial" and result.rejected == 3, problems
    assert "releases.jsonl line 11: not JSON" in problems
    assert "cut.json.gz: not a readable gzip file" in problems
    assert "notzip.zip: not a readable zip file" in problems
    assert counts(store) == (100, 100, 100), "every other line is read"


def test_a_bulk_file_by_url(store, registry):
    body = gzip.compress(portugal_lines())

    class Bulk:
        def handle(self, method, path, query):
            return DemoResponse(200, body, "application/gzip")

    server = serve(Bulk(), "/bulk", "tenders")
    try:
        url = server.base_url + "/bulk/releases.jsonl.gz"
        result = run_collector(store, registry, "tenders", settings(registry, url=url))
        bomb = run_collector(store, registry, "tenders", settings(registry, url=server.base_url + "/bulk/x",
                                                                   max_unpacked_mb="0"))
    finally:
        server.stop()
    assert (result.status, result.rejected) == ("success", 0), result.problems
    assert counts(store) == (100, 100, 100)
    assert bomb.status == "failed" and "the answer unpacks to more than 0 MB" in bomb.error


# --- releases arriving out of date order ---------------------------------------------------------


def test_an_older_release_read_in_a_later_run_does_not_undo_newer_ones(store, registry, tmp_path):
    """A publisher's releases in two drops, the newer drop first: the process ends as if merged in date order."""
    tender = release("ocds-x-1", "2026-03-01T08:00:00Z", buyer={"name": "东山镇"},
                     tender={"title": "东山镇道路硬化工程", "procurementMethod": "open",
                             "tenderPeriod": {"startDate": "2026-03-01T08:00:00Z", "endDate": "2026-03-25T02:00:00Z"},
                             "value": {"amount": 500000, "currency": "CNY"}})
    amendment = release("ocds-x-1", "2026-03-05T08:00:00Z", tag=["tenderAmendment"],
                        tender={"value": {"amount": 480000}, "tenderPeriod": {"endDate": "2026-03-28T02:00:00Z"}})
    award = release("ocds-x-1", "2026-04-02T08:00:00Z", tag=["award"], tender={"numberOfTenderers": 4},
                    awards=[{"id": "A1", "date": "2026-03-30T02:00:00Z", "value": {"amount": 470000, "currency": "CNY"},
                             "status": "pending"}])
    award_update = release("ocds-x-1", "2026-04-09T08:00:00Z", tag=["awardUpdate"],
                           awards=[{"id": "A1", "status": "active"}])
    write(tmp_path, "drop-2.json", {"releases": [amendment, award_update]})
    first = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    assert first.status == "success"

    write(tmp_path, "drop-1.json", {"releases": [tender, award]})  # the older drop, delivered later
    later = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    assert (later.status, later.rejected) == ("success", 0), later.problems
    stored = rows(store, Procurement)["ocds-x-1"]
    assert stored.release_date == dt.datetime(2026, 4, 9, 8, tzinfo=UTC), "the newest release's, not the older drop's"
    assert stored.tender_value == Decimal("480000"), "the amendment's value, newer than the tender's"
    assert stored.tender_end == dt.datetime(2026, 3, 28, 2, tzinfo=UTC)
    assert (stored.title, stored.buyer_name, stored.unit_code, stored.method) == ("东山镇道路硬化工程", "东山镇", "dsz", "open")
    assert stored.number_of_tenderers == 4
    assert stored.tender_published_at == dt.datetime(2026, 3, 1, 8, tzinfo=UTC), "the first release tagged tender"
    stored_award = rows(store, Award)["ocds-x-1/A1"]
    assert (stored_award.status, stored_award.value) == ("active", Decimal("470000")), "the update's status stays"
    assert stored_award.published_at == dt.datetime(2026, 4, 2, 8, tzinfo=UTC), "first released tagged award"


def test_a_bad_release_read_again_is_not_reported_again(store, registry, tmp_path):
    write(tmp_path, "a.json", {"releases": [
        release("ocds-x-1", "2026-03-01T08:00:00Z", buyer={"name": "区财政局"}),
        release("ocds-x-1", "2026-03-02T08:00:00Z", tender={"numberOfTenderers": "several"}),
    ]})
    first = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    newer = release("ocds-x-1", "2026-03-09T08:00:00Z", tender={"numberOfTenderers": 2})
    write(tmp_path, "b.json", {"releases": [newer]})
    later = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    assert (first.rejected, later.rejected, later.status) == (1, 0, "success"), later.problems
    stored = rows(store, Procurement)["ocds-x-1"]
    assert (stored.buyer_name, stored.number_of_tenderers) == ("区财政局", 2)


# --- method words ---------------------------------------------------------------------------------


METHOD_TEXTS = {
    # procurementMethod, procurementMethodDetails → the method stored
    "p1": (None, "公开招标", "open"),
    "p2": (None, "邀请招标", "selective"),
    "p3": (None, "竞争性谈判", "limited"),
    "p4": (None, "竞争性磋商", "limited"),
    "p5": (None, "询价采购", "limited"),
    "p6": (None, "单一来源采购", "direct"),
    "p7": ("公开招标", None, "open"),
    "p8": ("selective", "邀请招标（资格预审）", "selective"),
    "p9": ("Open", "公开招标", "open"),
    "p10": (None, "公开招标失败转竞争性谈判", "limited"),
    "p11": (None, "框架协议采购", "unknown"),
    "p12": ("网上竞价", None, "unknown"),
    "p13": (None, "网上竞价", "unknown"),
    "p14": (None, None, None),
}


def test_chinese_method_words_map_to_ocds_methods_and_unknown_ones_are_counted(store, registry, tmp_path):
    write(tmp_path, "methods.json", {"releases": [
        release(f"ocds-m-{key}", "2026-03-01T08:00:00Z",
                tender={"procurementMethod": raw, "procurementMethodDetails": details})
        for key, (raw, details, _) in METHOD_TEXTS.items()
    ]})

    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    stored = {ocid.removeprefix("ocds-m-"): p.method for ocid, p in rows(store, Procurement).items()}
    assert stored == {key: method for key, (*_, method) in METHOD_TEXTS.items()}
    assert (result.status, result.rejected) == ("success", 0), "an unknown word does not reject its process"
    assert result.unknown_words == {"method": {"网上竞价": 2, "框架协议采购": 1}}
    assert rows(store, Procurement)["ocds-m-p11"].method_details == "框架协议采购", "the text is kept"


def test_method_map_adds_words_and_re_reads_files_already_read(store, registry, tmp_path):
    write(tmp_path, "methods.json", {"releases": [
        release("ocds-m-1", "2026-03-01T08:00:00Z", tender={"procurementMethodDetails": "网上竞价"}),
    ]})
    run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    assert rows(store, Procurement)["ocds-m-1"].method == "unknown"

    mapped = settings(registry, path=str(tmp_path), method_map=json.dumps({"网上竞价": "limited"}, ensure_ascii=False))
    again = run_collector(store, registry, "tenders", mapped)

    assert (again.status, again.updated, again.unknown_words) == ("success", 1, {})
    assert rows(store, Procurement)["ocds-m-1"].method == "limited"
    wrong = settings(registry, path=str(tmp_path), method_map=json.dumps({"网上竞价": "auction"}))
    failed = run_collector(store, registry, "tenders", wrong)
    assert failed.status == "failed"
    assert failed.error == ("method_map['网上竞价'] = 'auction' is not a method; "
                            "use one of direct, limited, open, selective")


# --- publication dates that are guessed or cannot be true ----------------------------------------


def notice(kind: str, published: str) -> list[dict]:
    return [{"id": kind, "documentType": kind, "datePublished": published}]


def tender_release(ocid: str, date: str, published: str | None) -> dict:
    """A tender release, its period 2026-03-01 to 03-25, its notice published on ``published`` (None: no notice)."""
    tender = {"procurementMethod": "open", "numberOfTenderers": 5,
              "tenderPeriod": {"startDate": "2026-03-01T01:00:00Z", "endDate": "2026-03-25T02:00:00Z"},
              **({"documents": notice("tenderNotice", published)} if published else {})}
    return release(ocid, date, tender=tender)


def award_release(ocid: str, date: str, awarded: str, published: str | None) -> dict:
    award = {"id": "A1", "date": awarded, "value": {"amount": 1000, "currency": "CNY"},
             **({"documents": notice("awardNotice", published)} if published else {})}
    return release(ocid, date, tag=["award"], awards=[award])


def test_guessed_and_impossible_publication_dates_are_noted_counted_by_publisher_and_not_used(
    store, registry, tmp_path
):
    write(tmp_path, "a.json", {"publisher": {"name": "甲交易中心"}, "releases": [
        # the tender notice published after the bid deadline (03-25): cannot be true
        tender_release("x-1", "2026-03-01T01:00:00Z", "2026-03-30T01:00:00Z"),
        award_release("x-1", "2026-04-06T01:00:00Z", "2026-04-02T01:00:00Z", "2026-04-06T01:00:00Z"),  # 4 days
        # the award notice published 14 months after the award: cannot be true
        tender_release("x-2", "2026-03-01T01:00:00Z", "2026-03-01T01:00:00Z"),
        award_release("x-2", "2027-06-01T01:00:00Z", "2026-03-30T01:00:00Z", "2027-06-01T01:00:00Z"),
    ]})
    write(tmp_path, "b.json", {"publisher": {"name": "乙公司"}, "releases": [
        # no notice documents: both dates are the releases' (regenerated in September, after the
        # deadline, but that is the guess's doing: noted as guessed)
        tender_release("y-1", "2026-09-01T01:00:00Z", None),
        award_release("y-1", "2026-09-01T01:00:00Z", "2026-04-01T01:00:00Z", None),
        tender_release("y-2", "2026-03-01T01:00:00Z", "2026-03-01T01:00:00Z"),
        award_release("y-2", "2026-04-03T01:00:00Z", "2026-04-01T01:00:00Z", "2026-04-03T01:00:00Z"),  # 2 days
    ]})
    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    assert (result.status, result.rejected) == ("success", 0), result.problems

    guessed = {ocid: p.published_guessed for ocid, p in rows(store, Procurement).items()}
    assert guessed == {"x-1": False, "x-2": False, "y-1": True, "y-2": False}
    assert rows(store, Award)["y-1/A1"].published_at == dt.datetime(2026, 9, 1, 1, tzinfo=UTC), "stored, marked"
    year = Filter(dt.datetime(2025, 12, 31, 16, tzinfo=UTC), dt.datetime(2026, 12, 31, 16, tzinfo=UTC))
    with store.begin() as session:
        summary = tenders.summary(session, year)
        notes = {row["external_id"]: row["date_note"] for row in tenders.records(session, year).rows}
        timeliness = compute(session, MEASURES["T14.award_disclosure_timeliness"], year.scope)
    assert notes == {"x-1": "after_deadline", "x-2": "year_after_award", "y-1": "guessed", "y-2": None}
    assert {b.key: b.value for b in summary.groups["date_note"]} == {
        "after_deadline": 1, "year_after_award": 1, "guessed": 1}
    assert {b.key: b.value for b in summary.groups["date_note_publisher"]} == {"甲交易中心": 2, "乙公司": 1}
    # Awards with both dates: x-1 (4 days), y-2 (2 days); x-2 (impossible) and y-1 (guessed, 153 days) not used.
    assert (timeliness.numerator, timeliness.denominator) == (2, 2)
