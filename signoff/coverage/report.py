"""Function-point coverage of a run: per function point, per module and overall, and its verdict.

Input: what each scenario did (:class:`ScenarioResult`), the catalogue and the CRM kind. A
function point is

- ``passed`` when every scenario tagged with it passed (at least one);
- ``failed`` when any of them failed: the CRM did not do what the acceptance expects (see
  :mod:`signoff.coverage.outcomes`);
- ``could_not_check`` when none failed but one could not be checked: the kit could not perform a
  step (a locator not found, a navigation timeout). It says nothing about the CRM, and is no pass;
- ``pending`` when no scenario covers it, or some of its scenarios were skipped, or passed while
  tagged ``@skip``/``@xfail``/``@wip``/``@pending`` (their author says they do not verify the
  point yet; see :mod:`signoff.coverage.tags`), and none failed;
- ``not_applicable`` when the catalogue says it does not apply to this CRM kind, or the plan
  excludes it, and none of its scenarios failed. A failing scenario of a point marked not
  applicable contradicts the mark: the point is ``failed``, with the reason saying so.

Several browsers: each scenario runs once per browser, and each run is one :class:`ScenarioResult`
(its ``browser`` set), so a point passes only when its scenarios pass in every browser that ran. A
browser the plan requires that has no result for a point leaves the point pending (a merge of
shards where one browser's jobs are missing is no pass). The report shows the browser matrix (each
point's status per browser) and the browser-specific differences: a scenario that passed in one
browser and did not in another.

Coverage is ``passed / (all - not applicable)``: pending and could-not-check points count against
it, as in Serenity BDD's requirements coverage, so an untested line of the contract is never
mistaken for a passed one. The verdict passes when coverage reaches ``min_coverage``, no function
point failed or could not be checked, and at least one function point applies: a contract with
nothing to accept accepts nothing.

Writers: ``coverage.json`` (for the sign-off report and tools), ``coverage.md`` (for review in a
merge request), ``coverage.html`` (self-contained, bilingual) and a short terminal summary.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape

from signoff.coverage.catalogue import Catalogue, FunctionPoint
from signoff.coverage.tags import function_point_ids
from signoff.errors import PlanError
from signoff.files import write_atomically

#: What a scenario did: ``could_not_check`` is a failure of the kit, not of the CRM.
Outcome = Literal["passed", "failed", "could_not_check", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "could_not_check", "skipped")

SCHEMA = "signoff.coverage/1"
REPORT_FILES: dict[str, str] = {"json": "coverage.json", "markdown": "coverage.md", "html": "coverage.html"}


class Status(StrEnum):
    """Where a function point stands after the run."""

    PASSED = "passed"
    FAILED = "failed"
    COULD_NOT_CHECK = "could_not_check"
    PENDING = "pending"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        """English and Chinese, for reports."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.PASSED: "passed 通过",
    Status.FAILED: "failed 失败",
    Status.COULD_NOT_CHECK: "could not check 无法检查",
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
    #: Its tags that say it does not verify anything yet (``skip``, ``xfail``...): a pass counts as pending.
    pending_tags: tuple[str, ...] = ()
    #: The browser it ran in; empty when the run has no browser parameter.
    browser: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"scenario {self.id}: outcome {self.outcome!r} is not one of {', '.join(OUTCOMES)}")
        # Accept any iterable (sets from pytest-bdd) but keep a stable, hashable, JSON-friendly order.
        object.__setattr__(self, "tags", tuple(sorted(set(self.tags))))
        object.__setattr__(self, "pending_tags", tuple(sorted(set(self.pending_tags))))

    @property
    def function_points(self) -> tuple[str, ...]:
        return function_point_ids(self.tags)

    @property
    def counted_as_pending(self) -> bool:
        """Whether its tags turn what it verified into pending (it did not fail and was tagged so)."""
        return bool(self.pending_tags) and self.outcome in ("passed", "skipped")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "feature": self.feature,
            "name": self.name,
            "location": self.location,
            "outcome": self.outcome,
        }
        if self.pending_tags:
            data["pending_tags"] = list(self.pending_tags)
        if self.browser:
            data["browser"] = self.browser
        return data

    def to_record(self) -> dict[str, Any]:
        """Everything it says, tags included: what :func:`from_record` reads back (merging runs)."""
        return {**self.to_dict(), "tags": list(self.tags), "pending_tags": list(self.pending_tags)}

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> ScenarioResult:
        return cls(
            id=str(data["id"]),
            feature=str(data.get("feature", "")),
            name=str(data.get("name", "")),
            tags=tuple(str(tag) for tag in data.get("tags", ())),
            outcome=data["outcome"],
            location=str(data.get("location", "")),
            pending_tags=tuple(str(tag) for tag in data.get("pending_tags", ())),
            browser=str(data.get("browser", "")),
        )

    @property
    def case(self) -> tuple[str, str, str]:
        """The scenario whatever the browser: its feature, name, and its test id without the browser."""
        base, _, params = self.id.partition("[")
        if self.browser and params:
            # pytest joins parameter ids with "-": take the browser's out (an outline row's stay).
            kept = params.rstrip("]").split("-")
            if self.browser in kept:
                kept.remove(self.browser)
            base = f"{base}[{'-'.join(kept)}]" if kept else base
        return (self.feature, self.name, base)


@dataclass(frozen=True)
class PointCoverage:
    """One function point, its status and the scenarios that verify it."""

    point: FunctionPoint
    status: Status
    scenarios: tuple[ScenarioResult, ...]
    #: Why it is pending, could not be checked, not applicable, or failed although marked not applicable.
    reason: str = ""


@dataclass(frozen=True)
class Tally:
    """Counts of a module, or of the whole catalogue."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    could_not_check: int = 0
    pending: int = 0
    not_applicable: int = 0

    @classmethod
    def of(cls, points: Iterable[PointCoverage]) -> Tally:
        statuses = [point.status for point in points]
        return cls(
            total=len(statuses),
            passed=statuses.count(Status.PASSED),
            failed=statuses.count(Status.FAILED),
            could_not_check=statuses.count(Status.COULD_NOT_CHECK),
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
            "could_not_check": self.could_not_check,
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
    #: Scenarios the kit could not perform to their end (a kit or page-object problem, not the CRM's).
    could_not_check: tuple[ScenarioResult, ...] = ()
    #: Scenarios tagged ``@skip``/``@xfail``/... that ran and did not fail: counted as pending.
    tagged_pending: tuple[ScenarioResult, ...] = ()
    #: The browsers that ran, and those the plan requires (a point must pass in each).
    browsers: tuple[str, ...] = ()
    required_browsers: tuple[str, ...] = ()
    #: Every scenario result, for merging runs (``scenario_results`` in ``coverage.json``).
    results: tuple[ScenarioResult, ...] = ()

    @property
    def browser_differences(self) -> tuple[BrowserDifference, ...]:
        """Scenarios that passed in one browser and did not in another."""
        return browser_differences(self.results)

    def browser_matrix(self) -> dict[str, dict[str, str]]:
        """Each function point's status in each browser that ran (only with more than one browser)."""
        if len(self.browsers) < 2:
            return {}
        return {
            point.point.id: {browser: _status_in(point, browser) for browser in self.browsers} for point in self.points
        }

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader must know besides the numbers: what did not count, and why."""
        notes = []
        if self.tagged_pending:
            tags = sorted({f"@{tag}" for scenario in self.tagged_pending for tag in scenario.pending_tags})
            notes.append(
                f"{len(self.tagged_pending)} {_scenarios(len(self.tagged_pending))} tagged {'/'.join(tags)} counted as pending"
            )
        if self.could_not_check:
            names = ", ".join(_scenario_name(scenario) for scenario in self.could_not_check)
            notes.append(
                f"could not check: {len(self.could_not_check)} {_scenarios(len(self.could_not_check))} ({names})"
            )
        notes += [f"browser difference 浏览器差异: {difference}" for difference in self.browser_differences]
        return tuple(notes)

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
            "notes": list(self.notes),
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
            "could_not_check_scenarios": [scenario.to_dict() for scenario in self.could_not_check],
            "tagged_pending_scenarios": [scenario.to_dict() for scenario in self.tagged_pending],
            "unknown_function_points": {
                point_id: [scenario.id for scenario in scenarios] for point_id, scenarios in self.unknown.items()
            },
            "browsers": list(self.browsers),
            "required_browsers": list(self.required_browsers),
            "browser_matrix": self.browser_matrix(),
            "browser_differences": [difference.to_dict() for difference in self.browser_differences],
            "scenario_results": [result.to_record() for result in self.results],
        }


@dataclass(frozen=True)
class BrowserDifference:
    """One scenario whose outcome depends on the browser."""

    feature: str
    name: str
    location: str
    outcomes: Mapping[str, Outcome]

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        by_browser = ", ".join(
            f"{outcome.replace('_', ' ')} in {browser}" for browser, outcome in self.outcomes.items()
        )
        return f"{self.feature} / {self.name}{where}: {by_browser}"

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "name": self.name, "location": self.location, "outcomes": dict(self.outcomes)}


def browser_differences(results: Iterable[ScenarioResult]) -> tuple[BrowserDifference, ...]:
    """Scenarios that ran in several browsers, passed in at least one and did not pass in another."""
    by_case: dict[tuple[str, str, str], dict[str, Outcome]] = {}
    locations: dict[tuple[str, str, str], str] = {}
    for result in sorted(results, key=lambda r: (r.case, r.browser)):
        if result.browser:
            by_case.setdefault(result.case, {})[result.browser] = result.outcome
            locations[result.case] = result.location
    return tuple(
        BrowserDifference(feature, name, locations[(feature, name, case)], outcomes)
        for (feature, name, case), outcomes in by_case.items()
        if len(outcomes) > 1 and "passed" in outcomes.values() and set(outcomes.values()) != {"passed"}
    )


def _status_in(point: PointCoverage, browser: str) -> str:
    """A point's status from its scenarios in one browser alone (``pending``: none ran there)."""
    outcomes = [scenario.outcome for scenario in point.scenarios if scenario.browser == browser]
    for outcome in ("failed", "could_not_check", "skipped"):
        if outcome in outcomes:
            return "pending" if outcome == "skipped" else outcome
    return "passed" if outcomes else "pending"


# --------------------------------------------------------------------------- computation


def compute_coverage(
    results: Iterable[ScenarioResult],
    catalogue: Catalogue,
    crm_kind: str = "",
    *,
    not_applicable: Iterable[str] = (),
    min_coverage: float = 100.0,
    generated_at: str | None = None,
    required_browsers: Iterable[str] = (),
) -> CoverageReport:
    """The coverage of ``catalogue`` by ``results`` for a CRM of kind ``crm_kind``.

    ``not_applicable``: ids the acceptance plan excludes on top of the catalogue's
    ``not_applicable_for`` column; an id the catalogue does not have is a :class:`PlanError`.
    ``required_browsers``: browsers each covered point must have passing results in, besides
    every browser that ran.
    """
    results = tuple(results)
    excluded = frozenset(not_applicable)
    strangers = sorted(excluded - set(catalogue.ids))
    if strangers:
        raise PlanError(
            f"[coverage] not_applicable names unknown function point {strangers[0]} (not in {catalogue.source})"
        )
    if not 0.0 <= min_coverage <= 100.0:
        raise PlanError(f"[coverage] min_coverage = {min_coverage} must be between 0 and 100")

    by_point: dict[str, list[ScenarioResult]] = {}
    untraced: list[ScenarioResult] = []
    unknown: dict[str, list[ScenarioResult]] = {}
    ordered = sorted(results, key=lambda r: r.id)
    for result in ordered:
        ids = result.function_points
        if not ids:
            untraced.append(result)
        for point_id in ids:
            (by_point if point_id in catalogue else unknown).setdefault(point_id, []).append(result)

    ran = tuple(sorted({result.browser for result in results if result.browser}))
    required = tuple(dict.fromkeys(required_browsers))
    # A point must pass in every browser that ran and in each required one; with a single browser
    # (or none) there is nothing more to ask.
    needed = tuple(sorted({*ran, *required})) if len({*ran, *required}) > 1 or required else ()
    modules = []
    for module in catalogue.modules():
        points = tuple(
            _require_browsers(_cover(point, tuple(by_point.get(point.id, ())), crm_kind, excluded), needed)
            for point in module.points
        )
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
        generated_at=generated_at if generated_at is not None else datetime.now(UTC).isoformat(timespec="seconds"),
        could_not_check=tuple(result for result in ordered if result.outcome == "could_not_check"),
        tagged_pending=tuple(result for result in ordered if result.counted_as_pending),
        browsers=ran,
        required_browsers=required,
        results=tuple(ordered),
    )


def _require_browsers(coverage: PointCoverage, browsers: tuple[str, ...]) -> PointCoverage:
    """A passed point with no result in one of ``browsers`` is pending: it was not verified there."""
    if coverage.status is not Status.PASSED or not browsers:
        return coverage
    missing = [browser for browser in browsers if not any(s.browser == browser for s in coverage.scenarios)]
    if not missing:
        return coverage
    return PointCoverage(coverage.point, Status.PENDING, coverage.scenarios, f"not run in {', '.join(missing)}")


def _cover(
    point: FunctionPoint, scenarios: tuple[ScenarioResult, ...], crm_kind: str, excluded: frozenset[str]
) -> PointCoverage:
    outcomes = [scenario.outcome for scenario in scenarios]
    unchecked = outcomes.count("could_not_check")
    not_applicable = ""
    if not point.applies_to(crm_kind):
        not_applicable = f"does not apply to {crm_kind}"
    elif point.id in excluded:
        not_applicable = "excluded by the acceptance plan"
    if not_applicable:
        # A failing scenario contradicts the mark: the CRM was checked and found wanting, and no
        # mark may hide that. Anything else (a pass, a step the kit could not perform on a screen the
        # CRM does not have) leaves the point out of the contract.
        if "failed" in outcomes:
            reason = f"marked not applicable ({not_applicable}) but its scenario failed"
            return PointCoverage(point, Status.FAILED, scenarios, reason)
        if unchecked:
            not_applicable += f"; {unchecked} of {len(outcomes)} {_scenarios(len(outcomes))} could not be checked"
        return PointCoverage(point, Status.NOT_APPLICABLE, scenarios, not_applicable)
    if "failed" in outcomes:
        return PointCoverage(point, Status.FAILED, scenarios)
    if unchecked:
        reason = f"{unchecked} of {len(outcomes)} {_scenarios(len(outcomes))} could not be checked"
        return PointCoverage(point, Status.COULD_NOT_CHECK, scenarios, reason)
    if not scenarios:
        return PointCoverage(point, Status.PENDING, scenarios, "no scenario covers it")
    skipped = outcomes.count("skipped")
    if skipped:
        return PointCoverage(point, Status.PENDING, scenarios, f"{skipped} of {len(outcomes)} scenarios skipped")
    tagged = [scenario for scenario in scenarios if scenario.counted_as_pending]
    if tagged:
        tags = "/".join(sorted({f"@{tag}" for scenario in tagged for tag in scenario.pending_tags}))
        reason = f"{len(tagged)} of {len(outcomes)} {_scenarios(len(outcomes))} tagged {tags}, counted as pending"
        return PointCoverage(point, Status.PENDING, scenarios, reason)
    return PointCoverage(point, Status.PASSED, scenarios)


def _scenarios(count: int) -> str:
    return "scenario" if count == 1 else "scenarios"


def _scenario_name(scenario: ScenarioResult) -> str:
    return f"{scenario.feature} / {scenario.name}" if scenario.feature else scenario.name


def _verdict(
    modules: list[ModuleCoverage], overall: Tally, min_coverage: float, unknown: Mapping[str, object]
) -> Verdict:
    reasons = []
    if not overall.applicable:
        reasons.append("no function point applies to this acceptance: there is nothing to accept")
    # Compare exact counts, not a rounded percentage: 99.96% must not pass a 100% requirement.
    if overall.applicable and overall.passed * 100.0 < min_coverage * overall.applicable:
        reasons.append(f"coverage {_percent(overall.coverage)} is below the required {min_coverage:.1f}%")
    failed = [point.point.id for module in modules for point in module.points if point.status is Status.FAILED]
    if failed:
        plural = "s" if len(failed) > 1 else ""
        reasons.append(f"{len(failed)} function point{plural} failed: {', '.join(failed)}")
    unchecked = [
        point.point.id for module in modules for point in module.points if point.status is Status.COULD_NOT_CHECK
    ]
    if unchecked:
        plural = "s" if len(unchecked) > 1 else ""
        reasons.append(f"{len(unchecked)} function point{plural} could not be checked: {', '.join(unchecked)}")
    if unknown:
        reasons.append(f"scenarios tag unknown function points: {', '.join(sorted(unknown))}")
    return Verdict(passed=not reasons, min_coverage=min_coverage, reasons=tuple(reasons))


# --------------------------------------------------------------------------- writers


def render_json(report: CoverageReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


def render_summary(report: CoverageReport, *, max_failed: int = 10) -> str:
    """A few lines for the terminal: one per module, the overall line, failed points, notes, the verdict."""
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
            f"{tally.failed} failed, {tally.could_not_check} could not check, {tally.pending} pending, "
            f"{tally.not_applicable} n/a"
        )
    failed = [point for point in report.points if point.status is Status.FAILED]
    for point in failed[:max_failed]:
        reason = f" ({point.reason})" if point.reason else ""
        lines.append(f"  failed 失败: {point.point.id} {point.point.title_en} / {point.point.title_zh}{reason}")
    if len(failed) > max_failed:
        lines.append(f"  ... and {len(failed) - max_failed} more failed function points")
    if report.untraced:
        lines.append(f"  {len(report.untraced)} scenario(s) name no function point")
    if len(report.browsers) > 1 or report.required_browsers:
        required = f" (required: {', '.join(report.required_browsers)})" if report.required_browsers else ""
        lines.append(f"  browsers 浏览器: {', '.join(report.browsers)}{required}")
    lines += [f"  {note}" for note in report.notes]
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
        f"**Verdict 结论: {report.verdict.label}** — {_REQUIREMENT.format(report.verdict.min_coverage)}",
    ]
    out += [f"- {_md(reason)}" for reason in report.verdict.reasons]
    if report.notes:
        out += ["", "Notes 说明:", ""] + [f"- {_md(note)}" for note in report.notes]
    out += [
        "",
        "## Modules 功能模块",
        "",
        "| Module 功能模块 | Function points 功能点 | Passed 通过 | Failed 失败 | Could not check 无法检查 | "
        "Pending 待测 | Not applicable 不适用 | Coverage 覆盖率 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
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
            scenarios = "<br>".join(_md(f"{_outcome_label(s)}: {s.feature} / {s.name}") for s in point.scenarios) or "—"
            out.append(
                f"| {point.point.id} | {_md(point.point.title_en)} | {_md(point.point.title_zh)} | "
                f"{_PRIORITY_LABELS[point.point.priority]} | {_md(status)} | {scenarios} |"
            )
    matrix = report.browser_matrix()
    if matrix:
        out += ["", "## Browser matrix 浏览器矩阵", "", "| ID | " + " | ".join(report.browsers) + " |"]
        out.append("|---|" + "---|" * len(report.browsers))
        out += [f"| {point_id} | " + " | ".join(row.values()) + " |" for point_id, row in matrix.items()]
    if report.untraced:
        out += ["", "## Scenarios naming no function point 未关联功能点的场景", ""]
        out += [f"- {_md(s.feature)} / {_md(s.name)} ({_outcome_label(s)})" for s in report.untraced]
    if report.unknown:
        out += ["", "## Unknown function points 未知功能点", ""]
        out += [
            f"- {point_id}: {_md(', '.join(s.name for s in scenarios))}"
            for point_id, scenarios in report.unknown.items()
        ]
    return "\n".join(out) + "\n"


#: The HTML page's template, shipped with the package (``signoff/coverage/templates/``).
HTML_TEMPLATE = "coverage.html"

_TEMPLATES = Environment(
    loader=PackageLoader("signoff.coverage", "templates"),
    # Feature, scenario and catalogue texts are the users' words: escaped, always.
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_TEMPLATES.filters["percent"] = lambda value: _percent(value)
_TEMPLATES.filters["outcome"] = lambda scenario: _outcome_label(scenario)


def render_html(report: CoverageReport) -> str:
    """A self-contained page (inline CSS, no script, no outside resource) that opens from ``file://``."""
    return _TEMPLATES.get_template(HTML_TEMPLATE).render(
        report=report, requirement=_REQUIREMENT.format(report.verdict.min_coverage), priorities=_PRIORITY_LABELS
    )


def write_reports(report: CoverageReport, directory: str | Path) -> dict[str, Path]:
    """Write ``coverage.json``, ``coverage.md`` and ``coverage.html`` into ``directory``; their paths by kind.

    Each file appears whole (the sign-off report may read them while a run writes them) and is
    readable by whoever the umask lets read, like any report the CI publishes.
    """
    folder = Path(directory)
    contents = {"json": render_json(report), "markdown": render_markdown(report), "html": render_html(report)}
    return {kind: write_atomically(folder / REPORT_FILES[kind], text) for kind, text in contents.items()}


_REQUIREMENT = "required {:.1f}%, no failed or unchecked function point, and at least one that applies."


def _outcome_label(scenario: ScenarioResult) -> str:
    """A scenario's outcome as a reader says it; a pass that its tags turn into pending says so."""
    label = scenario.outcome.replace("_", " ")
    if scenario.browser:
        label += f" in {scenario.browser}"
    if scenario.counted_as_pending:
        label += f" (tagged {', '.join('@' + tag for tag in scenario.pending_tags)}: counted as pending)"
    return label


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
        f"| {label} | {tally.total} | {tally.passed} | {tally.failed} | {tally.could_not_check} | {tally.pending} | "
        f"{tally.not_applicable} | {_percent(tally.coverage)} |"
    )
