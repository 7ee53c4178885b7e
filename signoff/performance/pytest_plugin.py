"""pytest plugin: the performance area inside an acceptance run.

Load it beside Signoff's own plugin (the root conftest lists it). It gives the steps of
``steps/performance.py`` the ``performance`` fixture (:class:`LoadProbe`): a load of N users for a
duration on the scenario's CRM, run by the CRM-neutral engine, with the scenario's browser (from
pytest-playwright) opening the key pages while it runs. Each run writes the performance report and
``summary.json``, and attaches them to the scenario in Allure.

The gate: in a full acceptance run (every feature, no ``-k``/``-m``, like the coverage and UX
gates), a passing run whose performance verdict is not "passed" - a regression against the
baseline, a saturated generator, a figure that could not be measured - exits with status 1.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import allure
import pytest
from playwright.sync_api import Browser

from signoff.performance.area import Outcome, accept_performance
from signoff.performance.plan import Step
from signoff.plan import Plan
from signoff.targets.base import Target

OUTCOMES_KEY = pytest.StashKey[list[Outcome]]()


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
        self.config.stash.setdefault(OUTCOMES_KEY, []).append(outcome)
        _attach(outcome)
        return outcome

    def last(self) -> Outcome:
        if self.outcome is None:
            raise AssertionError("no load has run in this scenario: a 'When … users work in the CRM' step comes first")
        return self.outcome


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
    outcomes = session.config.stash.get(OUTCOMES_KEY, [])
    if not outcomes or hasattr(session.config, "workerinput"):
        return
    from signoff.pytest_plugin import PLAN_KEY, _is_full_run

    plan = session.config.stash.get(PLAN_KEY, None)
    if plan is None or not _is_full_run(session.config, plan):
        return
    failing = [o for o in outcomes if o.judgement.result.verdict != "passed"]
    if failing and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        session.config.stash[GATE_KEY] = failing[0].judgement.result.summary


GATE_KEY = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    outcomes = config.stash.get(OUTCOMES_KEY, [])
    if not outcomes:
        return
    terminalreporter.section("performance 性能")
    for outcome in outcomes:
        result = outcome.judgement.result
        terminalreporter.write_line(f"{result.verdict}: {result.summary}")
    if GATE_KEY in config.stash:
        terminalreporter.write_line("performance gate: the performance verdict is not passed, exit status 1", red=True)
