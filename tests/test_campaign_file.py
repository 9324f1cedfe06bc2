"""The campaign file: the duties the plan ties to its phases, each indicator's counting start and the
plan sentence it measures, and the loader's checks of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.campaign_file import DEFAULT_CAMPAIGN, CampaignError, read_campaign

CHANGED = (
    "T04.on_time_rate", "T05.limit_compression", "T05.limit_days_compression", "T05.actual_compression",
    "T05.original_limit_saving", "T03.courtesy_rating", "T03.attitude_findings", "T11.appraised", "T12.episodes",
    "T13.callback_satisfaction", "T14.callback_satisfaction", "T15.callback_satisfaction",
    "T16.power_list_coverage", "X.required_duties", "X.self_checks", "X.rectification_verified", "X.commitments",
)
"""Indicators whose meaning this campaign file defines anew or adds: each says which sentence of the plan it measures."""


def test_the_duties_are_due_in_the_phases_the_plan_puts_them_in():
    spec = read_campaign()
    phases = {phase["key"]: phase["name"] for phase in spec.data["phases"]}
    duties = [(duty["name"], phases[duty["phase"]], duty["kind"]) for duty in spec.data["duties"]]
    # 工作要求1: 一次动员部署大会、一个宣传专栏、一次“回头看”、一个整改方案、一套制度. The plan's 方法步骤 put
    # the meeting and the column in 动员部署, the look-back and the rules (修订岗位责任制…制度体系) in
    # 自查自纠, the plan in 整改推进; 六查六看 in 自查自纠 and the 自查自验 report in 总结测评.
    assert duties == [
        ("动员部署大会", "动员部署", "required"), ("宣传专栏", "动员部署", "required"),
        ("作风建设“回头看”活动", "自查自纠", "required"), ("整改方案", "整改推进", "required"),
        ("修订完善一套制度", "自查自纠", "required"), ("“六查六看”自查", "自查自纠", "phase"),
        ("自查自验及专项行动情况报告", "总结测评", "phase"),
    ]


def test_the_five_ones_are_the_courtesy_service_of_task_3_not_the_required_duties():
    indicators = {item["id"]: item for item in read_campaign().data["indicators"]}
    assert "X.five_ones" not in indicators
    assert indicators["X.required_duties"]["name"] == "五项规定动作按期完成率"
    courtesy = indicators["T03.courtesy_rating"]
    assert courtesy["task"] == "3" and "“五个一”" in courtesy["name"]
    assert "一张笑脸" in courtesy["description"] and "倒一杯热茶" in courtesy["basis"]


def test_every_changed_indicator_says_which_sentence_of_the_plan_it_measures():
    plan = Path(__file__).parents[2] / "shared" / "seed" / "000_95e3181839dee6b4.txt"  # beside the repository
    seed = _plain(plan.read_text(encoding="utf-8")) if plan.exists() else None
    indicators = {item["id"]: item for item in read_campaign().data["indicators"]}
    for indicator in CHANGED:
        basis = indicators[indicator].get("basis", "")
        assert basis, indicator
        if seed is not None:  # every fragment between ellipses and semicolons is the plan's own words
            for fragment in _plain(basis).replace("……", ";").split(";"):
                assert fragment.strip(".") in seed, (indicator, fragment)


def _plain(text: str) -> str:
    """``text`` with full-width punctuation and quotes as ASCII (the plan writes both)."""
    return text.translate(str.maketrans("，；：（）。‘’“”", ",;:().''\"\""))




@pytest.mark.parametrize("old, new, message", [
    ('phase = "mobilise"            # （一）动员部署：“要迅速召开动员部署大会”', 'phase = "mobilize"',
     "phase 'mobilize' is not declared"),
    ('counts_from = "campaign"', 'counts_from = "june"', "counts_from must be one of year, campaign"),
])
def test_the_loader_names_a_wrong_phase_or_counting_start(tmp_path: Path, old: str, new: str, message: str):
    text = DEFAULT_CAMPAIGN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "campaign.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CampaignError, match=message):
        read_campaign(path)
