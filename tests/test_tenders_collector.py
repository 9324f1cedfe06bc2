"""The tenders collector: against its demo feed over real localhost HTTP, and on real OCDS files."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collectors.config import Config, collector_settings
from collectors.runner import load_cursor, run_collector
from models.procurement import Award, Contract, Procurement
from models.runs import CollectorRun
from collectors.demo import DemoResponse
from plugins.tenders_demo import TendersDemo
from tests.conftest import CAMPAIGN_YEAR, serve

FIXTURES = Path(__file__).parent / "fixtures" / "ocds"
UTC = dt.UTC


def settings(registry, **values: str) -> dict:
    return collector_settings(Config(path=None), registry.collector("tenders"), {"retries": "0", **values})


def count(store, model) -> int:
    with store.begin() as session:
        return session.scalar(select(func.count()).select_from(model))


def rows(store, model) -> dict:
    with store.begin() as session:
        return {row.external_id: row for row in session.scalars(select(model))}


@pytest.fixture
def tenders_demo(demo_units, clock) -> TendersDemo:
    return TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock)


@pytest.fixture
def tenders_url(tenders_demo):
    server = serve(tenders_demo, "/tenders", "tenders")
    yield server.base_url + "/tenders"
    server.stop()


def visible(demo: TendersDemo, now: dt.datetime) -> tuple[set[str], set[str], set[str]]:
    """(processes, awards, contracts) the feed has published by ``now``, as external ids."""
    return (
        {p.ocid for p in demo.processes if p.published <= now},
        {f"{p.ocid}/1" for p in demo.processes if p.award_published <= now},
        {f"{p.ocid}/1" for p in demo.processes if p.signed <= now},
    )


# --- the demo feed over HTTP --------------------------------------------------------------


def test_first_run_stores_every_published_process_award_and_contract(store, registry, tenders_demo, tenders_url, clock):
    result = run_collector(store, registry, "tenders", settings(registry, url=tenders_url, page_size="200"))

    processes, awards, contracts = visible(tenders_demo, clock.now)
    assert result.status == "success", result.error
    assert result.rejected == 0
    assert set(rows(store, Procurement)) == processes and len(processes) > 300
    assert set(rows(store, Award)) == awards and 0 < len(awards) < len(processes)
    assert set(rows(store, Contract)) == contracts and 0 < len(contracts) < len(awards)

    done = next(p for p in tenders_demo.processes if p.signed <= clock.now and p.tender_end)
    stored = rows(store, Procurement)[done.ocid]
    assert (stored.buyer_name, stored.unit_code, stored.title) == (done.buyer.name, done.buyer.code, done.title)
    assert (stored.method, stored.method_details, stored.procuring_entity) == (done.method, done.details, done.agency)
    assert (stored.tender_published_at, stored.tender_start, stored.tender_end) == (
        done.published, done.published, done.tender_end)
    assert (stored.tender_value, stored.tender_currency) == (done.budget, "CNY")
    assert stored.number_of_tenderers == done.tenderers, "from the award release, merged into the tender's"
    assert stored.release_date == done.signed and stored.publisher == "区公共资源交易中心"
    award = rows(store, Award)[f"{done.ocid}/1"]
    assert (award.date, award.published_at, award.value, award.currency) == (
        done.award_date, done.award_published, done.award_value, "CNY")
    assert award.suppliers == [done.supplier] and award.status == "active"
    contract = rows(store, Contract)[f"{done.ocid}/1"]
    assert (contract.award_id, contract.date_signed, contract.value) == ("1", done.signed, done.award_value)
    with store.begin() as session:
        assert load_cursor(session, "tenders")["next"].startswith("?since="), "kept relative to the url"


def test_later_runs_read_only_new_releases_which_update_their_process(
    store, registry, tenders_demo, tenders_url, clock
):
    values = settings(registry, url=tenders_url, page_size="300")
    run_collector(store, registry, "tenders", values)
    waiting = {ocid for ocid, p in rows(store, Procurement).items() if p.number_of_tenderers is None}
    again = run_collector(store, registry, "tenders", values)
    assert (again.status, again.fetched, again.inserted, again.updated) == ("success", 0, 0, 0)

    clock.now += dt.timedelta(days=60)
    later = run_collector(store, registry, "tenders", values)

    processes, awards, contracts = visible(tenders_demo, clock.now)
    assert later.status == "success", later.error
    assert later.inserted > 0 and later.updated > 0
    assert set(rows(store, Procurement)) == processes
    assert set(rows(store, Award)) == awards
    assert set(rows(store, Contract)) == contracts
    stored = rows(store, Procurement)
    awarded = [ocid for ocid in waiting if f"{ocid}/1" in awards]
    assert awarded, "some processes open at the first run were awarded since"
    by_ocid = {p.ocid: p for p in tenders_demo.processes}
    for ocid in awarded:
        process, demo = stored[ocid], by_ocid[ocid]
        assert process.number_of_tenderers == demo.tenderers
        kept = (process.buyer_name, process.title, process.tender_value)
        assert kept == (demo.buyer.name, demo.title, demo.budget), "fields the award release does not repeat are kept"


def test_a_feed_failing_midway_keeps_whole_pages_and_the_cursor_before_the_failure(
    store, registry, demo_units, clock
):
    failing = TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock, fail_after_pages=2)
    server = serve(failing, "/tenders", "tenders")
    try:
        result = run_collector(store, registry, "tenders", settings(registry, url=server.base_url + "/tenders",
                                                                    page_size="50"))
    finally:
        server.stop()

    first_pages = failing.releases[:100]
    assert result.status == "failed"
    assert "500" in result.error and "injected failure" in result.error
    assert set(rows(store, Procurement)) == {r["ocid"] for r in first_pages}
    assert count(store, Award) == sum("award" in r["tag"] for r in first_pages)
    with store.begin() as session:
        cursor = load_cursor(session, "tenders")
        run = session.scalars(select(CollectorRun)).one()
    last = first_pages[-1]
    assert cursor == {"next": f"?since={last['date'].replace(':', '%3A')}&after={last['id']}&limit=50"}
    assert (run.status, run.inserted) == ("failed", result.inserted) and result.inserted > 0

    healthy = Recording(TendersDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock))
    server = serve(healthy, "/elsewhere", "tenders")
    try:
        resumed = run_collector(store, registry, "tenders", settings(registry, url=server.base_url + "/elsewhere"))
    finally:
        server.stop()
    processes, awards, _ = visible(healthy.inner, clock.now)
    assert resumed.status == "success", resumed.error
    assert healthy.queries[0]["after"] == [last["id"]], "resumed after the two pages, on the feed's new address"
    assert set(rows(store, Procurement)) == processes
    assert set(rows(store, Award)) == awards


class Recording:
    """Passes requests on and keeps their query parameters."""

    def __init__(self, inner: TendersDemo) -> None:
        self.inner, self.queries = inner, []

    def handle(self, method, path, query):
        self.queries.append(query)
        return self.inner.handle(method, path, query)


def test_server_errors_are_retried(store, registry, tenders_demo, clock):
    class Flaky:
        """Answers 503 to every other request."""

        calls = 0

        def handle(self, method, path, query):
            self.calls += 1
            if self.calls % 2:
                return type(tenders_demo.handle(method, path, query))(503, b'{"error": "busy"}')
            return tenders_demo.handle(method, path, query)

    server = serve(Flaky(), "/tenders", "tenders")
    try:
        result = run_collector(store, registry, "tenders", settings(registry, url=server.base_url + "/tenders",
                                                                    retries="2", page_size="500"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    assert set(rows(store, Procurement)) == visible(tenders_demo, clock.now)[0]


class Slow:
    """Answers only after ``delay`` seconds, for its first ``slow_calls`` requests."""

    def __init__(self, inner: TendersDemo, slow_calls: int, delay: float = 0.6) -> None:
        self.inner, self.slow_calls, self.delay, self.calls = inner, slow_calls, delay, 0

    def handle(self, method, path, query):
        self.calls += 1
        if self.calls <= self.slow_calls:
            time.sleep(self.delay)
        return self.inner.handle(method, path, query)


def test_a_timeout_is_retried(store, registry, tenders_demo, clock):
    slow = Slow(tenders_demo, slow_calls=1)
    server = serve(slow, "/tenders", "tenders")
    try:
        result = run_collector(store, registry, "tenders", settings(registry, url=server.base_url + "/tenders",
                                                                    timeout="0.3", retries="1", page_size="1000"))
    finally:
        server.stop()
    assert result.status == "success", result.error
    assert slow.calls >= 2
    assert set(rows(store, Procurement)) == visible(tenders_demo, clock.now)[0]


def test_a_source_that_keeps_timing_out_is_a_failed_run_with_nothing_written(store, registry, tenders_demo):
    server = serve(Slow(tenders_demo, slow_calls=100), "/tenders", "tenders")
    url = server.base_url + "/tenders"
    try:
        result = run_collector(store, registry, "tenders", settings(registry, url=url, timeout="0.2", retries="1"))
    finally:
        server.stop()
    assert result.status == "failed"
    assert result.error.startswith(f"GET {url}")
    assert count(store, Procurement) == count(store, Award) == 0
    with store.begin() as session:
        assert load_cursor(session, "tenders") == {}
        assert session.scalars(select(CollectorRun.status)).one() == "failed"


def test_an_answer_that_is_not_json_fails_the_run_naming_the_page(store, registry):
    class Html:
        def handle(self, method, path, query):
            return DemoResponse(200, b"<html>maintenance</html>", "text/html")

    server = serve(Html(), "/tenders", "tenders")
    try:
        result = run_collector(store, registry, "tenders", settings(registry, url=server.base_url + "/tenders"))
    finally:
        server.stop()
    assert result.status == "failed"
    assert result.error.startswith(f"GET {server.base_url}/tenders: the answer is not JSON")


def test_without_url_or_path_the_run_fails_saying_what_to_set(store, registry):
    result = run_collector(store, registry, "tenders", settings(registry))
    assert result.status == "failed"
    assert "'url' nor 'path'" in result.error and "--set url=" in result.error


# --- real OCDS files ------------------------------------------------------------------------


FIXTURE_COUNTS = {
    # path: (processes, awards, contracts), counted from the files as distinct ocids and
    # distinct (ocid, award id) / (ocid, contract id): releases of one ocid are one process.
    "portugal_base_release_package_100.json": (100, 100, 100),
    # 2 releases of 1 ocid, both repeating award "1" and contract "1"
    "mexico_cdmx_release_package.json": (1, 1, 1),
    "mexico_cdmx_release_package_iso-8859-1.json": (1, 1, 1),
    "mexico_datosgobmx_record_package.json": (1, 2, 2),
    "mexico_cdmx_record_package_with_packages.json": (2, 2, 2),
    "taiwan-releases-zh": (11, 11, 0),  # awards is one object per release
    "moldova-records": (5, 5, 5),  # one record has 2 awards and 2 contracts, one has none
    "uganda-releases": (10, 0, 0),  # planning only
}


@pytest.mark.parametrize("name", sorted(FIXTURE_COUNTS))
def test_every_fixture_is_read_whole(store, registry, name):
    result = run_collector(store, registry, "tenders", settings(registry, path=str(FIXTURES / name)))

    assert (result.status, result.rejected) == ("success", 0), result.problems
    assert (count(store, Procurement), count(store, Award), count(store, Contract)) == FIXTURE_COUNTS[name]
    assert result.inserted == sum(FIXTURE_COUNTS[name])


def test_the_whole_fixture_folder_and_nothing_again(store, registry):
    values = settings(registry, path=str(FIXTURES))
    result = run_collector(store, registry, "tenders", values)

    # 130 = the sum above minus OCDS-87SD3T-AD-SF-DRM-063-2015, in both CDMX packages
    assert (result.status, result.rejected) == ("success", 0)
    assert (count(store, Procurement), count(store, Award), count(store, Contract)) == (130, 121, 110)
    again = run_collector(store, registry, "tenders", values)
    assert (again.status, again.fetched) == ("success", 0), "files already read are skipped"


def test_portugal(store, registry):
    path = FIXTURES / "portugal_base_release_package_100.json"
    run_collector(store, registry, "tenders", settings(registry, path=str(path)))
    processes = rows(store, Procurement)
    with store.begin() as session:
        total, currencies = session.execute(
            select(func.sum(Contract.value), func.count(func.distinct(Contract.currency)))).one()
        buyers = session.scalar(select(func.count(func.distinct(Procurement.buyer_name))))
    assert round(Decimal(total), 2) == Decimal("1613064.48") and currencies == 1
    assert buyers == 63
    assert {p.method for p in processes.values()} == {"direct"}
    first = processes["ocds-px0z7d-5052-5001-1"]
    assert (first.buyer_name, first.publisher, first.unit_code) == ("Município de Lagoa", "IMPIC", None)
    assert first.release_date == dt.datetime(2019, 11, 25, 17, 20, 38, 119705, tzinfo=UTC), "7 digits, truncated"
    award = rows(store, Award)["ocds-px0z7d-5052-5001-1/award-1"]
    assert award.published_at == dt.datetime(2008, 11, 10, tzinfo=UTC), "the awardNotice document's date"
    assert (award.date, award.value, award.currency, award.suppliers) == (
        None, Decimal("775.76"), "EUR", ["Coelho & Quintas, Lda"])


def test_mexico_city_releases_are_merged_and_latin1_is_decoded(store, registry, tmp_path):
    for name in ("mexico_cdmx_release_package.json", "mexico_cdmx_release_package_iso-8859-1.json"):
        shutil.copy(FIXTURES / name, tmp_path)
    run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    processes = rows(store, Procurement)
    merged = processes["OCDS-87SD3T-AD-SF-DRM-063-2015"]
    assert (merged.method, merged.buyer_name, merged.number_of_tenderers) == ("selective", "SECRETARÍA DE FINANZAS", 2)
    assert merged.release_date == dt.datetime(2017, 6, 5, 6, tzinfo=UTC), "the later release's date (-06:00)"
    latin1 = processes["OCDS-87SD3T-SEFIN-DRM-AD-024-2016"]
    assert (latin1.buyer_name, latin1.method) == ("SECRETARÍA DE FINANZAS", "limited")
    contract = rows(store, Contract)["OCDS-87SD3T-SEFIN-DRM-AD-024-2016/1"]
    assert (contract.value, contract.currency) == (Decimal("193817.35"), "MXN")
    award = rows(store, Award)["OCDS-87SD3T-AD-SF-DRM-063-2015/1"]
    assert award.published_at is None, "only in releases tagged tender, and no awardNotice"


def test_record_packages_use_the_compiled_release(store, registry, tmp_path):
    for name in ("mexico_datosgobmx_record_package.json", "mexico_cdmx_record_package_with_packages.json"):
        shutil.copy(FIXTURES / name, tmp_path)
    run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    processes = rows(store, Procurement)
    assert set(processes) == {"ocds-07smqs-993235", "OCDS-87SD3T-AD-SF-DRM-063-2015", "OCDS-87SD3T-AD-SF-DRM-065-2015"}
    federal = processes["ocds-07smqs-993235"]
    assert federal.release_date == dt.datetime(2016, 2, 4, 11, 2, 19, tzinfo=UTC)
    assert (federal.method, federal.buyer_name) == ("direct", "Instituto Nacional de Antropología e Historia")
    assert federal.publisher.startswith("SECRETARÍA DE LA FUNCIÓN PÚBLICA")
    awards = rows(store, Award)
    assert awards["ocds-07smqs-993235/991324"].published_at == federal.release_date, "first release tagged award"
    assert processes["OCDS-87SD3T-AD-SF-DRM-065-2015"].publisher == "CDMX-SEFIN"


def test_taiwan_chinese_methods_and_buyers(store, registry):
    result = run_collector(store, registry, "tenders", settings(registry, path=str(FIXTURES / "taiwan-releases-zh")))

    processes = rows(store, Procurement)
    assert all(ocid.startswith("ocid-6as3t2-") for ocid in processes)
    methods = sorted((p.method or "", p.method_raw) for p in processes.values())
    assert methods == sorted(
        [("unknown", "公開取得報價單或企劃書")] * 3
        + [("limited", "限制性招標(經公開評選或公開徵求)")] * 3
        + [("limited", "限制性招標(未經公開評選或公開徵求)"), ("open", "公開招標"), ("open", "公開招標"),
           ("open", "公開招標"), ("selective", "選擇性招標(個案)")]
    )
    assert "NATIONALTAIWANUNIVERSITYHOSPITAL" in {p.buyer_name for p in processes.values()}
    assert processes["ocid-6as3t2-51179519"].buyer_name == "南投縣魚池鄉五城國民小學"
    assert min(p.release_date for p in processes.values()) == dt.datetime(2014, 2, 4, 16, tzinfo=UTC), (
        "2014-02-05, a bare date, is local midnight")
    assert all(p.tender_start is None for p in processes.values()), "tederPeriod is misspelt: no period"
    assert {p.publisher for p in processes.values()} == {"DSP,Inc."}
    assert result.unknown_words == {"method": {"公開取得報價單或企劃書": 3}}, "stored as unknown, and counted"


def test_moldova_records_and_uganda_planning_releases(store, registry, tmp_path):
    shutil.copytree(FIXTURES / "moldova-records", tmp_path / "moldova")
    shutil.copytree(FIXTURES / "uganda-releases", tmp_path / "uganda")
    run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    processes = rows(store, Procurement)
    moldova = {f.stem for f in (FIXTURES / "moldova-records").glob("*.json")}
    assert moldova <= set(processes), "the ocid matches the file name"
    first = processes["ocds-ngfbwp-16949496"]
    assert (first.buyer_name, first.tender_value, first.number_of_tenderers) == ("DETS  RÎŞCANI", None, 1)
    assert rows(store, Award)["ocds-ngfbwp-16949496/award-17956599"].currency == "MDL"
    courts = processes["ocds-rdvc92-1508162377"]
    assert (courts.buyer_name, courts.buyer_id, courts.method) == ("Courts of Judicature", "19", "direct")
    assert (courts.tender_value, courts.tender_currency) == (Decimal("371049525"), "UGX")


# --- what cannot be read -------------------------------------------------------------------


def release(ocid: str, date: str, **parts) -> dict:
    return {"ocid": ocid, "id": f"{ocid}-{date}", "date": date, "tag": ["tender"], **parts}


def write(folder: Path, name: str, document) -> None:
    (folder / name).write_text(json.dumps(document, ensure_ascii=False) if not isinstance(document, str) else document,
                               encoding="utf-8")


def test_malformed_documents_are_rejected_one_by_one_and_the_rest_is_stored(store, registry, tmp_path):
    write(tmp_path, "broken.json", '{"releases": [')
    write(tmp_path, "wrong.json", {"data": []})
    write(tmp_path, "scalar.json", "42")
    write(tmp_path, "package.json", {"releases": [
        release("ocds-x-1", "2026-03-01T08:00:00Z", buyer={"name": "区财政局"}),
        {"id": "r2", "date": "2026-03-02T08:00:00Z", "tag": ["tender"]},
        release("ocds-x-2", "2026-03-03T08:00:00Z", tender={"tenderPeriod": {"startDate": "soon"}}),
        release("ocds-x-3", "2026-03-04T08:00:00Z", tender={"value": {"amount": "a lot", "currency": "CNY"}}),
        release("ocds-x-4", "2026-03-05T08:00:00Z", awards="none"),
    ]})

    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    assert result.status == "partial"
    assert set(rows(store, Procurement)) == {"ocds-x-1"}
    problems = " | ".join(result.problems)
    assert result.rejected == 7, problems
    assert "broken.json: not JSON" in problems
    assert "wrong.json: not an OCDS package, record or release (no 'releases' list)" in problems
    assert "scalar.json: not an OCDS package, record or release (a JSON int)" in problems
    assert "package.json release 2: release r2 has no ocid" in problems
    assert "ocds-x-2: package.json release 3: tender_start: 'soon' is not a date" in problems
    assert "ocds-x-3: package.json release 4: tender_value: amount 'a lot' is not a number" in problems
    assert "ocds-x-4: package.json release 5: 'awards' is not a list of objects" in problems


def test_a_bad_release_leaves_the_other_releases_of_its_process(store, registry, tmp_path):
    write(tmp_path, "feed.json", {"releases": [
        release("ocds-x-1", "2026-03-01T08:00:00Z", buyer={"name": "区财政局"}),
        release("ocds-x-1", "2026-03-09T08:00:00Z", tender={"numberOfTenderers": "several"}),
    ]})
    result = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    assert (result.inserted, result.rejected) == (1, 1)
    stored = rows(store, Procurement)["ocds-x-1"]
    assert stored.buyer_name == "区财政局" and stored.release_date == dt.datetime(2026, 3, 1, 8, tzinfo=UTC)


def test_releases_merge_in_date_order_across_files_and_runs(store, registry, tmp_path):
    tender = release("ocds-x-1", "2026-03-01T08:00:00Z", buyer={"name": "东山镇"},
                     tender={"title": "东山镇道路硬化工程", "procurementMethod": "open",
                             "tenderPeriod": {"startDate": "2026-03-01T08:00:00Z", "endDate": "2026-03-25T02:00:00Z"},
                             "value": {"amount": 500000, "currency": "CNY"}})
    correction = release("ocds-x-1", "2026-03-05T08:00:00Z", tag=["tenderUpdate"],
                         tender={"value": {"amount": 480000}})
    write(tmp_path, "b.json", {"releases": [tender]})
    write(tmp_path, "a.json", {"releases": [correction]})  # read first, dated later
    run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))
    stored = rows(store, Procurement)["ocds-x-1"]
    assert (stored.tender_value, stored.tender_currency, stored.title) == (Decimal("480000"), "CNY", "东山镇道路硬化工程")
    assert (stored.unit_code, stored.tender_published_at) == ("dsz", dt.datetime(2026, 3, 1, 8, tzinfo=UTC))

    award = release("ocds-x-1", "2026-04-02T08:00:00Z", tag=["award"], tender={"numberOfTenderers": 4},
                    awards=[{"id": "A1", "date": "2026-03-30", "status": "active",
                             "value": {"amount": 470000, "currency": "cny"}, "suppliers": [{"name": "华兴建设工程有限公司"}]}])
    write(tmp_path, "c.json", {"releases": [award]})
    later = run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path)))

    assert (later.fetched, later.inserted, later.updated) == (2, 1, 1), "only c.json is read"
    stored = rows(store, Procurement)["ocds-x-1"]
    assert (stored.number_of_tenderers, stored.title, stored.tender_value) == (4, "东山镇道路硬化工程", Decimal("480000"))
    assert stored.release_date == dt.datetime(2026, 4, 2, 8, tzinfo=UTC)
    stored_award = rows(store, Award)["ocds-x-1/A1"]
    assert stored_award.date == dt.datetime(2026, 3, 29, 16, tzinfo=UTC), "a bare date is local midnight"
    assert stored_award.published_at == dt.datetime(2026, 4, 2, 8, tzinfo=UTC), "the release tagged award"
    assert stored_award.currency == "CNY"


def test_buyers_match_units_by_name_or_by_the_buyer_map(store, registry, tmp_path):
    write(tmp_path, "feed.json", {"releases": [
        release("ocds-x-1", "2026-03-01T08:00:00Z", buyer={"name": "区财政局"}),
        release("ocds-x-2", "2026-03-01T08:00:00Z", buyer={"name": "东山镇人民政府"}),
        release("ocds-x-3", "2026-03-01T08:00:00Z", buyer={"name": "区财政局国库支付中心"}),
        release("ocds-x-4", "2026-03-01T08:00:00Z", buyer={"name": "市第一人民医院"}),
    ]})
    buyer_map = json.dumps({"东山镇人民政府": "东山镇", "区财政局国库支付中心": "czj"}, ensure_ascii=False)
    run_collector(store, registry, "tenders", settings(registry, path=str(tmp_path), buyer_map=buyer_map))

    units = {ocid: p.unit_code for ocid, p in rows(store, Procurement).items()}
    assert units == {"ocds-x-1": "czj", "ocds-x-2": "dsz", "ocds-x-3": "czj", "ocds-x-4": None}
    assert rows(store, Procurement)["ocds-x-4"].buyer_name == "市第一人民医院", "unmatched buyers are kept"
