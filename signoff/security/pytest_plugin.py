"""pytest plugin: the security area inside an acceptance run.

Load it beside Signoff's own plugin (the root conftest). Steps of ``steps/security.py`` run checks
through the ``security_checks`` fixture (:class:`SecurityProbe`); each check's result is saved as
JSON in a folder the controller shares with pytest-xdist workers, and attached to Allure. At the
end, on the controller: ``security.{json,html}`` and ``summary.json`` in the plan's ``[security]
output_dir``, a summary in the terminal, and - for a full acceptance run, like the UX gate - a
failing exit status when the security verdict is not a pass (a failure or a check that could not
be completed; a passing run only: failures and errors keep their own status).
"""

from __future__ import annotations

import dataclasses
import json
import types
import uuid
from pathlib import Path
from typing import Any

import allure
import pytest

from signoff.area_hooks import fail_passing_run, records_folder, remove_records_folder
from signoff.crm import CRM
from signoff.findings import Finding
from signoff.plan import Plan
from signoff.security.checks import CheckContext, CheckResult
from signoff.security.model import apply_waivers, security_verdict
from signoff.security.plan import SecuritySection
from signoff.security.report import SecurityReport, build_report, write_report
from signoff.security.run import run_named
from signoff.targets.base import Target

RECORDS_INPUT = "signoff_security_records"
SECURITY_EPIC = "Security acceptance"


@dataclasses.dataclass
class SecurityRun:
    """The security side of one pytest process."""

    config: pytest.Config
    plan: Plan
    section: SecuritySection
    records_dir: Path | None = None
    owns_records_dir: bool = False
    report: SecurityReport | None = None
    written: tuple[Path, ...] = ()
    gate_failed: bool = False
    #: The CRM's address, noted by the first check (the report names it).
    target_url: str = ""

    @property
    def output_dir(self) -> Path:
        return self.plan.resolve(self.section.output_dir)


RUN_KEY = pytest.StashKey[SecurityRun]()


def _core() -> types.ModuleType:
    import signoff.pytest_plugin

    return signoff.pytest_plugin


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    plan = config.stash.get(_core().PLAN_KEY, None)
    if plan is None or config.option.collectonly:
        return
    run = SecurityRun(config=config, plan=plan, section=plan.section("security", SecuritySection))
    # A fresh folder per run: runs of other people in the same tree never mix their records.
    run.records_dir, run.owns_records_dir = records_folder(config, RECORDS_INPUT, "signoff-security-")
    config.stash[RUN_KEY] = run


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    run = node.config.stash.get(RUN_KEY, None)
    if run is not None and run.records_dir is not None:
        node.workerinput[RECORDS_INPUT] = str(run.records_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        remove_records_folder(run.records_dir, run.owns_records_dir)


class SecurityProbe:
    """What the security steps use: run a check on the CRM under test, and judge this scenario's findings."""

    def __init__(self, request: pytest.FixtureRequest, crm: CRM, target: Target, run: SecurityRun | None) -> None:
        self._request = request
        self._run = run
        self.section = run.section if run is not None else SecuritySection()
        plan = run.plan if run is not None else None
        self._home = plan.resolve(plan.target.home) if plan is not None else Path(".signoff")
        self._out_dir = run.output_dir if run is not None else Path("reports/security")
        # Active probes only on a target that is reset afterwards (the embedded CRM), unless the
        # plan says the target is a disposable copy.
        active = target.can_reset or self.section.active_on_unresettable
        self._context = CheckContext(crm.security, self.section, active=active, evidence_dir=self._out_dir / "evidence")
        self.results: list[CheckResult] = []
        if run is not None:
            run.target_url = crm.security.base_url

    def run(self, name: str) -> CheckResult:
        browser = None
        if name == "stored xss":
            browser = self._request.getfixturevalue("new_context")()
        result = run_named(name, self._context, browser=browser, home=self._home, out_dir=self._out_dir)
        self.results.append(result)
        self._save(result)
        allure.attach(
            json.dumps([f.to_data() for f in result.findings], ensure_ascii=False, indent=2),
            name=f"security check: {name}",
            attachment_type=allure.attachment_type.JSON,
        )
        return result

    def findings(self) -> tuple[Finding, ...]:
        """This scenario's findings, the plan's waivers applied."""
        findings, _expired = apply_waivers(
            [item for result in self.results for item in result.findings], self.section.waiver_list()
        )
        return findings

    def verdict(self) -> str:
        return security_verdict(self.findings(), self.section.fail_on, checked_anything=bool(self.results))

    def _save(self, result: CheckResult) -> None:
        if self._run is None or self._run.records_dir is None:
            return
        data = {
            "name": result.name,
            "seconds": result.seconds,
            "requests": result.requests,
            "skipped": result.skipped,
            "findings": [f.to_data() for f in result.findings],
            "target": self._run.target_url,
        }
        path = self._run.records_dir / f"{uuid.uuid4().hex}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def security_checks(request: pytest.FixtureRequest, crm: CRM, crm_target: Target) -> SecurityProbe:
    """Security checks of the CRM under test (see :class:`SecurityProbe`)."""
    return SecurityProbe(request, crm, crm_target, request.config.stash.get(RUN_KEY, None))


def _records(run: SecurityRun) -> list[CheckResult]:
    results = []
    for path in sorted(run.records_dir.glob("*.json")) if run.records_dir is not None else []:
        data = json.loads(path.read_text(encoding="utf-8"))
        # Workers noted the target's address in their records; the controller ran no check.
        run.target_url = run.target_url or str(data.get("target", ""))
        results.append(
            CheckResult(
                name=data["name"],
                seconds=data["seconds"],
                requests=data["requests"],
                skipped=data["skipped"],
                findings=tuple(Finding.from_data(item) for item in data["findings"]),
            )
        )
    return results


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    run = session.config.stash.get(RUN_KEY, None)
    if run is None or hasattr(session.config, "workerinput"):
        return
    results = _records(run)
    full_run = _core()._is_full_run(session.config, run.plan) and _core()._runs_features(session.config, run.plan)
    if not results:
        # No security scenario ran (a subset, or a plan without features/security): the last
        # security report stays, and function-point coverage shows FP-SEC-* as not verified.
        return
    # The target is stopped by now (its address is no longer asked of it): the checks noted it.
    run.report = build_report(results, run.section, run.target_url, complete=full_run)
    try:
        run.written = write_report(run.report, run.output_dir, run.plan.resolve(run.plan.run.report_dir))
    except OSError as error:
        session.config.issue_config_time_warning(pytest.PytestWarning(f"security report not written: {error}"), 2)
    if full_run and run.report.result.verdict != "passed":
        run.gate_failed = True
        fail_passing_run(session)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None or run.report is None:
        return
    terminalreporter.section("security 安全")
    result = run.report.result
    terminalreporter.write_line(f"Security verdict: {result.verdict} - {result.summary}")
    for item in result.findings[:15]:
        terminalreporter.write_line(f"  {item.status:15} {item.severity:8} {item.title} [{item.where}]")
    if run.written:
        terminalreporter.write_line(f"Reports: {', '.join(str(p) for p in run.written)}")
    if run.gate_failed:
        terminalreporter.write_line(
            "security gate: the security verdict did not pass, exit status 1", red=True, bold=True
        )
