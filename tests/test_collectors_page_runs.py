"""The collectors page and the alerts tell a partial run from a success and a failed one, with the
reasons counted by kind and the words stored as unknown (AppTest, a real run on a real export)."""

from __future__ import annotations

from pathlib import Path

from collectors.config import Config, collector_settings
from collectors.registry import Registry
from collectors.runner import run_collector
from models.store import open_store
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, run_page  # noqa: F401 (fixtures)

HEADER = "工单编号,受理时间,来源渠道,诉求类别,承办单位,办理状态\n"


def collect_complaints(url: str, registry: Registry, folder: Path) -> str:
    store = open_store(url)
    try:
        settings = collector_settings(Config(path=None), registry.collector("complaints"), {"path": str(folder)})
        return run_collector(store, registry, "complaints", settings).status
    finally:
        store.dispose()


def card(at, title: str) -> str:
    """The badges under a collector's card title."""
    markdown = [element.value for element in at.markdown]
    return markdown[markdown.index(f"#### {title}") + 1]


def test_a_partial_then_a_failed_run_on_the_collectors_page(empty_app_url: str, registry: Registry,  # noqa: F811
                                                            tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "工单.csv").write_text(
        HEADER
        + "G1,2026-03-05 09:00,传真,不作为,政府办,已办理\n"
        + "G2,2026-03-06 10:00,市长热线,不作为,政府办,已办结\n"
        + "G3,昨天,市长热线,不作为,政府办,已办结\n"
        + "G4,前天,市长热线,不作为,政府办,已办结\n",
        encoding="gbk")
    assert collect_complaints(empty_app_url, registry, exports) == "partial"

    at = run_page("views/collector_status.py")
    assert card(at, "效能投诉").startswith(":orange-badge[部分成功]")
    assert any("未能入库" in warning.value for warning in at.warning)
    said = "\n".join(text.value for text in at.text)
    assert "2 rejected: '…' is not a date or time" in said
    assert "1 record had a channel word we do not know: 传真 (1)" in said

    overview = run_page()
    assert "采集部分成功" in "\n".join(element.value for element in overview.markdown)

    (exports / "另一批.csv").write_text(HEADER + "G5,不是时间,市长热线,不作为,政府办,已办结\n", encoding="utf-8")
    assert collect_complaints(empty_app_url, registry, exports) == "failed"
    at = run_page("views/collector_status.py")
    assert card(at, "效能投诉").startswith(":red-badge[失败]")
    assert "all 1 records rejected" in "\n".join(text.value for text in at.text)
    assert "采集失败" in "\n".join(element.value for element in run_page().markdown)
