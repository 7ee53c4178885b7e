"""pytest plugin: function-point coverage of a pytest-bdd run, with an optional gate on the exit status.

Load it with ``-p signoff.coverage.pytest_plugin`` (or from another plugin) and give it a catalogue,
either on the command line or from code with :func:`configure` in a ``pytest_configure`` hook::

    pytest -p signoff.coverage.pytest_plugin --catalogue catalogue/function-points.csv \\
        --crm-kind creme --coverage-dir reports/coverage --coverage-gate

Without a catalogue the plugin stays out of the way. With one it

1. registers every catalogue id as a marker (``--strict-markers`` then accepts ``@FP-...`` tags,
   and ``-m FP-CUS-001`` selects the scenarios of one function point);
2. at collection, refuses scenarios that tag an id the catalogue does not have: their test file
   becomes a collection error of one line per unknown tag, ``path:line: scenario "..." tags
   unknown function point FP-CUS-999``, and the run stops with a non-zero exit status. A
   collection error rather than a :class:`pytest.UsageError`: raised on a pytest-xdist worker, a
   usage error crashes the worker instead of reaching the user;
3. stores each scenario's function points, feature and name in its ``user_properties`` (so that
   pytest-xdist carries them to the controller with every report) and labels the Allure result
   with ``function_point`` labels while the scenario runs;
4. reads each failure by :func:`signoff.coverage.outcomes.failure_kind`: a step the kit could not
   perform (a locator not found, a navigation timeout) is recorded as ``could_not_check``, a
   business expectation that failed as ``failed`` (a CRM defect); the reading travels with the
   report, so it is made where the exception is (on a pytest-xdist worker);
5. notes the tags that make a pass count as pending (``@skip``, ``@xfail``, ... — see
   :mod:`signoff.coverage.tags`; under Signoff's plugin such a scenario runs like any other);
6. on the controller only, records each scenario's outcome from its reports and, at the end of
   the session, writes ``coverage.json``, ``coverage.md`` and ``coverage.html``, prints a short
   summary, and with ``--coverage-gate`` turns a passing exit status into 1 when the coverage
   verdict fails.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from signoff.area_hooks import fail_passing_run
from signoff.coverage.catalogue import Catalogue, load_catalogue
from signoff.coverage.outcomes import COULD_NOT_CHECK, failure_kind
from signoff.coverage.plan import catalogue_path, coverage_section, crm_kind
from signoff.coverage.report import (
    CoverageReport,
    Outcome,
    ScenarioResult,
    compute_coverage,
    render_summary,
    write_reports,
)
from signoff.coverage.tags import (
    check_feature_tags,
    display_path,
    is_function_point_tag,
    pending_tags,
    unknown_message,
)
from signoff.errors import PlanError
from signoff.plan import Plan

DEFAULT_COVERAGE_DIR = "reports/coverage"

#: ``user_properties`` names; one ``function_point`` entry per id keeps JUnit XML readable too.
PROPERTY_FUNCTION_POINT = "function_point"
PROPERTY_FEATURE = "feature"
PROPERTY_SCENARIO = "scenario"
PROPERTY_LOCATION = "scenario_location"
PROPERTY_PENDING_TAG = "pending_tag"
#: Each step of the scenario as the feature wrote it (keyword and text, the feature's language).
PROPERTY_STEP = "scenario_step"
#: The browser a scenario runs in (pytest-playwright's ``browser_name`` parameter).
PROPERTY_BROWSER = "browser"
#: On a report only: the phase (its value) failed because the kit could not perform a step.
PROPERTY_COULD_NOT_CHECK = "could_not_check"

ALLURE_LABEL = "function_point"


@dataclass(frozen=True)
class CoverageSettings:
    """What the plugin needs; :func:`configure` sets it from code, command-line options override it."""

    catalogue: Path
    crm_kind: str = ""
    not_applicable: tuple[str, ...] = ()
    min_coverage: float = 100.0
    directory: Path = Path(DEFAULT_COVERAGE_DIR)
    gate: bool = False
    #: Browsers each covered point must pass in, besides every browser that ran.
    required_browsers: tuple[str, ...] = ()


@dataclass
class _Record:
    """What the controller knows of one test: its scenario and the outcome of its phases so far."""

    feature: str
    name: str
    location: str
    function_points: tuple[str, ...]
    pending_tags: tuple[str, ...] = ()
    outcome: Outcome | None = None
    browser: str = ""
    #: The first failure's message, for the functional area's findings.
    message: str = ""
    #: The scenario's steps, for the functional area's findings (steps to reproduce).
    steps: tuple[str, ...] = ()

    def add(self, when: str, outcome: str) -> None:
        # A CRM defect in any phase fails the scenario, whatever else happened; a check the kit
        # could not make outranks a skip or a pass; a skip in setup or call means it verified nothing.
        if outcome == "failed":
            self.outcome = "failed"
        elif self.outcome == "failed":
            return
        elif outcome == "could_not_check":
            self.outcome = "could_not_check"
        elif self.outcome != "could_not_check":
            if outcome == "skipped":
                self.outcome = "skipped"
            elif when == "call" and self.outcome is None:
                self.outcome = "passed"


_SETTINGS_KEY = pytest.StashKey[CoverageSettings]()
_PLUGIN_KEY = pytest.StashKey["CoveragePlugin"]()
PLUGIN_NAME = "signoff-coverage"


def configure(config: pytest.Config, settings: CoverageSettings) -> None:
    """Give the plugin its settings from code (e.g. from the acceptance plan).

    Call it from a ``pytest_configure`` hook: the plugin reads its settings after every other
    ``pytest_configure`` has run. Options given on the command line win over these settings.
    """
    config.stash[_SETTINGS_KEY] = settings


def coverage_report(config: pytest.Config) -> CoverageReport | None:
    """The run's coverage report, once the session has finished (controller only)."""
    plugin = config.stash.get(_PLUGIN_KEY, None)
    return plugin.report if plugin is not None else None


# --------------------------------------------------------------------------- options and set-up


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("signoff-coverage", "function-point coverage 功能点覆盖率")
    group.addoption(
        "--catalogue",
        dest="signoff_catalogue",
        default=None,
        metavar="PATH",
        help="function-point catalogue (CSV); coverage is computed only when one is given",
    )
    group.addoption(
        "--crm-kind",
        dest="signoff_crm_kind",
        default=None,
        metavar="NAME",
        help="kind of CRM under test (e.g. creme): points whose not_applicable_for names it do not count",
    )
    group.addoption(
        "--coverage-dir",
        dest="signoff_coverage_dir",
        default=None,
        metavar="DIR",
        help=f"where coverage.json, coverage.md and coverage.html go (default: {DEFAULT_COVERAGE_DIR})",
    )
    group.addoption(
        "--coverage-gate",
        dest="signoff_coverage_gate",
        action="store_true",
        default=False,
        help="exit non-zero when coverage is below --min-coverage or a function point failed",
    )
    group.addoption(
        "--min-coverage",
        dest="signoff_min_coverage",
        type=float,
        default=None,
        metavar="PERCENT",
        help="percent of applicable function points that must pass (default: 100)",
    )
    group.addoption(
        "--not-applicable",
        dest="signoff_not_applicable",
        action="append",
        default=None,
        metavar="IDS",
        help="function point ids (comma-separated, repeatable) that do not apply to this acceptance",
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # trylast: a plugin calling configure() from its own pytest_configure has done so by now.
    settings = _settings(config)
    if settings is None:
        return
    if not 0.0 <= settings.min_coverage <= 100.0:
        raise pytest.UsageError(f"--min-coverage {settings.min_coverage:g} must be between 0 and 100")
    try:
        catalogue = load_catalogue(settings.catalogue, display=display_path(settings.catalogue))
    except PlanError as error:
        raise pytest.UsageError(str(error)) from None
    strangers = sorted(set(settings.not_applicable) - set(catalogue.ids))
    if strangers:
        raise pytest.UsageError(
            f"not applicable function point {strangers[0]} is not in the catalogue {catalogue.source}"
        )
    config.addinivalue_line("markers", "function_point(id): the scenario verifies this function point")
    for point in catalogue:
        config.addinivalue_line("markers", f"{point.id}: function point: {point.title_en}")
    plugin = CoveragePlugin(config, settings, catalogue)
    config.stash[_PLUGIN_KEY] = plugin
    config.pluginmanager.register(plugin, PLUGIN_NAME)


def _settings(config: pytest.Config) -> CoverageSettings | None:
    base = config.stash.get(_SETTINGS_KEY, None)
    option = config.getoption
    catalogue = option("signoff_catalogue")
    if catalogue is None and base is None:
        return None
    if base is None:
        base = CoverageSettings(catalogue=Path(catalogue))
    changes: dict[str, Any] = {}
    if catalogue is not None:
        changes["catalogue"] = Path(catalogue)
    if option("signoff_crm_kind") is not None:
        changes["crm_kind"] = option("signoff_crm_kind")
    if option("signoff_coverage_dir") is not None:
        changes["directory"] = Path(option("signoff_coverage_dir"))
    if option("signoff_coverage_gate"):
        changes["gate"] = True
    if option("signoff_min_coverage") is not None:
        changes["min_coverage"] = option("signoff_min_coverage")
    if option("signoff_not_applicable"):
        ids = [part.strip() for value in option("signoff_not_applicable") for part in value.split(",")]
        changes["not_applicable"] = tuple(dict.fromkeys(point_id for point_id in ids if point_id))
    return replace(base, **changes)


def item_function_points(item: pytest.Item) -> tuple[str, ...]:
    """The function points an item verifies, from its marks.

    pytest-bdd turns each tag of the feature, rule, scenario and examples table into a mark of the
    same name; a ``function_point("FP-...")`` mark written by hand counts as well.
    """
    ids = {mark.name for mark in item.iter_markers() if is_function_point_tag(mark.name)}
    ids.update(str(arg) for mark in item.iter_markers(PROPERTY_FUNCTION_POINT) for arg in mark.args)
    return tuple(sorted(ids))


def scenario_template(item: pytest.Item) -> Any:
    """pytest-bdd's scenario (a ``ScenarioTemplate``) behind a test function, or None for other tests."""
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:  # a pytest-bdd without the registry: marks alone still give the ids
        return None
    function = getattr(item, "function", None)
    if function is None:
        return None
    try:
        return scenario_wrapper_template_registry.get(function)
    except TypeError:  # unhashable test objects
        return None


# --------------------------------------------------------------------------- the plugin


class CoveragePlugin:
    """The hooks of an active coverage run (registered by :func:`pytest_configure` when a catalogue is given)."""

    def __init__(self, config: pytest.Config, settings: CoverageSettings, catalogue: Catalogue) -> None:
        self.config = config
        self.settings = settings
        self.catalogue = catalogue
        self.records: dict[str, _Record] = {}
        self.report: CoverageReport | None = None
        self.written: dict[str, Path] = {}
        self.write_error = ""
        self.gate_failed = False
        self._feature_problems: dict[str, list[str]] = {}

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    # ----------------------------------------------------------------------- collection

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        if not report.passed:
            return report
        problems = self.collection_problems([node for node in report.result if isinstance(node, pytest.Item)])
        if problems:
            # Keep the file's tests out of the run: a scenario naming an unknown point proves nothing.
            report.outcome = "failed"
            report.longrepr = "\n".join(problems)
            report.result = []
        return report

    def collection_problems(self, items: Iterable[pytest.Item]) -> list[str]:
        """One line per unknown function-point tag among ``items`` (empty: all known)."""
        problems: list[str] = []
        for item in items:
            unknown = [point_id for point_id in item_function_points(item) if point_id not in self.catalogue]
            if not unknown:
                continue
            template = scenario_template(item)
            lines: list[str] = []
            if template is not None:
                # The feature file's own lines say where to fix the tag; the file is read once.
                path = template.feature.filename
                if path not in self._feature_problems:
                    self._feature_problems[path] = check_feature_tags([path], self.catalogue)
                lines = self._feature_problems[path]
            # A hand-written mark, or a tag the file no longer shows: name the test instead.
            problems.extend(lines or [f"{item.nodeid}: tags {unknown_message(p, self.catalogue)}" for p in unknown])
        return list(dict.fromkeys(problems))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            template = scenario_template(item)
            points = item_function_points(item)
            if template is None and not points:
                continue
            properties: list[tuple[str, object]] = [(PROPERTY_FUNCTION_POINT, point_id) for point_id in points]
            properties += [(PROPERTY_PENDING_TAG, tag) for tag in pending_tags(item)]
            callspec = getattr(item, "callspec", None)
            browser = callspec.params.get("browser_name") if callspec is not None else None
            if browser:
                properties.append((PROPERTY_BROWSER, str(browser)))
            if template is not None:
                location = f"{display_path(template.feature.filename)}:{template.line_number}"
                properties += [
                    (PROPERTY_FEATURE, template.feature.name),
                    (PROPERTY_SCENARIO, template.name),
                    (PROPERTY_LOCATION, location),
                ]
            else:
                properties.append((PROPERTY_SCENARIO, item.name))
            # Reports copy user_properties and pytest-xdist sends reports to the controller: the
            # controller learns each scenario's function points without collecting anything itself.
            item.user_properties.extend(properties)

    # ----------------------------------------------------------------------- while running

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
        # Through user_properties, so that they reach the controller from a pytest-xdist worker.
        for step in getattr(scenario, "steps", ()):
            request.node.user_properties.append((PROPERTY_STEP, f"{step.keyword} {step.name}"))
        try:
            import allure
        except ImportError:  # Allure is optional for coverage
            return
        # Labels rather than links: a link needs a URL the catalogue does not have. allure-pytest
        # already shows each @FP-... tag as an Allure tag; the label makes it filterable by name.
        for point_id in item_function_points(request.node):
            allure.dynamic.label(ALLURE_LABEL, point_id)  # type: ignore[no-untyped-call]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        # Read where the exception is: a pytest-xdist controller only gets the report's text.
        if report.failed and call.excinfo is not None and failure_kind(call.excinfo.value) == COULD_NOT_CHECK:
            report.user_properties.append((PROPERTY_COULD_NOT_CHECK, report.when))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        properties = [tuple(entry) for entry in report.user_properties if len(entry) == 2]
        names = {name for name, _value in properties}
        if PROPERTY_SCENARIO not in names and PROPERTY_FUNCTION_POINT not in names:
            return
        record = self.records.get(report.nodeid)
        if record is None:
            values = {str(name): str(value) for name, value in properties}
            record = _Record(
                feature=values.get(PROPERTY_FEATURE, ""),
                name=values.get(PROPERTY_SCENARIO, report.nodeid),
                location=values.get(PROPERTY_LOCATION, ""),
                function_points=tuple(sorted({str(v) for n, v in properties if n == PROPERTY_FUNCTION_POINT})),
                pending_tags=tuple(sorted({str(v) for n, v in properties if n == PROPERTY_PENDING_TAG})),
                browser=values.get(PROPERTY_BROWSER, ""),
            )
            self.records[report.nodeid] = record
        unchecked = (PROPERTY_COULD_NOT_CHECK, report.when) in properties
        record.add(report.when, "could_not_check" if unchecked else report.outcome)
        if report.failed and not record.message:
            crash = getattr(report.longrepr, "reprcrash", None)
            record.message = str(getattr(crash, "message", "") or report.longreprtext[-2000:])
        if not record.steps:
            record.steps = tuple(str(value) for name, value in properties if name == PROPERTY_STEP)

    # ----------------------------------------------------------------------- end of the run

    def scenario_results(self) -> list[ScenarioResult]:
        """The scenarios the controller has seen so far, with their outcomes."""
        return [
            ScenarioResult(
                id=nodeid,
                feature=record.feature,
                name=record.name,
                tags=record.function_points,
                # Reported but never called (setup passed, then the run stopped): verified nothing.
                outcome=record.outcome or "skipped",
                location=record.location,
                pending_tags=record.pending_tags,
                browser=record.browser,
            )
            for nodeid, record in self.records.items()
        ]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker or self.config.option.collectonly:
            return
        settings = self.settings
        report = compute_coverage(
            self.scenario_results(),
            self.catalogue,
            settings.crm_kind,
            not_applicable=settings.not_applicable,
            min_coverage=settings.min_coverage,
            required_browsers=settings.required_browsers,
        )
        if session.exitstatus == pytest.ExitCode.INTERRUPTED:
            # Still write the files (an old report must not stay behind looking current), but a
            # run stopped by collection errors or Ctrl-C cannot pass, whatever its numbers.
            reason = "the run was interrupted (collection errors or Ctrl-C): coverage is incomplete"
            verdict = replace(report.verdict, passed=False, reasons=(*report.verdict.reasons, reason))
            report = replace(report, verdict=verdict)
        self.report = report
        try:
            self.written = write_reports(self.report, settings.directory)
        except OSError as error:
            self.write_error = f"could not write the coverage reports to {settings.directory}: {error}"
        self._write_area_result(settings)
        if settings.gate and (not self.report.verdict.passed or self.write_error):
            self.gate_failed = True
            # Only a passing run is turned into a failing one; failures and errors keep their own status.
            fail_passing_run(session)

    def _write_area_result(self, settings: CoverageSettings) -> None:
        """The functional area's ``summary.json`` for the sign-off report (:mod:`signoff.coverage.summary`)."""
        from signoff.coverage.summary import functional_result
        from signoff.findings import write_area_result

        assert self.report is not None
        results = getattr(self.config.option, "allure_report_dir", None)
        report_dir = settings.directory.parent
        try:
            result = functional_result(
                self.report,
                report_dir,
                results_dir=Path(results) if results else None,
                messages={nodeid: record.message for nodeid, record in self.records.items() if record.message},
                steps={nodeid: record.steps for nodeid, record in self.records.items() if record.steps},
                complete=settings.gate,
            )
            write_area_result(report_dir, result)
        except OSError as error:
            self.write_error = f"could not write the functional summary to {report_dir}: {error}"

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report is None:
            return
        terminalreporter.section("function-point coverage 功能点覆盖率")
        for line in render_summary(self.report).splitlines():
            terminalreporter.write_line(line)
        if self.written:
            folder = display_path(self.settings.directory)
            names = ",".join(path.name for path in self.written.values())
            terminalreporter.write_line(f"Reports: {folder}/{{{names}}}")
        if self.write_error:
            terminalreporter.write_line(self.write_error, red=True)
        if self.gate_failed:
            terminalreporter.write_line(
                "coverage gate: the coverage verdict failed, exit status 1", red=True, bold=True
            )


def settings_from_plan(plan: Plan, *, gate: bool = False, project_root: Path | None = None) -> CoverageSettings:
    """Coverage settings from the acceptance plan: its ``[coverage]`` section, its target's CRM kind,
    and ``<run.report_dir>/coverage`` as the output folder (paths relative to the plan file)."""
    section = coverage_section(plan)
    return CoverageSettings(
        catalogue=catalogue_path(plan, project_root),
        crm_kind=crm_kind(plan.target),
        not_applicable=section.not_applicable,
        min_coverage=section.min_coverage,
        directory=plan.resolve(plan.run.report_dir) / "coverage",
        gate=gate,
        required_browsers=plan.browsers.required,
    )
