"""The load generator past one process, on a tiny fixture site on 127.0.0.1 (no CRM, no browser).

* Workers on other machines: the master waits for ``remote_generators`` more workers on
  ``master_bind``/``master_port``; a worker started the way the README and the run's own message say
  (the run's ``run.json`` copied to another folder, ``python -m signoff.performance.runner worker
  --master-host … --master-port …``) joins by that address, and its figures are merged with the
  local worker's. The other machine is a process started here, in a folder of its own.
* A generator process that stops answering the master (a saturated one under 1000 users; here a
  worker frozen with SIGSTOP) makes the step "not held" in the results - locust would otherwise
  stop the users and the step would still look complete. Its twin, not frozen, is complete.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from signoff.performance import engine
from signoff.performance.plan import PerformanceSection, Step
from signoff.targets.base import Credentials
from signoff.targets.processes import ManagedProcess, free_port, spawn
from tests.integration.perf_fixture_site import serving

pytestmark = [pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
RUNNER = [sys.executable, "-m", "signoff.performance.runner"]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serving() as url:
        yield url


def test_a_worker_on_another_machine_joins_the_master_by_its_address(site: str, tmp_path: Path) -> None:
    port = free_port()
    section = PerformanceSection(
        crm_users=2,
        generators=1,
        remote_generators=1,
        master_bind="127.0.0.1",
        master_port=port,
        browser_probe=False,
    )
    elsewhere = tmp_path / "other-machine"
    elsewhere.mkdir()
    joined: list[ManagedProcess] = []
    said: list[str] = []

    def progress(message: str) -> None:
        said.append(message)
        if "workers on other machines" in message:
            # What the operator does there: copy run.json, run the command the run printed.
            shutil.copy(tmp_path / "run" / "run.json", elsewhere / "run.json")
            command = shlex.split(message.split("run: ", 1)[1].replace("<this machine>", "127.0.0.1"))
            assert command[:3] == ["python", "-m", "signoff.performance.runner"], command
            joined.append(
                spawn(
                    "remote worker",
                    [sys.executable, *command[1:]],
                    log_path=elsewhere / "worker.log",
                    cwd=elsewhere,
                    env=ENV,
                )
            )

    try:
        record = engine.run_profile(
            profile="smoke",
            section=section,
            base_url=site,
            kind="fixture",
            admin=Credentials("-", "-"),
            server_pids=None,
            work_dir=tmp_path / "run",
            steps=[Step(4, 4.0)],
            progress=progress,
            accounts_module_name="tests.integration.perf_fixture_accounts",
        )
    finally:
        for process in joined:
            process.stop(timeout=10)
    assert joined, said
    assert f"--master-port {port}" in " ".join(said)
    assert record.stopped == "completed", record.message
    workers = record.raw["steps"][-1]["workers"]
    # The local worker and the one that joined by address both sent figures; they are merged.
    assert len(workers) == 2, workers.keys()
    per_worker = [sum(entry["num_requests"] for entry in entries) for entries in workers.values()]
    assert all(count > 0 for count in per_worker), per_worker
    assert record.steps[-1].total.requests == sum(per_worker)


def run_frozen(site: str, work: Path, freeze: bool) -> dict[str, Any]:
    """A master and one worker (liveness 3 s); the worker frozen for 8 s during the hold when ``freeze``."""
    port = free_port()
    config = {
        "profile": "stress",
        "host": site,
        "journeys": "tests.integration.perf_fixture_journeys",
        "steps": [[3, 12.0]],
        "spawn_rate": 3,
        "think_min": 0.05,
        "think_max": 0.1,
        "request_timeout": 5,
        "accounts": [["visitor", "-"]],
        "generators": 1,
        "time_limit": 90,
        "heartbeat_liveness": 3,
    }
    work.mkdir()
    (work / "run.json").write_text(json.dumps(config), encoding="utf-8")
    results = work / "results.json"
    master = spawn(
        "load master",
        [*RUNNER, "master", "--config", str(work / "run.json"), "--results", str(results), "--master-port", str(port)],
        log_path=work / "master.log",
        cwd=ROOT,
        env=ENV,
    )
    worker = spawn(
        "load worker",
        [*RUNNER, "worker", "--config", str(work / "run.json"), "--master-port", str(port)],
        log_path=work / "worker.log",
        cwd=ROOT,
        env=ENV,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (read(results).get("steps") or [{}])[-1].get("spawned"):
            time.sleep(0.2)
        if freeze:
            time.sleep(2)
            os.kill(worker.pid, signal.SIGSTOP)
            time.sleep(8)
            os.kill(worker.pid, signal.SIGCONT)
        assert master.wait_exit(60), "the master did not end its run"
    finally:
        if worker.alive():
            os.kill(worker.pid, signal.SIGCONT)
        worker.stop(timeout=10)
        master.stop(timeout=10)
    return read(results)


def read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data


def test_a_generator_that_stops_answering_makes_the_step_not_held(site: str, tmp_path: Path) -> None:
    frozen = run_frozen(site, tmp_path / "frozen", freeze=True)
    assert frozen["steps"][0]["complete"] is False, frozen
    assert "stopped answering the master at 3 users" in frozen["message"]
    twin = run_frozen(site, tmp_path / "twin", freeze=False)
    assert twin["stopped"] == "completed" and twin["message"] == ""
    assert twin["steps"][0]["complete"] is True
