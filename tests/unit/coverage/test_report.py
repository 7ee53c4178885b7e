"""Coverage computation (statuses, tallies, verdict) and the report writers."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from signoff.coverage.catalogue import Catalogue
from signoff.coverage.report import (
    CoverageReport,
    ScenarioResult,
    Status,
    Tally,
    compute_coverage,
    render_html,
    render_json,
    render_markdown,
    render_summary,
    write_reports,
)
from signoff.errors import PlanError
from tests.unit.coverage.helpers import point


def result(name: str, outcome: str, *tags: str, feature: str = "Customers") -> ScenarioResult:
    return ScenarioResult(id=f"test_{name}", feature=feature, name=name, tags=tags, outcome=outcome)  # type: ignore[arg-type]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def statuses(report: CoverageReport) -> dict[str, Status]:
    return {p.point.id: p.status for p in report.points}


# --------------------------------------------------------------------------- statuses


def test_each_status(catalogue: Catalogue) -> None:
    report = compute_coverage(
        [
            result("a", "passed", "FP-CUS-001"),
            result("b", "passed", "@FP-CUS-002"),
            result("c", "failed", "FP-CUS-002", "smoke"),
            result("d", "skipped", "FP-SAL-001"),
        ],
        catalogue,
        "creme",
    )
    assert statuses(report) == {
        "FP-CUS-001": Status.PASSED,
        "FP-CUS-002": Status.FAILED,  # one failing scenario is enough
        "FP-CUS-003": Status.NOT_APPLICABLE,  # not_applicable_for: creme
        "FP-SAL-001": Status.PENDING,  # only skipped
        "FP-SAL-002": Status.PENDING,  # no scenario at all
    }
    reasons = {p.point.id: p.reason for p in report.points}
    assert reasons["FP-SAL-002"] == "no scenario covers it"
    assert reasons["FP-SAL-001"] == "1 of 1 scenarios skipped"
    assert reasons["FP-CUS-003"] == "does not apply to creme"


def test_a_skipped_scenario_keeps_a_point_pending_even_beside_a_passed_one(catalogue: Catalogue) -> None:
    report = compute_coverage([result("a", "passed", "FP-CUS-001"), result("b", "skipped", "FP-CUS-001")], catalogue)
    assert report.status_of("FP-CUS-001") is Status.PENDING


def test_not_applicable_depends_on_the_crm_kind(catalogue: Catalogue) -> None:
    assert compute_coverage([], catalogue, "djangocrm").status_of("FP-CUS-003") is Status.PENDING
    assert compute_coverage([], catalogue, "CREME").status_of("FP-CUS-003") is Status.NOT_APPLICABLE


def test_plan_exclusions_are_not_applicable_even_when_scenarios_ran(catalogue: Catalogue) -> None:
    scenario = result("a", "passed", "FP-SAL-002")
    report = compute_coverage([scenario], catalogue, not_applicable=["FP-SAL-002"])
    (covered,) = [p for p in report.points if p.point.id == "FP-SAL-002"]
    assert covered.status is Status.NOT_APPLICABLE
    assert covered.reason == "excluded by the acceptance plan"
    assert covered.scenarios == (scenario,)
    assert report.verdict.reasons == ("coverage 0.0% is below the required 100.0%",)


@pytest.mark.parametrize(
    ("crm_kind", "excluded", "why"),
    [("creme", (), "does not apply to creme"), ("", ("FP-CUS-003",), "excluded by the acceptance plan")],
    ids=["catalogue", "plan"],
)
def test_a_failing_scenario_of_a_point_marked_not_applicable_fails_it(
    catalogue: Catalogue, crm_kind: str, excluded: tuple[str, ...], why: str
) -> None:
    # The CRM was checked and found wanting: a "not applicable" mark must not turn that into "met".
    everything = [result("all", "passed", *catalogue.ids), result("contradiction", "failed", "FP-CUS-003")]
    report = compute_coverage(everything, catalogue, crm_kind, not_applicable=excluded)
    (covered,) = [p for p in report.points if p.point.id == "FP-CUS-003"]
    assert covered.status is Status.FAILED
    assert covered.reason == f"marked not applicable ({why}) but its scenario failed"
    assert not report.verdict.passed
    assert "1 function point failed: FP-CUS-003" in report.verdict.reasons
    assert (
        f"failed 失败: FP-CUS-003 title of FP-CUS-003 / FP-CUS-003 的标题 (marked not applicable ({why})"
        in render_summary(report)
    )


def test_a_step_the_kit_could_not_perform_on_a_point_marked_not_applicable_leaves_it_so(catalogue: Catalogue) -> None:
    # A screen this CRM does not have cannot be found: that is what "not applicable" means.
    report = compute_coverage([result("gone", "could_not_check", "FP-CUS-003")], catalogue, "creme")
    (covered,) = [p for p in report.points if p.point.id == "FP-CUS-003"]
    assert covered.status is Status.NOT_APPLICABLE
    assert covered.reason == "does not apply to creme; 1 of 1 scenario could not be checked"


def test_could_not_check_is_its_own_status_and_never_a_pass(catalogue: Catalogue) -> None:
    everything = [result("all", "passed", *catalogue.ids), result("stale selector", "could_not_check", "FP-CUS-001")]
    report = compute_coverage(everything, catalogue, "creme", min_coverage=50.0)
    assert report.status_of("FP-CUS-001") is Status.COULD_NOT_CHECK
    assert report.overall == Tally(total=5, passed=3, could_not_check=1, not_applicable=1)
    assert report.overall.coverage == 75.0
    # Coverage is above the threshold, yet the verdict fails: a check that did not complete is no pass.
    assert report.verdict.reasons == ("1 function point could not be checked: FP-CUS-001",)
    assert [s.name for s in report.could_not_check] == ["stale selector"]
    assert "could not check: 1 scenario (Customers / stale selector)" in render_summary(report)
    # A failure of the CRM outranks a check the kit could not make.
    failed = compute_coverage([*everything, result("defect", "failed", "FP-CUS-001")], catalogue, "creme")
    assert failed.status_of("FP-CUS-001") is Status.FAILED


def test_a_pass_tagged_skip_or_xfail_counts_as_pending_and_the_report_says_so(catalogue: Catalogue) -> None:
    tagged = ScenarioResult("t", "Customers", "not ready", ("FP-CUS-001",), "passed", pending_tags=("xfail",))
    report = compute_coverage([tagged, result("b", "passed", "FP-CUS-002")], catalogue, "creme")
    assert report.status_of("FP-CUS-001") is Status.PENDING
    assert report.status_of("FP-CUS-002") is Status.PASSED
    assert report.notes == ("1 scenario tagged @xfail counted as pending",)
    assert "  1 scenario tagged @xfail counted as pending" in render_summary(report).splitlines()
    assert "1 scenario tagged @xfail counted as pending" in render_markdown(report)
    assert "1 scenario tagged @xfail counted as pending" in render_html(report)
    # Its failure is a failure, tag or not.
    failing = replace(tagged, outcome="failed")
    assert compute_coverage([failing], catalogue, "creme").status_of("FP-CUS-001") is Status.FAILED


def test_outline_rows_each_count(catalogue: Catalogue) -> None:
    rows = [result(f"rows[{n}]", "passed", "FP-CUS-001") for n in range(3)] + [
        result("rows[3]", "failed", "FP-CUS-001")
    ]
    report = compute_coverage(rows, catalogue)
    assert report.status_of("FP-CUS-001") is Status.FAILED
    assert len(report.points[0].scenarios) == 4


# --------------------------------------------------------------------------- tallies


def test_tallies_per_module_and_overall_count_pending_against_coverage(catalogue: Catalogue) -> None:
    report = compute_coverage(
        [result("a", "passed", "FP-CUS-001"), result("b", "passed", "FP-SAL-001", "FP-SAL-002")], catalogue, "creme"
    )
    customers, sales = report.modules
    assert (customers.name, customers.name_zh) == ("Customer information", "客户信息")
    assert customers.tally == Tally(total=3, passed=1, failed=0, pending=1, not_applicable=1)
    assert customers.tally.applicable == 2
    assert customers.tally.coverage == 50.0  # the pending point is in the denominator
    assert sales.tally.coverage == 100.0
    assert report.overall == Tally(total=5, passed=3, failed=0, pending=1, not_applicable=1)
    assert report.overall.coverage == 75.0


def test_a_module_with_nothing_applicable_has_no_percentage() -> None:
    catalogue = Catalogue((point("FP-A", "Only", not_applicable_for=frozenset({"creme"})),))
    report = compute_coverage([], catalogue, "creme")
    assert report.overall.coverage is None
    # Nothing to accept is not an acceptance.
    assert not report.verdict.passed
    assert report.verdict.reasons == ("no function point applies to this acceptance: there is nothing to accept",)
    assert "—" in render_summary(report)


# --------------------------------------------------------------------------- verdict


def test_verdict_passes_at_full_coverage(catalogue: Catalogue) -> None:
    everything = [result("all", "passed", *catalogue.ids)]
    report = compute_coverage(everything, catalogue, "creme")
    assert report.verdict.passed and report.verdict.reasons == ()


def test_verdict_against_min_coverage(catalogue: Catalogue) -> None:
    three_of_four = [result("a", "passed", "FP-CUS-001", "FP-CUS-002", "FP-SAL-001")]
    assert not compute_coverage(three_of_four, catalogue, "creme").verdict.passed
    assert compute_coverage(three_of_four, catalogue, "creme", min_coverage=75.0).verdict.passed
    report = compute_coverage(three_of_four, catalogue, "creme", min_coverage=75.1)
    assert report.verdict.reasons == ("coverage 75.0% is below the required 75.1%",)


def test_verdict_compares_exact_counts_not_rounded_percentages() -> None:
    catalogue = Catalogue(tuple(point(f"FP-P-{n:03d}") for n in range(3)))
    two_of_three = [result("a", "passed", "FP-P-000", "FP-P-001")]
    assert not compute_coverage(two_of_three, catalogue, min_coverage=66.67).verdict.passed
    assert compute_coverage(two_of_three, catalogue, min_coverage=66.66).verdict.passed


def test_a_failed_point_fails_the_verdict_whatever_the_threshold(catalogue: Catalogue) -> None:
    report = compute_coverage([result("a", "failed", "FP-CUS-001")], catalogue, min_coverage=0.0)
    assert not report.verdict.passed
    assert report.verdict.reasons == ("1 function point failed: FP-CUS-001",)


def test_unknown_and_untraced_scenarios(catalogue: Catalogue) -> None:
    report = compute_coverage(
        [result("a", "passed", "FP-CUS-001", "FP-NOPE-1"), result("b", "passed", "smoke")], catalogue, min_coverage=0.0
    )
    assert list(report.unknown) == ["FP-NOPE-1"]
    assert [s.name for s in report.untraced] == ["b"]
    assert report.verdict.reasons == ("scenarios tag unknown function points: FP-NOPE-1",)


def test_plan_mistakes_are_plan_errors(catalogue: Catalogue) -> None:
    with pytest.raises(PlanError, match=r"not_applicable names unknown function point FP-X-1 \(not in test.csv\)"):
        compute_coverage([], catalogue, not_applicable=["FP-X-1"])
    with pytest.raises(PlanError, match=r"min_coverage = 120\.0 must be between 0 and 100"):
        compute_coverage([], catalogue, min_coverage=120.0)


def test_scenario_result_checks_its_outcome_and_orders_tags() -> None:
    with pytest.raises(ValueError, match="outcome 'error' is not one of passed, failed, could_not_check, skipped"):
        result("a", "error")
    scenario = ScenarioResult("id", "F", "S", {"smoke", "FP-B", "@FP-A"}, "passed")  # type: ignore[arg-type]
    assert scenario.tags == ("@FP-A", "FP-B", "smoke")
    assert scenario.function_points == ("FP-A", "FP-B")


# --------------------------------------------------------------------------- writers


@pytest.fixture
def report(catalogue: Catalogue) -> CoverageReport:
    return compute_coverage(
        [
            result("Add | pipe", "passed", "FP-CUS-001", feature="客户 <管理>"),
            result("broken", "failed", "FP-CUS-002"),
            result("untagged", "passed", "smoke"),
        ],
        catalogue,
        "creme",
        generated_at="2026-01-01T00:00:00+00:00",
    )


def test_json(report: CoverageReport) -> None:
    data = json.loads(render_json(report))
    assert data["schema"] == "signoff.coverage/1"
    assert data["crm_kind"] == "creme"
    assert data["overall"] == {
        "total": 5,
        "applicable": 4,
        "passed": 1,
        "failed": 1,
        "could_not_check": 0,
        "pending": 2,
        "not_applicable": 1,
        "coverage_percent": 25.0,
    }
    assert data["verdict"]["passed"] is False
    assert [m["name"] for m in data["modules"]] == ["Customer information", "Sales automation"]
    assert data["modules"][0]["coverage_percent"] == 50.0
    by_id = {fp["id"]: fp for fp in data["function_points"]}
    assert by_id["FP-CUS-002"]["status"] == "failed"
    assert by_id["FP-CUS-001"]["scenarios"][0]["feature"] == "客户 <管理>"
    assert [s["name"] for s in data["untraced_scenarios"]] == ["untagged"]
    assert "客户" in render_json(report)  # readable Chinese, not \\u escapes


def test_markdown(report: CoverageReport) -> None:
    text = render_markdown(report)
    assert text.startswith("# Function-point coverage 功能点覆盖率\n")
    assert "| Customer information 客户信息 | 3 | 1 | 1 | 0 | 0 | 1 | 50.0% |" in text
    assert "| **Overall 总计** | 5 | 1 | 1 | 0 | 2 | 1 | 25.0% |" in text
    assert "Add \\| pipe" in text  # a pipe in a name does not break the table
    assert "**Verdict 结论: not met 未达到**" in text
    # Every table row has as many cells as its header.
    for table in re.findall(r"((?:^\|.*\|\n)+)", text, re.MULTILINE):
        rows = table.strip().splitlines()
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


def test_html_is_self_contained_bilingual_and_escaped(report: CoverageReport) -> None:
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>")
    assert "功能点覆盖率" in page and "Function-point coverage" in page
    assert '<meta charset="utf-8">' in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)  # nothing fetched from outside
    assert "<script" not in page
    assert "客户 &lt;管理&gt;" in page
    assert 'class="chip failed"' in page


def test_summary_is_a_few_lines(report: CoverageReport) -> None:
    lines = render_summary(report).splitlines()
    assert lines[0].startswith("Function-point coverage 功能点覆盖率 — CRM: creme")
    assert re.search(
        r"Customer information 客户信息\s+50\.0%\s+1/2 passed, 1 failed, 0 could not check, 0 pending, 1 n/a", lines[1]
    )
    assert re.search(
        r"Sales automation 销售自动化\s+0\.0%\s+0/2 passed, 0 failed, 0 could not check, 2 pending, 0 n/a", lines[2]
    )
    assert re.search(r"Overall 总计\s+25\.0%\s+1/4 passed", lines[3])
    assert "failed 失败: FP-CUS-002" in lines[4]
    assert lines[-1].startswith("Verdict 结论: not met 未达到 — coverage 25.0% is below the required 100.0%")
    # The percentages line up although the module names mix Chinese and Latin letters.
    columns = {_display_width(line[: line.index("%")]) for line in lines[1:4]}
    assert len(columns) == 1, lines
    assert len(lines) <= 8


def test_write_reports(report: CoverageReport, tmp_path: Path) -> None:
    written = write_reports(report, tmp_path / "out" / "coverage")
    assert {kind: path.name for kind, path in written.items()} == {
        "json": "coverage.json",
        "markdown": "coverage.md",
        "html": "coverage.html",
    }
    assert json.loads(written["json"].read_text(encoding="utf-8")) == report.to_dict()
    assert sorted(p.name for p in written["json"].parent.iterdir()) == ["coverage.html", "coverage.json", "coverage.md"]
    # Written again, the files are replaced in place, with no temporary file left behind.
    write_reports(report, tmp_path / "out" / "coverage")
    assert len(list(written["json"].parent.iterdir())) == 3


def test_written_reports_are_readable_by_others(report: CoverageReport, tmp_path: Path) -> None:
    # A report published from a CI job or a shared folder is read by people other than its writer.
    previous = os.umask(0o022)
    try:
        written = write_reports(report, tmp_path / "coverage")
    finally:
        os.umask(previous)
    for path in written.values():
        assert path.stat().st_mode & 0o044 == 0o044, f"{path.name}: {oct(path.stat().st_mode)}"


def test_the_html_page_comes_from_the_packaged_template() -> None:
    from importlib.resources import files

    assert files("signoff.coverage").joinpath("templates", "coverage.html").is_file()
