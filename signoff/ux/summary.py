"""The UX area's result for the sign-off report: ``<report_dir>/ux/summary.json``.

Findings, each with a key that stays the same across runs:

- ``axe:<rule>@<page kind>``: an axe rule that fails on a kind of page, with the number of elements
  it hits there (``details["elements"]``, which ``signoff compare`` sets side by side);
- ``check:<check>@<page kind>`` and ``task:<check>@<task>``: a UX check that failed, or could not
  be made (then the finding is could-not-check);

Severity comes from axe's impact: critical -> critical, serious -> high, moderate -> medium,
minor -> low. Every violation is listed, also one the plan's thresholds tolerate
(``details["within thresholds"] = "yes"`` when the scorecard passed): the people who sign decide
whether it is a reservation. The verdict is the scorecard's, could-not-check when every reason it
failed is a check that was not made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from signoff.findings import COULD_NOT_CHECK, FAILED, PASSED, AreaResult, Finding, Verdict
from signoff.ux.scorecard import HTML_NAME, Check, Scorecard

AREA: Final = "ux"
IMPACT_SEVERITY: Final = {"critical": "critical", "serious": "high", "moderate": "medium", "minor": "low"}


def _severity(impact: str) -> str:
    return IMPACT_SEVERITY.get(impact, "medium")


def _check_finding(key: str, subject: str, check: Check, where: str, report: str) -> Finding:
    return Finding(
        key=key,
        title=f"{check.check.replace('_', ' ')} on {subject}",
        severity=_severity(check.impact),
        status="failed" if check.checked else "could-not-check",
        module="User experience",
        where=where,
        expected=check.threshold or f"the {check.check.replace('_', ' ')} check passes",
        actual=check.detail,
        evidence=(report,),
        details={"check": check.check, "impact": check.impact},
    )


def ux_result(card: Scorecard, report_dir: Path, output_dir: Path, *, complete: bool = True) -> AreaResult:
    """The UX area's result from its scorecard; ``output_dir`` is where the scorecard was written."""
    try:
        report = (Path(output_dir) / HTML_NAME).resolve().relative_to(Path(report_dir).resolve()).as_posix()
    except ValueError:
        report = (Path(output_dir) / HTML_NAME).resolve().as_uri()
    tolerated = "yes" if card.verdict.passed else "no"
    findings: list[Finding] = []
    for page in card.pages:
        where = f"{page.kind}: {', '.join(page.urls[:3])}"
        for violation in page.violations:
            elements = page.elements_by_rule.get(violation.rule_id, len(violation.nodes))
            findings.append(
                Finding(
                    key=f"axe:{violation.rule_id}@{page.kind}",
                    title=f"Accessibility: {violation.help} ({page.kind} pages)",
                    severity=_severity(violation.impact),
                    module="User experience",
                    where=where,
                    expected=f"no element fails the axe rule {violation.rule_id}",
                    actual=f"{elements} element(s) fail it: {violation.description}",
                    fix=violation.nodes[0].summary if violation.nodes else violation.help_url,
                    evidence=(report, violation.help_url),
                    details={
                        "rule": violation.rule_id,
                        "page kind": page.kind,
                        "impact": violation.impact,
                        "elements": str(elements),
                        "wcag": ", ".join(violation.wcag),
                        "within thresholds": tolerated,
                    },
                )
            )
        for check in page.checks:
            if not check.passed:
                findings.append(
                    _check_finding(f"check:{check.check}@{page.kind}", f"{page.kind} pages", check, where, report)
                )
    for task in card.tasks:
        for check in task.checks:
            if not check.passed:
                findings.append(
                    _check_finding(f"task:{check.check}@{task.name}", f"task '{task.name}'", check, task.name, report)
                )

    verdict: Verdict
    if not card.pages and not card.tasks:
        verdict = COULD_NOT_CHECK
    elif card.verdict.passed:
        verdict = PASSED
    elif any(f.status == "failed" for f in findings) or not all("could not check" in r for r in card.verdict.reasons):
        verdict = FAILED
    else:
        verdict = COULD_NOT_CHECK
    if verdict == PASSED and not complete:
        verdict = COULD_NOT_CHECK
    summary = "every UX threshold holds" if card.verdict.passed else "; ".join(card.verdict.reasons[:3])
    if not card.pages and not card.tasks:
        summary = "nothing was audited"
    figures: dict[str, float | int | str] = {
        "UX score": card.overall_score if card.overall_score is not None else "n/a",
        "accessibility score": card.accessibility_score if card.accessibility_score is not None else "n/a",
        "page kinds": len(card.pages),
        "tasks": len(card.tasks),
        "violations": sum(len(page.violations) for page in card.pages),
        "affected elements": card.affected_elements,
        "could not check": card.could_not_check,
        "needs review": card.needs_review,
    }
    for page in card.pages:
        if page.score is not None:
            figures[f"score {page.kind}"] = page.score
    return AreaResult(
        area=AREA,
        verdict=verdict,
        summary=summary,
        figures=figures,
        findings=tuple(findings),
        report=report,
        complete=complete,
    )
