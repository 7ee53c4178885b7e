"""The baseline check on a planted slow page: a tiny fixture site on 127.0.0.1 whose report page
can be made to sleep. A run of the clean site is saved as the baseline; a run with the slow page is
flagged (p50 and p95 of that page, and only that page), and a clean twin run is not. The load
generator is the real one (locust master and worker processes)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.performance import engine
from signoff.performance.plan import PerformanceSection, Step
from signoff.performance.report import load_baseline, save_baseline
from signoff.targets.base import Credentials

pytestmark = [pytest.mark.slow]

SLOW = {"delay": 0.0}


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/report"):
            time.sleep(SLOW["delay"])
        body = b"<html><body><h1>fixture</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


SECTION = PerformanceSection(crm_users=2, browser_probe=False, max_regression_percent=50, regression_floor_ms=20)


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
