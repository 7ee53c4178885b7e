"""The baseline check on a planted slow page: a tiny fixture site on 127.0.0.1 whose report page
can be made to sleep. A run of the clean site is saved as the baseline; a run with the slow page is
flagged (p50 and p95 of that page, and only that page), and a clean twin run is not. The load
generator is the real one (locust master and worker processes)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.performance import engine
from signoff.performance.plan import PerformanceSection, Step
from signoff.performance.report import load_baseline, save_baseline
from signoff.targets.base import Credentials
from tests.integration.perf_fixture_site import SLOW, serving

pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving() as url:
        yield url


#: Two generator workers: the distributed mode (a master and local worker processes), whose
#: per-worker histograms are merged. Pages under 100 ms count as 100 ms: tens of ms of noise on a
#: busy 2-core machine are not the planted 250 ms.
SECTION = PerformanceSection(
    crm_users=2, generators=2, browser_probe=False, max_regression_percent=50, regression_floor_ms=100
)


def run(site: str, work: Path) -> engine.RunRecord:
    return engine.run_profile(
        profile="smoke",
        section=SECTION,
        base_url=site,
        kind="fixture",
        admin=Credentials("-", "-"),
        server_pids=None,
        work_dir=work,
        steps=[Step(4, 4.0)],
        accounts_module_name="tests.integration.perf_fixture_accounts",
    )


def test_a_planted_slow_page_is_flagged_by_the_baseline_and_its_clean_twin_is_not(site: str, tmp_path: Path) -> None:
    SLOW["delay"] = 0.0
    clean = run(site, tmp_path / "baseline")
    assert clean.stopped == "completed", clean.message
    assert clean.steps[-1].total.requests > 20
    assert len(clean.raw["steps"][-1]["workers"]) == 2, "both generator workers reported"
    baseline_file = save_baseline(clean, tmp_path / "baseline.json")
    assert baseline_file is not None
    baseline = load_baseline(baseline_file)

    SLOW["delay"] = 0.25
    slow = engine.judge(run(site, tmp_path / "slow"), SECTION, baseline)
    flagged = {(r.page, r.percentile) for r in slow.regressions}
    assert flagged == {("browse · report page", "p50"), ("browse · report page", "p95")}, slow.regressions
    assert slow.result.verdict == "failed"

    SLOW["delay"] = 0.0
    twin = engine.judge(run(site, tmp_path / "twin"), SECTION, baseline)
    assert twin.regressions == ()
    # The fixture site is not the kit's own server: its figures are "could not check", never a pass.
    assert {f.key for f in twin.result.findings} == {"server-not-sampled"}


def test_a_host_that_is_not_loopback_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(engine.HostNotAllowed):
        engine.run_profile(
            profile="smoke",
            section=SECTION,
            base_url="http://192.0.2.10:8000",
            kind="fixture",
            admin=Credentials("-", "-"),
            server_pids=None,
            work_dir=tmp_path,
            accounts_module_name="tests.integration.perf_fixture_accounts",
        )
    assert not (tmp_path / "run.json").exists()


INTERRUPTED_RUN = """
import sys, json
from pathlib import Path
from signoff.performance import engine
from signoff.performance.plan import PerformanceSection, Step
from signoff.performance.report import write_report
from signoff.targets.base import Credentials

section = PerformanceSection(crm_users=2, generators=2, browser_probe=False)
work = Path(sys.argv[2])
try:
    engine.run_profile(profile="load", section=section, base_url=sys.argv[1], kind="fixture",
        admin=Credentials("-", "-"), server_pids=None, work_dir=work / "run",
        steps=[Step(3, 60.0), Step(6, 60.0)], accounts_module_name="tests.integration.perf_fixture_accounts")
except engine.RunInterrupted as stop:
    judged = engine.judge(stop.record, section, None)
    write_report(stop.record, judged, section, work / "performance", work)
    sys.exit(130)
sys.exit(0)
"""


def test_ctrl_c_stops_the_generator_and_its_workers_and_the_report_of_what_ran_is_written(
    site: str, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    import psutil

    root = Path(__file__).parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_RUN, site, str(tmp_path)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    results = tmp_path / "run" / "results.json"
    deadline = time.monotonic() + 60
    # Once the first step has begun (the master writes its results file) and run a little: Ctrl-C.
    while time.monotonic() < deadline and not results.exists():
        time.sleep(0.2)
    time.sleep(3)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=60) == 130
    report = json.loads((tmp_path / "performance" / "performance.json").read_text(encoding="utf-8"))
    assert report["stopped"] == "interrupted"
    assert report["steps"] and report["steps"][0]["total"]["requests"] > 0
    assert report["verdict"] == "could-not-check"
    left = [
        p.pid
        for p in psutil.process_iter(["cmdline"])
        if any(str(tmp_path) in part for part in (p.info["cmdline"] or []))
    ]
    assert left == [], "generator processes outlived the interrupted run"


UNANSWERED = """
import socket, sys
from locust.env import Environment
from signoff.performance.runner import _with_timeout
from tests.integration.perf_fixture_journeys import Visitor

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(5)  # accepts, never answers
user_class = _with_timeout(Visitor, 0.5)
user_class.host = f"http://127.0.0.1:{server.getsockname()[1]}"
environment = Environment(user_classes=[user_class])
environment.create_local_runner()
user_class(environment).list_page()
entry = environment.stats.entries[("browse · list page", "GET")]
from signoff.performance.runner import IN_FLIGHT
print(entry.num_requests, entry.num_failures, *(type(e.error).__name__ for e in environment.stats.errors.values()), IN_FLIGHT[0])
"""


def test_a_request_the_server_never_answers_is_a_failed_request_not_a_missing_one() -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).parents[2]
    # In a process of its own: importing locust patches the process with gevent.
    done = subprocess.run(
        [sys.executable, "-c", UNANSWERED],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["1", "1", "ReadTimeout", "0"], done.stdout + done.stderr[-2000:]
