"""Load figures of the kit on this machine against the embedded Creme (printed, never asserted).

    .venv/bin/python bench/bench_load.py                       # short version (a few minutes)
    .venv/bin/python bench/bench_load.py --steps 100 200 ... 1000 --hold 60 --workers 1 2 4   # full

1. Generator capacity: users held with think times, and the generator's CPU for them.
2. One page (the signed-in contact list), no think time: locust's throughput and latency side by
   side with ``wrk`` (Debian package) on the same page in the same run, and their ratio.
3. The load profile's wall time and knee for each gunicorn worker count.

Run it under the shared lock (``flock /tmp/signoff-crm.lock ...``): it starts Creme instances.
Every figure depends on what else the machine does: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pages.creme.load_accounts import session_cookies  # noqa: E402
from signoff.performance import analysis, engine  # noqa: E402
from signoff.performance.plan import PerformanceSection, Step  # noqa: E402
from signoff.targets.base import Credentials  # noqa: E402
from signoff.targets.creme import EmbeddedCreme  # noqa: E402


def load_average() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def creme(workers: int) -> EmbeddedCreme:
    target = EmbeddedCreme(ROOT / ".signoff", label=f"bench-load-w{workers}", start_timeout=120, workers=workers)
    target.start(pristine=True)
    return target


def pids(target: EmbeddedCreme) -> list[int]:
    state = target.read_state()
    return list(state.pids.values()) if state else []


def run(target: EmbeddedCreme, section: PerformanceSection, steps: list[Step], **options: object) -> engine.RunRecord:
    return engine.run_profile(
        profile="load",
        section=section,
        base_url=target.base_url,
        kind="creme",
        admin=target.admin,
        server_pids=pids(target),
        work_dir=Path(tempfile.mkdtemp(prefix="bench-load-")),
        steps=steps,
        **options,  # type: ignore[arg-type]
    )


def describe(step: analysis.StepResult) -> str:
    target = step.target or {}
    return (
        f"{step.users:5} users (reached {step.reached_users}): {step.total.throughput:7.1f} req/s, "
        f"p50 {step.total.p(0.5)} ms, p95 {step.total.p(0.95)} ms, failed {step.total.error_percent:.1f}%, "
        f"server CPU {target.get('cpu_mean', '-')}%, generator CPU {step.generator_cpu}%"
    )


def generator_capacity(target: EmbeddedCreme, users: list[int], hold: float) -> None:
    print(f"\n== 1. generator capacity (think 1-3 s, 1 worker) — {load_average()}")
    section = PerformanceSection(generators=1, crm_users=20, browser_probe=False, spawn_rate=100)
    record = run(target, section, [Step(n, hold) for n in users])
    for step in record.steps:
        print("  " + describe(step))


def one_page(target: EmbeddedCreme, seconds: float, connections: int) -> None:
    print(f"\n== 2. one page, no think time, {connections} users/connections, {seconds:g} s — {load_average()}")
    section = PerformanceSection(generators=1, crm_users=connections, browser_probe=False, think_min=0, think_max=0)
    record = run(target, section, [Step(connections, seconds)], accounts_module_name="bench.load_one_page")
    page = next((p for s in record.steps for p in s.pages if p.name == "contact list"), None)
    if page is None:
        print("  locust: no request to the contact list")
        return
    print(f"  locust: {page.throughput:7.1f} req/s, p50 {page.p(0.5)} ms, p95 {page.p(0.95)} ms, p99 {page.p(0.99)} ms")
    if shutil.which("wrk") is None:
        print("  wrk: not installed (apt-get install -y wrk)")
        return

    admin = Credentials("root", "root")
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in session_cookies(target.base_url, admin))
    url = target.base_url + "/persons/contacts"
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "-H", f"Cookie: {cookies}", url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+\w+)", output)
    p99 = re.search(r"99%\s+([\d.]+\w+)", output)
    wrk_rps = float(rps.group(1)) if rps else 0.0
    print(f"  wrk:    {wrk_rps:7.1f} req/s, p50 {p50.group(1) if p50 else '-'}, p99 {p99.group(1) if p99 else '-'}")
    if wrk_rps:
        print(f"  locust / wrk throughput: {page.throughput / wrk_rps:.2f}")


def load_profile(workers: list[int], users: list[int], hold: float) -> None:
    for count in workers:
        target = creme(count)
        try:
            print(f"\n== 3. load profile {users} x {hold:g} s on {count} gunicorn workers — {load_average()}")
            section = PerformanceSection(generators=1, crm_users=20, browser_probe=False)
            started = time.monotonic()
            record = run(target, section, [Step(n, hold) for n in users])
            wall = time.monotonic() - started
            for step in record.steps:
                print("  " + describe(step))
            knee = analysis.find_knee([s for s in record.steps if s.total.requests], section.max_p95_seconds * 1000)
            print(f"  wall time {wall:.0f} s; knee: {f'{knee.users} users ({knee.reason})' if knee else 'not reached'}")
        finally:
            target.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--capacity-users", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--capacity-hold", type=float, default=20)
    parser.add_argument("--page-seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 20, 40])
    parser.add_argument("--hold", type=float, default=15)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, {load_average()}")
    target = creme(2)
    try:
        generator_capacity(target, args.capacity_users, args.capacity_hold)
    finally:
        target.stop()
    # A fresh instance: gunicorn's sync workers still answer requests whose users left long ago
    # (they wait in the listen queue), and would slow the next measurement down.
    target = creme(2)
    try:
        one_page(target, args.page_seconds, args.connections)
    finally:
        target.stop()
    load_profile(args.workers, args.steps, args.hold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
