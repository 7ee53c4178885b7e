"""Pure-Python parts of the audits: score formula, action grouping, CLS windows, heuristics."""

from __future__ import annotations

from typing import Any

import pytest

from signoff.ux.accessibility import (
    IMPACT_WEIGHTS,
    RuleOutcome,
    accessibility_score,
    rule_weight,
    score_rules,
)
from signoff.ux.usability import (
    PrimaryAction,
    consistency_report,
    cumulative_layout_shift,
    focus_is_visible,
    group_actions,
    is_detail_route,
    names_problem,
    normalise_label,
)


def rule(rule_id: str, impact: str, passed: bool) -> RuleOutcome:
    return RuleOutcome(rule_id, impact, rule_weight(impact), passed)


# -- accessibility score -------------------------------------------------------------------------


def test_weights_follow_axe_impact() -> None:
    assert IMPACT_WEIGHTS == {"critical": 10, "serious": 7, "moderate": 3, "minor": 1}
    assert rule_weight(None) == 3  # unknown impact weighs as moderate


def test_score_is_weighted_share_of_passed_rules() -> None:
    rules = [rule("label", "critical", False), rule("color-contrast", "serious", True), rule("list", "serious", True)]
    # 100 * (7 + 7) / (10 + 7 + 7)
    assert accessibility_score(rules) == 58.3


def test_score_extremes() -> None:
    assert accessibility_score([]) == 100.0
    assert accessibility_score([rule("a", "minor", True)]) == 100.0
    assert accessibility_score([rule("a", "minor", False), rule("b", "critical", False)]) == 0.0


def test_a_minor_failure_costs_less_than_a_critical_one() -> None:
    passing = [rule(f"r{i}", "serious", True) for i in range(9)]
    minor = accessibility_score([*passing, rule("x", "minor", False)])
    critical = accessibility_score([*passing, rule("x", "critical", False)])
    assert 100 > minor > critical


def test_score_rules_from_an_axe_result() -> None:
    raw: dict[str, Any] = {
        "violations": [{"id": "label", "impact": "critical"}, {"id": "color-contrast", "impact": "serious"}],
        # A rule with some passing and some failing elements is listed in both: it failed.
        "passes": [{"id": "color-contrast", "impact": None}, {"id": "document-title", "impact": None}],
        "incomplete": [{"id": "aria-valid-attr", "impact": None}],
        "inapplicable": [{"id": "video-caption", "impact": None}],
    }
    declared = {"label": "critical", "color-contrast": "serious", "document-title": "serious"}
    outcomes = {r.rule_id: r for r in score_rules(raw, declared)}
    assert set(outcomes) == {"label", "color-contrast", "document-title"}
    assert not outcomes["color-contrast"].passed
    assert outcomes["document-title"].passed and outcomes["document-title"].weight == 7
    assert accessibility_score(outcomes.values()) == round(100 * 7 / 24, 1)


def test_score_rules_without_declared_impacts_falls_back() -> None:
    raw = {"violations": [{"id": "label", "impact": "critical"}], "passes": [{"id": "list", "impact": None}]}
    outcomes = {r.rule_id: r for r in score_rules(raw)}
    assert outcomes["label"].weight == 10
    assert outcomes["list"].weight == 3


# -- effort ------------------------------------------------------------------------------------


def ev(kind: str, key: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "key": key, **extra}


def test_keystrokes_in_one_field_are_one_action() -> None:
    events = [ev("edit", "field|f|last")] * 5 + [ev("edit", "field|f|first")] * 3
    assert len(group_actions(events)) == 2


def test_returning_to_a_field_is_a_new_action() -> None:
    events = [ev("edit", "field|f|a"), ev("edit", "field|f|b"), ev("edit", "field|f|a")]
    assert len(group_actions(events)) == 3


def test_click_that_submits_is_counted_once() -> None:
    events = [
        ev("edit", "field|f|a"),
        ev("click", "click|#save"),
        ev("submit", "submit|f", submitter="click|#save"),
    ]
    assert [a["type"] for a in group_actions(events)] == ["edit", "click"]


def test_submit_without_a_click_is_an_action() -> None:
    events = [ev("edit", "field|f|a"), ev("submit", "submit|f", submitter=None)]
    assert [a["type"] for a in group_actions(events)] == ["edit", "submit"]


def test_every_click_and_manual_action_counts() -> None:
    events = [ev("click", "click|#menu"), ev("click", "click|#menu"), ev("manual", "manual|0"), ev("other", "x")]
    assert len(group_actions(events)) == 3


# -- speed ---------------------------------------------------------------------------------------


def test_cls_is_the_largest_session_window() -> None:
    shifts = [
        {"value": 0.05, "input": False, "t": 100},
        {"value": 0.05, "input": False, "t": 600},  # same window (< 1 s gap)
        {"value": 0.5, "input": True, "t": 700},  # after input: ignored
        {"value": 0.08, "input": False, "t": 3000},  # new window
    ]
    cls, total = cumulative_layout_shift(shifts)
    assert cls == 0.1
    assert total == 0.18


def test_cls_window_is_capped_at_five_seconds() -> None:
    shifts = [{"value": 0.02, "input": False, "t": t} for t in range(0, 8000, 800)]
    cls, total = cumulative_layout_shift(shifts)
    assert total == 0.2
    assert cls < total


def test_no_shifts_no_cls() -> None:
    assert cumulative_layout_shift([]) == (0.0, 0.0)


# -- feedback heuristics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "specific"),
    [
        ("Email must contain @", True),
        ("请填写姓", True),
        ("This field is required.", True),
        ("Error", False),
        ("错误", False),
        ("Invalid!", False),
        ("*", False),
        ("", False),
        ("404", False),
    ],
)
def test_names_problem(message: str, specific: bool) -> None:
    assert names_problem(message) is specific


@pytest.mark.parametrize(
    ("route", "detail"),
    [
        ("/persons/contact/{id}", True),
        ("/contacts/{id}/", True),
        ("/persons/contact/{id}/edit", False),
        ("/persons/contacts", False),
        ("/persons/contact/add", False),
    ],
)
def test_detail_route(route: str, detail: bool) -> None:
    assert is_detail_route(route) is detail


def style(**values: str) -> dict[str, dict[str, str]]:
    base = {
        "outline": "none",
        "boxShadow": "none",
        "border": "a",
        "background": "b",
        "color": "c",
        "decoration": "none",
    }
    return {"self": {**base, **values}, "parent": dict(base)}


def test_focus_visibility() -> None:
    plain = style()
    assert not focus_is_visible(plain, style())
    assert focus_is_visible(plain, style(outline="solid 3px rgb(0, 0, 255) 2px"))
    assert focus_is_visible(plain, style(boxShadow="rgb(0, 0, 255) 0px 0px 0px 3px"))
    assert focus_is_visible(plain, style(background="yellow"))
    focused_parent = {"self": plain["self"], "parent": {**plain["parent"], "boxShadow": "blue 0 0 0 2px"}}
    assert focus_is_visible(plain, focused_parent)


# -- consistency ---------------------------------------------------------------------------------


def action(label: str, placement: str = "right", purpose: str = "edit", kind: str = "/a") -> PrimaryAction:
    return PrimaryAction(
        url="http://crm" + kind,
        kind=kind,
        form="#f",
        purpose=purpose,
        label=label,
        placement=placement,
        x=0,
        y=0,
        form_width=600,
        submit_buttons=1,
    )


def test_normalise_label() -> None:
    assert normalise_label("  Save… ") == normalise_label("save")
    assert normalise_label("✓ 保存") == "保存"


def test_consistent_forms_pass() -> None:
    report = consistency_report([action("Save"), action("save", kind="/b"), action("Search", "left", "search")])
    assert report.passed and report.issues == []
    assert report.forms == 3


def test_different_labels_and_placements_are_flagged() -> None:
    report = consistency_report([action("Save"), action("Save", kind="/b"), action("Submit", "left", kind="/c")])
    kinds = {issue.kind: issue for issue in report.issues}
    assert set(kinds) == {"label", "placement"}
    assert list(kinds["label"].variants) == ["Save", "Submit"]  # the convention first
    assert kinds["label"].variants["Submit"] == ["/c #f"]
    assert "right (2)" in kinds["placement"].message and "left (1)" in kinds["placement"].message
    assert not report.passed


def test_full_width_buttons_do_not_count_as_a_side() -> None:
    report = consistency_report([action("Save"), action("Save", "full-width", kind="/b")])
    assert report.passed


def test_glossary_synonyms_are_flagged_in_labels_and_texts() -> None:
    glossary = {"Organisation": ["Company", "公司"], "Contact": ["Person"]}
    texts = {"/orgs": "Organisation list", "/orgs/{id}": "Company details", "/contacts": "Contacts"}
    report = consistency_report([action("Save")], glossary, texts)
    [issue] = report.issues
    assert issue.kind == "terminology"
    assert set(issue.variants) == {"Organisation", "Company"}
    assert issue.variants["Company"] == ["/orgs/{id}"]


def test_glossary_matches_whole_words_and_chinese_anywhere() -> None:
    glossary = {"Contact": ["Person"], "联系人": ["客户"]}
    texts = {"a": "Contacts and personal notes", "b": "新建联系人", "c": "客户列表"}
    report = consistency_report([], glossary, texts)
    assert [set(i.variants) for i in report.issues] == [{"联系人", "客户"}]


def test_one_impact_ranking_and_one_merge_in_the_ux_package() -> None:
    from pathlib import Path

    import signoff.ux as package

    folder = Path(package.__file__).parent
    sources = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.py")}
    assert [name for name, text in sources.items() if "IMPACTS.index" in text] == ["plan.py"]
    assert [name for name, text in sources.items() if "def merge_findings" in text] == ["accessibility.py"]
    assert not [name for name, text in sources.items() if "def _merge_violations" in text or "def _rank" in text]
