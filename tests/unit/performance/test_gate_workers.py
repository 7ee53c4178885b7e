"""The performance gate in real pytest-bdd runs with two pytest-xdist workers (``-n 2``).

A pytester project runs the kit's own performance steps (``steps/performance.py``) and plugin; only
the load itself is recorded data: the project's conftest replaces the engine's ``run_profile``
(which would start locust against a CRM) with a run whose every request answered in the time the
scenario's Given says. Everything after it is the kit's: the judging against the plan's thresholds,
the report, the verdict saved in the records folder the controller hands to its workers, and the
gate on the controller. The feature's Then steps allow 5 s while the plan's threshold is 2 s, so
every scenario passes and the gate alone decides the exit status: the twins differ in one
scenario's recorded times (3 s: the plan's p95 is crossed; 0.5 s: clean). No CRM, no browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]

CONFTEST = """
import sys

sys.path.insert(0, {root!r})

import pytest

from signoff.performance import engine
from signoff.performance.plan import Step
from signoff.vocabulary import given

pytest_plugins = ["signoff.pytest_plugin", "signoff.performance.pytest_plugin", "steps.performance"]

PLANTED = {{"ms": 0}}


@given("every page answers in {{ms:d}} ms")
def answers_in(ms):
    PLANTED["ms"] = ms


def recorded_run(*, profile, section, base_url, steps, **_):
    # What a locust worker reports: 200 requests of one page, all answered in the planted time.
    users = steps[0].users
    entry = {{"name": "browse contacts · contact list", "method": "GET", "num_requests": 200,
             "num_failures": 0, "max_response_time": PLANTED["ms"],
             "response_times": {{str(PLANTED["ms"]): 200}}}}
    raw = {{"started_at": 0.0, "stopped": "completed", "steps": [
        {{"index": 0, "users": users, "reached_users": users, "start": 0.0, "seconds": steps[0].hold,
         "complete": True, "workers": {{"w1": [entry]}}, "errors": []}}]}}
    record = engine.RunRecord(profile=profile, base_url=base_url, steps_planned=tuple(steps), generators=1,
                              accounts=5, raw=raw, steps=[], samples=[], probes=[], server_sampled=True,
                              stopped="completed", message="", wall_seconds=steps[0].hold)
    record.steps = engine.attach_resources(raw, [])
    return record


engine.run_profile = recorded_run


class Target:
    base_url = "http://127.0.0.1:9"
    kind = "creme"
    admin = None


@pytest.fixture
def crm_target():
    return Target()


@pytest.fixture
def browser():
    return None
"""

FEATURE = """\
Feature: Several users at once
  Scenario: A quick load
    Given every page answers in 500 ms
    When 5 users work in the CRM at the same time for 20 seconds
    Then 95% of pages answer within 5 seconds
    And fewer than 1% of requests fail

  Scenario: Another load
    Given every page answers in {ms} ms
    When 5 users work in the CRM at the same time for 20 seconds
    Then 95% of pages answer within 5 seconds
    And fewer than 1% of requests fail
"""

PLAN = """\
[run]
features = ["features"]
isolation = "none"
report_dir = "out"

[performance]
output_dir = "out/performance"
baseline = ""
browser_probe = false
max_p95_seconds = 2.0
"""


def run(pytester: pytest.Pytester, ms: int, *extra: str) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST.format(root=str(ROOT)))
    (pytester.mkdir("features") / "load.feature").write_text(FEATURE.format(ms=ms), encoding="utf-8")
    (pytester.path / "acceptance.toml").write_text(PLAN, encoding="utf-8")
    return pytester.runpytest_subprocess(
        # locust's own pytest plugin would patch the process with gevent (the project's addopts say so too).
        "features",
        "--plan",
        "acceptance.toml",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:locust",
        "-n",
        "2",
        *extra,
    )


def summary(pytester: pytest.Pytester) -> dict[str, Any]:
    path = pytester.path / "out" / "performance" / "summary.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_clean_twin_passes_with_two_workers(pytester: pytest.Pytester) -> None:
    result = run(pytester, 500)
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*2 workers*", "*performance 性能*", "passed: At 5 concurrent users: p95 0.50 s*"])
    result.stdout.fnmatch_lines(["*2 passed*"])
    assert "performance gate" not in result.stdout.str()


def test_a_planted_slow_run_in_a_worker_fails_the_full_run(pytester: pytest.Pytester) -> None:
    result = run(pytester, 3000)
    # Every scenario passed (5 s allowed by the steps): the gate alone turns the run red.
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*2 workers*",
            "failed: At 5 concurrent users: p95 3.00 s*95% of pages do not answer within 2 s*",
            "*performance gate: the performance verdict is not passed, exit status 1*",
            "*2 passed*",
        ]
    )
    # The area's summary is the session's (worst run first), not whichever run wrote last.
    found = summary(pytester)
    assert found["verdict"] == "failed" and found["summary"].startswith("2 load runs; the worst: At 5")
    assert [f["key"] for f in found["findings"]] == ["p95-above-limit"]


def test_a_subset_run_with_workers_reports_but_does_not_gate(pytester: pytest.Pytester) -> None:
    result = run(pytester, 3000, "-k", "Another")
    assert result.ret == 0, result.stdout.str()
    assert summary(pytester)["verdict"] == "failed"
