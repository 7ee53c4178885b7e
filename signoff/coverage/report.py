"""Function-point coverage of a run: per function point, per module and overall, and its verdict.

Input: what each scenario did (:class:`ScenarioResult`), the catalogue and the CRM kind. A
function point is

- ``passed`` when every scenario tagged with it passed (at least one);
- ``failed`` when any of them failed;
- ``pending`` when no scenario covers it, or some of its scenarios were skipped and none failed
  (a skipped scenario verified nothing);
- ``not_applicable`` when the catalogue says it does not apply to this CRM kind, or the plan
  excludes it.

Coverage is ``passed / (all - not applicable)``: pending points count against it, as in Serenity
BDD's requirements coverage, so an untested line of the contract is never mistaken for a passed one.
The verdict passes when coverage reaches ``min_coverage`` and no function point failed.

Writers: ``coverage.json`` (for the sign-off report and tools), ``coverage.md`` (for review in a
merge request), ``coverage.html`` (self-contained, bilingual) and a short terminal summary.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from signoff.coverage.catalogue import Catalogue, FunctionPoint
from signoff.coverage.tags import function_point_ids
from signoff.errors import PlanError

Outcome = Literal["passed", "failed", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped")

SCHEMA = "signoff.coverage/1"
REPORT_FILES: dict[str, str] = {"json": "coverage.json", "markdown": "coverage.md", "html": "coverage.html"}


class Status(StrEnum):
    """Where a function point stands after the run."""

    PASSED = "passed"
    FAILED = "failed"
    PENDING = "pending"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """English and Chinese, for reports."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.PASSED: "passed 通过",
    Status.FAILED: "failed 失败",
    Status.PENDING: "pending 待测",
    Status.NOT_APPLICABLE: "not applicable 不适用",
}
_PRIORITY_LABELS = {"high": "high 高", "medium": "medium 中", "low": "low 低"}


@dataclass(frozen=True)
class ScenarioResult:
    """What one scenario (one row of an outline) did in the run."""

    #: Unique id of the run's test, e.g. the pytest node id.
    id: str
    #: Feature name.
    feature: str
    #: Scenario name.
    name: str
    #: The scenario's tags, with or without ``@``; only ``FP-...`` tags matter here.
    tags: tuple[str, ...]
    outcome: Outcome
    #: ``features/x.feature:14``, when known.
    location: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"scenario {self.id}: outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        # Accept any iterable (sets from pytest-bdd) but keep a stable, hashable, JSON-friendly order.
        object.__setattr__(self, "tags", tuple(sorted(set(self.tags))))

    @property
    def function_points(self) -> tuple[str, ...]:
        return function_point_ids(self.tags)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "feature": self.feature, "name": self.name, "location": self.location, "outcome": self.outcome}


@dataclass(frozen=True)
class PointCoverage:
    """One function point, its status and the scenarios that verify it."""

    point: FunctionPoint
    status: Status
    scenarios: tuple[ScenarioResult, ...]
    #: Why it is pending or not applicable ("" otherwise).
    reason: str = ""


@dataclass(frozen=True)
class Tally:
    """Counts of a module, or of the whole catalogue."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    pending: int = 0
    not_applicable: int = 0

    @classmethod
    def of(cls, points: Iterable[PointCoverage]) -> Tally:
        statuses = [point.status for point in points]
        return cls(
            total=len(statuses),
            passed=statuses.count(Status.PASSED),
            failed=statuses.count(Status.FAILED),
            pending=statuses.count(Status.PENDING),
            not_applicable=statuses.count(Status.NOT_APPLICABLE),
        )

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def coverage(self) -> float | None:
        """Percent of applicable points that passed; ``None`` when none applies."""
        return 100.0 * self.passed / self.applicable if self.applicable else None

    def to_dict(self) -> dict[str, Any]:
        coverage = self.coverage
        return {
            "total": self.total,
            "applicable": self.applicable,
            "passed": self.passed,
            "failed": self.failed,
            "pending": self.pending,
            "not_applicable": self.not_applicable,
            "coverage_percent": None if coverage is None else round(coverage, 2),
        }


@dataclass(frozen=True)
class ModuleCoverage:
    name: str
    name_zh: str
    points: tuple[PointCoverage, ...]
    tally: Tally

    @property
    def label(self) -> str:
        return f"{self.name} {self.name_zh}".strip()


@dataclass(frozen=True)
class Verdict:
    """Whether the functional area passes: coverage reached and no failing function point."""

    passed: bool
    min_coverage: float
    #: Why it did not pass (empty when it passed).
    reasons: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return "met 达到" if self.passed else "not met 未达到"


@dataclass(frozen=True)
class CoverageReport:
    catalogue: str
    crm_kind: str
    modules: tuple[ModuleCoverage, ...]
    overall: Tally
    verdict: Verdict
    #: Scenarios that name no function point: work that the contract does not ask for, or missing tags.
    untraced: tuple[ScenarioResult, ...] = ()
    #: Function point ids some scenario names but the catalogue does not have, with those scenarios.
    unknown: Mapping[str, tuple[ScenarioResult, ...]] = field(default_factory=dict)
    generated_at: str = ""

    @property
    def points(self) -> tuple[PointCoverage, ...]:
        return tuple(point for module in self.modules for point in module.points)

    def status_of(self, point_id: str) -> Status:
        for point in self.points:
            if point.point.id == point_id:
                return point.status
        raise KeyError(point_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generated_at": self.generated_at,
            "catalogue": self.catalogue,
            "crm_kind": self.crm_kind,
            "min_coverage": self.verdict.min_coverage,
            "verdict": {"passed": self.verdict.passed, "reasons": list(self.verdict.reasons)},
            "overall": self.overall.to_dict(),
            "modules": [
                {
                    "name": module.name,
                    "name_zh": module.name_zh,
                    **module.tally.to_dict(),
                    "function_points": [point.point.id for point in module.points],
                }
                for module in self.modules
            ],
            "function_points": [
                {
                    "id": point.point.id,
                    "module": point.point.module,
                    "title_en": point.point.title_en,
                    "title_zh": point.point.title_zh,
                    "priority": point.point.priority,
                    "status": point.status.value,
                    "reason": point.reason,
                    "scenarios": [scenario.to_dict() for scenario in point.scenarios],
                }
                for point in self.points
            ],
            "untraced_scenarios": [scenario.to_dict() for scenario in self.untraced],
            "unknown_function_points": {
                point_id: [scenario.id for scenario in scenarios] for point_id, scenarios in self.unknown.items()
            },
        }


# --------------------------------------------------------------------------- computation


def compute_coverage(
    results: Iterable[ScenarioResult],
    catalogue: Catalogue,
    crm_kind: str = "",
    *,
    not_applicable: Iterable[str] = (),
    min_coverage: float = 100.0,
    generated_at: str | None = None,
) -> CoverageReport:
    """The coverage of ``catalogue`` by ``results`` for a CRM of kind ``crm_kind``.

    ``not_applicable``: ids the acceptance plan excludes on top of the catalogue's
    ``not_applicable_for`` column; an id the catalogue does not have is a :class:`PlanError`.
    """
    excluded = frozenset(not_applicable)
    strangers = sorted(excluded - set(catalogue.ids))
    if strangers:
        raise PlanError(f"[coverage] not_applicable names unknown function point {strangers[0]} (not in {catalogue.source})")
    if not 0.0 <= min_coverage <= 100.0:
        raise PlanError(f"[coverage] min_coverage = {min_coverage} must be between 0 and 100")

    by_point: dict[str, list[ScenarioResult]] = {}
    untraced: list[ScenarioResult] = []
    unknown: dict[str, list[ScenarioResult]] = {}
    for result in sorted(results, key=lambda r: r.id):
        ids = result.function_points
        if not ids:
            untraced.append(result)
        for point_id in ids:
            (by_point if point_id in catalogue else unknown).setdefault(point_id, []).append(result)

    modules = []
    for module in catalogue.modules():
        points = tuple(_cover(point, tuple(by_point.get(point.id, ())), crm_kind, excluded) for point in module.points)
        modules.append(ModuleCoverage(module.name, module.name_zh, points, Tally.of(points)))
    overall = Tally.of(point for module in modules for point in module.points)
    return CoverageReport(
        catalogue=catalogue.source,
        crm_kind=crm_kind,
        modules=tuple(modules),
        overall=overall,
        verdict=_verdict(modules, overall, min_coverage, unknown),
        untraced=tuple(untraced),
        unknown={point_id: tuple(scenarios) for point_id, scenarios in sorted(unknown.items())},
        generated_at=generated_at if generated_at is not None else datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def _cover(point: FunctionPoint, scenarios: tuple[ScenarioResult, ...], crm_kind: str, excluded: frozenset[str]) -> PointCoverage:
    # Not applicable wins over results: a scenario that runs anyway does not put the line back in the contract.
    if not point.applies_to(crm_kind):
        return PointCoverage(point, Status.NOT_APPLICABLE, scenarios, f"does not apply to {crm_kind}")
    if point.id in excluded:
        return PointCoverage(point, Status.NOT_APPLICABLE, scenarios, "excluded by the acceptance plan")
    outcomes = [scenario.outcome for scenario in scenarios]
    if "failed" in outcomes:
        return PointCoverage(point, Status.FAILED, scenarios)
    if not scenarios:
        return PointCoverage(point, Status.PENDING, scenarios, "no scenario covers it")
    skipped = outcomes.count("skipped")
    if skipped:
        return PointCoverage(point, Status.PENDING, scenarios, f"{skipped} of {len(outcomes)} scenarios skipped")
    return PointCoverage(point, Status.PASSED, scenarios)


def _verdict(
    modules: list[ModuleCoverage], overall: Tally, min_coverage: float, unknown: Mapping[str, object]
) -> Verdict:
    reasons = []
    # Compare exact counts, not a rounded percentage: 99.96% must not pass a 100% requirement.
    if overall.applicable and overall.passed * 100.0 < min_coverage * overall.applicable:
        reasons.append(f"coverage {_percent(overall.coverage)} is below the required {min_coverage:.1f}%")
    failed = [point.point.id for module in modules for point in module.points if point.status is Status.FAILED]
    if failed:
        plural = "s" if len(failed) > 1 else ""
        reasons.append(f"{len(failed)} function point{plural} failed: {', '.join(failed)}")
    if unknown:
        reasons.append(f"scenarios tag unknown function points: {', '.join(sorted(unknown))}")
    return Verdict(passed=not reasons, min_coverage=min_coverage, reasons=tuple(reasons))


# --------------------------------------------------------------------------- writers


def render_json(report: CoverageReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_summary(report: CoverageReport, *, max_failed: int = 10) -> str:
    """A few lines for the terminal: one per module, the overall line, failed points, the verdict."""
    rows = [(module.label, module.tally) for module in report.modules] + [("Overall 总计", report.overall)]
    width = max(_width(label) for label, _ in rows)
    counts = [f"{tally.passed}/{tally.applicable}" for _, tally in rows]
    count_width = max(len(count) for count in counts)
    lines = [
        f"Function-point coverage 功能点覆盖率 — CRM: {report.crm_kind or '(any)'}, "
        f"catalogue: {report.catalogue}, required: {report.verdict.min_coverage:.1f}%"
    ]
    for (label, tally), count in zip(rows, counts, strict=True):
        lines.append(
            f"  {_pad(label, width)}  {_percent(tally.coverage):>6}  {count:>{count_width}} passed, "
            f"{tally.failed} failed, {tally.pending} pending, {tally.not_applicable} n/a"
        )
    failed = [point for point in report.points if point.status is Status.FAILED]
    for point in failed[:max_failed]:
        lines.append(f"  failed 失败: {point.point.id} {point.point.title_en} / {point.point.title_zh}")
    if len(failed) > max_failed:
        lines.append(f"  ... and {len(failed) - max_failed} more failed function points")
    if report.untraced:
        lines.append(f"  {len(report.untraced)} scenario(s) name no function point")
    verdict = f"Verdict 结论: {report.verdict.label}"
    if report.verdict.reasons:
        verdict += " — " + "; ".join(report.verdict.reasons)
    lines.append(verdict)
    return "\n".join(lines) + "\n"


def render_markdown(report: CoverageReport) -> str:
    out = [
        "# Function-point coverage 功能点覆盖率",
        "",
        f"CRM: `{report.crm_kind or '(any)'}` · catalogue: `{report.catalogue}` · generated {report.generated_at}",
        "",
        f"**Verdict 结论: {report.verdict.label}** — required {report.verdict.min_coverage:.1f}% and no failed function point.",
    ]
    out += [f"- {_md(reason)}" for reason in report.verdict.reasons]
    out += [
        "",
        "## Modules 功能模块",
        "",
        "| Module 功能模块 | Function points 功能点 | Passed 通过 | Failed 失败 | Pending 待测 | Not applicable 不适用 | Coverage 覆盖率 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for label, tally in [(module.label, module.tally) for module in report.modules]:
        out.append(_md_tally_row(_md(label), tally))
    out.append(_md_tally_row("**Overall 总计**", report.overall))
    out += ["", "## Function points 功能点"]
    for module in report.modules:
        out += [
            "",
            f"### {_md(module.label)}",
            "",
            "| ID | Function point | 功能点 | Priority 优先级 | Status 状态 | Scenarios 场景 |",
            "|---|---|---|---|---|---|",
        ]
        for point in module.points:
            status = point.status.label + (f" ({point.reason})" if point.reason else "")
            scenarios = "<br>".join(_md(f"{s.outcome}: {s.feature} / {s.name}") for s in point.scenarios) or "—"
            out.append(
                f"| {point.point.id} | {_md(point.point.title_en)} | {_md(point.point.title_zh)} | "
                f"{_PRIORITY_LABELS[point.point.priority]} | {_md(status)} | {scenarios} |"
            )
    if report.untraced:
        out += ["", "## Scenarios naming no function point 未关联功能点的场景", ""]
        out += [f"- {_md(s.feature)} / {_md(s.name)} ({s.outcome})" for s in report.untraced]
    if report.unknown:
        out += ["", "## Unknown function points 未知功能点", ""]
        out += [f"- {point_id}: {_md(', '.join(s.name for s in scenarios))}" for point_id, scenarios in report.unknown.items()]
    return "\n".join(out) + "\n"


def render_html(report: CoverageReport) -> str:
    """A self-contained page (inline CSS, no script, no outside resource) that opens from ``file://``."""
    e = html.escape
    verdict_class = "ok" if report.verdict.passed else "bad"
    reasons = "".join(f"<li>{e(reason)}</li>" for reason in report.verdict.reasons)
    module_rows = "".join(_html_tally_row(e(module.label), module.tally) for module in report.modules)
    module_rows += _html_tally_row("<strong>Overall 总计</strong>", report.overall, css="overall")
    details = []
    for module in report.modules:
        rows = []
        for point in module.points:
            scenarios = "".join(
                f'<li class="{e(s.outcome)}">{e(s.outcome)}: {e(s.feature)} / {e(s.name)}'
                + (f' <span class="loc">{e(s.location)}</span>' if s.location else "")
                + "</li>"
                for s in point.scenarios
            )
            reason = f'<div class="reason">{e(point.reason)}</div>' if point.reason else ""
            notes = f'<div class="notes">{e(point.point.notes)}</div>' if point.point.notes else ""
            rows.append(
                f"<tr><td class=\"id\">{e(point.point.id)}</td>"
                f"<td>{e(point.point.title_en)}<div lang=\"zh-CN\">{e(point.point.title_zh)}</div>{notes}</td>"
                f"<td>{e(_PRIORITY_LABELS[point.point.priority])}</td>"
                f'<td><span class="chip {point.status.value}">{e(point.status.label)}</span>{reason}</td>'
                f"<td><ul>{scenarios}</ul></td></tr>"
            )
        details.append(
            f"<h3>{e(module.label)} <small>{_percent(module.tally.coverage)}</small></h3>"
            "<table><thead><tr><th>ID</th><th>Function point 功能点</th><th>Priority 优先级</th>"
            "<th>Status 状态</th><th>Scenarios 场景</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )
    extra = ""
    if report.untraced:
        items = "".join(f"<li>{e(s.feature)} / {e(s.name)} ({e(s.outcome)})</li>" for s in report.untraced)
        extra += f"<h2>Scenarios naming no function point · 未关联功能点的场景</h2><ul>{items}</ul>"
    if report.unknown:
        items = "".join(
            f"<li>{e(point_id)}: {e(', '.join(s.name for s in scenarios))}</li>" for point_id, scenarios in report.unknown.items()
        )
        extra += f"<h2>Unknown function points · 未知功能点</h2><ul>{items}</ul>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Function-point coverage · 功能点覆盖率</title>
<style>{_CSS}</style>
</head>
<body>
<h1>Function-point coverage · <span lang="zh-CN">功能点覆盖率</span></h1>
<p class="meta">CRM: <code>{e(report.crm_kind or "(any)")}</code> · catalogue: <code>{e(report.catalogue)}</code> · generated {e(report.generated_at)}</p>
<div class="verdict {verdict_class}"><strong>Verdict · 结论: {e(report.verdict.label)}</strong>
 — required {report.verdict.min_coverage:.1f}% and no failed function point.<ul>{reasons}</ul></div>
<h2>Modules · 功能模块</h2>
<table class="summary"><thead><tr><th>Module 功能模块</th><th>Function points 功能点</th><th>Passed 通过</th>
<th>Failed 失败</th><th>Pending 待测</th><th>Not applicable 不适用</th><th>Coverage 覆盖率</th></tr></thead>
<tbody>{module_rows}</tbody></table>
<h2>Function points · 功能点</h2>
{"".join(details)}
{extra}
</body>
</html>
"""


def write_reports(report: CoverageReport, directory: str | Path) -> dict[str, Path]:
    """Write ``coverage.json``, ``coverage.md`` and ``coverage.html`` into ``directory``; their paths by kind."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    contents = {"json": render_json(report), "markdown": render_markdown(report), "html": render_html(report)}
    written = {}
    for kind, text in contents.items():
        path = folder / REPORT_FILES[kind]
        _write_atomically(path, text)
        written[kind] = path
    return written


def _write_atomically(path: Path, text: str) -> None:
    # The sign-off report reads these files: it must never see half of one.
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _width(text: str) -> int:
    # Chinese characters take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _md_tally_row(label: str, tally: Tally) -> str:
    return (
        f"| {label} | {tally.total} | {tally.passed} | {tally.failed} | {tally.pending} | "
        f"{tally.not_applicable} | {_percent(tally.coverage)} |"
    )


def _html_tally_row(label: str, tally: Tally, css: str = "") -> str:
    coverage = tally.coverage
    bar = "" if coverage is None else f'<div class="bar"><div style="width:{coverage:.1f}%"></div></div>'
    return (
        f'<tr class="{css}"><td>{label}</td><td>{tally.total}</td><td>{tally.passed}</td><td>{tally.failed}</td>'
        f"<td>{tally.pending}</td><td>{tally.not_applicable}</td><td>{_percent(coverage)}{bar}</td></tr>"
    )


_CSS = """
body{font-family:system-ui,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.6em}h3 small{color:#666;font-weight:normal}
.meta{color:#555}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}
table.summary td:not(:first-child){text-align:right}
tr.overall td{background:#fafafa}
td.id{white-space:nowrap;font-family:monospace}
td ul{margin:0;padding-left:1.1em}
.verdict{padding:.8em 1em;border-radius:6px;margin:1em 0}
.verdict.ok{background:#e6f4ea;border:1px solid #34a853}
.verdict.bad{background:#fce8e6;border:1px solid #d93025}
.chip{display:inline-block;padding:.1em .5em;border-radius:1em;font-size:.9em;white-space:nowrap}
.chip.passed{background:#e6f4ea;color:#137333}.chip.failed{background:#fce8e6;color:#a50e0e}
.chip.pending{background:#fef7e0;color:#8a6d00}.chip.not_applicable{background:#eee;color:#555}
li.failed{color:#a50e0e}li.skipped{color:#8a6d00}
.reason,.notes,.loc{color:#666;font-size:.85em}
.bar{background:#eee;height:.4em;border-radius:.2em;margin-top:.2em}
.bar div{background:#34a853;height:100%;border-radius:.2em}
"""
