"""Benchmark: wall time of the functional acceptance, serial and with pytest-xdist workers, and the
median seconds per scenario (from Allure's own timings). Prints figures; asserts nothing.

    .venv/bin/python bench/bench_scenarios.py [--workers 1 2] [--repeat 1] [--ux] [features ...]

Use ``--repeat 3`` to check determinism: every run's failures are listed. The UX audits that ride
along with every feature run are off unless ``--ux`` is given: they are timed by bench_ux.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]


def run_once(features: list[str], workers: int, ux: bool) -> tuple[float, list[dict], int]:
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
        if workers > 1:
            command += ["-n", str(workers), "--dist", "loadfile"]
        started = time.monotonic()
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - started
        results = [json.loads(p.read_text(encoding="utf-8")) for p in Path(folder).glob("*-result.json")]
    return wall, results, completed.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("features", nargs="*", default=["features/functional"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--ux", action="store_true", help="keep the UX audits that ride along")
    args = parser.parse_args()
    print(f"{'workers':>7} {'run':>3} {'wall s':>8} {'scenarios':>9} {'median s':>8} {'p90 s':>6}  failed")
    for workers in args.workers:
        for attempt in range(1, args.repeat + 1):
            wall, results, code = run_once(args.features, workers, args.ux)
            durations = sorted((r["stop"] - r["start"]) / 1000 for r in results)
            failed = [r["name"] for r in results if r["status"] != "passed"]
            median = statistics.median(durations) if durations else float("nan")
            p90 = durations[int(0.9 * (len(durations) - 1))] if durations else float("nan")
            print(
                f"{workers:>7} {attempt:>3} {wall:>8.1f} {len(results):>9} {median:>8.2f} {p90:>6.2f}  "
                f"{len(failed)} (exit {code}){': ' + '; '.join(failed) if failed else ''}",
                flush=True,
            )


if __name__ == "__main__":
    main()
