"""The data-integrity report 数据完整性报告: ``data-integrity.{html,json}`` and the area's ``summary.json``.

Built from what the data steps recorded (:class:`DataCheck`: a comparison, or a check that could
not be made), judged against the plan's ``[data]`` thresholds (:func:`verdict_of_checks`). The HTML
is rendered by Jinja2 with autoescaping on (values in data files are hostile: ``<script>`` in a
name must show as text), expected and actual side by side, invisible characters made visible
(:func:`signoff.data.compare.visible`). Every normalisation the plan applied is printed with the
number of values it decided.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import jinja2

from signoff.data.compare import KINDS, Comparison, Mismatch, visible
from signoff.data.plan import NORMALISATIONS, DataSection
from signoff.files import write_atomically
from signoff.findings import COULD_NOT_CHECK, FAILED, PASSED, AreaResult, Finding, Verdict, write_area_result

REPORT_HTML: Final = "data-integrity.html"
REPORT_JSON: Final = "data-integrity.json"
#: How many mismatches of one kind the HTML lists per comparison (all are in the JSON).
SHOWN_PER_KIND: Final = 50


@dataclasses.dataclass(frozen=True)
class DataCheck:
    """What one data step established: a comparison, or why it could not compare."""

    scenario: str
    comparison: Comparison | None = None
    could_not_check: str = ""
    #: What the CRM's import said (rows imported, refused) for the file of this scenario.
    import_summary: str = ""
    #: What is wrong with the file on purpose (bad input), "" for a sound file.
    bad_input: str = ""
    #: What the CRM did with the file, in one sentence (refused with its message, imported N of M ...).
    outcome: str = ""
    #: Why the step judged what the CRM did wrong (it failed with a server error, it did not refuse);
    #: "" when it was right or the comparison's figures judge it.
    failed: str = ""

    def to_data(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "comparison": dataclasses.asdict(self.comparison) if self.comparison is not None else None,
            "could_not_check": self.could_not_check,
            "import_summary": self.import_summary,
            "bad_input": self.bad_input,
            "outcome": self.outcome,
            "failed": self.failed,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DataCheck:
        raw = data.get("comparison")
        comparison = None
        if raw:
            values = dict(raw)
            values["mismatches"] = tuple(Mismatch(**{**m, "cases": tuple(m["cases"])}) for m in raw["mismatches"])
            for name in ("missing", "refused", "unexpected_refusals", "accepted_past_limit"):
                values[name] = tuple(tuple(item) for item in raw[name])
            for name in ("fields", "extra", "unmapped"):
                values[name] = tuple(raw[name])
            comparison = Comparison(**values)
        return cls(
            scenario=str(data["scenario"]),
            comparison=comparison,
            could_not_check=str(data.get("could_not_check", "")),
            import_summary=str(data.get("import_summary", "")),
            bad_input=str(data.get("bad_input", "")),
            outcome=str(data.get("outcome", "")),
            failed=str(data.get("failed", "")),
        )


@dataclasses.dataclass(frozen=True)
class DataVerdict:
    verdict: Verdict
    reasons: tuple[str, ...]
    figures: Mapping[str, int]


def verdict_of_checks(checks: Sequence[DataCheck], section: DataSection) -> DataVerdict:
    """Failed when a threshold is exceeded; could not check when a check did not complete or none ran."""
    comparisons = [check.comparison for check in checks if check.comparison is not None]
    # A scenario's refusals are the same rows at every stage it compared: counted once per scenario.
    per_scenario: dict[str, list[Comparison]] = {}
    for check in checks:
        if check.comparison is not None:
            per_scenario.setdefault(check.scenario, []).append(check.comparison)
    figures = {
        "comparisons": len(comparisons),
        "rows in": sum(c.rows_in for c in comparisons if c.stage == "exported"),
        "rows stored checked": sum(c.matched for c in comparisons if c.stage == "stored"),
        "rows out": sum(c.rows_out for c in comparisons if c.stage == "exported"),
        "mismatches": sum(len(c.mismatches) + len(c.extra) for c in comparisons),
        "dropped rows": sum(len(c.missing) for c in comparisons),
        "refused rows": sum(max(len(c.refused) for c in group) for group in per_scenario.values()),
        "unexpected refusals": sum(max(len(c.unexpected_refusals) for c in group) for group in per_scenario.values()),
        "could not check": sum(1 for check in checks if check.could_not_check),
        "bad files checked": len({check.scenario for check in checks if check.bad_input}),
        "bad files mishandled": len({check.scenario for check in checks if check.failed}),
    }
    reasons: list[str] = []
    if figures["bad files mishandled"]:
        first = next(check.failed for check in checks if check.failed)
        reasons.append(f"{figures['bad files mishandled']} files mishandled by the CRM (e.g. {first})")
    if figures["mismatches"] > section.max_mismatches:
        reasons.append(f"{figures['mismatches']} changed values or extra rows (at most {section.max_mismatches})")
    if figures["dropped rows"] > section.max_dropped_rows:
        reasons.append(f"{figures['dropped rows']} rows dropped without a refusal (at most {section.max_dropped_rows})")
    if figures["unexpected refusals"] > section.max_unexpected_refusals:
        reasons.append(
            f"{figures['unexpected refusals']} valid rows refused (at most {section.max_unexpected_refusals})"
        )
    if reasons:
        return DataVerdict(FAILED, tuple(reasons), figures)
    if figures["could not check"]:
        return DataVerdict(COULD_NOT_CHECK, (f"{figures['could not check']} data checks could not be made",), figures)
    if not comparisons and not figures["bad files checked"]:
        return DataVerdict(COULD_NOT_CHECK, ("no file was compared: nothing was checked",), figures)
    return DataVerdict(PASSED, (), figures)


def findings_of(checks: Sequence[DataCheck]) -> list[Finding]:
    """One finding per kind of change of a field, per dropped, refused or extra rows, per unchecked step."""
    findings: dict[str, Finding] = {}
    for check in checks:
        if check.failed:
            key = f"data:bad-input:{check.bad_input or check.scenario}"
            findings.setdefault(
                key,
                Finding(
                    key=key,
                    title=f"Bad input mishandled: {check.bad_input or check.scenario}",
                    severity="high",
                    module="Data",
                    where=check.scenario,
                    expected="the file refused with a message, or its valid rows imported exactly",
                    actual=check.failed,
                    evidence=(f"data/{REPORT_HTML}",),
                    details={"what the CRM did": check.outcome},
                ),
            )
        if check.could_not_check:
            key = f"data:could-not-check:{check.scenario}"
            findings[key] = Finding(
                key=key,
                title=f"Data check not made: {check.scenario}",
                severity="high",
                status="could-not-check",
                module="Data",
                where=check.scenario,
                actual=check.could_not_check,
            )
        comparison = check.comparison
        if comparison is None:
            continue
        what = f"{comparison.stage} {comparison.record_type}s"
        for kind, items in comparison.by_kind().items():
            for field in dict.fromkeys(m.field for m in items):
                of_field = [m for m in items if m.field == field]
                key = f"data:{comparison.stage}:{comparison.record_type}:{field}:{kind}"
                first = of_field[0]
                findings.setdefault(
                    key,
                    Finding(
                        key=key,
                        title=f"{what.capitalize()}: {field} - {KINDS[kind]} ({len(of_field)} rows)",
                        severity="high",
                        module="Data",
                        where=f"row {first.row} ({first.key}), field {field}",
                        expected=first.expected,
                        actual=first.actual,
                        evidence=(f"data/{REPORT_HTML}",),
                        details={"kind": kind, "rows": str(len(of_field)), "scenario": check.scenario},
                    ),
                )
        lost_rows: tuple[tuple[str, str, list[str]], ...] = (
            ("dropped", "rows dropped without a refusal", [key for key, _row in comparison.missing]),
            ("extra", "extra rows", list(comparison.extra)),
        )
        for name, title, keys in lost_rows:
            if keys:
                key = f"data:{comparison.stage}:{comparison.record_type}:{name}"
                findings.setdefault(
                    key,
                    Finding(
                        key=key,
                        title=f"{what.capitalize()}: {len(keys)} {title}",
                        severity="critical" if name == "dropped" else "high",
                        module="Data",
                        where=", ".join(keys[:5]),
                        evidence=(f"data/{REPORT_HTML}",),
                    ),
                )
        for row_key, row, reason in comparison.unexpected_refusals:
            key = f"data:import:{comparison.record_type}:refused:{reason[:60]}"
            findings.setdefault(
                key,
                Finding(
                    key=key,
                    title=f"A valid {comparison.record_type} row was refused: {reason}",
                    severity="high",
                    module="Data",
                    where=f"row {row} ({row_key})",
                    actual=reason,
                    evidence=(f"data/{REPORT_HTML}",),
                ),
            )
    return list(findings.values())


def report_data(checks: Sequence[DataCheck], section: DataSection, complete: bool) -> dict[str, Any]:
    """Everything the JSON report holds, and what the HTML is rendered from."""
    verdict = verdict_of_checks(checks, section)
    applied: dict[str, int] = {}
    for check in checks:
        if check.comparison is not None:
            for name, count in check.comparison.normalised.items():
                applied[name] = applied.get(name, 0) + count
    return {
        "verdict": verdict.verdict,
        "reasons": list(verdict.reasons),
        "figures": dict(verdict.figures),
        "complete": complete,
        "thresholds": {
            "max_mismatches": section.max_mismatches,
            "max_dropped_rows": section.max_dropped_rows,
            "max_unexpected_refusals": section.max_unexpected_refusals,
        },
        "bad_input": [
            {"scenario": check.scenario, "file": check.bad_input, "outcome": check.outcome, "failed": check.failed}
            for check in checks
            if check.bad_input
        ],
        "normalise": [
            {"name": name, "meaning": NORMALISATIONS[name], "values_decided": applied.get(name, 0)}
            for name in section.normalise
        ],
        "checks": [check.to_data() for check in checks],
    }


def write_report(
    checks: Sequence[DataCheck], section: DataSection, output_dir: Path, report_dir: Path, complete: bool
) -> AreaResult:
    """Write ``data-integrity.{json,html}`` under ``output_dir`` and ``<report_dir>/data/summary.json``."""
    data = report_data(checks, section, complete)
    write_atomically(output_dir / REPORT_JSON, json.dumps(data, ensure_ascii=False, indent=2))
    write_atomically(output_dir / REPORT_HTML, render_html(data, checks))
    verdict = verdict_of_checks(checks, section)
    figures = verdict.figures
    summary = (
        "every imported field came back exactly"
        if verdict.verdict == PASSED
        else "; ".join(verdict.reasons) or "not checked"
    )
    result = AreaResult(
        area="data",
        verdict=verdict.verdict,
        summary=summary,
        figures=dict(figures),
        findings=tuple(findings_of(checks)),
        report=_relative(output_dir / REPORT_HTML, report_dir),
        complete=complete,
    )
    write_area_result(report_dir, result)
    return result


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path)


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("signoff.data", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters["visible"] = visible


def render_html(data: Mapping[str, Any], checks: Sequence[DataCheck]) -> str:
    return _ENVIRONMENT.get_template("data-integrity.html").render(
        report=data, checks=checks, kinds=KINDS, shown=SHOWN_PER_KIND
    )
