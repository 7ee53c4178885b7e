"""One model of what an acceptance area found, shared by every area and read by the sign-off report.

Each area (functional coverage, UX, data integrity, performance, security) judges the CRM its own
way, but all of them end in the same few things: a verdict, a handful of key figures, and a list of
findings - each failed or uncheckable check, in business words, with its evidence. An area writes
them with :func:`write_area_result` as ``<report_dir>/<area>/summary.json``; the sign-off report,
the defect list and ``signoff compare`` read them back with :func:`read_area_results`, knowing no
area's internals.

Rules that hold for every area:

- a check that did not complete (a tool missing or crashed, a timeout, a measurement the browser
  does not offer) is a finding with status ``could-not-check``; it is never a pass, and an area with
  one and no failure has the verdict ``could-not-check``;
- a finding the organisation accepted (a waiver in the plan, with a reason and an expiry date) keeps
  its status ``waived`` and its reason: it is listed, never dropped;
- ``key`` is stable across runs for the same defect (no timestamps, no database ids that change on
  every reset), so the defect list can give it the same id every time (:func:`defect_id`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal

from signoff.files import write_atomically

AreaName = Literal["functional", "ux", "data", "performance", "security"]
AREAS: Final[tuple[AreaName, ...]] = ("functional", "ux", "data", "performance", "security")

Verdict = Literal["passed", "failed", "could-not-check", "not-run"]
PASSED: Final = "passed"
FAILED: Final = "failed"
COULD_NOT_CHECK: Final = "could-not-check"
NOT_RUN: Final = "not-run"

FindingStatus = Literal["failed", "could-not-check", "waived"]
#: Severities, worst first: the vocabulary of every area (axe's impacts and the catalogue's
#: priorities are mapped onto it by their areas).
SEVERITIES: Final[tuple[str, ...]] = ("critical", "high", "medium", "low", "info")

SUMMARY_FILE: Final = "summary.json"


def severity_rank(severity: str) -> int:
    """0 for ``critical`` ... 4 for ``info``; an unknown severity ranks after them all."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One failed or uncheckable check, as the people who sign off and the vendor read it."""

    #: Stable within its area for the same defect across runs (see :func:`defect_id`).
    key: str
    #: Business words: what is wrong, not how the kit found it.
    title: str
    severity: str
    status: FindingStatus = "failed"
    module: str = ""
    function_point: str = ""
    #: Where: a page kind, a URL path, a row and field, a journey.
    where: str = ""
    expected: str = ""
    actual: str = ""
    #: How to fix it, for the vendor.
    fix: str = ""
    #: Paths relative to the report folder, or URLs: screenshots, excerpts, area report anchors.
    evidence: tuple[str, ...] = ()
    #: Steps to reproduce, in the language of the feature that found it.
    steps: tuple[str, ...] = ()
    #: Anything else an area wants to keep (CWE, OWASP category, browser, rule id ...).
    details: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: For a waived finding: why, and until when (ISO date).
    waiver_reason: str = ""
    waiver_expires: str = ""

    def to_data(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["evidence"] = list(self.evidence)
        data["steps"] = list(self.steps)
        data["details"] = dict(self.details)
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Finding:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["evidence"] = tuple(values.get("evidence", ()))
        values["steps"] = tuple(values.get("steps", ()))
        values["details"] = {str(k): str(v) for k, v in dict(values.get("details", {})).items()}
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class AreaResult:
    """What one area concluded in one run."""

    area: str
    verdict: Verdict
    #: One line in business words: why the verdict is what it is.
    summary: str
    #: Key figures for the sign-off report and for comparing runs: name -> number or short text.
    figures: Mapping[str, float | int | str] = dataclasses.field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    #: The area's own report, relative to the report folder (``ux/ux-scorecard.html``).
    report: str = ""
    #: Whether every check of the area ran (a subset run is reported but not judged as the whole).
    complete: bool = True

    def counts(self) -> dict[str, int]:
        """How many findings of each status."""
        counts = {"failed": 0, "could-not-check": 0, "waived": 0}
        for finding in self.findings:
            counts[finding.status] = counts.get(finding.status, 0) + 1
        return counts

    def to_data(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "verdict": self.verdict,
            "summary": self.summary,
            "figures": dict(self.figures),
            "findings": [finding.to_data() for finding in self.findings],
            "report": self.report,
            "complete": self.complete,
            "counts": self.counts(),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> AreaResult:
        return cls(
            area=str(data["area"]),
            verdict=data["verdict"],
            summary=str(data.get("summary", "")),
            figures=dict(data.get("figures", {})),
            findings=tuple(Finding.from_data(item) for item in data.get("findings", ())),
            report=str(data.get("report", "")),
            complete=bool(data.get("complete", True)),
        )


def verdict_of(findings: Iterable[Finding], *, checked_anything: bool = True) -> Verdict:
    """The one rule: any failed finding fails; else any could-not-check is could-not-check; waived
    findings alone pass. Nothing checked at all is could-not-check, never a pass."""
    statuses = {finding.status for finding in findings}
    if "failed" in statuses:
        return FAILED
    if "could-not-check" in statuses or not checked_anything:
        return COULD_NOT_CHECK
    return PASSED


def write_area_result(report_dir: str | Path, result: AreaResult) -> Path:
    """Write ``<report_dir>/<area>/summary.json`` (atomically) and return its path."""
    path = Path(report_dir) / result.area / SUMMARY_FILE
    return write_atomically(path, json.dumps(result.to_data(), ensure_ascii=False, indent=2) + "\n")


def read_area_results(report_dir: str | Path) -> dict[str, AreaResult]:
    """Every area result under ``report_dir``, by area name (areas that wrote none are absent)."""
    results: dict[str, AreaResult] = {}
    for path in sorted(Path(report_dir).glob(f"*/{SUMMARY_FILE}")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = AreaResult.from_data(data)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        results[result.area] = result
    return results


def defect_id(area: str, key: str) -> str:
    """A short id for a finding that stays the same across runs: ``DEF-SEC-3f2a91``."""
    prefix = {"functional": "FUN", "ux": "UX", "data": "DAT", "performance": "PRF", "security": "SEC"}.get(
        area, area[:3].upper()
    )
    digest = hashlib.sha256(f"{area}\n{key}".encode()).hexdigest()[:6]
    return f"DEF-{prefix}-{digest}"
