"""The units page's tables from the ledgers: duties by their phase deadlines, overdue rectification
items, the task 11 ranking and its follow-through."""

from __future__ import annotations

import dataclasses
import datetime as dt

from collectors import Watch
from plugins.ledger_views import (
    FLAG,
    PRAISE,
    DutyState,
    duty_matrix,
    duty_progress,
    key_enforcement_ranking,
    missing_follow_ups,
    overdue_rectifications,
)
from plugins.ledger_watch import overdue_duties
from tests.test_ledger_indicators import (  # noqa: F401  (fixtures)
    D,
    KEY_ENFORCEMENT,
    SCOPE,
    UNITS,
    action,
    activity,
    appraisal,
    appraisals,
    item,
    rectification,
    upload,
    upload_by_month,
)


def test_duty_matrix_judges_each_duty_by_the_end_of_its_phase(store, registry):
    # Judged on 2026-07-01: 动员部署 (ends 06-10) is over, 自查自纠 (ends 07-20) is running.
    upload_by_month(store, registry, "dsz", [
        activity("dsz", D(2026, 6, 10), "动员部署大会"),  # the last day of 动员部署: on time
        activity("dsz", D(2026, 6, 11), "宣传专栏"),  # a day late
        activity("dsz", D(2026, 6, 20), "回头看活动"),  # 自查自纠, on time
    ])
    upload(store, registry, "activities", "xhz", "2026-06", [
        activity("xhz", D(2026, 6, 2), "宣传专栏", status="计划中"),  # planned only: never held
    ])
    with store.begin() as session:
        matrix = duty_matrix(session, SCOPE)
    assert [(d.name, d.kind, d.phase, d.deadline) for d in matrix.duties] == [
        ("动员部署大会", "required", "动员部署", D(2026, 6, 10)),
        ("宣传专栏", "required", "动员部署", D(2026, 6, 10)),
        ("作风建设“回头看”活动", "required", "自查自纠", D(2026, 7, 20)),
        ("整改方案", "required", "整改推进", D(2026, 11, 10)),
        ("修订完善一套制度", "required", "自查自纠", D(2026, 7, 20)),
        ("“六查六看”自查", "phase", "自查自纠", D(2026, 7, 20)),
        ("自查自验及专项行动情况报告", "phase", "总结测评", D(2026, 12, 20)),
    ]
    assert len(matrix.rows) == UNITS and [row.unit for row in matrix.rows[:2]] == ["dsz", "xhz"]
    dsz, xhz = matrix.rows[:2]
    assert {key: (cell.state, cell.done_on) for key, cell in dsz.cells.items()} == {
        "mobilisation_meeting": (DutyState.ON_TIME, D(2026, 6, 10)),
        "publicity_column": (DutyState.LATE, D(2026, 6, 11)),
        "look_back": (DutyState.ON_TIME, D(2026, 6, 20)),
        "rectification_plan": (DutyState.PENDING, None),
        "revised_rules": (DutyState.PENDING, None),
        "six_checks": (DutyState.PENDING, None),
        "self_inspection_report": (DutyState.PENDING, None),
    }
    assert xhz.cells["mobilisation_meeting"].state is DutyState.OVERDUE  # never, and 动员部署 is over
    assert xhz.cells["publicity_column"].state is DutyState.OVERDUE
    assert not any(row.complete(matrix.duties, "required") for row in matrix.rows)
    progress = {p.duty.key: p.counts for p in duty_progress(matrix)}
    # 宣传专栏: dsz late, the other 43 units never did it: overdue.
    assert progress["publicity_column"] == {DutyState.ON_TIME: 0, DutyState.LATE: 1, DutyState.OVERDUE: 43,
                                            DutyState.PENDING: 0}
    assert progress["look_back"][DutyState.ON_TIME] == 1 and progress["look_back"][DutyState.PENDING] == 43
    with store.begin() as session:
        alerts = overdue_duties(session, Watch(SCOPE, SCOPE.end, "Asia/Shanghai", {}))
    # 动员部署 is over: 43 units never held the meeting, 43 never set up the column (dsz's came a day late).
    assert [(alert.title, alert.text) for alert in alerts] == [
        ("规定动作逾期", "动员部署大会应于动员部署阶段结束（6月10日）前完成，43 个单位仍未完成"),
        ("规定动作逾期", "宣传专栏应于动员部署阶段结束（6月10日）前完成，43 个单位仍未完成"),
    ]


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


def test_the_ranking_is_provisional_until_every_key_department_is_appraised(store, appraisals):
    with store.begin() as session:
        ranking = key_enforcement_ranking(session, SCOPE)
        before = key_enforcement_ranking(session, dataclasses.replace(SCOPE, end=SCOPE.start))
    assert len(ranking.departments) == KEY_ENFORCEMENT
    # Means: hbj 95, jsj (90 + 80) / 2 = 85, gtzyj 70, gafj 70, scjgj 60; the rest not yet appraised
    # in the scope (cgzfj's came in September, jtysj has a 民主测评 only). Equal scores share a rank.
    scored = [(d.unit, d.score, d.ratings, d.rank) for d in ranking.departments if d.rank is not None]
    assert scored == [("hbj", 95, 1, 1), ("jsj", 85, 2, 2), ("gtzyj", 70, 1, 3), ("gafj", 70, 1, 3),
                      ("scjgj", 60, 1, 5)]
    # 5 of 11 appraised: nobody is flagged or praised yet.
    assert (ranking.appraised, ranking.complete, ranking.completed_on) == (5, False, None)
    assert not any(d.flagged or d.praised for d in ranking.departments)
    unscored = ranking.departments[len(scored):]
    assert all(d.score is None and d.rank is None and d.ratings == 0 for d in unscored)
    assert {"cgzfj", "jtysj"} <= {d.unit for d in unscored}
    assert all(d.rank is None for d in before.departments) and before.appraised == 0


ALL_ELEVEN = {"jsj": 85, "gtzyj": 70, "hbj": 95, "gafj": 70, "scjgj": 60, "cgzfj": 90, "jtysj": 88,
              "wsjkj": 80, "rsj": 75, "swj": 92, "yjglj": 65}


def appraise_all(store, registry, day: dt.date = D(2026, 6, 1)) -> None:
    upload(store, registry, "appraisals", "jwjcj", "2026",
           [appraisal(unit, score, day=day) for unit, score in ALL_ELEVEN.items()])


def test_once_all_eleven_are_appraised_the_top_are_praised_and_the_last_three_flagged(store, registry):
    appraise_all(store, registry)
    with store.begin() as session:
        ranking = key_enforcement_ranking(session, SCOPE)
    assert ranking.complete and ranking.completed_on == D(2026, 6, 1)
    # Scores sorted: 95 hbj, 92 swj, 90 cgzfj | ... | 65 yjglj, 60 scjgj and the third-lowest, 70, shared
    # by gtzyj and gafj: four flagged.
    assert {d.unit for d in ranking.departments if d.flag == PRAISE} == {"hbj", "swj", "cgzfj"}
    assert {d.unit for d in ranking.departments if d.flag == FLAG} == {"gtzyj", "gafj", "yjglj", "scjgj"}


def test_a_flagged_department_without_its_follow_up_by_the_deadline(store, registry):
    appraise_all(store, registry)
    # Complete on Mon 2026-06-01; 20 working days later (Dragon Boat Festival, Fri 06-19, is a holiday)
    # is Tue 06-30; judged on 07-01, the deadline has passed.
    upload(store, registry, "accountability", "jwjcj", "2026-06", [
        action(D(2026, 6, 15), "gtzyj", "诫勉谈话"), action(D(2026, 6, 15), "gafj", "诫勉谈话"),
        action(D(2026, 6, 15), "yjglj", "通报批评"),  # not a 诫勉谈话
    ])
    upload(store, registry, "rectification", "gtzyj", "campaign", [item("gtzyj", "评议问题整改", D(2026, 8, 31))])
    upload(store, registry, "rectification", "yjglj", "campaign", [item("yjglj", "评议问题整改", D(2026, 8, 31))])
    with store.begin() as session:
        found = {f.unit: (f.admonished, f.rectifying, f.deadline) for f in missing_follow_ups(session, SCOPE)}
        early = missing_follow_ups(session, dataclasses.replace(SCOPE, end=dt.datetime(2026, 6, 29, 16, tzinfo=dt.UTC)))
    # gtzyj has both; gafj lacks a rectification item; yjglj lacks the 诫勉谈话; scjgj lacks both.
    assert found == {"gafj": (True, False, D(2026, 6, 30)), "yjglj": (False, True, D(2026, 6, 30)),
                     "scjgj": (False, False, D(2026, 6, 30))}
    assert early == []  # judged on 06-30, the last day allowed: not late yet
