"""The [ux] plan section: defaults, validation and the per-task action limit."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from signoff.errors import PlanError
from signoff.plan import parse_sections
from signoff.ux.accessibility import ensure_axe
from signoff.ux.plan import DEFAULT_WCAG_TAGS, UxSection, axe_tags, impact_rank, worst_impact


def ux(table: dict[str, object]) -> UxSection:
    section = parse_sections({"ux": table})["ux"]
    assert isinstance(section, UxSection)
    return section


def test_defaults_are_the_published_good_bars() -> None:
    section = ux({})
    assert (section.max_critical, section.max_serious) == (0, 0)
    assert section.min_accessibility_score == 90
    assert section.wcag_tags == ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
    assert section.phone_size == (375, 667)
    assert section.min_touch_target == 24  # WCAG 2.2 SC 2.5.8 (AA)
    assert (section.max_lcp_seconds, section.max_cls) == (2.5, 0.1)
    assert section.task_action_limit("anything") == 8


def test_values_from_toml_are_converted() -> None:
    section = ux(
        {
            "min_accessibility_score": 95,
            "phone_viewport": [360, 640],
            "wcag_tags": ["wcag2a"],
            "glossary": {"Save": ["Submit", "保存"]},
        }
    )
    assert section.min_accessibility_score == 95.0
    assert isinstance(section.min_accessibility_score, float)
    assert section.phone_size == (360, 640)
    assert section.glossary == {"Save": ("Submit", "保存")}


def test_max_task_actions_as_a_table_with_a_default() -> None:
    section = ux({"max_task_actions": {"create contact": 6, "*": 12}})
    assert section.task_action_limit("create contact") == 6
    assert section.task_action_limit("search") == 12
    without_default = ux({"max_task_actions": {"create contact": 6}})
    assert without_default.task_action_limit("search") == 8


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ({"phone_viewport": [375]}, "phone_viewport"),
        ({"min_page_score": 120}, "min_page_score"),
        ({"max_task_actions": "eight"}, "max_task_actions"),
        ({"overall_score": "median"}, "overall_score"),
        ({"fail_on_check": "sometimes"}, "fail_on_check"),
        ({"wcag_tags": []}, "wcag_tags"),
        ({"max_critcal": 0}, "max_critcal"),
    ],
)
def test_bad_values_are_plan_errors_naming_the_key(table: dict[str, object], words: str) -> None:
    with pytest.raises(PlanError, match=words):
        ux(table)


def test_an_unknown_axe_tag_is_a_one_line_plan_error_listing_the_valid_tags() -> None:
    # "wcag22a" tags no rule of axe 4.x: axe would run nothing and the page would score 100.
    with pytest.raises(PlanError) as caught:
        ux({"wcag_tags": ["wcag2a", "wcag22a"]})
    message = str(caught.value)
    assert "\n" not in message
    assert "'wcag22a'" in message
    assert "valid tags:" in message and "wcag21aa" in message and "best-practice" in message


def test_every_default_tag_is_an_axe_tag() -> None:
    assert set(DEFAULT_WCAG_TAGS) <= axe_tags()
    assert ux({"wcag_tags": ["wcag22aa", "best-practice"]}).wcag_tags == ("wcag22aa", "best-practice")


@pytest.mark.browser
def test_the_tag_list_is_the_one_of_the_axe_that_runs(ux_page: Page) -> None:
    # The tags read from the shipped bundle are exactly those axe's own rules carry at run time.
    ensure_axe(ux_page)
    runtime: list[str] = ux_page.evaluate("() => [...new Set(window.axe.getRules().flatMap((r) => r.tags))]")
    assert axe_tags() == frozenset(runtime)


def test_one_impact_ranking() -> None:
    assert [impact_rank(i) for i in ("critical", "serious", "moderate", "minor")] == [0, 1, 2, 3]
    assert impact_rank("unheard-of") == impact_rank(None) == 4
    assert worst_impact(["minor", "critical", "serious"]) == "critical"
    assert worst_impact(["moderate", "odd"]) == "moderate"
