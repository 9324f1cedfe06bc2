"""The orders pages through AppTest: a leader opens an order, the unit signs and replies with a file, the leader
returns it, the unit replies again, the leader accepts; another unit never sees it; the sidebar counts to-dos."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from dashboard import auth, routes
from models.accounts import add_user
from models.orders import OrderAttachment, SupervisionOrder
from models.store import open_store
from tests.test_dashboard import APP, app_url, empty_app_url  # noqa: F401 (fixtures)

ACCOUNTS = {"boss": ("leader", None), "dsz_user": ("unit", "dsz"), "xhz_user": ("unit", "xhz")}


def page(username: str, script: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[auth.USERNAME_KEY] = username
    at.run()
    at.switch_page(script)
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def button(at: AppTest, label: str, index: int = 0):
    return [b for b in at.button if b.label == label][index]


def text(at: AppTest) -> str:
    return "\n".join(element.value for element in [*at.markdown, *at.text, *at.caption, *at.success, *at.info])


def test_the_whole_life_of_an_order_through_the_pages(empty_app_url: str):  # noqa: F811
    store = open_store(empty_app_url)
    with store.begin() as session:
        for username, (role, unit) in ACCOUNTS.items():
            add_user(session, "setup", username, f"{username}-pass-1", role, unit)

    leader = page("boss", routes.ORDERS)
    leader.text_input[0].set_value("东山镇窗口办件超期")
    leader.text_area[0].set_value("查明原因，限期整改")
    leader.multiselect[0].set_value(["dsz"])
    ok(button(leader, "下发督办单").click().run())
    assert "督办单已下发" in text(leader) and "东山镇窗口办件超期" in text(leader)

    unit = page("dsz_user", routes.TODO)
    assert "东山镇窗口办件超期" in text(unit)
    ok(button(unit, "签收").click().run())
    assert "已签收" in text(unit)
    unit.text_area[0].set_value("增派窗口人员")
    unit.text_area[1].set_value("超期件已全部办结")
    unit.file_uploader[0].set_value(("整改报告.pdf", b"%PDF-1.4 report", "application/pdf"))
    ok(button(unit, "回告").click().run())
    assert "已回告" in text(unit) and "已回告，待审核" in [h.value for h in unit.subheader]

    other = page("xhz_user", routes.TODO)
    assert "东山镇窗口办件超期" not in text(other) and "本单位暂无待办督办单" in text(other)

    leader = page("boss", routes.ORDERS)
    assert "增派窗口人员" in text(leader)
    leader.text_input[-1].set_value("措施不具体，请补充制度")
    ok(button(leader, "退回重办").click().run())
    assert "已退回重办" in text(leader)

    unit = page("dsz_user", routes.TODO)
    assert "退回重办" in text(unit)
    unit.text_area[0].set_value("建立超期预警制度")
    unit.text_area[1].set_value("已落实")
    ok(button(unit, "回告").click().run())

    leader = page("boss", routes.ORDERS)
    ok(button(leader, "同意办结").click().run())
    assert "已办结" in text(leader)

    with store.begin() as session:
        order = session.scalars(select(SupervisionOrder)).one()
        assert order.closed_at is not None
        assert [e.kind for e in order.events] == ["open", "sign", "reply", "return", "reply", "accept", "close"]
        assert session.scalars(select(OrderAttachment.filename)).all() == ["整改报告.pdf"]
    store.dispose()
    assert "本单位暂无待办督办单" in text(page("dsz_user", routes.TODO))
