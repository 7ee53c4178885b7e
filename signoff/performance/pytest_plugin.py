"""pytest plugin: the performance area inside an acceptance run.

Load it beside Signoff's own plugin (the root conftest lists it). It gives the steps of
``steps/performance.py`` the ``performance`` fixture (:class:`LoadProbe`): a load of N users for a
duration on the scenario's CRM, run by the CRM-neutral engine, with the scenario's browser (from
pytest-playwright) opening the key pages while it runs. Each run writes the performance report and
``summary.json``, and attaches them to the scenario in Allure.

The gate: in a full acceptance run (every feature, no ``-k``/``-m``, like the coverage and UX
gates), a passing run whose performance verdict is not "passed" - a regression against the
baseline, a saturated generator, a figure that could not be measured - exits with status 1. Each
run's verdict is saved as JSON in a records folder the controller hands to pytest-xdist workers
(:mod:`signoff.area_hooks`), so the gate judges every load run of the session on the controller,
whichever process ran it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import uuid
from pathlib import Path
from typing import Any

import allure
import pytest
from playwright.sync_api import Browser

from signoff.area_hooks import fail_passing_run, hand_to_worker, records_folder, remove_records_folder
from signoff.findings import AreaResult, Finding, write_area_result
from signoff.performance.area import Outcome, accept_performance
from signoff.performance.plan import Step
from signoff.plan import Plan
from signoff.targets.base import Target

OUTCOMES_KEY = pytest.StashKey[list[Outcome]]()
#: This process's records folder and whether it made it (see :func:`signoff.area_hooks.records_folder`).
RECORDS_KEY = pytest.StashKey[tuple[Path, bool]]()
#: ``workerinput`` key carrying the records folder from the controller to pytest-xdist workers.
RECORDS_INPUT = "signoff_performance_records"
#: The verdicts of every load run of the session, read on the controller at its end.
RESULTS_KEY = pytest.StashKey[list[AreaResult]]()


@dataclasses.dataclass
class LoadProbe:
    """What the performance steps talk to: run a load, then read its figures."""

    plan: Plan
    target: Target
    browser: Browser | None
    config: pytest.Config
    outcome: Outcome | None = None

    def run(self, users: int, seconds: float) -> Outcome:
        """``users`` CRM users working at the same time for ``seconds``, judged and reported."""
        outcome = accept_performance(
            self.plan, self.target, "smoke", browser=self.browser, steps=[Step(users, seconds)]
        )
        self.outcome = outcome
        record_outcome(self.config, outcome)
        _attach(outcome)
        return outcome

    def last(self) -> Outcome:
        if self.outcome is None:
            raise AssertionError("no load has run in this scenario: a 'When … users work in the CRM' step comes first")
        return self.outcome


def record_outcome(config: pytest.Config, outcome: Outcome) -> None:
    """Keep a run's verdict for the gate: in this process, and in the folder the controller reads."""
    config.stash.setdefault(OUTCOMES_KEY, []).append(outcome)
    folder = config.stash.get(RECORDS_KEY, None)
    if folder is not None:
        data = json.dumps(outcome.judgement.result.to_data(), ensure_ascii=False)
        (folder[0] / f"{uuid.uuid4().hex}.json").write_text(data, encoding="utf-8")


def recorded_results(config: pytest.Config) -> list[AreaResult]:
    """The verdicts every process of the session saved, oldest first."""
    folder = config.stash.get(RECORDS_KEY, None)
    if folder is None:
        return [outcome.judgement.result for outcome in config.stash.get(OUTCOMES_KEY, [])]
    paths = sorted(folder[0].glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
    return [AreaResult.from_data(json.loads(path.read_text(encoding="utf-8"))) for path in paths]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if config.option.collectonly:
        return
    # A fresh folder per run: runs of other people in the same tree never mix their records.
    config.stash[RECORDS_KEY] = records_folder(config, RECORDS_INPUT, "signoff-performance-")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    folder = node.config.stash.get(RECORDS_KEY, None)
    hand_to_worker(node, RECORDS_INPUT, folder[0] if folder is not None else None)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(RECORDS_KEY, None)
    if folder is not None:
        remove_records_folder(*folder)


def _attach(outcome: Outcome) -> None:
    with contextlib.suppress(Exception):  # evidence must never fail the scenario
        allure.attach(
            outcome.judgement.result.summary, name="performance verdict", attachment_type=allure.attachment_type.TEXT
        )
        for path in outcome.written:
            if path.name == "performance.html":
                allure.attach.file(  # type: ignore[no-untyped-call]  # allure-python-commons is untyped
                    str(path), name="performance report", attachment_type=allure.attachment_type.HTML
                )


@pytest.fixture
def performance(signoff_plan: Plan, crm_target: Target, browser: Browser, pytestconfig: pytest.Config) -> LoadProbe:
    """A load run on the scenario's CRM (see :class:`LoadProbe`)."""
    return LoadProbe(signoff_plan, crm_target, browser, pytestconfig)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):
        return
    results = recorded_results(session.config)
    session.config.stash[RESULTS_KEY] = results
    if not results:
        return
    from signoff.pytest_plugin import PLAN_KEY, _is_full_run

    plan = session.config.stash.get(PLAN_KEY, None)
    if plan is None:
        return
    if len(results) > 1:
        # Each load run wrote its own summary.json, the last one over the others (in whichever
        # worker ran it): the area's summary is the session's, so a red run is never read as green.
        with contextlib.suppress(OSError):
            write_area_result(plan.resolve(plan.run.report_dir), session_result(results))
    if not _is_full_run(session.config, plan):
        return
    failing = [result for result in results if result.verdict != "passed"]
    if failing and session.exitstatus == pytest.ExitCode.OK:
        fail_passing_run(session)
        session.config.stash[GATE_KEY] = failing[0].summary


GATE_KEY = pytest.StashKey[str]()

#: Verdicts, worst first.
_RANK = {"failed": 0, "could-not-check": 1, "not-run": 2, "passed": 3}


def session_result(results: list[AreaResult]) -> AreaResult:
    """One result for the session's load runs: the worst run's, with every run's findings (each key once)."""
    worst = min(results, key=lambda result: _RANK.get(result.verdict, 1))
    findings: dict[str, Finding] = {}
    for result in results:
        for finding in result.findings:
            findings.setdefault(finding.key, finding)
    return dataclasses.replace(
        worst,
        summary=f"{len(results)} load runs; the worst: {worst.summary}",
        findings=tuple(findings.values()),
        complete=all(result.complete for result in results),
    )


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    results = config.stash.get(RESULTS_KEY, [])
    if not results:
        return
    terminalreporter.section("performance 性能")
    for result in results:
        terminalreporter.write_line(f"{result.verdict}: {result.summary}")
    if GATE_KEY in config.stash:
        terminalreporter.write_line("performance gate: the performance verdict is not passed, exit status 1", red=True)
