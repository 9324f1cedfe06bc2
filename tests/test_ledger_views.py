"""The units page's tables from the ledgers: five-ones matrix, overdue rectification items, task 11 ranking."""

from __future__ import annotations

import dataclasses

from plugins.ledger_views import FLAG, five_ones_matrix, key_enforcement_ranking, overdue_rectifications
from tests.test_ledger_indicators import (  # noqa: F401  (fixtures)
    D,
    FIVE_ONES,
    KEY_ENFORCEMENT,
    SCOPE,
    UNITS,
    activity,
    appraisal,
    appraisals,
    rectification,
    upload,
)


def test_five_ones_matrix(store, registry):
    upload(store, registry, "activities", "dsz", "2026-06", [
        activity("dsz", D(2026, 6, day), kind) for day, kind in enumerate(FIVE_ONES, 1)
    ])
    upload(store, registry, "activities", "xhz", "2026-06", [
        activity("xhz", D(2026, 6, 1), "动员部署大会"), activity("xhz", D(2026, 6, 2), "宣传专栏", status="计划中"),
    ])
    with store.begin() as session:
        matrix = five_ones_matrix(session, SCOPE)
    assert list(matrix.duties.values()) == ["动员部署大会", "宣传专栏", "作风建设“回头看”活动", "整改方案", "修订完善制度"]
    assert len(matrix.rows) == UNITS and [row.unit for row in matrix.rows[:2]] == ["dsz", "xhz"]
    dsz, xhz = matrix.rows[:2]
    assert dsz.complete and dsz.name == "东山镇"
    assert xhz.held == {"mobilisation_meeting": True, "publicity_column": False, "look_back": False,
                        "rectification_plan": False, "revised_rules": False}
    assert not any(row.complete for row in matrix.rows[1:])


def test_overdue_rectifications_leave_out_the_responsible_person_unless_asked(store, rectification):
    with store.begin() as session:
        items = overdue_rectifications(session, SCOPE)
        personal = overdue_rectifications(session, SCOPE, personal=True)
        of_xhz = overdue_rectifications(session, SCOPE, unit="xhz")
    # Judged on 2026-07-01: 窗口空岗 (05-31) is 31 days overdue, 公示缺失 (06-15) 16.
    assert [(i.unit, i.unit_name, i.problem, i.deadline, i.days_overdue) for i in items] == [
        ("dsz", "东山镇", "窗口空岗", D(2026, 5, 31), 31), ("dsz", "东山镇", "公示缺失", D(2026, 6, 15), 16),
    ]
    assert [i.owner for i in items] == [None, None]
    assert [i.owner for i in personal] == ["王五", "赵六"]
    assert [dataclasses.replace(i, owner=None) for i in personal] == items
    assert of_xhz == []


def test_key_enforcement_ranking_flags_the_last_three(store, appraisals):
    with store.begin() as session:
        ranking = key_enforcement_ranking(session, SCOPE)
        before = key_enforcement_ranking(session, dataclasses.replace(SCOPE, end=SCOPE.start))
    assert len(ranking) == KEY_ENFORCEMENT
    # Means: hbj 95, jsj (90 + 80) / 2 = 85, gtzyj 70, gafj 70, scjgj 60; the rest not yet appraised
    # in the scope (cgzfj's came in September, jtysj has a 民主测评 only). Equal scores share a rank.
    scored = [(d.unit, d.score, d.ratings, d.rank, d.flag) for d in ranking if d.rank is not None]
    assert scored == [
        ("hbj", 95, 1, 1, None), ("jsj", 85, 2, 2, None), ("gtzyj", 70, 1, 3, FLAG), ("gafj", 70, 1, 3, FLAG),
        ("scjgj", 60, 1, 5, FLAG),
    ]
    unscored = ranking[len(scored):]
    assert all(d.score is None and d.rank is None and not d.flagged and d.ratings == 0 for d in unscored)
    assert {"cgzfj", "jtysj"} <= {d.unit for d in unscored}
    assert all(d.rank is None and not d.flagged for d in before)


def test_departments_tied_with_the_third_lowest_are_flagged_too(store, registry, appraisals):
    upload(store, registry, "appraisals", "xnjczx", "2026", [appraisal("rsj", 70)])  # another office's ratings
    with store.begin() as session:
        ranking = key_enforcement_ranking(session, SCOPE)
    # Scores 95, 85, 70, 70, 70, 60: the third-lowest is 70, and all three at 70 share rank 3.
    scored = [(d.unit, d.rank, d.flagged) for d in ranking if d.rank is not None]
    assert scored == [("hbj", 1, False), ("jsj", 2, False), ("gtzyj", 3, True), ("gafj", 3, True), ("rsj", 3, True),
                      ("scjgj", 6, True)]
