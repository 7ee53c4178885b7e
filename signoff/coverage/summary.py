"""The functional area's result for the sign-off report: ``<report_dir>/functional/summary.json``.

One finding per scenario that failed or could not be checked (a scenario that verifies two function
points is one defect, not two), keyed by the scenario's test id, which stays the same from run to
run. Its steps to reproduce are the scenario's steps as the feature wrote them, in the feature's
language, read from the run's Allure results; its evidence is the screenshot taken when the step
failed (copied beside the summary, so the report folder holds everything it links to). Its severity
is the highest priority of the function points it verifies (high, medium, low), medium when it names
none.

When a run of the whole acceptance falls short of ``min_coverage``, each function point no passing
scenario verifies (pending) is a could-not-check finding too: an unverified line of the contract is
never a pass. (A subset run is could-not-check as a whole, without listing what it left out.)
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from signoff.coverage.report import CoverageReport, PointCoverage, ScenarioResult, Status
from signoff.findings import COULD_NOT_CHECK, FAILED, PASSED, AreaResult, Finding, severity_rank, verdict_of
from signoff.report.results import ScenarioRecord, latest_by_scenario, read_results

AREA: Final = "functional"
REPORT: Final = "coverage/coverage.html"
EVIDENCE_FOLDER: Final = "evidence"
_PRIORITY_SEVERITY: Final = {"high": "high", "medium": "medium", "low": "low"}


def _severity(points: list[PointCoverage]) -> str:
    severities = [_PRIORITY_SEVERITY.get(str(point.point.priority), "medium") for point in points]
    return min(severities, key=severity_rank) if severities else "medium"


def functional_result(
    report: CoverageReport,
    report_dir: Path,
    *,
    results_dir: Path | None = None,
    messages: Mapping[str, str] | None = None,
    steps: Mapping[str, tuple[str, ...]] | None = None,
    complete: bool = True,
) -> AreaResult:
    """The functional area's result of a run; copies failure screenshots under ``report_dir``."""
    messages = messages or {}
    steps = steps or {}
    records = latest_by_scenario(read_results(results_dir)) if results_dir is not None else {}
    points_of: dict[str, list[PointCoverage]] = {}
    scenarios: dict[str, ScenarioResult] = {}
    for point in report.points:
        for scenario in point.scenarios:
            points_of.setdefault(scenario.id, []).append(point)
            scenarios[scenario.id] = scenario
    for scenario in (*report.untraced, *report.could_not_check):
        scenarios.setdefault(scenario.id, scenario)

    findings: list[Finding] = []
    for scenario_id, scenario in scenarios.items():
        if scenario.outcome not in ("failed", "could_not_check"):
            continue
        points = points_of.get(scenario_id, [])
        record = records.get((scenario.feature, scenario.name))
        findings.append(
            _scenario_finding(
                scenario,
                points,
                record,
                messages.get(scenario_id, ""),
                steps.get(scenario_id, ()),
                report_dir,
                results_dir,
            )
        )

    overall = report.overall
    # Only a run of the whole acceptance owes every function point: a subset run leaves most pending by design.
    short = complete and overall.coverage is not None and overall.coverage < report.verdict.min_coverage
    if short:
        for point in report.points:
            if point.status == Status.PENDING:
                findings.append(
                    Finding(
                        key=f"pending:{point.point.id}",
                        title=f"Function point not verified: {point.point.title_en} / {point.point.title_zh}",
                        severity=_severity([point]),
                        status="could-not-check",
                        module=point.point.module,
                        function_point=point.point.id,
                        expected="a passing scenario verifies the function point",
                        actual=point.reason or "no scenario verifies it",
                    )
                )

    ran = any(s.outcome != "skipped" for s in scenarios.values())
    verdict = verdict_of(findings, checked_anything=ran and overall.applicable > 0)
    if not complete and verdict != FAILED:
        # Part of the features ran: what it did not run is unknown, whatever the coverage numbers say.
        verdict = COULD_NOT_CHECK
    elif verdict == PASSED and not report.verdict.passed:
        verdict = FAILED
    summary = "; ".join(report.verdict.reasons) if report.verdict.reasons else "every applicable function point passed"
    if not complete:
        summary = f"only part of the features ran: {summary}"
    figures: dict[str, float | int | str] = {
        "coverage %": round(overall.coverage, 1) if overall.coverage is not None else "n/a",
        "function points": overall.total,
        "function points applicable": overall.applicable,
        "function points passed": overall.passed,
        "function points failed": overall.failed,
        "function points could not check": overall.could_not_check,
        "function points pending": overall.pending,
        "scenarios": len(scenarios),
        "scenarios failed": sum(1 for s in scenarios.values() if s.outcome == "failed"),
        "scenarios could not check": sum(1 for s in scenarios.values() if s.outcome == "could_not_check"),
    }
    for module in report.modules:
        coverage = module.tally.coverage
        figures[f"coverage % {module.name}"] = round(coverage, 1) if coverage is not None else "n/a"
    return AreaResult(
        area=AREA,
        verdict=verdict,
        summary=summary,
        figures=figures,
        findings=tuple(findings),
        report=REPORT,
        complete=complete,
    )


def _scenario_finding(
    scenario: ScenarioResult,
    points: list[PointCoverage],
    record: ScenarioRecord | None,
    message: str,
    written_steps: tuple[str, ...],
    report_dir: Path,
    results_dir: Path | None,
) -> Finding:
    unchecked = scenario.outcome == "could_not_check"
    failed_step = ""
    # The steps as the feature wrote them; the Allure record's, when it has them, are the same words.
    steps: tuple[str, ...] = written_steps
    evidence: list[str] = []
    if record is not None:
        steps = tuple(step.name for step in record.steps) or steps
        message = message or record.message
        failed_step = next((step.name for step in record.steps if step.status in ("failed", "broken")), "")
        shots = [attachment for step, attachment in record.screenshots() if attachment.name.startswith("failed")]
        if shots and results_dir is not None:
            source = Path(results_dir) / shots[-1].source
            digest = hashlib.sha256(scenario.id.encode()).hexdigest()[:12]
            relative = f"{AREA}/{EVIDENCE_FOLDER}/{digest}.png"
            try:
                (Path(report_dir) / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, Path(report_dir) / relative)
                evidence.append(relative)
            except OSError:
                pass  # the screenshot is evidence, not the finding: the finding stands without it
    first_point = points[0].point if points else None
    ids = ", ".join(point.point.id for point in points)
    return Finding(
        key=f"scenario:{scenario.id}",
        title=("Could not check: " if unchecked else "") + f"{scenario.name} ({scenario.feature})",
        severity=_severity(points),
        status="could-not-check" if unchecked else "failed",
        module=first_point.module if first_point else "",
        function_point=ids,
        where=scenario.location,
        expected=failed_step or "every step of the scenario passes",
        actual=_first_line(message) or scenario.outcome.replace("_", " "),
        evidence=tuple(evidence),
        steps=steps,
        details={"scenario": scenario.id, "outcome": scenario.outcome},
    )


def _first_line(text: str, limit: int = 400) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"
