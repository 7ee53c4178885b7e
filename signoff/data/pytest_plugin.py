"""pytest plugin: the data-integrity area - what the data steps compared, reported and judged.

Load it beside Signoff's own plugin (``pytest_plugins = [..., "signoff.data.pytest_plugin"]`` in the
root conftest). The data steps get the ``data_acceptance`` fixture (:class:`DataRecorder`): the
plan's ``[data]`` section, and :meth:`DataRecorder.record` for each comparison they made. Then:

* each comparison is attached to the scenario in Allure (summary and the JSON of its mismatches);
* a data scenario that failed before it recorded a comparison (the import screen never showed,
  the job did not finish, the export did not come) is recorded as "could not check" with its
  error - never a pass;
* at the end, on the controller only (pytest-xdist workers save their records as JSON files in a
  folder the controller gives them): ``data-integrity.{html,json}`` in ``[data] output_dir``,
  ``<report_dir>/data/summary.json`` (:mod:`signoff.findings`), a few lines in the terminal, one
  Allure result for the report under the epic "Data integrity acceptance", and - for a full
  acceptance run (every feature of the plan, no ``-k``/``-m``), like the coverage and UX gates - a
  failing exit status when the data verdict is not a pass (a passing run only: failures and errors
  keep their own status).

A run in which no data scenario ran at all writes a ``not-run`` summary and does not gate: the
plan's features hold no data scenario. A subset run that compared nothing keeps the last report.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sys
import time
import types
import uuid
import warnings
from pathlib import Path
from typing import Any

import allure
import pytest
from allure_commons import plugin_manager as allure_hooks
from allure_commons.model2 import Attachment, Label, StatusDetails, TestResult

from signoff.area_hooks import fail_passing_run, records_folder, remove_records_folder
from signoff.data.compare import KINDS, Comparison
from signoff.data.plan import DataSection
from signoff.data.report import REPORT_HTML, REPORT_JSON, DataCheck, write_report
from signoff.files import write_atomically
from signoff.findings import NOT_RUN, PASSED, AreaResult, write_area_result
from signoff.plan import Plan

DATA_EPIC = "Data integrity acceptance"
RECORDS_INPUT = "signoff_data_records"


@dataclasses.dataclass
class DataRun:
    """The data side of one pytest process."""

    config: pytest.Config
    plan: Plan
    section: DataSection
    active: bool
    records_dir: Path | None = None
    owns_records_dir: bool = False
    result: AreaResult | None = None
    problems: list[str] = dataclasses.field(default_factory=list)
    gate_failed: bool = False

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    @property
    def output_dir(self) -> Path:
        return self.plan.resolve(self.section.output_dir)

    def checks(self) -> list[DataCheck]:
        if self.records_dir is None:
            return []
        checks = []
        for path in sorted(self.records_dir.glob("*.json")):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                checks.append(DataCheck.from_data(json.loads(path.read_text(encoding="utf-8"))))
        return checks


RUN_KEY = pytest.StashKey[DataRun]()
#: Set on a scenario's item by the first data step: whether it has recorded a comparison since.
SCENARIO_KEY = pytest.StashKey[list[bool]]()
#: The scenario's name as the feature writes it (the report's heading).
NAME_KEY = pytest.StashKey[str]()


def _core() -> types.ModuleType:
    import signoff.pytest_plugin

    return signoff.pytest_plugin


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    plan = config.stash.get(_core().PLAN_KEY, None)
    if plan is None:
        return
    section = plan.section("data", DataSection)
    active = bool(not config.option.collectonly and _core()._runs_features(config, plan))
    run = DataRun(config=config, plan=plan, section=section, active=active)
    config.stash[RUN_KEY] = run
    if not active:
        return
    # A fresh folder per run: runs of other people in the same tree never mix their records.
    run.records_dir, run.owns_records_dir = records_folder(config, RECORDS_INPUT, "signoff-data-")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, on the controller: every worker writes into the controller's records folder."""
    run = node.config.stash.get(RUN_KEY, None)
    if run is not None and run.active and run.records_dir is not None:
        node.workerinput[RECORDS_INPUT] = str(run.records_dir)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        remove_records_folder(run.records_dir, run.owns_records_dir)


# --------------------------------------------------------------------------- the steps' fixture


class DataRecorder:
    """What the data steps get: the ``[data]`` section, the plan's folder, and a place to record."""

    def __init__(self, request: pytest.FixtureRequest, run: DataRun | None, section: DataSection, root: Path) -> None:
        self._request = request
        self._run = run
        self.section = section
        #: Folder that relative file names in steps and the plan are read from.
        self.root = root
        self.scenario = str(getattr(request.node, "name", "scenario"))
        request.node.stash[SCENARIO_KEY] = [False]

    def record(self, check: DataCheck) -> None:
        """Keep one check for the report, and attach it to the scenario in Allure."""
        self._request.node.stash.setdefault(SCENARIO_KEY, [False])[0] = True
        _attach(check)
        run = self._run
        if run is None or run.records_dir is None:
            return
        run.records_dir.mkdir(parents=True, exist_ok=True)
        # Named by the time it was recorded: the report lists a scenario's checks in the order they ran.
        path = run.records_dir / f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
        write_atomically(path, json.dumps(check.to_data(), ensure_ascii=False))

    def compared(
        self, comparison: Comparison, import_summary: str = "", bad_input: str = "", outcome: str = "", failed: str = ""
    ) -> None:
        self.record(
            DataCheck(
                self._title(),
                comparison=comparison,
                import_summary=import_summary,
                bad_input=bad_input,
                outcome=outcome,
                failed=failed,
            )
        )

    def judged(self, import_summary: str, bad_input: str = "", outcome: str = "", failed: str = "") -> None:
        """What the CRM did with a file, judged without a comparison (an import that must be refused)."""
        self.record(
            DataCheck(self._title(), import_summary=import_summary, bad_input=bad_input, outcome=outcome, failed=failed)
        )

    def could_not_check(self, reason: str) -> None:
        self.record(DataCheck(self._title(), could_not_check=reason))

    def _title(self) -> str:
        return str(self._request.node.stash.get(NAME_KEY, self.scenario))


@pytest.fixture
def data_acceptance(request: pytest.FixtureRequest) -> DataRecorder:
    """The data-integrity area for the data steps (see :class:`DataRecorder`)."""
    run = request.config.stash.get(RUN_KEY, None)
    plan = request.config.stash.get(_core().PLAN_KEY, None)
    section = run.section if run is not None else DataSection()
    root = plan.root if plan is not None else Path.cwd()
    return DataRecorder(request, run, section, root)


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    request.node.stash[NAME_KEY] = f"{scenario.name} ({Path(feature.filename).name})"


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    marker = request.node.stash.get(SCENARIO_KEY, None)
    if marker is None or marker[0]:
        return
    # Runs in pytest-bdd's "finally": the exception that ended the scenario early, if any.
    pending = sys.exc_info()[1]
    if pending is None or isinstance(pending, KeyboardInterrupt) or type(pending).__name__ == "Exit":
        return
    first_line = str(pending).splitlines()[0] if str(pending) else ""
    recorder: DataRecorder = request.getfixturevalue("data_acceptance")
    recorder.could_not_check(f"stopped before comparing: {type(pending).__name__}: {first_line}")


# --------------------------------------------------------------------------- the end of the run


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    run: DataRun | None = session.config.stash.get(RUN_KEY, None)
    if run is None or not run.active or run.is_worker:
        return
    checks = run.checks()
    full_run = _core()._is_full_run(session.config, run.plan)
    report_dir = run.plan.resolve(run.plan.run.report_dir)
    if not checks:
        if full_run:
            # No data scenario among the plan's features: the area did not run; it is said so.
            with contextlib.suppress(OSError):
                write_area_result(
                    report_dir,
                    AreaResult(area="data", verdict=NOT_RUN, summary="no data scenario ran", complete=True),
                )
        run.problems.append("no data scenario ran: the data-integrity report was not rewritten")
        return
    try:
        run.result = write_report(checks, run.section, run.output_dir, report_dir, complete=full_run)
    except OSError as error:
        run.problems.append(f"could not write the data-integrity report to {run.output_dir}: {error}")
        return
    _report_result(session.config, run)
    if full_run and run.result.verdict != PASSED:
        run.gate_failed = True
        fail_passing_run(session)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run: DataRun | None = config.stash.get(RUN_KEY, None)
    if run is None or run.is_worker or (run.result is None and not run.problems):
        return
    terminalreporter.section("data integrity 数据完整性")
    result = run.result
    if result is not None:
        figures = ", ".join(f"{name} {value}" for name, value in result.figures.items())
        terminalreporter.write_line(f"Data verdict: {result.verdict}: {result.summary}")
        terminalreporter.write_line(figures)
        for finding in result.findings[:8]:
            terminalreporter.write_line(f"  {finding.status}: {finding.title}")
        terminalreporter.write_line(f"Reports: {run.output_dir}/{{{REPORT_HTML},{REPORT_JSON}}}")
    for problem in dict.fromkeys(run.problems):
        terminalreporter.write_line(f"data: {problem}", yellow=True)
    if run.gate_failed:
        terminalreporter.write_line("data gate: the data-integrity verdict is not a pass, exit status 1", red=True)


# --------------------------------------------------------------------------- Allure


def comparison_lines(comparison: Comparison, limit: int = 20) -> list[str]:
    """A plain-text account of one comparison (Allure attachment, terminal)."""
    lines = [
        f"{comparison.source} → {comparison.stage} ({comparison.other})",
        f"rows in {comparison.rows_in}, rows {comparison.stage} {comparison.rows_out}, matched {comparison.matched}, "
        f"changed values {len(comparison.mismatches)}, dropped {len(comparison.missing)}, "
        f"extra {len(comparison.extra)}, refused {len(comparison.refused)}",
    ]
    for kind, items in comparison.by_kind().items():
        lines.append(f"{KINDS[kind]}: {len(items)}")
        lines += [f"  row {m.row} {m.key} {m.field}: {m.expected!r} → {m.actual!r}" for m in items[:limit]]
    lines += [f"refused row {row} {key}: {reason}" for key, row, reason in comparison.refused]
    lines += [f"dropped row {row} {key}" for key, row in comparison.missing]
    return lines


def _attach(check: DataCheck) -> None:
    with contextlib.suppress(Exception):  # evidence must never fail the scenario
        if check.comparison is not None:
            allure.attach(
                "\n".join(comparison_lines(check.comparison)),
                name=f"data comparison: {check.comparison.stage}",
                attachment_type=allure.attachment_type.TEXT,
            )
            allure.attach(
                json.dumps(check.to_data(), ensure_ascii=False, indent=2),
                name="data comparison (JSON)",
                attachment_type=allure.attachment_type.JSON,
            )
        if check.could_not_check:
            allure.attach(
                check.could_not_check, name="data: could not check", attachment_type=allure.attachment_type.TEXT
            )


def _report_result(config: pytest.Config, run: DataRun) -> None:
    """One Allure result of its own for the data-integrity report (allure-pytest's file logger writes it)."""
    if not config.getoption("--alluredir", default=None) or run.result is None:
        return
    full_name = "signoff.data.report"
    now = int(time.time() * 1000)
    try:
        files: list[Attachment] = []
        for name, mime, extension in ((REPORT_HTML, "text/html", "html"), (REPORT_JSON, "application/json", "json")):
            path = run.output_dir / name
            source = f"{uuid.uuid4()}-attachment.{extension}"
            allure_hooks.hook.report_attached_data(body=path.read_bytes(), file_name=source)
            files.append(Attachment(name=name, source=source, type=mime))
        digest = hashlib.md5(full_name.encode("utf-8")).hexdigest()
        allure_hooks.hook.report_result(
            result=TestResult(
                uuid=str(uuid.uuid4()),
                historyId=digest,
                testCaseId=digest,
                name="Data-integrity report · 数据完整性报告",
                fullName=full_name,
                status="passed" if run.result.verdict == PASSED else "failed",
                statusDetails=StatusDetails(message=run.result.summary),
                stage="finished",
                attachments=files,
                labels=[
                    Label(name="epic", value=DATA_EPIC),
                    Label(name="feature", value="Data-integrity report · 数据完整性报告"),
                    Label(name="framework", value="signoff"),
                ],
                start=now,
                stop=now,
            )
        )
    except Exception as error:  # evidence must never fail the run
        warnings.warn(f"signoff data: Allure result not written: {error}", stacklevel=2)
