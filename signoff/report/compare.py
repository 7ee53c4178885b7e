"""``signoff compare``: two archived runs side by side, and what got worse (update acceptance).

Compared, for runs A (before) and B (after):

- scenarios: newly failing (passed in A, failed or could not check in B), newly passing, still
  failing, added (only in B), removed (only in A);
- each area's verdict, an area that ran in A but not in B included;
- each area's figures side by side (the performance area's p95 per page too, from the archived
  ``steps.csv``); a figure whose name says which way is better (scores, coverage and passes up; p95,
  errors, mismatches, unexpected refusals, dropped rows, pending points, violations, failures and
  elements down) is flagged when it moved the wrong way;
- findings by their stable key: new ones, fixed ones, and ones that now hit more elements (the UX
  area's ``details["elements"]`` per rule and page kind).

Anything flagged is a regression: the command exits non-zero. Written as a terminal summary and as
``<report_dir>/compare.html``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from signoff.errors import SignoffError
from signoff.files import write_atomically
from signoff.findings import AREAS, defect_id
from signoff.report.history import ArchivedRun, history_dir, list_runs, load_run, run_date

HTML_NAME: Final = "compare.html"
FAILING: Final = ("failed", "could_not_check")
_HIGHER_BETTER = re.compile(r"score|coverage|passed|throughput|requests/s|rps", re.IGNORECASE)
# Not "seconds": the kit's own wall time (a security area's "seconds") says nothing about the CRM and
# would flag every pair of runs; the CRM's times are in ms (p50_ms, p95_ms <page>).
_LOWER_BETTER = re.compile(
    r"p9\d|p5\d|median|error|mismatch|violation|failed|could not check|elements|findings|\bms\b|latency"
    r"|refusal|dropped|pending",
    re.IGNORECASE,
)
_VERDICT_RANK: Final = {"passed": 0, "could-not-check": 1, "failed": 2, "not-run": 3}


@dataclasses.dataclass(frozen=True)
class ScenarioChange:
    kind: str  # newly-failing, newly-passing, still-failing, added, removed
    id: str
    feature: str
    name: str
    before: str
    after: str

    @property
    def worse(self) -> bool:
        return self.kind == "newly-failing" or (self.kind == "added" and self.after in FAILING)

    @property
    def title(self) -> str:
        """Feature / scenario, with the test's parameters (browser, outline row) that tell its runs apart."""
        _base, bracket, parameters = self.id.partition("[")
        return f"{self.feature} / {self.name}" + (f" [{parameters}" if bracket else "")


@dataclasses.dataclass(frozen=True)
class FigureRow:
    area: str
    name: str
    before: float | int | str | None
    after: float | int | str | None
    worse: bool
    better: bool


@dataclasses.dataclass(frozen=True)
class FindingChange:
    kind: str  # new, fixed, more-elements
    area: str
    id: str
    title: str
    detail: str = ""

    @property
    def worse(self) -> bool:
        return self.kind in ("new", "more-elements")


@dataclasses.dataclass(frozen=True)
class AreaRow:
    area: str
    before: str
    after: str
    worse: bool


@dataclasses.dataclass(frozen=True)
class Comparison:
    before: ArchivedRun
    after: ArchivedRun
    scenarios: tuple[ScenarioChange, ...]
    areas: tuple[AreaRow, ...]
    figures: tuple[FigureRow, ...]
    findings: tuple[FindingChange, ...]

    @property
    def regressions(self) -> list[str]:
        """One line per thing that got worse."""
        lines = [f"scenario {c.kind}: {c.title} ({c.before} -> {c.after})" for c in self.scenarios if c.worse]
        lines += [f"area {a.area}: {a.before} -> {a.after}" for a in self.areas if a.worse]
        lines += [f"{f.area} {f.name}: {f.before} -> {f.after}" for f in self.figures if f.worse]
        lines += [f"{f.area} finding {f.kind}: {f.id} {f.title} {f.detail}".rstrip() for f in self.findings if f.worse]
        return lines

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)


def direction(name: str) -> int:
    """+1 when a higher value of figure ``name`` is better, -1 when lower is, 0 when its name does not say."""
    if _HIGHER_BETTER.search(name):
        return 1
    if _LOWER_BETTER.search(name):
        return -1
    return 0


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def compare_runs(before: ArchivedRun, after: ArchivedRun) -> Comparison:
    """Everything that changed from ``before`` to ``after``."""
    changes: list[ScenarioChange] = []
    for scenario_id in sorted(set(before.scenarios) | set(after.scenarios)):
        a, b = before.scenarios.get(scenario_id), after.scenarios.get(scenario_id)
        if a is None and b is not None:
            changes.append(ScenarioChange("added", b.id, b.feature, b.name, "", b.outcome))
        elif b is None and a is not None:
            changes.append(ScenarioChange("removed", a.id, a.feature, a.name, a.outcome, ""))
        elif a is not None and b is not None:
            kind = ""
            if a.outcome in FAILING and b.outcome in FAILING:
                kind = "still-failing"
            elif b.outcome in FAILING:
                kind = "newly-failing"
            elif a.outcome in FAILING and b.outcome == "passed":
                kind = "newly-passing"
            if kind:
                changes.append(ScenarioChange(kind, b.id, b.feature, b.name, a.outcome, b.outcome))

    names = [*AREAS, *sorted((set(before.areas) | set(after.areas)) - set(AREAS))]
    areas: list[AreaRow] = []
    figures: list[FigureRow] = []
    findings: list[FindingChange] = []
    for area in names:
        ra, rb = before.areas.get(area), after.areas.get(area)
        if ra is None and rb is None:
            continue
        va, vb = ra.verdict if ra else "not-run", rb.verdict if rb else "not-run"
        areas.append(AreaRow(area, va, vb, _VERDICT_RANK.get(vb, 3) > _VERDICT_RANK.get(va, 3)))
        fa = dict(ra.figures) if ra else {}
        fb = dict(rb.figures) if rb else {}
        for name in [*fa, *(key for key in fb if key not in fa)]:
            old, new = fa.get(name), fb.get(name)
            na, nb = _number(old), _number(new)
            sign = direction(name)
            worse = better = False
            if na is not None and nb is not None and sign:
                worse = (nb - na) * sign < 0
                better = (nb - na) * sign > 0
            figures.append(FigureRow(area, name, old, new, worse, better))
        old_findings = {f.key: f for f in (ra.findings if ra else ()) if f.status != "waived"}
        new_findings = {f.key: f for f in (rb.findings if rb else ()) if f.status != "waived"}
        for key, finding in new_findings.items():
            if key not in old_findings:
                findings.append(FindingChange("new", area, defect_id(area, key), finding.title))
                continue
            ea = _number(_int(old_findings[key].details.get("elements")))
            eb = _number(_int(finding.details.get("elements")))
            if ea is not None and eb is not None and eb > ea:
                findings.append(
                    FindingChange(
                        "more-elements", area, defect_id(area, key), finding.title, f"({ea:g} -> {eb:g} elements)"
                    )
                )
        for key, finding in old_findings.items():
            if key not in new_findings:
                findings.append(FindingChange("fixed", area, defect_id(area, key), finding.title))
    return Comparison(before, after, tuple(changes), tuple(areas), tuple(figures), tuple(findings))


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def pick_runs(report_dir: Path, run_a: str | None, run_b: str | None) -> tuple[Path, Path]:
    """The two run folders to compare: named (a folder name, a unique prefix of one, or a path), else the last two."""
    runs = list_runs(history_dir(report_dir))

    def find(given: str) -> Path:
        path = Path(given)
        if path.is_dir() and (path / "areas").is_dir():
            return path
        exact = [run for run in runs if run.name == given]
        matches = exact or [run for run in runs if run.name.startswith(given)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            known = ", ".join(run.name for run in runs[-5:]) or "none"
            raise SignoffError(f"no archived run '{given}' under {history_dir(report_dir)} (latest: {known})")
        raise SignoffError(f"'{given}' names {len(matches)} archived runs: give more of the name")

    if run_a and run_b:
        return find(run_a), find(run_b)
    if run_a:
        if not runs:
            raise SignoffError(f"no archived run under {history_dir(report_dir)}: run the acceptance first")
        return find(run_a), runs[-1]
    if len(runs) < 2:
        raise SignoffError(
            f"{len(runs)} archived run(s) under {history_dir(report_dir)}: comparing needs two (run the acceptance twice)"
        )
    return runs[-2], runs[-1]


def load_comparison(report_dir: Path, run_a: str | None = None, run_b: str | None = None) -> Comparison:
    a, b = pick_runs(report_dir, run_a, run_b)
    return compare_runs(load_run(a), load_run(b))


def _value(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_text(comparison: Comparison) -> str:
    """The terminal summary."""
    a, b = comparison.before, comparison.after
    lines = [
        f"A: {a.name} ({a.facts.get('CRM', '')} {a.facts.get('CRM version', '')})".rstrip(),
        f"B: {b.name} ({b.facts.get('CRM', '')} {b.facts.get('CRM version', '')})".rstrip(),
        "",
    ]
    for kind in ("newly-failing", "newly-passing", "still-failing", "added", "removed"):
        items = [c for c in comparison.scenarios if c.kind == kind]
        lines.append(f"scenarios {kind}: {len(items)}")
        lines += [f"  {'!' if c.worse else ' '} {c.title} ({c.before or '-'} -> {c.after or '-'})" for c in items]
    lines.append("")
    lines.append("areas (A -> B):")
    for area in comparison.areas:
        lines.append(f"  {'!' if area.worse else ' '} {area.area}: {area.before} -> {area.after}")
    changed = [f for f in comparison.figures if f.before != f.after]
    lines.append(f"figures that changed: {len(changed)}")
    for row in changed:
        mark = "!" if row.worse else "+" if row.better else " "
        lines.append(f"  {mark} {row.area} {row.name}: {_value(row.before)} -> {_value(row.after)}")
    for kind in ("new", "more-elements", "fixed"):
        found = [f for f in comparison.findings if f.kind == kind]
        lines.append(f"findings {kind}: {len(found)}")
        lines += [f"  {'!' if f.worse else ' '} {f.id} [{f.area}] {f.title} {f.detail}".rstrip() for f in found]
    lines.append("")
    regressions = comparison.regressions
    lines.append(f"regressions: {len(regressions)}" if regressions else "no regression")
    return "\n".join(lines) + "\n"


def render_html(comparison: Comparison) -> str:
    from signoff.report.signoff_report import environment

    return environment().get_template("compare.html").render(c=comparison, value=_value, run_label=run_date)


def write_comparison(comparison: Comparison, report_dir: Path) -> Path:
    return write_atomically(Path(report_dir) / HTML_NAME, render_html(comparison))


def kinds() -> Sequence[str]:
    return ("newly-failing", "newly-passing", "still-failing", "added", "removed")
