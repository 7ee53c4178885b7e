"""pytest plugin: the user-experience acceptance runs by itself while the feature files run.

Load it beside Signoff's own plugin (``pytest_plugins = [..., "signoff.ux.pytest_plugin"]`` in the
root conftest, or ``-p signoff.ux.pytest_plugin``). It audits when feature files run and the plan's
``[ux]`` section says ``audit = true`` (the default; ``--ux-audit=off|on`` overrides the plan):

* every scenario is a task: its ``When`` steps' actions, pages and time are counted on the
  scenario's page (:class:`~signoff.ux.recorder.ScenarioRecorder`), with the feedback after saves
  and refused forms it can judge with certainty;
* every page kind (route) any scenario shows - mid-step pages included - is audited once per run:
  at the end of the scenario, in a new page of the scenario's browser context (axe WCAG 2.1 A/AA,
  speed, phone screen, primary actions, keyboard through its main form);
* Allure: the task's effort on the scenario, and one result per page audit and one for the
  scorecard under the epic "User experience acceptance", with the violations and the annotated
  screenshot attached;
* at the end, on the controller only (pytest-xdist workers save their records as JSON in a folder
  the controller gives them, :mod:`signoff.ux.records`): one scorecard, worst first, written to the
  plan's ``[ux] output_dir`` (``reports/ux/ux-scorecard.json`` and ``.html``), a short summary in
  the terminal, and - for a full acceptance run (every feature of the plan, no ``-k``/``-m``),
  like the coverage gate - a failing exit status when the UX verdict fails (a passing run only:
  failures and errors keep their own status). A page audit that did not complete is recorded with
  its error and fails the verdict; a full run in which nothing at all was recorded fails the gate
  too (an empty scorecard is not a pass).

Steps measure on request through the ``ux`` fixture (:class:`~signoff.ux.probe.UxProbe`), with or
without the automatic audits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sys
import tempfile
import time
import types
import uuid
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import allure
import pytest
from allure_commons import plugin_manager as allure_hooks
from allure_commons.model2 import Attachment, Label, Parameter, StatusDetails, TestResult
from playwright.sync_api import Page

from signoff.area_hooks import fail_passing_run, records_folder, remove_records_folder
from signoff.files import write_atomically
from signoff.plan import Plan
from signoff.ux.plan import UxSection
from signoff.ux.probe import UxProbe
from signoff.ux.recorder import ScenarioRecorder, audit_unseen_routes
from signoff.ux.records import AUDIT, STEP, RecordStore, from_data, to_data
from signoff.ux.routes import PageKindRegistry
from signoff.ux.scorecard import PageAudit, Scorecard, TaskAudit, build_scorecard, write_scorecard

#: Allure epic of everything this plugin reports.
UX_EPIC = "User experience acceptance"
#: The pages and tasks a scorecard was built from, beside it (read by :mod:`signoff.merge`).
RECORDS_FILE = "ux-records.json"
#: ``workerinput`` key carrying the records folder from the controller to pytest-xdist workers.
RECORDS_INPUT = "signoff_ux_records"


@dataclasses.dataclass
class UxRun:
    """The UX side of one pytest process: settings, the shared records, and the outcome."""

    config: pytest.Config
    plan: Plan
    section: UxSection
    active: bool
    records_dir: Path | None = None
    owns_records_dir: bool = False
    store: RecordStore | None = None
    registry: PageKindRegistry | None = None
    #: One registry per browser: each page kind is audited once in each browser of the run.
    browser_registries: dict[str, PageKindRegistry] = dataclasses.field(default_factory=dict)
    card: Scorecard | None = None
    written: tuple[Path, ...] = ()
    problems: list[str] = dataclasses.field(default_factory=list)
    gate_failed: bool = False
    #: Page audits done by this process and the seconds they took (opening the page included).
    audits: int = 0
    audit_seconds: float = 0.0

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    @property
    def output_dir(self) -> Path:
        return self.plan.resolve(self.section.output_dir)


RUN_KEY = pytest.StashKey[UxRun]()
RECORDER_KEY = pytest.StashKey[ScenarioRecorder]()


# --------------------------------------------------------------------------- set-up


def _core() -> types.ModuleType:
    """Signoff's own plugin, imported on first use: imported while ``-p`` loads this plugin, it
    would be too early for pytest to rewrite its asserts when the root conftest registers it."""
    import signoff.pytest_plugin

    return signoff.pytest_plugin


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("signoff-ux", "user-experience acceptance 用户体验验收")
    group.addoption(
        "--ux-audit",
        dest="signoff_ux_audit",
        choices=("on", "off"),
        default=None,
        help="audit pages and tasks while feature files run (default: the plan's [ux] audit, true)",
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # trylast: Signoff's own plugin has loaded the plan into the stash by now.
    plan = config.stash.get(_core().PLAN_KEY, None)
    if plan is None:
        return
    section = plan.section("ux", UxSection)
    choice = config.getoption("signoff_ux_audit")
    wanted = section.audit if choice is None else choice == "on"
    # The very test Signoff's own plugin uses for "this run is a feature run".
    active = bool(wanted and not config.option.collectonly and _core()._runs_features(config, plan))
    run = UxRun(config=config, plan=plan, section=section, active=active)
    config.stash[RUN_KEY] = run
    if not active:
        return
    # A fresh folder per run: runs of other people in the same tree never mix their records.
    run.records_dir, run.owns_records_dir = records_folder(config, RECORDS_INPUT, "signoff-ux-")
    run.store = RecordStore(run.records_dir)
    kinds = plan.resolve(section.audited_dir) if section.audited_dir else run.records_dir / "kinds"
    run.registry = PageKindRegistry(kinds)
    if section.audited_dir and not run.is_worker:
        run.registry.reset()
        for name in config.getoption("--browser", None) or ():
            PageKindRegistry(kinds / name).reset()


def _registry(run: UxRun, browser: str) -> PageKindRegistry:
    """The page kinds audited so far in ``browser`` (by any worker: the folder is shared)."""
    assert run.registry is not None
    if not browser:
        return run.registry
    if browser not in run.browser_registries:
        kinds = run.plan.resolve(run.section.audited_dir) if run.section.audited_dir else None
        folder = kinds if kinds is not None else (run.records_dir or Path(tempfile.gettempdir())) / "kinds"
        run.browser_registries[browser] = PageKindRegistry(folder / browser)
    return run.browser_registries[browser]


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


@pytest.fixture
def ux(request: pytest.FixtureRequest, page: Page) -> UxProbe:
    """UX measurements of the scenario's screen and tasks (see :class:`~signoff.ux.probe.UxProbe`)."""
    run = request.config.stash.get(RUN_KEY, None)
    section = run.section if run is not None else UxSection()
    recorder = request.node.stash.get(RECORDER_KEY, None)
    if recorder is None:
        # Without the automatic audits nothing watched the scenario so far: counting starts now.
        recorder = ScenarioRecorder(_task_name(request.node, request.node.name), section)
        request.node.stash[RECORDER_KEY] = recorder
    recorder.attach(page)
    return UxProbe(page, recorder, section)


# --------------------------------------------------------------------------- while scenarios run


def _active(config: pytest.Config) -> UxRun | None:
    run = config.stash.get(RUN_KEY, None)
    return run if run is not None and run.active else None


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    run = _active(request.config)
    if run is not None:
        request.node.stash[RECORDER_KEY] = ScenarioRecorder(_task_name(request.node, scenario.name), run.section)


@contextlib.contextmanager
def _quietly(config: pytest.Config, what: str) -> Iterator[None]:
    """Evidence gathering never fails a scenario: a problem is reported as a warning instead."""
    try:
        yield
    except Exception as error:
        _problem(config, f"{what}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")


def pytest_bdd_before_step_call(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    recorder = request.node.stash.get(RECORDER_KEY, None)
    if recorder is None:
        return
    with _quietly(request.config, "could not watch the scenario's page"):
        if not recorder.attached:
            # The step's fixtures are resolved by now: the crm fixture has made and stashed the
            # page, and the step has not acted yet.
            page = request.node.stash.get(_core().PAGE_KEY, None)
            if page is not None and not page.is_closed():
                recorder.attach(page)
        recorder.step_started(str(step.type))


def pytest_bdd_after_step(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    recorder = request.node.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        with _quietly(request.config, f"feedback after '{step.name}' not judged"):
            recorder.step_finished(str(step.type))


def pytest_bdd_step_error(request: pytest.FixtureRequest, step: Any, **_: Any) -> None:
    recorder = request.node.stash.get(RECORDER_KEY, None)
    if recorder is not None:
        with _quietly(request.config, f"step '{step.name}' not closed"):
            recorder.step_finished(str(step.type), failed=True)


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    recorder = request.node.stash.get(RECORDER_KEY, None)
    if recorder is None:
        return
    # Runs in pytest-bdd's "finally": an interrupted run (Ctrl-C, pytest.exit) is passing through.
    pending = sys.exc_info()[1]
    tasks: list[TaskAudit] = []
    with _quietly(request.config, f"{scenario.name}: effort not counted"):
        tasks = recorder.finish()
    run = _active(request.config)
    if run is None or run.store is None or run.registry is None:
        return
    if isinstance(pending, KeyboardInterrupt) or type(pending).__name__ == "Exit":
        return
    with _quietly(request.config, f"{scenario.name}: UX records not saved"):
        _save_scenario(request, run, recorder, tasks)


def _save_scenario(
    request: pytest.FixtureRequest, run: UxRun, recorder: ScenarioRecorder, tasks: list[TaskAudit]
) -> None:
    """Save the scenario's tasks and step measurements, then audit the page kinds it showed first."""
    assert run.store is not None and run.registry is not None
    store = run.store
    source = request.node.nodeid
    browser = _browser(request.node)
    for task in tasks:
        store.save_task(task, source=source)
        _attach_task(task)
    for audit in recorder.step_audits:
        audit.browser = browser
        store.save_page(audit, origin=STEP, source=source)
    page = recorder.page
    if page is None or page.is_closed():
        return
    target_session = request.config.stash.get(_core().SESSION_KEY, None)
    origin = target_session.target.base_url if target_session is not None else None

    def done(audit: PageAudit, seconds: float) -> None:
        audit.browser = browser
        store.save_page(audit, origin=AUDIT, source=source)
        run.audits += 1
        run.audit_seconds += seconds
        _report_page_audit(request.config, run.section, audit, seconds)

    audit_unseen_routes(
        page.context,
        recorder.visited,
        _registry(run, browser),
        run.section,
        origin=origin,
        on_audit=done,
        on_problem=lambda message: _problem(request.config, f"page audit failed: {message}"),
    )


def _task_name(item: pytest.Item, scenario_name: str) -> str:
    """The scenario's name; for an example of a Scenario Outline, with its values."""
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    name = scenario_name
    if isinstance(example, dict) and example:
        name = f"{scenario_name} ({', '.join(str(v) for v in example.values())})"
    # The same task in two browsers is two tasks: effort and feedback may differ.
    browser = _browser(item)
    return f"{name} [{browser}]" if browser else name


def run_browsers(config: pytest.Config) -> list[str]:
    """The browsers of this run (pytest-playwright's ``--browser``; Chromium when none is named)."""
    return list(dict.fromkeys(config.getoption("--browser", None) or ["chromium"]))


def _browser(item: pytest.Item) -> str:
    """The browser that tells this scenario's pages and tasks apart: only when several browsers run
    (a run in one browser keeps its page kinds as they were; a merge of one-browser runs in different
    browsers names each run's browser then, :mod:`signoff.merge`)."""
    return _core().browser_of(item) if len(run_browsers(item.config)) > 1 else ""


def _problem(config: pytest.Config, message: str) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is not None:
        run.problems.append(message)
    warnings.warn(f"signoff ux: {message}", stacklevel=2)


# --------------------------------------------------------------------------- the end of the run


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    run = _active(session.config)
    if run is None or run.is_worker or run.store is None:
        return
    pages = run.store.pages()
    tasks = run.store.tasks()
    # Like the coverage gate: only a full acceptance run is judged by the scorecard; a subset
    # (some files, -k, -m) still writes and prints it.
    full_run = _core()._is_full_run(session.config, run.plan)
    if not pages and not tasks and not full_run:
        # A subset that recorded nothing keeps the last real scorecard; a full run that recorded
        # nothing writes its empty, failing one below - an audit that saw nothing did not pass.
        run.problems.append("nothing was recorded: no page audit and no task; the scorecard was not rewritten")
        return
    run.card = build_scorecard(pages, tasks, run.section)
    try:
        run.written = write_scorecard(run.card, run.output_dir)
        # What the scorecard was built from, so that shards' scorecards can be merged into one.
        write_atomically(run.output_dir / RECORDS_FILE, records_json(pages, tasks, run_browsers(session.config)))
    except OSError as error:
        run.problems.append(f"could not write the UX scorecard to {run.output_dir}: {error}")
    _write_area_result(run, complete=full_run)
    _report_scorecard(session.config, run)
    if full_run and (not run.card.verdict.passed or not run.written):
        run.gate_failed = True
        # Only a passing run is turned into a failing one; failures and errors keep their own status.
        fail_passing_run(session)


def _write_area_result(run: UxRun, *, complete: bool) -> None:
    """The UX area's ``summary.json`` for the sign-off report (:mod:`signoff.ux.summary`)."""
    from signoff.findings import write_area_result
    from signoff.ux.summary import ux_result

    assert run.card is not None
    report_dir = run.plan.resolve(run.plan.run.report_dir)
    try:
        write_area_result(report_dir, ux_result(run.card, report_dir, run.output_dir, complete=complete))
    except OSError as error:
        run.problems.append(f"could not write the UX summary to {report_dir}: {error}")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None or run.is_worker or (run.card is None and not run.problems):
        return
    terminalreporter.section("user experience 用户体验")
    for line in summary_lines(run.card) if run.card is not None else []:
        terminalreporter.write_line(line)
    if run.audits:
        terminalreporter.write_line(
            f"Page audits in this process: {run.audits}, {run.audit_seconds:.1f} s "
            f"({run.audit_seconds / run.audits:.1f} s each)"
        )
    if run.written:
        folder = _shown(run.written[0].parent)
        terminalreporter.write_line(f"Reports: {folder}/{{{','.join(p.name for p in run.written)}}}")
    for problem in dict.fromkeys(run.problems):
        terminalreporter.write_line(f"ux: {problem}", yellow=True)
    if run.gate_failed:
        terminalreporter.write_line("ux gate: the UX verdict failed, exit status 1", red=True, bold=True)


def summary_lines(card: Scorecard, limit: int = 5) -> list[str]:
    """A short terminal summary: verdict, scores, worst pages and tasks, violations by rule."""
    verdict = "PASS 通过" if card.verdict.passed else f"FAIL 未通过 ({len(card.verdict.reasons)} reasons)"
    lines = [
        f"UX verdict: {verdict}; overall {_score(card.overall_score)}, accessibility "
        f"{_score(card.accessibility_score)}; {len(card.pages)} page kinds, {len(card.tasks)} tasks; "
        f"could not check {card.could_not_check}, affected elements {card.affected_elements}, "
        f"needs review {card.needs_review}"
    ]
    if card.pages:
        lines.append("Worst pages:")
        for page in card.pages[:limit]:
            counts = page.violations_by_impact
            failed = sum(1 for c in page.checks if c.checked and not c.passed)
            lines.append(
                f"  {_score(page.score):>5}  {page.kind}  (critical {counts.get('critical', 0)}, "
                f"serious {counts.get('serious', 0)}, failed checks {failed}, could not check {page.could_not_check})"
            )
    rules: Counter[tuple[str, str]] = Counter((v.rule_id, v.impact) for page in card.pages for v in page.violations)
    if rules:
        shown = ", ".join(f"{rule} ({impact}) ×{n}" for (rule, impact), n in rules.most_common(8))
        lines.append(f"Violations by rule (page kinds): {shown}")
    unchecked = [f"{page.kind}: {c.detail}" for page in card.pages for c in page.checks if not c.checked]
    unchecked += [f"task '{t.name}': {c.detail}" for t in card.tasks for c in t.checks if not c.checked]
    if unchecked:
        lines.append("Could not check:")
        lines += [f"  {line}" for line in unchecked[:limit]]
        if len(unchecked) > limit:
            lines.append(f"  ... and {len(unchecked) - limit} more")
    if card.tasks:
        lines.append("Worst tasks:")
        for task in card.tasks[:limit]:
            lines.append(
                f"  {task.score:5.1f}  {task.name}: {task.actions} actions (max {task.max_actions}), "
                f"{task.pages_visited} pages, {task.seconds:.1f} s"
            )
    return lines


def _score(score: float | None) -> str:
    # A score is None when nothing could be scored: shown as such, never as a number.
    return "-" if score is None else f"{score:.1f}"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- Allure


def _allure_on(config: pytest.Config) -> bool:
    return bool(config.getoption("--alluredir", default=None))


def _attach_task(task: TaskAudit) -> None:
    effort = task.effort
    lines = [f"{effort.actions} actions, {effort.pages_visited} pages, {effort.seconds:.1f} s"]
    lines += [f"  {step.kind}: {step.target}" for step in effort.steps]
    if task.save_feedback is not None:
        fb = task.save_feedback
        lines.append(f"save feedback: {'yes' if fb.passed else 'NONE'} {', '.join(fb.signals)}")
    for err in task.error_feedback:
        lines.append(f"error feedback at {err.field}: {'yes' if err.passed else 'NO'} '{err.message}'")
    with contextlib.suppress(Exception):  # evidence must never fail the scenario
        allure.attach("\n".join(lines), name=f"UX task: {task.name}", attachment_type=allure.attachment_type.TEXT)


def _report_page_audit(config: pytest.Config, section: UxSection, audit: PageAudit, seconds: float) -> None:
    if not _allure_on(config):
        return
    card = build_scorecard([audit], [], section)
    page = card.pages[0]
    lines = [f"{page.kind}: score {_score(page.score)}, accessibility {_score(page.accessibility_score)}", ""]
    lines += [f"{v.impact:8} {v.rule_id}: {v.help} ({len(v.nodes)} elements) {v.help_url}" for v in page.violations]
    lines += [f"review   {v.rule_id}: {v.help} ({len(v.nodes)} elements)" for v in page.needs_review]
    lines += [f"{c.status:15} {c.check} ({c.impact}): {c.detail}" for c in page.checks]
    attachments: list[tuple[str, bytes | str, str, str]] = [
        ("violations and checks", "\n".join(lines), "text/plain", "txt"),
        ("audit", json.dumps(_without_screenshot(audit), ensure_ascii=False, indent=2), "application/json", "json"),
    ]
    if audit.accessibility is not None and audit.accessibility.screenshot_png:
        attachments.append(("annotated screenshot", audit.accessibility.screenshot_bytes(), "image/png", "png"))
    _report_result(
        name=page.kind,
        full_name=f"signoff.ux.page:{page.kind}",
        feature="Page audits · 页面审查",
        story=page.kind,
        passed=card.verdict.passed,
        message="\n".join(card.verdict.reasons),
        attachments=attachments,
        seconds=seconds,
        parameters={"url": audit.url},
    )


def _report_scorecard(config: pytest.Config, run: UxRun) -> None:
    if not _allure_on(config) or run.card is None:
        return
    attachments: list[tuple[str, bytes | str, str, str]] = [
        ("summary", "\n".join(summary_lines(run.card, 20)), "text/plain", "txt")
    ]
    for path in run.written:
        mime = "text/html" if path.suffix == ".html" else "application/json"
        attachments.append((path.name, path.read_bytes(), mime, path.suffix.lstrip(".")))
    _report_result(
        name="UX scorecard · 用户体验评分卡",
        full_name="signoff.ux.scorecard",
        feature="Scorecard · 评分卡",
        story="UX scorecard",
        passed=run.card.verdict.passed,
        message="\n".join(run.card.verdict.reasons),
        attachments=attachments,
        seconds=0.0,
        parameters={},
    )


def _report_result(
    *,
    name: str,
    full_name: str,
    feature: str,
    story: str,
    passed: bool,
    message: str,
    attachments: list[tuple[str, bytes | str, str, str]],
    seconds: float,
    parameters: dict[str, str],
) -> None:
    """One Allure test result of its own under the UX epic (written by allure-pytest's file logger)."""
    stop = int(time.time() * 1000)
    files: list[Attachment] = []
    try:
        for title, body, mime, extension in attachments:
            source = f"{uuid.uuid4()}-attachment.{extension}"
            allure_hooks.hook.report_attached_data(body=body, file_name=source)
            files.append(Attachment(name=title, source=source, type=mime))
        result = TestResult(
            uuid=str(uuid.uuid4()),
            historyId=hashlib.md5(full_name.encode("utf-8")).hexdigest(),
            testCaseId=hashlib.md5(full_name.encode("utf-8")).hexdigest(),
            name=name,
            fullName=full_name,
            status="passed" if passed else "failed",
            statusDetails=StatusDetails(message=message) if message else None,
            stage="finished",
            attachments=files,
            parameters=[Parameter(name=key, value=value) for key, value in parameters.items()],
            labels=[
                Label(name="epic", value=UX_EPIC),
                Label(name="feature", value=feature),
                Label(name="story", value=story),
                Label(name="framework", value="signoff"),
            ],
            start=stop - int(seconds * 1000),
            stop=stop,
        )
        allure_hooks.hook.report_result(result=result)
    except Exception as error:  # evidence must never fail the run
        warnings.warn(f"signoff ux: Allure result not written: {error}", stacklevel=2)


def records_json(pages: list[PageAudit], tasks: list[TaskAudit], browsers: list[str] | None = None) -> str:
    """The page and task records of a run, and its browsers, as one JSON document (:func:`read_records`)."""
    data = {"browsers": browsers or [], "pages": [to_data(p) for p in pages], "tasks": [to_data(t) for t in tasks]}
    return json.dumps(data, ensure_ascii=False)


def read_records(path: Path) -> tuple[list[PageAudit], list[TaskAudit], list[str]]:
    """The pages, tasks and browsers :func:`records_json` wrote."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return (
        [from_data(PageAudit, item) for item in data.get("pages", [])],
        [from_data(TaskAudit, item) for item in data.get("tasks", [])],
        [str(name) for name in data.get("browsers", [])],
    )


def _without_screenshot(audit: PageAudit) -> dict[str, Any]:
    data: dict[str, Any] = to_data(audit)
    if data.get("accessibility"):
        data["accessibility"]["screenshot_png"] = (
            "(attached separately)" if data["accessibility"]["screenshot_png"] else ""
        )
    return data
