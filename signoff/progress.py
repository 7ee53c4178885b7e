"""pytest plugin: progress a person can read while a feature run takes minutes.

pytest prints one dot per test; a 200-scenario acceptance is then half an hour of dots. For
scenarios of feature files this plugin prints one plain line each instead, through pytest's own
terminal reporter (so CI logs stay plain text and ``-q``/``-v`` keep working for other tests)::

    [ 12/212] passed  Customers › Add an organisation (6.1 s) · 1 failed so far · about 14 min left

In a run with several browsers each scenario runs once per browser, and its line names the browser
(``Customers › Add an organisation [firefox]``).

The estimate is the wall time per finished scenario so far times the scenarios left, which holds
under pytest-xdist too (finished scenarios arrive faster when workers run in parallel). It works on
the controller only, from the reports every worker sends.
"""

from __future__ import annotations

import time

import pytest

#: ``user_properties`` names the coverage plugin stores on each scenario's reports.
_FEATURE = "feature"
_SCENARIO = "scenario"
_BROWSER = "browser"


def _is_scenario(nodeid: str) -> bool:
    return nodeid.split("::", 1)[0].endswith(".feature")


def format_duration(seconds: float) -> str:
    """``42 s``, ``3 min``, ``1 h 05 min``: what a person reads at a glance."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class Progress:
    """Counts finished scenarios and writes a line for each."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.total = 0
        self.done = 0
        self.failed = 0
        self.started: float | None = None
        self._outcomes: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._durations: dict[str, float] = {}

    # -- totals: collected here, or by the xdist workers

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # After every plugin has selected (-k, -m, a shard): what will run, not what was found.
        self.total = sum(1 for item in session.items if _is_scenario(item.nodeid))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        # Every worker collects the same tests: the total is one worker's count.
        self.total = max(self.total, sum(1 for nodeid in ids if _is_scenario(nodeid)))

    # -- one line per scenario

    @pytest.hookimpl(tryfirst=True)
    def pytest_report_teststatus(self, report: pytest.TestReport) -> tuple[str, str, str] | None:
        if not _is_scenario(report.nodeid) or report.when != "call":
            return None
        # No dot or letter for a scenario: its line says it all, and pytest's summary still counts.
        return report.outcome, "", ""

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        if self.started is None and _is_scenario(nodeid):
            self.started = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not _is_scenario(report.nodeid):
            return
        properties = dict(report.user_properties)
        if _SCENARIO in properties:
            feature = str(properties.get(_FEATURE, ""))
            name = f"{feature} › {properties[_SCENARIO]}" if feature else str(properties[_SCENARIO])
            browser = properties.get(_BROWSER)
            several = len(set(self.config.getoption("--browser", None) or ())) > 1
            self._names[report.nodeid] = f"{name} [{browser}]" if browser and several else name
        self._durations[report.nodeid] = self._durations.get(report.nodeid, 0.0) + report.duration
        previous = self._outcomes.get(report.nodeid)
        if report.failed:
            self._outcomes[report.nodeid] = "FAILED" if report.when == "call" else "ERROR"
        elif report.skipped and previous is None:
            self._outcomes[report.nodeid] = "skipped"
        elif report.when == "call" and previous is None:
            self._outcomes[report.nodeid] = "passed"

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        if not _is_scenario(nodeid):
            return
        outcome = self._outcomes.pop(nodeid, "skipped")
        self.done += 1
        if outcome in ("FAILED", "ERROR"):
            self.failed += 1
        self.write(self.line(nodeid, outcome), nodeid)

    def line(self, nodeid: str, outcome: str) -> str:
        width = len(str(max(self.total, self.done)))
        name = self._names.pop(nodeid, nodeid.split("::")[-1])
        parts = [f"[{self.done:>{width}}/{max(self.total, self.done)}] {outcome:<7} {name}"]
        parts[0] += f" ({self._durations.pop(nodeid, 0.0):.1f} s)"
        if self.failed:
            parts.append(f"{self.failed} failed so far")
        left = self.total - self.done
        if left > 0 and self.started is not None and self.done:
            per_scenario = (time.monotonic() - self.started) / self.done
            parts.append(f"about {format_duration(per_scenario * left)} left")
        return " · ".join(parts)

    def write(self, line: str, nodeid: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is None:
            return
        reporter.ensure_newline()
        reporter.write_line(line)
        # pytest names a test file again after every line it did not write: once per file is enough.
        reporter.currentfspath = self.config.rootpath / nodeid.split("::", 1)[0]


def pytest_configure(config: pytest.Config) -> None:
    # xdist workers report to the controller, which prints; a worker prints nothing.
    if hasattr(config, "workerinput"):
        return
    config.pluginmanager.register(Progress(config), "signoff-progress")
