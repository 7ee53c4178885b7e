"""Benchmark: wall time of the functional acceptance, serial and with pytest-xdist workers, the
median and p90 seconds per scenario, and where the time goes (from Allure's own timings). Prints
figures; asserts nothing.

    .venv/bin/python bench/bench_scenarios.py [--workers 1 2] [--repeat 1] [--ux] [--arrange fast|ui] [features ...]
    .venv/bin/python bench/bench_scenarios.py --from-results allure-results   # a run already made

``--from-results`` reads the Allure results of a run already made (``./run accept`` leaves them in
``allure-results/``) instead of running: the wall time is then from the first scenario's start to
the last one's end, per area (epic) as well, and the UX audits' own seconds are not known.

Use ``--repeat 3`` to check determinism: every run's failures are listed. The UX audits that ride
along with every feature run are off unless ``--ux`` is given (bench_ux.py times each audit).
``--arrange`` overrides the plan's ``[run] arrange`` (Given steps through the CRM's fast path or
the browser), to compare both modes on the same features.

Where the time goes, as shares of the run's wall time:

- ``Given`` / ``When`` / ``Then``: the scenarios' steps (an ``And`` or ``But`` counts as the step
  before it), from each Allure step's start and stop;
- fixtures: set-up and tear-down of pytest fixtures (browser contexts and pages, the CRM's start
  and stop, the saved sign-in), from Allure's fixture containers, resets left out;
- resets: the CRM put back to its snapshot when a new feature file starts (the set-up of the
  ``crm_target`` fixture);
- UX audits: the page audits that ride along (the run's own count of their seconds);
- the rest: inside scenarios but outside steps (hooks, evidence), and pytest itself (start-up,
  collection, reports).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]


#: Gherkin keywords, English and Chinese, to the step type they give; the others continue the type before.
STEP_TYPES = {"Given": "Given", "假如": "Given", "When": "When", "当": "When", "Then": "Then", "那么": "Then"}
#: The fixture whose set-up resets the CRM when a new feature file starts.
RESET_FIXTURE = "crm_target"
_AUDIT_SECONDS = re.compile(r"Page audits in this process: \d+, ([\d.]+) s")


class Run:
    """One run's outcome: wall time, Allure results and fixture containers, exit code, output."""

    def __init__(
        self, wall: float, results: list[dict[str, Any]], containers: list[dict[str, Any]], code: int, output: str
    ) -> None:
        self.wall, self.results, self.containers, self.code, self.output = wall, results, containers, code, output


def _seconds(entry: dict[str, Any]) -> float:
    return max(0.0, float(entry.get("stop", 0) - entry.get("start", 0)) / 1000)


def time_shares(run: Run) -> dict[str, float]:
    """Seconds spent in Given / When / Then steps, fixtures, resets and UX audits (see the module).

    pytest-bdd resolves a step's fixtures when the step asks for them (the first step of a
    scenario makes the browser context, the page and, on a new feature file, the reset): fixture
    time that falls inside a step is moved from that step's type to fixtures or resets.
    """
    shares = dict.fromkeys(("Given", "When", "Then", "fixtures", "resets", "UX audits"), 0.0)
    inside_scenarios = 0.0
    steps: list[tuple[int, int, str]] = []
    for result in run.results:
        inside_scenarios += _seconds(result)
        kind = "Given"  # a scenario opening with "And" (a Background's) is arranging
        for step in result.get("steps", []):
            keyword = step.get("name", "").split(" ", 1)[0]
            kind = STEP_TYPES.get(keyword, kind)
            shares[kind] += _seconds(step)
            if "start" in step and "stop" in step:
                steps.append((step["start"], step["stop"], kind))
    for container in run.containers:
        befores = container.get("befores", [])
        for fixture in befores + container.get("afters", []):
            seconds = _seconds(fixture)
            is_reset = fixture.get("name") == RESET_FIXTURE and any(fixture is before for before in befores)
            shares["resets" if is_reset else "fixtures"] += seconds
            holder = next(
                (
                    kind
                    for start, stop, kind in steps
                    if start <= fixture.get("start", -1) and fixture.get("stop", 0) <= stop
                ),
                None,
            )
            if holder is not None:
                shares[holder] -= seconds
    audits = _AUDIT_SECONDS.search(run.output)
    shares["UX audits"] = float(audits.group(1)) if audits else 0.0
    in_steps = shares["Given"] + shares["When"] + shares["Then"]
    # The audits run in the scenario's hooks, inside its time but outside its steps.
    shares["rest"] = max(0.0, run.wall - in_steps - shares["fixtures"] - shares["resets"] - shares["UX audits"])
    return shares


def run_once(features: list[str], workers: int, ux: bool, arrange: str | None = None) -> Run:
    with tempfile.TemporaryDirectory(prefix="signoff-bench-") as folder:
        command = [
            sys.executable,
            "-m",
            "pytest",
            *features,
            f"--alluredir={folder}",
            "-q",
            "-p",
            "no:cacheprovider",
            "--coverage-dir",
            str(Path(folder) / "coverage"),
        ]
        if not ux:
            command.append("--ux-audit=off")
        plan = _plan_with_arrange(Path(folder), arrange) if arrange else None
        if plan is not None:
            command.append(f"--plan={plan}")
        if workers > 1:
            command += ["-n", str(workers), "--dist", "loadfile"]
        started = time.monotonic()
        try:
            completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        finally:
            if plan is not None:
                plan.unlink(missing_ok=True)
        wall = time.monotonic() - started
        results = [json.loads(p.read_text(encoding="utf-8")) for p in Path(folder).glob("*-result.json")]
        containers = [json.loads(p.read_text(encoding="utf-8")) for p in Path(folder).glob("*-container.json")]
    return Run(wall, results, containers, completed.returncode, completed.stdout)


def _plan_with_arrange(folder: Path, arrange: str) -> Path:
    """A copy of the project's plan with ``[run] arrange`` set; relative paths stay the project's."""
    text = (ROOT / "acceptance.toml").read_text(encoding="utf-8")
    text, count = re.subn(r'(?m)^arrange\s*=\s*"[^"]*"', f'arrange = "{arrange}"', text)
    if not count:
        text = re.sub(r"(?m)^\[run\]\s*$", f'[run]\narrange = "{arrange}"', text, count=1)
    # Beside the project's plan: its relative paths (features, the CRM's home) mean the same.
    plan = ROOT / f".bench-plan-{folder.name}.toml"
    plan.write_text(text, encoding="utf-8")
    return plan


def read_results(folder: Path) -> Run:
    """A run already made, from its Allure results (scenarios only: page-audit results left out)."""
    results = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*-result.json")]
    containers = [json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*-container.json")]
    scenarios = [r for r in results if r.get("steps") and _label(r, "epic")]
    starts = [r["start"] for r in scenarios if "start" in r]
    stops = [r["stop"] for r in scenarios if "stop" in r]
    wall = (max(stops) - min(starts)) / 1000 if starts and stops else 0.0
    return Run(wall, scenarios, containers, 0, "")


def _label(result: dict[str, Any], name: str) -> str:
    return next((str(label["value"]) for label in result.get("labels", []) if label.get("name") == name), "")


def print_recorded(folder: Path) -> None:
    run = read_results(folder)
    print(f"results: {folder}   scenarios: {len(run.results)}   first start to last end: {run.wall:.0f} s")
    by_area: dict[str, list[dict[str, Any]]] = {}
    for result in run.results:
        by_area.setdefault(_label(result, "epic") or "(no area)", []).append(result)
    print(f"{'area':<34} {'scenarios':>9} {'in scenarios s':>14} {'median s':>8} {'p90 s':>6} {'not passed':>10}")
    for area, results in sorted(by_area.items()):
        durations = sorted(_seconds(r) for r in results)
        p90 = durations[int(0.9 * (len(durations) - 1))]
        failed = sum(1 for r in results if r.get("status") != "passed")
        print(
            f"{area:<34} {len(results):>9} {sum(durations):>14.0f} {statistics.median(durations):>8.2f} {p90:>6.2f}"
            f" {failed:>10}"
        )
    shares = time_shares(run)
    shares.pop("UX audits")
    print(
        "where the time goes (UX audits inside 'rest'): "
        + ", ".join(f"{name} {seconds:.0f} s ({100 * seconds / run.wall:.0f} %)" for name, seconds in shares.items())
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("features", nargs="*", default=["features/functional"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--ux", action="store_true", help="keep the UX audits that ride along")
    parser.add_argument("--arrange", choices=("fast", "ui"), help="override the plan's [run] arrange")
    parser.add_argument("--from-results", type=Path, help="read a run already made from its Allure results")
    args = parser.parse_args()
    if args.from_results:
        print_recorded(args.from_results)
        return
    print(f"cores: {os.cpu_count()}   load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'workers':>7} {'run':>3} {'wall s':>8} {'scenarios':>9} {'median s':>8} {'p90 s':>6}  failed")
    for workers in args.workers:
        for attempt in range(1, args.repeat + 1):
            run = run_once(args.features, workers, args.ux, args.arrange)
            durations = sorted(_seconds(r) for r in run.results)
            failed = [r["name"] for r in run.results if r["status"] != "passed"]
            median = statistics.median(durations) if durations else float("nan")
            p90 = durations[int(0.9 * (len(durations) - 1))] if durations else float("nan")
            print(
                f"{workers:>7} {attempt:>3} {run.wall:>8.1f} {len(run.results):>9} {median:>8.2f} {p90:>6.2f}  "
                f"{len(failed)} (exit {run.code}){': ' + '; '.join(failed) if failed else ''}",
                flush=True,
            )
            # With several workers, steps and fixtures of parallel processes overlap: their sums
            # are CPU-side seconds, not shares of the wall time.
            shares = time_shares(run)
            basis = run.wall * workers
            print(
                "        where the time goes: "
                + ", ".join(
                    f"{name} {seconds:.0f} s ({100 * seconds / basis:.0f} %)" for name, seconds in shares.items()
                ),
                flush=True,
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
