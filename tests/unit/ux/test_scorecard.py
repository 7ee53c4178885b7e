"""Scorecard aggregation, thresholds and output - on hand-made audit results (no browser)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from signoff.ux.accessibility import AccessibilityResult, RuleOutcome, Violation, ViolationNode, rule_weight
from signoff.ux.plan import UxSection
from signoff.ux.scorecard import (
    HTML_NAME,
    JSON_NAME,
    PageAudit,
    TaskAudit,
    build_scorecard,
    page_checks,
    render_html,
    write_scorecard,
)
from signoff.ux.usability import (
    EffortResult,
    ErrorFeedbackResult,
    KeyboardResult,
    PageSpeed,
    PrimaryAction,
    SaveFeedbackResult,
    SmallScreenResult,
    TextRenderResult,
    TouchTarget,
    UserAction,
)

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()


def a11y(url: str, failed: dict[str, str] | None = None, passed: int = 10, shot: str = "") -> AccessibilityResult:
    failed = failed or {}
    rules = [RuleOutcome(f"ok-{i}", "serious", rule_weight("serious"), True) for i in range(passed)]
    rules += [RuleOutcome(rid, imp, rule_weight(imp), False) for rid, imp in failed.items()]
    violations = [
        Violation(
            rid,
            imp,
            f"help {rid}",
            f"https://dequeuniversity.com/rules/axe/4.12/{rid}",
            "",
            ["wcag2a"],
            [ViolationNode(["#x"], "<input id=x>", "Fix it")],
        )
        for rid, imp in failed.items()
    ]
    from signoff.ux.accessibility import accessibility_score

    return AccessibilityResult(url, "", "4.12.1", ["wcag2a"], violations, rules, [], accessibility_score(rules), shot)


def keyboard(**over: object) -> KeyboardResult:
    values: dict[str, object] = dict(
        url="u",
        form="#f",
        found=True,
        controls=["a", "b"],
        focus_order=["a", "b"],
        unreached=[],
        trapped=False,
        trap=[],
        invisible_focus=[],
        tabs_pressed=2,
        passed=True,
    )
    values.update(over)
    return KeyboardResult(**values)  # type: ignore[arg-type]


def small(**over: object) -> SmallScreenResult:
    values: dict[str, object] = dict(
        url="u",
        kind="/u",
        viewport=[375, 667],
        viewport_width=375,
        scroll_width=375,
        horizontal_overflow=False,
        overflowing=[],
        min_target=24,
        small_targets=[],
        targets_to_review=[],
        viewport_meta="width=device-width",
        passed=True,
    )
    values.update(over)
    return SmallScreenResult(**values)  # type: ignore[arg-type]


def speed(lcp: float | None = 800.0, cls: float = 0.0) -> PageSpeed:
    return PageSpeed("u", "/u", 10.0, 50.0, 60.0, lcp, "h1", cls, cls, 1 if cls else 0, True)


def task(name: str, actions: int, *, saved: bool = True, errors: tuple[bool, ...] = ()) -> TaskAudit:
    steps = [UserAction("click", f"step {i}", "u", float(i)) for i in range(actions)]
    effort = EffortResult(name, actions, 2, 3.5, steps, ["u1", "u2"])
    feedback = SaveFeedbackResult("u1", "u2", ["message"] if saved else [], ["Saved"] if saved else [], 5.0, saved)
    errs = [
        ErrorFeedbackResult(
            "#email",
            True,
            ok,
            "Email must contain @" if ok else "",
            ["aria-describedby"] if ok else [],
            4.0 if ok else None,
            ok,
            ok,
        )
        for ok in errors
    ]
    return TaskAudit(name, effort, feedback, errs)


def clean_page(url: str = "http://crm/persons/contact/12") -> PageAudit:
    return PageAudit(
        url=url,
        accessibility=a11y(url),
        small_screen=small(),
        keyboard=[keyboard()],
        speed=speed(),
        text=[TextRenderResult("张伟", True, True, False, None, [], "Noto Sans CJK SC", "td", True)],
    )


def test_a_clean_run_passes() -> None:
    card = build_scorecard([clean_page(), clean_page("http://crm/persons/contacts")], [task("create contact", 6)])
    assert card.verdict.passed, card.verdict.reasons
    assert card.overall_score == 100.0
    assert [p.kind for p in card.pages] == ["/persons/contact/{id}", "/persons/contacts"]


def test_pages_of_one_kind_merge_and_a_failure_on_any_counts() -> None:
    bad = clean_page("http://crm/persons/contact/57")
    bad.accessibility = a11y(bad.url, {"label": "critical"})
    card = build_scorecard([clean_page(), bad])
    [page] = card.pages
    assert page.urls == ["http://crm/persons/contact/12", "http://crm/persons/contact/57"]
    assert page.violations_by_impact["critical"] == 1
    assert page.accessibility_score == round(100 * 70 / 80, 1)


def test_critical_and_serious_violations_break_their_limits() -> None:
    page = clean_page()
    page.accessibility = a11y(page.url, {"label": "critical", "color-contrast": "serious"})
    card = build_scorecard([page])
    assert not card.verdict.passed
    assert any(
        r.startswith("1 critical accessibility violations (max 0): label on /persons/contact/{id}")
        for r in card.verdict.reasons
    )
    assert any(r.startswith("1 serious accessibility violations (max 0)") for r in card.verdict.reasons)
    lenient = build_scorecard(
        [page], section=UxSection(max_critical=1, max_serious=1, min_accessibility_score=50, min_page_score=50)
    )
    assert lenient.verdict.passed, lenient.verdict.reasons


def test_accessibility_and_page_score_minimums() -> None:
    page = clean_page()
    page.accessibility = a11y(page.url, {"region": "moderate"}, passed=2)  # axe alone: 14 / 17 -> 82.4
    section = UxSection(min_accessibility_score=90, min_page_score=97)
    card = build_scorecard([page], section=section)
    assert card.accessibility_score == 82.4
    assert "accessibility score 82.4 is below 90" in card.verdict.reasons
    # The page score adds the passed UX checks (weights 10+10+7 keyboard, 7+7+3 small screen,
    # 7+3 speed, 7 text = 61) to the axe rules: (14 + 61) / (17 + 61) -> 96.2.
    assert card.pages[0].score == 96.2
    assert "page /persons/contact/{id} scores 96.2, below 97" in card.verdict.reasons
    card = build_scorecard([page], section=UxSection(min_accessibility_score=80, min_page_score=96))
    assert card.verdict.passed, card.verdict.reasons


def test_task_over_its_action_budget_fails() -> None:
    section = UxSection(max_task_actions={"create contact": 5, "*": 20})
    card = build_scorecard([], [task("create contact", 6), task("search", 15)], section)
    assert card.verdict.reasons == ["task 'create contact': task-actions: 6 actions (limit 5) over 2 pages"]
    assert [t.name for t in card.tasks] == ["create contact", "search"]  # worst first
    assert card.tasks[0].max_actions == 5 and card.tasks[1].max_actions == 20


def test_task_time_limit_only_when_set() -> None:
    assert build_scorecard([], [task("t", 3)]).verdict.passed
    card = build_scorecard([], [task("t", 3)], UxSection(max_task_seconds=2))
    assert card.verdict.reasons == ["task 't': task-time: 3.5 s (limit 2 s)"]


def test_missing_feedback_fails_the_task() -> None:
    card = build_scorecard([], [task("t", 3, saved=False, errors=(True, False))])
    reasons = card.verdict.reasons
    assert any("save-feedback: no confirmation" in r for r in reasons)
    assert any("error-feedback: #email: no error message at the field (only aria-invalid)" in r for r in reasons)
    assert card.tasks[0].score < 100


def test_lcp_and_cls_thresholds() -> None:
    page = clean_page()
    page.speed = speed(lcp=3100.0, cls=0.25)
    card = build_scorecard([page])
    assert "page /persons/contact/{id}: lcp: LCP 3.10 s (limit 2.5 s)" in card.verdict.reasons
    assert "page /persons/contact/{id}: cls: CLS 0.250 (limit 0.1)" in card.verdict.reasons
    relaxed = build_scorecard([page], section=UxSection(max_lcp_seconds=4, max_cls=0.3, min_page_score=0))
    assert relaxed.verdict.passed, relaxed.verdict.reasons


def test_fail_on_check_decides_which_failed_checks_gate() -> None:
    page = clean_page()
    page.small_screen = small(viewport_meta=None)  # a "moderate" check
    page.keyboard = [keyboard(invisible_focus=["input#a"], passed=False)]  # a "serious" check
    default = build_scorecard([page], section=UxSection(min_page_score=0))
    assert [r.split(": ")[1] for r in default.verdict.reasons] == ["focus-visible"]
    strict = build_scorecard([page], section=UxSection(min_page_score=0, fail_on_check="moderate"))
    assert sorted(r.split(": ")[1] for r in strict.verdict.reasons) == ["focus-visible", "viewport-meta"]
    never = build_scorecard([page], section=UxSection(min_page_score=0, fail_on_check="never"))
    assert never.verdict.passed


def test_page_checks_describe_defects() -> None:
    audit = PageAudit(
        url="http://crm/c",
        keyboard=[keyboard(unreached=['button "Save"'], trapped=True, trap=["div#editor"], passed=False)],
        small_screen=small(
            horizontal_overflow=True, scroll_width=800, small_targets=[TouchTarget("b", "button", 16, 16)]
        ),
        text=[
            TextRenderResult("北京星辰科技有限公司", True, True, True, "td", [], "x", "td", False),
            TextRenderResult("王\ue000明", True, True, False, None, ["\ue000"], "x", "td", False),
        ],
    )
    failed = {c.check: c.detail for c in page_checks(audit, UxSection()) if not c.passed}
    assert failed["keyboard-reach"] == '#f: Tab never reaches button "Save"'
    assert failed["keyboard-trap"] == "#f: focus trapped at div#editor"
    assert failed["no-horizontal-overflow"].startswith("page is 800px wide at 375x667")
    assert failed["touch-target-size"] == "1 touch targets under 24px: button 16x16"
    assert "text-rendering" in failed


def test_overall_score_mean_or_worst() -> None:
    good = clean_page("http://crm/a")
    bad = clean_page("http://crm/b")
    bad.keyboard = [keyboard(unreached=["x"], passed=False)]
    mean = build_scorecard([good, bad], section=UxSection(min_page_score=0, fail_on_check="never"))
    worst = build_scorecard(
        [good, bad], section=UxSection(min_page_score=0, fail_on_check="never", overall_score="worst")
    )
    assert worst.overall_score == mean.pages[0].score < mean.overall_score < 100
    assert mean.pages[0].kind == "/b"  # worst first


def test_consistency_from_primary_actions_with_glossary() -> None:
    def primary(label: str, placement: str, kind: str) -> PrimaryAction:
        return PrimaryAction("http://crm" + kind, kind, "#f", "edit", label, placement, 0, 0, 600, 1)

    one = clean_page("http://crm/a")
    one.primary_actions = [primary("Save", "right", "/a")]
    two = clean_page("http://crm/b")
    two.primary_actions = [primary("Submit", "left", "/b")]
    card = build_scorecard([one, two], section=UxSection(glossary={"Save": ("Submit",)}))
    assert card.consistency is not None
    assert {i.kind for i in card.consistency.issues} == {"label", "placement", "terminology"}
    assert card.verdict.passed  # consistency is "moderate": below the default fail_on_check
    strict = build_scorecard([one, two], section=UxSection(glossary={"Save": ("Submit",)}, fail_on_check="moderate"))
    assert sum(r.startswith("consistency: ") for r in strict.verdict.reasons) == 3


def test_write_json_and_self_contained_html(tmp_path: Path) -> None:
    page = clean_page()
    page.accessibility = a11y(page.url, {"label": "critical"}, shot=PNG)
    card = build_scorecard([page], [task("新建联系人", 9)])
    json_path, html_path = write_scorecard(card, tmp_path / "out")
    assert (json_path.name, html_path.name) == (JSON_NAME, HTML_NAME)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["verdict"]["passed"] is False
    assert data["pages"][0]["violations"][0]["rule_id"] == "label"
    assert data["tasks"][0]["name"] == "新建联系人"
    assert data["thresholds"]["min_touch_target"] == 24
    text = html_path.read_text(encoding="utf-8")
    assert "用户体验" in text and "未通过 FAIL" in text
    assert "data:image/png;base64," in text
    # Self-contained: no external stylesheet, script or image.
    for needle in ("<script", "<link", 'src="http'):
        assert needle not in text


def test_html_escapes_page_content() -> None:
    page = clean_page("http://crm/x")
    page.text = [TextRenderResult("<b>boom</b>", False, False, False, None, [], "", "", False)]
    text = render_html(build_scorecard([page]))
    assert "<b>boom</b>" not in text and "&lt;b&gt;boom&lt;/b&gt;" in text


@pytest.mark.parametrize("passed", [True, False])
def test_html_verdict_banner(passed: bool) -> None:
    card = build_scorecard([clean_page()], [task("t", 3 if passed else 30)])
    assert card.verdict.passed is passed
    assert ("通过 PASS" in render_html(card)) is passed


def test_more_elements_failing_a_failed_rule_shows_on_the_scorecard(tmp_path: Path) -> None:
    before = clean_page()
    before.accessibility = a11y(before.url, {"label": "critical"})
    after = clean_page()
    after.accessibility = a11y(after.url, {"label": "critical"})
    assert after.accessibility is not None
    after.accessibility.violations[0].nodes += [
        ViolationNode([f"#y{i}"], f"<input id=y{i}>", "Fix it") for i in range(4)
    ]
    one, five = build_scorecard([before]), build_scorecard([after])
    # Score and verdict cannot tell the two runs apart (a rule fails as a whole) ...
    assert one.pages[0].score == five.pages[0].score and one.verdict.reasons == five.verdict.reasons
    # ... the element counts per rule and page kind can.
    assert one.pages[0].elements_by_rule == {"label": 1}
    assert five.pages[0].elements_by_rule == {"label": 5}
    assert (one.affected_elements, five.affected_elements) == (1, 5)
    json_path, html_path = write_scorecard(five, tmp_path)
    assert json.loads(json_path.read_text(encoding="utf-8"))["pages"][0]["elements_by_rule"] == {"label": 5}
    assert "受影响元素 Elements</th>" in html_path.read_text(encoding="utf-8")
    assert "<td>5</td>" in html_path.read_text(encoding="utf-8")


def test_undecided_touch_targets_are_for_review_and_not_claimed_as_fine() -> None:
    page = clean_page()
    undecided = Violation(
        "target-size (375x667)",
        "serious",
        "All touch targets must be 24px large, or leave sufficient space",
        "https://dequeuniversity.com/rules/axe/4.12/target-size",
        "",
        ["wcag22aa"],
        [ViolationNode(["#menu-toggle"], "<button id=menu-toggle>", "Target is partially obscured")],
    )
    page.small_screen = small(targets_to_review=[undecided])
    card = build_scorecard([page])
    check = next(c for c in card.pages[0].checks if c.check == "touch-target-size")
    assert check.passed  # nothing measured failed ...
    assert not check.detail.startswith("all touch targets")  # ... but not every target was measured
    assert "1 not decided (needs review): #menu-toggle" in check.detail
    assert [f.rule_id for f in card.pages[0].needs_review] == ["target-size (375x667)"]
    assert card.needs_review == 1
    text = render_html(card)
    assert "Needs review" in text and "#menu-toggle" in text and "Target is partially obscured" in text


def test_a_check_that_could_not_be_made_fails_even_with_fail_on_check_never() -> None:
    page = clean_page()
    page.speed = speed(lcp=None)
    page.speed.not_measured = {"lcp": "not measured in this browser: it reports no 'largest-contentful-paint' entries"}
    card = build_scorecard([page], section=UxSection(fail_on_check="never"))
    lcp = next(c for c in card.pages[0].checks if c.check == "lcp")
    assert (lcp.checked, lcp.passed, lcp.status) == (False, False, "could not check")
    assert card.verdict.reasons == [
        "page /persons/contact/{id}: lcp: could not check: LCP: not measured in this browser: "
        "it reports no 'largest-contentful-paint' entries"
    ]
    # Not scored as a pass: the page scores as if the check were not there, not as if it passed.
    assert card.pages[0].could_not_check == 1 and card.could_not_check == 1


def test_an_empty_scorecard_is_no_pass() -> None:
    card = build_scorecard([], [])
    assert not card.verdict.passed
    assert card.overall_score is None and card.accessibility_score is None
    assert "未通过 FAIL" in render_html(card)


def test_html_links_only_web_addresses() -> None:
    page = clean_page()
    page.accessibility = a11y(page.url, {"label": "critical"})
    assert page.accessibility is not None
    page.accessibility.violations[0].help_url = "javascript:alert(1)"
    text = render_html(build_scorecard([page]))
    assert 'href="javascript:' not in text and "javascript:alert(1)" in text
