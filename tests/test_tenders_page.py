"""The tenders page (招投标) through AppTest: processes whose notice dates are guessed or cannot be true
are counted by problem and by publisher, and each record says its date problem."""

from __future__ import annotations

from dashboard import routes
from models.procurement import Procurement
from models.records import content_hash
from models.store import open_store
from tests.test_dashboard import app_url  # noqa: F401 (fixture)
from tests.test_source_pages import filled_file, filled_url, open_page, record_table  # noqa: F401 (fixtures)
from tests.test_summaries import CAMPAIGN_YEAR, local_day


def plant_processes(url: str) -> None:
    """Three processes of 东山镇 in June: two from files that give no notice documents, one whose notice
    is dated after its bid deadline."""
    rows = [
        {"external_id": "GUESSED-1", "published_guessed": True, "tender_published_at": local_day(CAMPAIGN_YEAR, 6, 2)},
        {"external_id": "GUESSED-2", "published_guessed": True, "tender_published_at": local_day(CAMPAIGN_YEAR, 6, 3)},
        {"external_id": "LATE-1", "published_guessed": False,
         "tender_published_at": local_day(CAMPAIGN_YEAR, 6, 28)},
    ]
    store = open_store(url)
    with store.begin() as session:
        for row in rows:
            values = {"source": "tenders", "unit_code": "dsz", "method": "open", "publisher": "乙公司",
                      "tender_start": local_day(CAMPAIGN_YEAR, 6, 1), "tender_end": local_day(CAMPAIGN_YEAR, 6, 21),
                      "title": f"植入项目{row['external_id']}", **row}
            session.add(Procurement(content_hash=content_hash(values), **values))
    store.dispose()


def test_doubtful_notice_dates_are_counted_by_problem_and_publisher_and_in_the_records(filled_url):  # noqa: F811
    plant_processes(filled_url)
    june = {"unit": "dsz", "from": f"{CAMPAIGN_YEAR}-06-01", "to": f"{CAMPAIGN_YEAR}-06-30"}
    at = open_page(routes.TENDERS, june)

    captions = [caption.value for caption in at.caption]
    assert "公告日期存疑的项目，按问题" in captions and "公告日期存疑的项目，按数据发布方" in captions
    records = record_table(at)
    problems = dict(zip(records["项目名称"], records["日期问题"], strict=True))
    assert problems["植入项目GUESSED-1"] == problems["植入项目GUESSED-2"] == "无公告文件，日期按数据发布时间推断"
    assert problems["植入项目LATE-1"] == "招标公告晚于投标截止"
    assert records["日期问题"].notna().sum() == 3, "the demo's own processes have none"
