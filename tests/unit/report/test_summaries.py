"""The functional and UX areas' ``summary.json``: what they turn into findings, and their verdicts."""

from __future__ import annotations

from pathlib import Path

from signoff.coverage.report import ScenarioResult, compute_coverage
from signoff.coverage.summary import functional_result
from signoff.findings import read_area_results, write_area_result
from signoff.ux.accessibility import AccessibilityResult, RuleOutcome, Violation, ViolationNode
from signoff.ux.plan import UxSection
from signoff.ux.scorecard import IncompleteAudit, PageAudit, build_scorecard
from signoff.ux.summary import ux_result
from tests.unit.coverage.helpers import small_catalogue


def scenario(name: str, outcome: str, *tags: str, feature: str = "Sales") -> ScenarioResult:
    return ScenarioResult(id=f"f.feature::{name}[chromium]", feature=feature, name=name, tags=tags, outcome=outcome)  # type: ignore[arg-type]


def test_failed_scenario_is_one_finding_with_steps_message_and_screenshot(tmp_path: Path, allure_results: Path) -> None:
    # The recorded Allure results hold "Win an opportunity created as won" (feature Sales), failed at step 3.
    report = compute_coverage(
        [
            scenario("Win an opportunity created as won", "failed", "FP-SAL-001", "FP-SAL-002"),
            scenario("Add an organisation", "passed", "FP-CUS-001", "FP-CUS-002", feature="Organisations"),
        ],
        small_catalogue(),
        "creme",
    )
    result = functional_result(report, tmp_path, results_dir=allure_results, messages={})
    assert result.verdict == "failed"
    (finding,) = result.findings
    assert finding.function_point == "FP-SAL-001, FP-SAL-002" and finding.severity == "high"
    assert finding.steps[0] == "Given I am signed in as the administrator"
    assert finding.steps[-1] == 'Then the organisation "Acme" is a customer'
    assert finding.actual == 'AssertionError: the organisation "Acme" is not a customer'
    assert finding.expected == 'Then the organisation "Acme" is a customer'  # the step that failed
    (shot,) = finding.evidence
    assert (tmp_path / shot).read_bytes().startswith(b"\x89PNG")
    # The key does not change between two runs of the same scenario.
    again = functional_result(report, tmp_path, results_dir=allure_results)
    assert again.findings[0].key == finding.key
    write_area_result(tmp_path, result)
    assert read_area_results(tmp_path)["functional"].findings[0].steps == finding.steps


def test_clean_twin_passes(tmp_path: Path) -> None:
    report = compute_coverage(
        [scenario("a", "passed", "FP-CUS-001", "FP-CUS-002", "FP-SAL-001", "FP-SAL-002")], small_catalogue(), "creme"
    )
    result = functional_result(report, tmp_path)
    assert (result.verdict, result.findings) == ("passed", ())
    assert result.figures["coverage %"] == 100.0


def test_could_not_check_scenario_and_pending_points_are_never_a_pass(tmp_path: Path) -> None:
    report = compute_coverage([scenario("a", "could_not_check", "FP-CUS-001")], small_catalogue(), "creme")
    result = functional_result(report, tmp_path, messages={"f.feature::a[chromium]": "locator not found\nmore"})
    assert result.verdict == "could-not-check"
    statuses = {f.key: f.status for f in result.findings}
    assert statuses["scenario:f.feature::a[chromium]"] == "could-not-check"
    assert statuses["pending:FP-SAL-002"] == "could-not-check"  # coverage fell short: unverified points
    assert result.findings[0].actual == "locator not found"


def test_subset_run_is_not_complete(tmp_path: Path) -> None:
    report = compute_coverage(
        [scenario("a", "passed", "FP-CUS-001", "FP-CUS-002", "FP-SAL-001", "FP-SAL-002")], small_catalogue(), "creme"
    )
    result = functional_result(report, tmp_path, complete=False)
    assert result.verdict == "could-not-check" and not result.complete


def page(url: str, kind: str, violations: list[Violation]) -> PageAudit:
    rules = [RuleOutcome("color-contrast", "serious", 7, not violations), RuleOutcome("region", "moderate", 3, True)]
    audit = AccessibilityResult(url, kind, "4.12", ["wcag2aa"], violations, rules, [], 90.0)
    return PageAudit(url=url, accessibility=audit)


def contrast(elements: int) -> Violation:
    nodes = [ViolationNode([f"#e{i}"], "<a>x</a>", "Fix any of the following: low contrast") for i in range(elements)]
    return Violation(
        "color-contrast",
        "serious",
        "Elements must meet contrast",
        "https://dequeuniversity.com/x",
        "contrast",
        ["wcag2aa"],
        nodes,
    )


def test_ux_violation_is_a_finding_per_rule_and_page_kind_with_elements(tmp_path: Path) -> None:
    card = build_scorecard([page("/persons/contacts", "list", [contrast(3)])], [], UxSection(max_serious=0))
    result = ux_result(card, tmp_path, tmp_path / "ux")
    assert result.verdict == "failed" and result.report == "ux/ux-scorecard.html"
    (finding,) = [f for f in result.findings if f.key.startswith("axe:")]
    kind = card.pages[0].kind  # the page kind the scorecard gives the URL
    assert finding.key == f"axe:color-contrast@{kind}" and finding.severity == "high"
    assert finding.details["elements"] == "3" and finding.details["within thresholds"] == "no"


def test_ux_tolerated_violation_is_listed_and_the_area_passes(tmp_path: Path) -> None:
    card = build_scorecard(
        [page("/persons/contacts", "list", [contrast(1)])],
        [],
        UxSection(max_serious=5, min_accessibility_score=0, min_page_score=0, fail_on_check="never"),
    )
    result = ux_result(card, tmp_path, tmp_path / "ux")
    assert card.verdict.passed and result.verdict == "passed"
    assert [f.details["within thresholds"] for f in result.findings if f.key.startswith("axe:")] == ["yes"]


def test_ux_nothing_audited_or_incomplete_is_could_not_check(tmp_path: Path) -> None:
    assert ux_result(build_scorecard([], []), tmp_path, tmp_path / "ux").verdict == "could-not-check"
    broken = PageAudit(url="/x", incomplete=[IncompleteAudit("accessibility", "/x", "axe crashed")])
    result = ux_result(build_scorecard([broken], []), tmp_path, tmp_path / "ux")
    assert result.verdict == "could-not-check"
    assert any(f.status == "could-not-check" for f in result.findings)


def test_subset_run_does_not_list_the_points_it_left_out(tmp_path: Path) -> None:
    report = compute_coverage([scenario("a", "passed", "FP-CUS-001")], small_catalogue(), "creme")
    assert [f.key for f in functional_result(report, tmp_path, complete=True).findings][:1] == ["pending:FP-CUS-002"]
    subset = functional_result(report, tmp_path, complete=False)
    assert subset.findings == () and subset.verdict == "could-not-check"
