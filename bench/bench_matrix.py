"""Benchmark: the functional acceptance in each browser and as a Chromium × Firefox matrix.

Prints, for each configuration, the wall time, the scenario runs, and per browser the median and
p90 seconds per scenario (Allure's own timings) and the failures; asserts nothing. Also prints the
machine's load average before each run, since the figures mean little without it.

    .venv/bin/python bench/bench_matrix.py [--workers 1 2] [--browsers chromium firefox] [features ...]

Configurations: each browser alone with one worker, then the matrix of all browsers with each
``--workers`` count (pytest-xdist ``--dist loadfile``: each worker its own CRM). Run it under the
shared lock (``flock /tmp/signoff-crm.lock ...``): it starts CRMs and browsers. The UX audits that
ride along are off (bench_ux.py times them).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]


def browser_of(result: dict[str, Any]) -> str:
    for label in result.get("labels", []):
        if label.get("name") == "browser":
            return str(label["value"])
    return "?"


def run_once(features: list[str], browsers: list[str], workers: int) -> tuple[float, list[dict[str, Any]], int]:
    with tempfile.TemporaryDirectory(prefix="signoff-bench-matrix-") as folder:
        command = [sys.executable, "-m", "pytest", *features, f"--alluredir={folder}", "-q", "-p", "no:cacheprovider"]
        command += ["--coverage-dir", str(Path(folder) / "coverage"), "--ux-audit=off"]
        for browser in browsers:
            command += ["--browser", browser]
        if workers > 1:
            command += ["-n", str(workers), "--dist", "loadfile"]
        started = time.monotonic()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - started
        results = [json.loads(p.read_text(encoding="utf-8")) for p in Path(folder).glob("*-result.json")]
    # Only the scenarios: the UX plugin's own results carry no browser label.
    return wall, [r for r in results if browser_of(r) != "?"], completed.returncode


def percentile(values: list[float], share: float) -> float:
    return values[int(share * (len(values) - 1))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("features", nargs="*", default=["features/functional"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--browsers", nargs="+", default=["chromium", "firefox"])
    args = parser.parse_args()
    configurations = [([browser], 1) for browser in args.browsers]
    configurations += [(list(args.browsers), workers) for workers in args.workers]
    print(f"features: {' '.join(args.features)}; {os.cpu_count()} CPUs")
    print(
        f"{'browsers':<18} {'workers':>7} {'load':>5} {'wall s':>8} {'runs':>5}  per browser: median s / p90 s / failed"
    )
    for browsers, workers in configurations:
        load = os.getloadavg()[0]
        wall, results, code = run_once(args.features, browsers, workers)
        parts = []
        for browser in browsers:
            mine = [r for r in results if browser_of(r) == browser]
            durations = sorted((r["stop"] - r["start"]) / 1000 for r in mine)
            failed = sum(1 for r in mine if r["status"] != "passed")
            median = statistics.median(durations) if durations else float("nan")
            parts.append(f"{browser} {median:.2f} / {percentile(durations, 0.9):.2f} / {failed} of {len(mine)}")
        print(
            f"{'+'.join(browsers):<18} {workers:>7} {load:>5.1f} {wall:>8.1f} {len(results):>5}  "
            f"{'; '.join(parts)} (exit {code})",
            flush=True,
        )


if __name__ == "__main__":
    main()
