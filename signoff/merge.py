"""Put the results of several runs (shards, browsers, machines) together: one report, one verdict.

``signoff report --merge DIR...`` reads every run found under the folders given - a run is an
Allure results folder (``*-result.json``), a ``coverage.json`` and, when the UX audits ran, a
``ux-records.json`` - wherever they lie below each folder, so that the artifacts of a CI matrix
downloaded side by side can be given as they are. It writes into one folder:

- ``allure-results/``: every run's results and attachments (their names are unique ids), one
  ``environment.xml`` whose values list what differed between runs (browsers, hosts), and the
  HTML report ``allure/index.html`` built from them (unless ``html=False``);
- ``coverage/``: function-point coverage recomputed from every run's scenario results against the
  plan's catalogue - so a point passes only when it passes in every browser and shard that ran it,
  and each browser the plan requires must have run it;
- ``ux/``: one UX scorecard from every run's page and task records;
- ``functional/summary.json`` and ``ux/summary.json``: the areas' results for the sign-off report
  (:mod:`signoff.coverage.summary`, :mod:`signoff.ux.summary`), judged as one whole run; a failed
  scenario's message and steps come from its run's own ``functional/summary.json``, its failure
  screenshot from the merged Allure results;
- ``verdict.json``: passed only when no scenario failed or could not be checked, the coverage
  verdict is met and the UX verdict (when the UX audits ran) passed - what the one run of all
  features would have said.

A scenario found in two runs (a job run twice) counts once, with the worse outcome; when the two
disagree it is also marked flaky for Allure (:mod:`signoff.report.flaky`).
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.allure_env import CATEGORIES_FILE, ENVIRONMENT_FILE, EXECUTOR_FILE, write_environment
from signoff.coverage.report import CoverageReport, ScenarioResult, compute_coverage, write_reports
from signoff.coverage.summary import AREA as AREA_FUNCTIONAL
from signoff.coverage.summary import functional_result
from signoff.errors import SignoffError
from signoff.files import write_atomically
from signoff.findings import SUMMARY_FILE, read_area_results, write_area_result
from signoff.plan import Plan
from signoff.report.flaky import mark_run
from signoff.ux.scorecard import PageAudit, TaskAudit
from signoff.ux.summary import AREA as AREA_UX
from signoff.ux.summary import ux_result

COVERAGE_FILE = "coverage.json"
VERDICT_FILE = "verdict.json"
#: Worst first: the outcome a scenario keeps when two runs disagree.
_SEVERITY = {"failed": 0, "could_not_check": 1, "skipped": 2, "passed": 3}


@dataclass
class MergeResult:
    """What :func:`merge_runs` found and wrote."""

    runs: int
    results: int
    coverage: CoverageReport
    ux_passed: bool | None  # None: no UX records in any run
    ux_reasons: tuple[str, ...]
    passed: bool
    reasons: tuple[str, ...]
    written: dict[str, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    flaky: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "reasons": list(self.reasons),
            "runs": self.runs,
            "allure_results": self.results,
            "browsers": list(self.coverage.browsers),
            "scenarios": len(self.coverage.results),
            "coverage": {"passed": self.coverage.verdict.passed, "reasons": list(self.coverage.verdict.reasons)},
            "ux": None if self.ux_passed is None else {"passed": self.ux_passed, "reasons": list(self.ux_reasons)},
            "browser_differences": [str(difference) for difference in self.coverage.browser_differences],
            "flaky": self.flaky,
            "notes": self.notes,
        }


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def find_runs(folders: Sequence[Path], exclude: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Allure results folders, ``coverage.json`` files and ``ux-records.json`` files under ``folders``."""
    from signoff.ux.pytest_plugin import RECORDS_FILE

    results: set[Path] = set()
    coverage: set[Path] = set()
    ux: set[Path] = set()
    for folder in folders:
        folder = folder.resolve()
        if not folder.is_dir():
            raise SignoffError(f"--merge: {folder} is not a folder")
        for path in folder.rglob("*"):
            if _inside(path, exclude):
                continue
            if path.name.endswith("-result.json"):
                results.add(path.parent)
            elif path.name == COVERAGE_FILE:
                coverage.add(path)
            elif path.name == RECORDS_FILE:
                ux.add(path)
    if not results and not coverage:
        raise SignoffError(f"--merge: no Allure results and no coverage.json under {', '.join(map(str, folders))}")
    return sorted(results), sorted(coverage), sorted(ux)


def read_scenarios(paths: Sequence[Path]) -> tuple[list[ScenarioResult], list[str]]:
    """Every run's scenario results; a scenario in two runs once, with the worse outcome."""
    kept: dict[tuple[str, str], ScenarioResult] = {}
    notes: list[str] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            records = [ScenarioResult.from_record(item) for item in data["scenario_results"]]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise SignoffError(f"--merge: {path} is not a coverage.json Signoff can merge ({error})") from None
        for result in records:
            key = (result.id, result.browser)
            before = kept.get(key)
            if before is not None:
                notes.append(f"{result.id} ran in two runs: {before.outcome} and {result.outcome}; the worse counts")
                if _SEVERITY[result.outcome] >= _SEVERITY[before.outcome]:
                    continue
            kept[key] = result
    return list(kept.values()), notes


def merge_allure(folders: Sequence[Path], into: Path) -> int:
    """Copy every run's Allure results into ``into`` (emptied first); returns the number of results."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    facts: dict[str, list[str]] = {}
    count = 0
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            if path.name == ENVIRONMENT_FILE:
                for key, value in _environment(path).items():
                    values = facts.setdefault(key, [])
                    if value not in values:
                        values.append(value)
            elif path.name in (CATEGORIES_FILE, EXECUTOR_FILE) and (into / path.name).exists():
                continue  # the same in every run: one copy
            else:
                shutil.copy2(path, into / path.name)
                count += path.name.endswith("-result.json")
    if facts:
        write_environment(into, {key: ", ".join(values) for key, values in facts.items()})
    return count


def _environment(path: Path) -> dict[str, str]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return {}
    return {parameter.findtext("key", ""): parameter.findtext("value", "") for parameter in root.iter("parameter")}


def merge_runs(
    folders: Sequence[Path], plan: Plan, into: Path, *, project_root: Path, html: bool = True
) -> MergeResult:
    """Merge the runs under ``folders`` into ``into`` and judge them as one run of the plan."""
    from signoff.coverage.catalogue import load_catalogue
    from signoff.coverage.pytest_plugin import settings_from_plan
    from signoff.ux.plan import UxSection
    from signoff.ux.pytest_plugin import read_records
    from signoff.ux.records import merge_page_audits
    from signoff.ux.scorecard import build_scorecard, write_scorecard

    into = into.resolve()
    result_dirs, coverage_files, ux_files = find_runs(folders, into)
    if not coverage_files:
        raise SignoffError("--merge: no coverage.json found: merge the folders that `signoff run` wrote")
    scenarios, notes = read_scenarios(coverage_files)

    settings = settings_from_plan(plan, gate=True, project_root=project_root)
    coverage = compute_coverage(
        scenarios,
        load_catalogue(settings.catalogue),
        settings.crm_kind,
        not_applicable=settings.not_applicable,
        min_coverage=settings.min_coverage,
        required_browsers=settings.required_browsers,
    )
    written: dict[str, Path] = dict(write_reports(coverage, into / "coverage"))
    for stale in (AREA_FUNCTIONAL, AREA_UX):  # a summary of an earlier merge into this folder must not stay
        (into / stale / SUMMARY_FILE).unlink(missing_ok=True)

    ux_passed: bool | None = None
    ux_reasons: tuple[str, ...] = ()
    if ux_files:
        runs = []
        for path in ux_files:
            try:
                runs.append(read_records(path))
            except (OSError, ValueError, TypeError) as error:
                raise SignoffError(f"--merge: {path} is not a UX record file Signoff can merge ({error})") from None
        pages, tasks = _name_browsers(runs)
        card = build_scorecard(merge_page_audits(pages), tasks, plan.section("ux", UxSection))
        _json, html_path = write_scorecard(card, into / "ux")
        written["ux"] = html_path
        ux_passed, ux_reasons = card.verdict.passed, tuple(card.verdict.reasons)
        # As a full run writes it (the merge judges the whole acceptance).
        written["ux summary"] = write_area_result(into, ux_result(card, into, into / "ux", complete=True))

    reasons: list[str] = []
    broken = [s for s in coverage.results if s.outcome in ("failed", "could_not_check")]
    if broken:
        reasons.append(
            f"{len(broken)} scenario run(s) failed or could not be checked: "
            + ", ".join(f"{s.name}{f' [{s.browser}]' if s.browser else ''}" for s in broken[:5])
            + (" ..." if len(broken) > 5 else "")
        )
    reasons += [f"coverage: {reason}" for reason in coverage.verdict.reasons]
    if ux_passed is False:
        # Each of the scorecard's reasons is in verdict.json and the scorecard; the line says how many.
        shown = "; ".join(ux_reasons[:3]) + (f"; and {len(ux_reasons) - 3} more" if len(ux_reasons) > 3 else "")
        reasons.append(f"UX: {shown}")

    results = 0
    flaky: list[str] = []
    if result_dirs:
        results = merge_allure(result_dirs, into / "allure-results")
        flaky = mark_run(plan, into / "allure-results")
    messages, steps = _scenario_texts(coverage_files)
    functional = functional_result(
        coverage,
        into,
        results_dir=into / "allure-results" if result_dirs else None,
        messages=messages,
        steps=steps,
        complete=True,
    )
    written["functional summary"] = write_area_result(into, functional)
    if result_dirs:
        if html:
            from signoff.report.allure import build_report

            written["allure"] = build_report(into / "allure-results", into / "allure", plan.resolve(plan.target.home))
    outcome = MergeResult(
        runs=len(coverage_files),
        results=results,
        coverage=coverage,
        ux_passed=ux_passed,
        ux_reasons=ux_reasons,
        passed=not reasons,
        reasons=tuple(reasons),
        written=written,
        notes=notes,
        flaky=flaky,
    )
    written["verdict"] = write_atomically(
        into / VERDICT_FILE, json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2) + "\n"
    )
    return outcome


def _scenario_texts(coverage_files: Sequence[Path]) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Each failed scenario's message and steps as its own run's ``functional/summary.json`` kept them.

    A run writes that summary beside its coverage folder (``<report_dir>/coverage/coverage.json``,
    ``<report_dir>/functional/summary.json``); runs without one leave the Allure results to tell.
    """
    messages: dict[str, str] = {}
    steps: dict[str, tuple[str, ...]] = {}
    for path in coverage_files:
        result = read_area_results(path.parent.parent).get(AREA_FUNCTIONAL)
        for finding in result.findings if result is not None else ():
            scenario_id = str(finding.details.get("scenario", ""))
            if not scenario_id:
                continue
            if finding.actual:
                messages.setdefault(scenario_id, finding.actual)
            if finding.steps:
                steps.setdefault(scenario_id, tuple(finding.steps))
    return messages, steps


def _name_browsers(
    runs: list[tuple[list[PageAudit], list[TaskAudit], list[str]]],
) -> tuple[list[PageAudit], list[TaskAudit]]:
    """Every run's pages and tasks; when the runs were in different browsers, each named by its browser.

    A run in one browser records its page kinds without a browser; merged with a run in another
    browser, the same kind would become one. So each such run's browser is named here.
    """
    several = len({browser for _pages, _tasks, browsers in runs for browser in browsers}) > 1
    pages: list[PageAudit] = []
    tasks: list[TaskAudit] = []
    for run_pages, run_tasks, browsers in runs:
        alone = browsers[0] if several and len(browsers) == 1 else ""
        for page in run_pages:
            page.browser = page.browser or alone
        for task in run_tasks:
            if alone and not task.name.endswith("]"):
                task.name = f"{task.name} [{alone}]"
        pages += run_pages
        tasks += run_tasks
    return pages, tasks


def summary_lines(outcome: MergeResult) -> list[str]:
    """What the terminal shows after a merge."""
    from signoff.coverage.report import render_summary

    lines = [
        f"merged {outcome.runs} run(s): {len(outcome.coverage.results)} scenario runs, {outcome.results} Allure results"
    ]
    lines += render_summary(outcome.coverage).splitlines()
    if outcome.ux_passed is not None:
        lines.append(f"UX verdict: {'PASS 通过' if outcome.ux_passed else 'FAIL 未通过'}")
    else:
        lines.append("UX: no UX records in these runs (not audited)")
    lines += outcome.notes
    if outcome.flaky:
        from signoff.report.flaky import summary_line

        lines.append(summary_line(outcome.flaky))
    lines.append(
        "Merged verdict 合并结论: "
        + ("passed 通过" if outcome.passed else "not passed 未通过 — " + "; ".join(outcome.reasons))
    )
    lines += [f"{kind}: {path}" for kind, path in outcome.written.items()]
    return lines
