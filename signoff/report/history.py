"""The archive of runs: ``<report_dir>/history/<timestamp>-<crm version>/``, kept up to a plan limit.

Each archived run holds what comparing two runs and dating a defect need, and nothing that only the
run's own reports need:

- ``areas/<area>/summary.json``: every area's result (:mod:`signoff.findings`);
- ``areas/performance/steps.csv``: the load run's figures per step and page, beside its report
  (read back as one ``p95_ms <page>`` figure per page at the top step, so that ``signoff compare``
  shows p95 per page, not only the run's overall p95);
- ``scenarios.json``: every scenario and its outcome (from the functional area's ``coverage.json``);
- ``coverage.json``: the function-point coverage itself;
- ``plan.toml``: the plan the run used;
- ``environment.json``: the facts of the run (CRM, version, browser, URL) and when it was archived.

Folder names start with a UTC timestamp, so their order is the order of the runs.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from signoff.files import write_atomically
from signoff.findings import SUMMARY_FILE, AreaResult, defect_id, read_area_results

HISTORY_FOLDER: Final = "history"
PERFORMANCE: Final = "performance"
STEPS_FILE: Final = "steps.csv"
SCENARIOS_FILE: Final = "scenarios.json"
ENVIRONMENT_FILE: Final = "environment.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One scenario of a run and what it did."""

    id: str
    feature: str
    name: str
    outcome: str


@dataclasses.dataclass(frozen=True)
class ArchivedRun:
    """One run read back from the archive (or from the current report folder)."""

    name: str
    path: Path
    facts: Mapping[str, str]
    areas: Mapping[str, AreaResult]
    scenarios: Mapping[str, Scenario]


def history_dir(report_dir: Path) -> Path:
    return Path(report_dir) / HISTORY_FOLDER


def read_facts(results_dir: Path) -> dict[str, str]:
    """The facts Allure's ``environment.xml`` holds for a run (CRM, CRM version, Browser ...)."""
    path = Path(results_dir) / "environment.xml"
    facts: dict[str, str] = {}
    try:
        root = ET.fromstring(path.read_bytes())
    except (OSError, ET.ParseError):
        return facts
    for parameter in root.iter("parameter"):
        key, value = parameter.findtext("key"), parameter.findtext("value")
        if key:
            facts[key] = value or ""
    return facts


def scenarios_of(report_dir: Path) -> dict[str, Scenario]:
    """Every scenario of the functional area's ``coverage.json`` in ``report_dir``, by id."""
    path = Path(report_dir) / "coverage" / "coverage.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return _scenarios_from_coverage(data)


def _scenarios_from_coverage(data: Mapping[str, Any]) -> dict[str, Scenario]:
    items: list[Mapping[str, Any]] = []
    for point in data.get("function_points", []):
        items.extend(point.get("scenarios", []))
    for key in ("untraced_scenarios", "could_not_check_scenarios", "tagged_pending_scenarios"):
        items.extend(data.get(key, []))
    scenarios: dict[str, Scenario] = {}
    for item in items:
        scenario = Scenario(
            id=str(item.get("id", "")),
            feature=str(item.get("feature", "")),
            name=str(item.get("name", "")),
            outcome=str(item.get("outcome", "")),
        )
        if scenario.id:
            scenarios[scenario.id] = scenario
    return scenarios


def archive_run(
    report_dir: Path,
    results_dir: Path,
    plan_file: Path | None,
    keep: int,
    *,
    now: dt.datetime | None = None,
) -> Path | None:
    """Archive the run whose reports are in ``report_dir``; keep the newest ``keep`` runs.

    Returns the new folder, or ``None`` when ``keep`` is 0 (nothing is archived, older runs go).
    """
    report_dir = Path(report_dir)
    folder_root = history_dir(report_dir)
    now = now or dt.datetime.now(dt.UTC)
    facts = read_facts(results_dir)
    if keep <= 0:
        prune(folder_root, 0)
        return None
    version = _UNSAFE.sub("_", facts.get("CRM version", "") or "unknown").strip("_") or "unknown"
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = folder_root / f"{stamp}-{version}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = folder_root / f"{stamp}.{suffix}-{version}"
    partial = folder_root / f".partial-{folder.name}"
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "areas").mkdir(parents=True)
    areas = read_area_results(report_dir)  # only summaries that read back as area results
    for area in areas:
        (partial / "areas" / area).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(report_dir / area / SUMMARY_FILE, partial / "areas" / area / SUMMARY_FILE)
    if PERFORMANCE in areas:
        # The per-page table lies beside the performance report the summary names.
        where = areas[PERFORMANCE].report
        steps = (report_dir / where).parent / STEPS_FILE if where and "://" not in where else None
        if steps is not None and steps.is_file():
            shutil.copyfile(steps, partial / "areas" / PERFORMANCE / STEPS_FILE)
    coverage = report_dir / "coverage" / "coverage.json"
    if coverage.is_file():
        shutil.copyfile(coverage, partial / "coverage.json")
    scenarios = [dataclasses.asdict(s) for s in scenarios_of(report_dir).values()]
    write_atomically(partial / SCENARIOS_FILE, json.dumps(scenarios, ensure_ascii=False, indent=2) + "\n")
    if plan_file is not None and Path(plan_file).is_file():
        shutil.copyfile(plan_file, partial / "plan.toml")
    environment = {"archived_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"), **facts}
    write_atomically(partial / ENVIRONMENT_FILE, json.dumps(environment, ensure_ascii=False, indent=2) + "\n")
    # Published by one rename: a run killed while archiving leaves only a .partial folder.
    partial.rename(folder)
    prune(folder_root, keep)
    return folder


def list_runs(history: Path) -> list[Path]:
    """Archived runs, oldest first."""
    if not Path(history).is_dir():
        return []
    return sorted(path for path in Path(history).iterdir() if path.is_dir() and not path.name.startswith("."))


def prune(history: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` runs (and leftovers of interrupted archiving)."""
    for leftover in Path(history).glob(".partial-*") if Path(history).is_dir() else ():
        shutil.rmtree(leftover, ignore_errors=True)
    runs = list_runs(history)
    for old in runs[: max(0, len(runs) - keep)]:
        shutil.rmtree(old, ignore_errors=True)


def load_run(path: Path) -> ArchivedRun:
    """An archived run folder read back."""
    path = Path(path)
    try:
        facts = json.loads((path / ENVIRONMENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        facts = {}
    try:
        items = json.loads((path / SCENARIOS_FILE).read_text(encoding="utf-8"))
        scenarios = {
            str(i["id"]): Scenario(str(i["id"]), str(i["feature"]), str(i["name"]), str(i["outcome"])) for i in items
        }
    except (OSError, ValueError, KeyError, TypeError):
        scenarios = {}
    areas = read_area_results(path / "areas")
    if PERFORMANCE in areas:
        pages = page_p95(path / "areas" / PERFORMANCE / STEPS_FILE)
        if pages:
            result = areas[PERFORMANCE]
            areas[PERFORMANCE] = dataclasses.replace(result, figures={**result.figures, **pages})
    return ArchivedRun(
        name=path.name,
        path=path,
        facts={str(k): str(v) for k, v in dict(facts).items()},
        areas=areas,
        scenarios=scenarios,
    )


def page_p95(steps_csv: Path) -> dict[str, float | int | str]:
    """``p95_ms <page>`` for each page at the load run's top step (most users), from its ``steps.csv``."""
    try:
        rows = list(csv.DictReader(io.StringIO(steps_csv.read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError, csv.Error):
        return {}
    try:
        top = max(int(row["users"]) for row in rows)
        return {
            f"p95_ms {row['name']}": float(row["p95_ms"])
            for row in rows
            if int(row["users"]) == top and row.get("name") and row["name"] != "all pages"
        }
    except (KeyError, ValueError, TypeError):
        return {}  # not a table this kit wrote: the summary's own figures still compare


def first_seen(runs: Iterable[Path]) -> dict[str, str]:
    """Defect id -> the name of the oldest archived run in which that finding was open."""
    seen: dict[str, str] = {}
    for path in sorted(runs):
        for area, result in read_area_results(Path(path) / "areas").items():
            for finding in result.findings:
                seen.setdefault(defect_id(area, finding.key), Path(path).name)
    return seen


def run_date(name: str) -> str:
    """The UTC date and time a run folder name starts with, readable: ``2026-12-06 17:05 UTC``."""
    match = re.match(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z", name)
    if match is None:
        return name
    year, month, day, hour, minute, _second = match.groups()
    return f"{year}-{month}-{day} {hour}:{minute} UTC"
