"""Page and task records: JSON round trip, several processes writing one folder, one audit per page kind."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from signoff.errors import PlanError
from signoff.plan import parse_sections
from signoff.ux.accessibility import AccessibilityResult, RuleOutcome, Violation, ViolationNode
from signoff.ux.effort import EffortResult, UserAction
from signoff.ux.feedback import ErrorFeedbackResult, SaveFeedbackResult
from signoff.ux.keyboard import KeyboardResult
from signoff.ux.language import TextRenderResult
from signoff.ux.plan import UxSection
from signoff.ux.recorder import auditable, is_form_route
from signoff.ux.records import AUDIT, STEP, RecordStore, from_data, merge_page_audits, to_data
from signoff.ux.scorecard import IncompleteAudit, PageAudit, TaskAudit, build_scorecard
from signoff.ux.small_screen import OverflowElement, SmallScreenResult, TouchTarget
from signoff.ux.speed import PageSpeed

BASE = "http://127.0.0.1:8000"


def rule(rule_id: str, impact: str, passed: bool) -> RuleOutcome:
    weights = {"critical": 10, "serious": 7, "moderate": 3, "minor": 1}
    return RuleOutcome(rule_id, impact, weights[impact], passed)


def a11y(url: str, failed: dict[str, list[str]], passed: list[str], screenshot: str = "") -> AccessibilityResult:
    """An axe result failing ``failed`` (rule -> element selectors) and passing ``passed`` (serious rules)."""
    violations = [
        Violation(
            rule_id,
            "critical",
            f"help {rule_id}",
            f"https://help/{rule_id}",
            "",
            ["wcag2a"],
            [ViolationNode([selector], f"<{selector}>", "fix it") for selector in selectors],
        )
        for rule_id, selectors in failed.items()
    ]
    rules = [rule(r, "critical", False) for r in failed] + [rule(r, "serious", True) for r in passed]
    score = round(100 * sum(r.weight for r in rules if r.passed) / sum(r.weight for r in rules), 1)
    return AccessibilityResult(url, "", "4.12.1", ["wcag2a"], violations, rules, [], score, screenshot)


def small(url: str, overflow: bool) -> SmallScreenResult:
    return SmallScreenResult(
        url=url,
        kind="",
        viewport=[375, 667],
        viewport_width=375,
        scroll_width=900 if overflow else 375,
        horizontal_overflow=overflow,
        overflowing=[OverflowElement("table", "table", 0, 900, 900)] if overflow else [],
        min_target=24,
        small_targets=[TouchTarget("a", 'a "About"', 37.4, 18)],
        targets_to_review=[],
        viewport_meta=None,
        passed=False,
    )


def keyboard(url: str, form: str, unreached: list[str]) -> KeyboardResult:
    return KeyboardResult(
        url, form, True, ["input#a", "button"], ["input#a"], unreached, False, [], [], 3, passed=not unreached
    )


def speed(url: str, from_start: bool, lcp: float) -> PageSpeed:
    return PageSpeed(url, "", 10.0, 50.0, 80.0, lcp, "h1", 0.01, 0.01, 1, from_start)


def full_audit() -> PageAudit:
    url = f"{BASE}/persons/organisation/12"
    return PageAudit(
        url=url,
        accessibility=a11y(url, {"label": ["#id_name"]}, ["color-contrast"], screenshot="iVBORw0KGgo="),
        small_screen=small(url, overflow=True),
        keyboard=[keyboard(url, "form", [])],
        speed=speed(url, True, 900.0),
        text=[TextRenderResult("北京星辰", True, True, False, None, [], "Noto Sans CJK SC", "td", True)],
    )


def task(name: str = "adding an organisation", actions: int = 4) -> TaskAudit:
    effort = EffortResult(
        task=name,
        actions=actions,
        pages_visited=4,
        seconds=3.5,
        steps=[UserAction("click", 'a "Organisations"', f"{BASE}/", 0.4)] * actions,
        pages=[f"{BASE}/", f"{BASE}/persons/organisations"],
    )
    return TaskAudit(
        name=name,
        effort=effort,
        save_feedback=SaveFeedbackResult(f"{BASE}/a/add", f"{BASE}/a/3", ["detail-page"], [], 12.0, True),
        error_feedback=[
            ErrorFeedbackResult(
                "input#id_name", False, True, "Please fill out this field.", ["native"], None, True, True
            )
        ],
    )


# ---------------------------------------------------------------------------------------------
# Round trip
# ---------------------------------------------------------------------------------------------


def test_a_page_audit_survives_json() -> None:
    audit = full_audit()
    again = from_data(PageAudit, json.loads(json.dumps(to_data(audit))))
    assert again == audit
    assert isinstance(again.accessibility, AccessibilityResult)
    assert isinstance(again.accessibility.violations[0].nodes[0], ViolationNode)
    assert again.kind == "/persons/organisation/{id}"


def test_a_task_audit_survives_json() -> None:
    original = task()
    again = from_data(TaskAudit, json.loads(json.dumps(to_data(original))))
    assert again == original
    assert isinstance(again.effort.steps[0], UserAction)


def test_records_of_older_or_newer_writers_still_load() -> None:
    data = to_data(task())
    data["effort"]["a_field_from_the_future"] = 1
    del data["error_feedback"]  # a field this version has and an older writer did not
    again = from_data(TaskAudit, data)
    assert again.error_feedback == []
    assert again.effort.actions == 4


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


def test_store_saves_and_loads_pages_and_tasks(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    store.save_page(full_audit(), origin=AUDIT, source="features/a.feature::test_one")
    store.save_task(task(), source="features/a.feature::test_one")
    [record] = store.page_records()
    assert record.origin == AUDIT and record.source.endswith("test_one")
    assert store.pages() == [full_audit()]
    assert store.tasks() == [task()]
    assert not list(tmp_path.rglob("*.tmp")), "no half-written file stays behind"


def test_step_measurements_come_after_the_automatic_audits(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    url = f"{BASE}/persons/organisations"
    store.save_page(PageAudit(url=url, small_screen=small(url, overflow=False)), origin=STEP)
    store.save_page(PageAudit(url=url, speed=speed(url, True, 500.0)), origin=AUDIT)
    assert [r.origin for r in store.page_records()] == [AUDIT, STEP]


def test_an_unknown_origin_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="origin"):
        RecordStore(tmp_path).save_page(full_audit(), origin="guess")


def test_clear_removes_every_record(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    store.save_page(full_audit())
    store.save_task(task())
    store.clear()
    assert store.pages() == [] and store.tasks() == []


def _worker(folder: str, worker: int) -> None:
    # One pytest-xdist worker: audits its page kinds and tasks, each saved as it is done.
    store = RecordStore(folder)
    for n in range(10):
        url = f"{BASE}/kind{worker}/{n}"  # one kind per worker: /kind<w>/{id}
        store.save_page(PageAudit(url=url, speed=speed(url, True, 100.0 + n)), origin=AUDIT, source=f"gw{worker}")
        store.save_task(task(f"task {worker}-{n}"), source=f"gw{worker}")


def test_records_of_parallel_processes_meet_in_one_scorecard(tmp_path: Path) -> None:
    processes = [
        multiprocessing.get_context("spawn").Process(target=_worker, args=(str(tmp_path), w)) for w in range(3)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    store = RecordStore(tmp_path)
    assert len(store.page_records()) == 30
    pages = store.pages()
    assert sorted(p.kind for p in pages) == ["/kind0/{id}", "/kind1/{id}", "/kind2/{id}"]
    tasks = store.tasks()
    assert sorted(t.name for t in tasks) == sorted(f"task {w}-{n}" for w in range(3) for n in range(10))
    card = build_scorecard(pages, tasks, UxSection())
    assert len(card.pages) == 3 and len(card.tasks) == 30


# ---------------------------------------------------------------------------------------------
# Merging one page kind's audits
# ---------------------------------------------------------------------------------------------


def test_one_audit_per_page_kind_in_first_seen_order() -> None:
    first = full_audit()
    other = PageAudit(url=f"{BASE}/persons/organisations", speed=speed(f"{BASE}/persons/organisations", True, 1.0))
    again = PageAudit(url=f"{BASE}/persons/organisation/57", speed=speed(f"{BASE}/persons/organisation/57", True, 2.0))
    merged = merge_page_audits([first, other, again])
    assert [m.kind for m in merged] == ["/persons/organisation/{id}", "/persons/organisations"]
    assert merged[0].url == first.url


def test_a_rule_failed_anywhere_fails_the_kind_and_elements_count_once() -> None:
    url = f"{BASE}/persons/organisations"
    audit = PageAudit(url=url, accessibility=a11y(url, {"label": ["#a"]}, ["select-name", "color-contrast"]))
    step = PageAudit(url=url + "?q=x", accessibility=a11y(url, {"label": ["#a", "#b"], "select-name": ["#s"]}, []))
    [merged] = merge_page_audits([audit, step])
    result = merged.accessibility
    assert result is not None
    assert {r.rule_id: r.passed for r in result.rules} == {"label": False, "select-name": False, "color-contrast": True}
    label = next(v for v in result.violations if v.rule_id == "label")
    assert [n.selectors for n in label.nodes] == [["#a"], ["#b"]]
    # 7 (color-contrast, passed) of 10 + 10 + 7 weighed.
    assert result.score == round(100 * 7 / 27, 1)


def test_each_check_is_counted_once_per_kind() -> None:
    url = f"{BASE}/persons/organisation/add"
    audit = PageAudit(
        url=url,
        small_screen=small(url, overflow=True),
        keyboard=[keyboard(url, "form", [])],
        speed=speed(url, True, 3000.0),
    )
    step = PageAudit(
        url=url,
        small_screen=small(url, overflow=False),
        keyboard=[keyboard(url, "form", ["select#id_user"]), keyboard(url, "tr.search", [])],
        speed=speed(url, False, 100.0),
    )
    [merged] = merge_page_audits([audit, step])
    assert merged.small_screen is not None and merged.small_screen.horizontal_overflow  # the failing one
    assert merged.speed is not None and merged.speed.observed_from_start  # measured from the load
    assert [(k.form, k.passed) for k in merged.keyboard] == [("form", False), ("tr.search", True)]
    card = build_scorecard([merged], [], UxSection())
    names = [c.check for c in card.pages[0].checks]
    assert names.count("no-horizontal-overflow") == 1
    assert names.count("keyboard-reach") == 2  # two forms, one check each


def test_a_single_audit_is_kept_as_it_is() -> None:
    audit = full_audit()
    assert merge_page_audits([audit]) == [audit]


# ---------------------------------------------------------------------------------------------
# What the recorder judges and re-opens
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "form"),
    [
        ("/persons/organisation/add", True),
        ("/persons/organisation/edit/{id}", True),
        ("/persons/contact/add_related/{id}", True),
        ("/creme_login", False),
        ("/persons/organisations", False),
        ("/persons/address/{id}", False),
    ],
)
def test_form_routes(route: str, form: bool) -> None:
    assert is_form_route(route) is form


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        (f"{BASE}/persons/organisations?q=1", True),
        (f"{BASE}/creme_logout", False),
        (f"{BASE}/accounts/sign-out/", False),
        ("http://elsewhere.example/persons", False),
        ("about:blank", False),
        ("data:text/html,hi", False),
    ],
)
def test_what_may_be_reopened_for_an_audit(url: str, ok: bool) -> None:
    assert auditable(url, BASE) is ok


def test_audit_switch_in_the_plan() -> None:
    assert UxSection().audit is True
    assert parse_sections({"ux": {"audit": False}})["ux"].audit is False
    with pytest.raises(PlanError, match="audit"):
        parse_sections({"ux": {"audit": "yes"}})


def test_merging_keeps_the_worst_impact_a_rule_had_on_any_url() -> None:
    url = f"{BASE}/persons/organisation/12"
    first = a11y(url, {"label": ["#a"]}, [])
    first.violations[0].impact = "serious"  # on the first URL axe rated the elements serious ...
    second = a11y(f"{BASE}/persons/organisation/57", {"label": ["#b"]}, [])  # ... critical on the second
    [merged] = merge_page_audits(
        [PageAudit(url=url, accessibility=first), PageAudit(url=second.url, accessibility=second)]
    )
    assert merged.accessibility is not None
    [label] = merged.accessibility.violations
    assert label.impact == "critical"
    assert [n.selectors for n in label.nodes] == [["#a"], ["#b"]]
    # The scorecard merges with the same function, from either order.
    card = build_scorecard([PageAudit(url=url, accessibility=first), PageAudit(url=second.url, accessibility=second)])
    assert card.pages[0].violations_by_impact["critical"] == 1
    assert card.pages[0].violations_by_impact["serious"] == 0


def test_an_incomplete_audit_survives_json_and_merging(tmp_path: Path) -> None:
    url = f"{BASE}/persons/organisations"
    broken = PageAudit(url=url, incomplete=[IncompleteAudit("accessibility", url, "Error: Target crashed")])
    store = RecordStore(tmp_path)
    store.save_page(broken)
    store.save_page(PageAudit(url=url, speed=speed(url, True, 400.0)), origin=STEP)
    [merged] = store.pages()
    assert merged.incomplete == broken.incomplete
    card = build_scorecard([merged])
    assert not card.verdict.passed
    assert card.could_not_check == 1
