"""A unit answers a supervision order in a real browser: the count in the sidebar, signing, a reply with a file
that it then downloads (the demo store holds no other order of the unit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from application import orders
from application.orders import OPERATOR
from models.audit import AuditEntry
from models.orders import OrderAttachment, OrderUnit
from models.store import open_store
from tests.browser import Dashboard, go, log_in, settled, shoot
from tests.test_browser import download

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_a_unit_signs_for_and_answers_its_order(page: Page, dashboard: Dashboard) -> None:  # noqa: F811
    store = open_store(dashboard.store_url)
    with store.begin() as session:
        order = orders.open_order(session, OPERATOR, title="东山镇窗口办件超期整改", units=["dsz"])
        waiting = orders.waiting_count(session, "dsz")
    log_in(page)
    assert f"待办督办（{waiting}）" in page.locator('[data-testid="stSidebarNav"]').inner_text()
    go(page, "待办督办")
    main = page.locator('[data-testid="stMain"]')
    assert "东山镇窗口办件超期整改" in main.inner_text()
    main.get_by_role("button", name="签收", exact=True).click()
    page.wait_for_selector('[data-testid="stAlert"]:has-text("已签收")')
    settled(page)
    main.get_by_label("整改措施").fill("增派窗口人员，实行延时服务")
    main.get_by_label("办理结果").fill("超期件已全部办结")
    main.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 report"}])
    main.get_by_text("整改报告.pdf").wait_for()
    main.get_by_role("button", name="回告", exact=True).click()
    page.wait_for_selector('[data-testid="stAlert"]:has-text("已回告")')
    settled(page)
    shoot(page, "todo-replied")
    assert download(page, "下载附件：整改报告.pdf") == b"%PDF-1.4 report"  # read from the store on the click
    with store.begin() as session:
        side = session.scalars(select(OrderUnit).where(OrderUnit.order_id == order.id)).one()
        assert side.state == "replied"
        files = session.scalars(select(OrderAttachment.filename).where(OrderAttachment.order_id == order.id)).all()
        assert files == ["整改报告.pdf"]
        downloads = session.scalars(select(AuditEntry.actor).where(AuditEntry.action == "order.download")).all()
        assert downloads == ["dsz"]
    store.dispose()
