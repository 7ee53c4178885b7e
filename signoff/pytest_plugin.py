"""Signoff's pytest plugin: feature files become tests, against a CRM target, in a real browser.

- Every ``.feature`` file pytest is pointed at is collected by itself (no Python per feature).
- A session-scoped target is started on first use and stopped at the end; under pytest-xdist
  each worker gets its own embedded CRM instance, so resets never disturb another worker.
- With ``isolation = "feature"`` the CRM is reset to its snapshot before each feature file.
- The administrator signs in once per CRM state; scenarios reuse the saved sign-in.
- Allure: area as epic, feature as feature, scenario as story, every step with its words, a
  screenshot on failure (or after every step), and the environment of the run.
- Feature tags are labels: ``@skip``, ``@xfail`` or any other name pytest or a plugin acts on
  become an inert mark, so a scenario tagged so still runs, and a pass of it counts as pending
  (:func:`signoff.coverage.tags.tag_mark` is the rule).
- A failed step is read for what it says about the CRM (:mod:`signoff.coverage.outcomes`): a
  Playwright wait of a page object that ran out is raised again as ``CouldNotCheck`` (Allure:
  broken, "Could not check"); a step during which the CRM answered HTTP 5xx to a page or XHR
  request is raised again as ``CRMServerError`` (Allure: failed, "CRM defects"), with the URL,
  status and an excerpt of the answer attached as evidence.

Fixtures a project can override (like pytest-playwright's): ``signoff_plan``, ``crm_target``,
``browser_type_launch_args``, ``browser_context_args``, ``crm``.
"""

from __future__ import annotations

import importlib
import json
import types
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import allure
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Response
from pytest_bdd.parser import Feature, Scenario, Step

from signoff import browsers, failures, lint, shards
from signoff.allure_env import SCENARIO_ID_LABEL
from signoff.coverage.outcomes import COULD_NOT_CHECK, CouldNotCheck, CRMServerError, failure_kind
from signoff.coverage.tags import TAG_MARK, remember_project_markers, tag_mark
from signoff.crm import CRM
from signoff.errors import SignoffError
from signoff.mail import MailSink
from signoff.plan import Plan, load_plan
from signoff.targets import worker_label
from signoff.targets.base import Target

PAGE_KEY = pytest.StashKey[Page]()
CRM_KEY = pytest.StashKey[CRM]()
ARRANGING_KEY = pytest.StashKey[bool]()
SESSION_KEY = pytest.StashKey["TargetSession"]()
BROWSER_KEY = pytest.StashKey[str]()
STEP_KEY = pytest.StashKey[list[Any]]()
#: The CRM's server errors (HTTP 5xx to a page or XHR request) seen since the current step began.
SERVER_ERRORS_KEY = pytest.StashKey[list[Response]]()

#: Requests whose server error is the CRM's own failure (not a missing image or font).
_CRM_REQUESTS = frozenset({"document", "xhr", "fetch"})
#: How much of the CRM's error page goes into the evidence.
_EXCERPT_CHARS = 2000

#: Allure label of the browser a scenario ran in.
BROWSER_LABEL = "browser"

#: Allure epics for the acceptance areas, by the folder under ``features/``.
AREAS: dict[str, str] = {
    "functional": "Functional acceptance",
    "performance": "Performance acceptance",
    "data": "Data integrity acceptance",
    "ux": "User experience acceptance",
    "security": "Security acceptance",
}


# --------------------------------------------------------------------------- configuration


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("signoff", "Signoff acceptance")
    group.addoption("--plan", default=None, help="acceptance plan file (default: acceptance.toml)")
    group.addoption(
        "--signoff-screenshots",
        choices=("on-failure", "every-step"),
        default=None,
        help="attach a screenshot to Allure on failure (default) or after every step",
    )
    group.addoption(
        "--signoff-report-dir",
        dest="signoff_report_dir",
        default=None,
        metavar="DIR",
        help="write every report of this run under DIR instead of the plan's folders (signoff manual's run)",
    )
    group.addoption(
        "--signoff-shard",
        dest="signoff_shard",
        default=None,
        metavar="I/N",
        help="run shard I of N: a deterministic slice of whole feature files (see signoff.shards)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # tryfirst: the markers registered now are the project's own, before any plugin adds its own.
    remember_project_markers(config)
    try:
        plan = load_plan(config.getoption("--plan"))
    except SignoffError as error:
        raise pytest.UsageError(str(error)) from None
    if config.getoption("signoff_report_dir", None):
        plan = plan.with_report_dir(Path(config.getoption("signoff_report_dir")).resolve())
    config.stash[PLAN_KEY] = plan
    if _runs_features(config, plan):
        from signoff.coverage.pytest_plugin import configure, settings_from_plan

        # Function-point coverage is measured whenever feature files run. A full run fails when the
        # contract's coverage is not met (untested function points count against it); a subset
        # (some files, -k, -m) reports coverage but cannot be expected to meet it.
        configure(config, settings_from_plan(plan, gate=_is_full_run(config, plan), project_root=config.rootpath))


def _feature_roots(plan: Plan) -> list[Path]:
    return [plan.resolve(path).resolve() for path in plan.run.features]


def _argument_paths(config: pytest.Config) -> list[Path]:
    return [Path(argument.split("::")[0]).resolve() for argument in config.args]


def _runs_features(config: pytest.Config, plan: Plan) -> bool:
    """Whether this run was pointed at feature files (not at Signoff's own tests)."""
    roots = _feature_roots(plan)
    return any(
        path.suffix == ".feature"
        or (path.is_dir() and any(path == root or root in path.parents or path in root.parents for root in roots))
        for path in _argument_paths(config)
    )


def _is_full_run(config: pytest.Config, plan: Plan) -> bool:
    """Whether every feature of the plan runs, unfiltered (no -k, -m or single tests)."""
    if config.option.keyword or config.option.markexpr or any("::" in argument for argument in config.args):
        return False
    # A shard is a slice: its verdict is made when the shards are merged (signoff report --merge).
    if getattr(config.option, "signoff_shard", None):
        return False
    given = _argument_paths(config)
    return all(any(path == root or path in root.parents for path in given) for root in _feature_roots(plan))


PLAN_KEY = pytest.StashKey[Plan]()


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Callable[..., object]) -> Callable[..., object]:
    # Business analysts tag scenarios freely (@smoke, @FP-CUS-001, and @skip or @xfail too): a tag
    # labels the scenario and never tells pytest to skip it or to turn its failure green.
    from pytest_bdd.utils import CONFIG_STACK

    marked: Callable[..., object] = tag_mark(CONFIG_STACK[-1], tag)(function)
    return marked


# --------------------------------------------------------------------------- collection


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A scenario's steps ask for the browser at run time, so pytest-playwright cannot see that the
    # scenario needs one: say so before its hook runs, and it runs the scenario once per browser.
    if metafunc.definition.path.suffix == ".feature" and "browser_name" not in metafunc.fixturenames:
        metafunc.fixturenames.append("browser_name")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    text = config.getoption("signoff_shard", None)
    if text:
        try:
            shard = shards.parse_shard(text)
        except SignoffError as error:
            raise pytest.UsageError(str(error)) from None
        shards.select(config, items, shard)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".feature":
        return FeatureFile.from_parent(parent, path=file_path)
    return None


class FeatureFile(pytest.Module):
    """A ``.feature`` file, collected as a module whose tests are its scenarios."""

    def _getobj(self) -> types.ModuleType:
        problems = lint.duplicate_scenarios(self.path)
        if problems:
            raise FeatureCollectError(str(problems[0]))
        try:
            lint.parse_feature(self.path)
        except lint.FeatureSyntaxError as error:
            raise FeatureCollectError(str(error)) from None
        module = types.ModuleType(_module_name(self.path))
        module.__file__ = str(self.path)
        # scenarios() binds tests into the calling module's namespace: run it inside the new module.
        source = "from pytest_bdd import scenarios\nscenarios(__feature_path__, features_base_dir='/')\n"
        module.__dict__["__feature_path__"] = str(self.path)
        exec(compile(source, str(self.path), "exec"), module.__dict__)
        return module

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:  # type: ignore[override]
        if isinstance(excinfo.value, FeatureCollectError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)  # type: ignore[return-value]


class FeatureCollectError(Exception):
    """A feature file that cannot be collected, with a one-line reason."""


def _module_name(path: Path) -> str:
    return "feature_" + "".join(ch if ch.isalnum() else "_" for ch in path.stem)


def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, feature: Feature, scenario: Scenario, step: Step, exception: Exception
) -> None:
    # pytest-bdd raises this very exception after the hook: give it our one-line message.
    exception.args = (lint.undefined_step_message(step, feature.filename),)
    with allure.step(f"{step.keyword} {step.name}"):
        allure.attach(exception.args[0], "undefined step", allure.attachment_type.TEXT)


# --------------------------------------------------------------------------- target and browser


@pytest.fixture(scope="session")
def signoff_plan(pytestconfig: pytest.Config) -> Plan:
    return pytestconfig.stash[PLAN_KEY]


class TargetSession:
    """The running target of this test process, and which feature file it was last reset for."""

    def __init__(self, target: Target, plan: Plan) -> None:
        self.target = target
        self.plan = plan
        self.current_feature: str | None = None
        self.generation = 0  # bumped on every reset: saved sign-ins of older generations are void
        # Taken while the CRM runs: a stopped target may no longer know its URL.
        self.facts: dict[str, str] = dict(target.describe())

    def enter_feature(self, feature_file: str) -> None:
        if self.current_feature is not None and self.current_feature != feature_file:
            if self.plan.run.isolation == "feature" and self.target.can_reset:
                self.target.reset()
                self.generation += 1
        self.current_feature = feature_file


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    """An SMTP server on loopback for this test process; the CRM is pointed at it to send mail."""
    with MailSink() as sink:
        yield sink


@pytest.fixture
def delivered_mail(mail_sink: MailSink) -> MailSink:
    """The mail sink, emptied for this scenario."""
    mail_sink.clear()
    return mail_sink


@pytest.fixture(scope="session")
def crm_target_session(signoff_plan: Plan, pytestconfig: pytest.Config) -> Iterator[TargetSession]:
    from signoff.targets import make_target

    target = make_target(signoff_plan, label=worker_label())
    try:
        # An instance keeps the data of an earlier session: the first feature starts pristine too.
        target.start(pristine=signoff_plan.run.isolation == "feature")
    except SignoffError as error:
        target.stop()
        pytest.exit(f"signoff: {error}", returncode=3)
    session = TargetSession(target, signoff_plan)
    pytestconfig.stash[SESSION_KEY] = session
    try:
        yield session
    finally:
        target.stop()


@pytest.fixture
def crm_target(crm_target_session: TargetSession, request: pytest.FixtureRequest) -> Target:
    """The CRM under test, reset to its snapshot when a new feature file starts."""
    crm_target_session.enter_feature(str(request.node.path))
    return crm_target_session.target


@pytest.fixture(scope="session")
def browser_type_launch_args(
    pytestconfig: pytest.Config, signoff_plan: Plan, browser_name: str, playwright: Playwright
) -> dict[str, Any]:
    """pytest-playwright's launch options, plus the executable this machine has."""
    options: dict[str, Any] = {}
    if pytestconfig.getoption("--headed") or signoff_plan.browsers.headed:
        options["headless"] = False
    if pytestconfig.getoption("--slowmo"):
        options["slow_mo"] = pytestconfig.getoption("--slowmo")
    channel = pytestconfig.getoption("--browser-channel")
    if channel:
        options["channel"] = channel
        return options
    if signoff_plan.browsers.connect:
        # The browser server launches the browser on its machine: only a path the plan names for
        # that machine goes with the options (the server must allow it: run-server --unsafe).
        explicit = signoff_plan.browsers.executable
        if explicit:
            options.update(browsers.launch_args(browser_name, explicit))
        # pytest-playwright sends these to the server as they are: in the server's own names.
        return browsers.server_launch_options(options)
    own = getattr(playwright, browser_name).executable_path
    try:
        choice = browsers.resolve(
            browser_name, signoff_plan.browsers.executable, own_executable=own if Path(own).exists() else None
        )
    except SignoffError as error:
        pytest.exit(f"signoff: {error}", returncode=3)
    options.update(choice.launch_args)
    return options


@pytest.fixture(scope="session")
def connect_options(signoff_plan: Plan) -> dict[str, Any] | None:
    """pytest-playwright connects to the plan's browser server instead of launching a browser."""
    if not signoff_plan.browsers.connect:
        return None
    return {"endpoint": signoff_plan.browsers.connect, "timeout": 30_000}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], crm_target_session: TargetSession) -> dict[str, Any]:
    # English UI and UTC whatever the machine says, so that the CRM's words and dates are stable.
    return {
        **browser_context_args,
        "base_url": crm_target_session.target.base_url,
        "locale": "en-GB",
        "timezone_id": "UTC",
    }


class SignedInState:
    """The administrator's saved sign-in (cookies), made once per CRM state and reused."""

    def __init__(self, browser: Browser, session: TargetSession, folder: Path, context_args: dict[str, Any]) -> None:
        self.browser = browser
        self.session = session
        self.folder = folder
        self.context_args = context_args
        self._generation = -1
        self._path: Path | None = None

    def path(self) -> Path:
        if self._path is None or self._generation != self.session.generation:
            self._path = self._sign_in()
            self._generation = self.session.generation
        return self._path

    def _sign_in(self) -> Path:
        target = self.session.target
        context = self.browser.new_context(**self.context_args)
        try:
            crm = make_crm(target, context.new_page())
            crm.session.sign_in(target.admin)
            if not crm.session.is_signed_in():
                pytest.exit(
                    f"signoff: wrong credentials: user '{target.admin.username}' cannot sign in to {target.base_url}",
                    returncode=3,
                )
            path = self.folder / f"signed-in-{worker_label()}-{self.session.generation}.json"
            context.storage_state(path=str(path))
            return path
        finally:
            context.close()


@pytest.fixture(scope="session")
def signed_in_state(
    browser: Browser,
    crm_target_session: TargetSession,
    browser_context_args: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> SignedInState:
    # Every browser of the run: with several, the session fixtures run once for each.
    seen = pytestconfig.stash.get(BROWSER_KEY, "")
    here = f"{browser.browser_type.name} {browser.version}"
    if here not in seen.split(", "):
        pytestconfig.stash[BROWSER_KEY] = f"{seen}, {here}" if seen else here
    return SignedInState(browser, crm_target_session, tmp_path_factory.mktemp("signin"), browser_context_args)


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext], request: pytest.FixtureRequest
) -> Callable[..., BrowserContext]:
    """pytest-playwright's context factory; the CRM's server errors in its contexts are noted for the steps."""

    def make(**options: Any) -> BrowserContext:
        context = new_context(**options)
        watch_server_errors(context, lambda: request.node)
        return context

    return make


def watch_server_errors(context: BrowserContext, node: Callable[[], pytest.Item | None]) -> None:
    """Note on the scenario ``node()`` names every HTTP 5xx answer to a page, frame or XHR request in ``context``."""

    def on_response(response: Response) -> None:
        # Only note it: reading the body here, inside Playwright's event dispatch, could stall it.
        item = node()
        if item is not None and response.status >= 500 and response.request.resource_type in _CRM_REQUESTS:
            item.stash.setdefault(SERVER_ERRORS_KEY, []).append(response)

    context.on("response", on_response)


class FeatureContexts:
    """The browser context of the feature file running now, shared by its scenarios (``[run] context``).

    A new context starts with a cold HTTP cache: every scenario fetched the CRM's scripts, styles and
    fonts again (on Creme, about ten files through the CRM's own server before the first screen
    shows). The scenarios of a feature file already share the CRM's data (the reset is per feature
    file), so they share the context too; what a scenario may not inherit is put back instead: it
    starts on a new page, with the pages the last one left closed and exactly the saved sign-in's
    cookies (a scenario that signed in as someone else leaves no trace).
    """

    def __init__(self, browser: Browser, context_args: dict[str, Any]) -> None:
        self.browser = browser
        self.context_args = context_args
        self.scenario: pytest.Item | None = None
        self._key: tuple[str, str] | None = None
        self._context: BrowserContext | None = None
        self._cookies: list[Any] = []

    def for_scenario(self, item: pytest.Item, feature_file: str, state: Path) -> BrowserContext:
        key = (feature_file, str(state))
        if self._context is None or self._key != key:
            self.close()
            self._context = self.browser.new_context(**self.context_args, storage_state=str(state))
            watch_server_errors(self._context, lambda: self.scenario)
            self._key = key
            # Read once per context: every later scenario of the feature gets these back.
            self._cookies = json.loads(state.read_text(encoding="utf-8")).get("cookies", [])
        else:
            for page in self._context.pages:
                page.close()
            self._context.clear_cookies()
            self._context.add_cookies(self._cookies)
        self.scenario = item
        return self._context

    def close(self) -> None:
        if self._context is not None:
            context, self._context, self._key = self._context, None, None
            try:
                context.close()
            except Exception:  # a browser that is gone has closed its contexts already
                pass


@pytest.fixture(scope="session")
def feature_contexts(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[FeatureContexts]:
    contexts = FeatureContexts(browser, browser_context_args)
    yield contexts
    contexts.close()


def _context_per_feature(config: pytest.Config) -> bool:
    """Share contexts unless the plan says otherwise or pytest-playwright records per context
    (its traces, videos and screenshots are made for the contexts its own factory creates)."""
    recording = any(
        str(config.getoption(option, "off") or "off") != "off" for option in ("--tracing", "--video", "--screenshot")
    )
    return config.stash[PLAN_KEY].run.context == "feature" and not recording


@pytest.fixture
def context(
    new_context: Callable[..., BrowserContext],
    crm_target: Target,
    signed_in_state: SignedInState,
    request: pytest.FixtureRequest,
) -> Iterator[BrowserContext]:
    """The scenario's browser context, signed in as the administrator: the feature file's shared one
    (see :class:`FeatureContexts`), or a new one per scenario."""
    state = signed_in_state.path()
    if not _context_per_feature(request.config):
        yield new_context(storage_state=str(state))
        return
    contexts: FeatureContexts = request.getfixturevalue("feature_contexts")
    yield contexts.for_scenario(request.node, str(request.node.path), state)
    contexts.scenario = None


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A new page of the scenario's context, closed when the scenario ends (the context may live on)."""
    page = context.new_page()
    yield page
    if not page.is_closed():
        page.close()


def make_crm(target: Target, page: Page) -> CRM:
    """The CRM-neutral adapter for ``target``, built from its page objects under ``pages/``."""
    package = importlib.import_module(f"pages.{target.kind}")
    adapter: CRM = package.create_crm(page, target)
    return adapter


@pytest.fixture
def crm(crm_target: Target, page: Page, request: pytest.FixtureRequest) -> CRM:
    """What steps talk to: customers, sales, campaigns, ... of the CRM under test."""
    request.node.stash[PAGE_KEY] = page
    crm = make_crm(crm_target, page)
    crm.arrange(request.node.stash.get(ARRANGING_KEY, False))
    request.node.stash[CRM_KEY] = crm
    return crm


@pytest.fixture
def scenario_context() -> dict[str, Any]:
    """Values one step leaves for the next ones in the same scenario."""
    return {}


# --------------------------------------------------------------------------- Allure


def _area(feature: Feature) -> str:
    parts = Path(feature.filename).parts
    if "features" in parts:
        index = len(parts) - 1 - parts[::-1].index("features")
        if index + 2 < len(parts):
            folder = parts[index + 1]
            return AREAS.get(folder, folder.replace("_", " ").capitalize())
    return AREAS["functional"]


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Feature, scenario: Scenario) -> None:
    # allure-python-commons has no type hints: one reasoned ignore per call of its API.
    allure.dynamic.epic(_area(feature))  # type: ignore[no-untyped-call]
    allure.dynamic.feature(feature.name)  # type: ignore[no-untyped-call]
    allure.dynamic.story(scenario.name)  # type: ignore[no-untyped-call]
    allure.dynamic.title(scenario.name)  # type: ignore[no-untyped-call]
    if feature.description:
        allure.dynamic.description(feature.description)  # type: ignore[no-untyped-call]
    # A tag kept as an inert mark is still shown: the reader of the report sees what the feature says.
    for mark in request.node.iter_markers(TAG_MARK):
        allure.dynamic.tag(*(str(arg) for arg in mark.args))  # type: ignore[no-untyped-call]
    # The id the coverage report and the run archive know the scenario by: flaky marking looks it up.
    allure.dynamic.label(SCENARIO_ID_LABEL, request.node.nodeid)  # type: ignore[no-untyped-call]
    browser = browser_of(request.node)
    if browser:
        # allure-pytest adds the parameter browser_name (the same test case, one result per
        # browser: testCaseId from the name, historyId with the parameters); the label filters.
        allure.dynamic.label(BROWSER_LABEL, browser)  # type: ignore[no-untyped-call]
    request.node.stash[STEP_KEY] = []


def browser_of(item: pytest.Item) -> str:
    """The browser a scenario's test runs in (pytest-playwright's parameter); empty when none."""
    callspec = getattr(item, "callspec", None)
    return str(callspec.params.get("browser_name", "")) if callspec is not None else ""


def pytest_bdd_before_step(request: pytest.FixtureRequest, step: Step, **_: Any) -> None:
    recorder = allure.step(f"{step.keyword} {step.name}")
    recorder.__enter__()  # type: ignore[no-untyped-call]  # allure-python-commons is untyped
    request.node.stash.setdefault(STEP_KEY, []).append(recorder)
    # Only a server error during this step explains its failure.
    request.node.stash.get(SERVER_ERRORS_KEY, []).clear()
    # A Given (or an And after one) sets up a precondition: the CRM may take its fast path.
    # pytest-bdd gives the step its type from the keyword the feature wrote, And/But resolved.
    arranging = step.type == "given" and request.config.stash[PLAN_KEY].run.arrange == "fast"
    request.node.stash[ARRANGING_KEY] = arranging
    crm = request.node.stash.get(CRM_KEY, None)
    if crm is not None:
        crm.arrange(arranging)


def pytest_bdd_after_step(request: pytest.FixtureRequest, step: Step, **_: Any) -> None:
    if _screenshots(request.config) == "every-step":
        _attach_screenshot(request, f"after: {step.name}")
    _close_step(request, None)


@pytest.hookimpl(trylast=True)
def pytest_bdd_step_error(
    request: pytest.FixtureRequest,
    feature: Feature,
    scenario: Scenario,
    step: Step,
    exception: BaseException,
    **_: Any,
) -> None:
    # trylast: raising a reading of the failure ends this hook call; every other plugin has had its turn.
    png = _attach_screenshot(request, f"failed: {step.name}")
    _note_sign_in_page(request, exception)
    reading = _read_failure(request, step, exception)
    _note_failed_step(request, feature, scenario, step, reading or exception, png)
    _close_step(request, reading or exception)
    if reading is not None:
        raise reading from exception


def _read_failure(request: pytest.FixtureRequest, step: Step, exception: BaseException) -> Exception | None:
    """The exception that says what a failed step means, when the step's own one would mislead Allure.

    A server error of the CRM during the step is the CRM's defect, whatever the step then raised (most
    often a Playwright timeout: the expected page never rendered). A Playwright assertion (a page
    object's ``expect``) that ran out is a check the kit could not make, not a failed expectation.
    """
    server_errors = request.node.stash.get(SERVER_ERRORS_KEY, [])
    if server_errors and not isinstance(exception, CRMServerError):
        return _server_error(server_errors[0])
    if isinstance(exception, AssertionError) and failure_kind(exception) == COULD_NOT_CHECK:
        return CouldNotCheck(f'could not check: the kit could not perform "{step.keyword} {step.name}": {exception}')
    return None


def _note_sign_in_page(request: pytest.FixtureRequest, exception: BaseException) -> None:
    """Say so when a step failed on the CRM's sign-in page.

    Scenarios trust the saved sign-in instead of checking it with a page visit each: when the CRM
    has dropped it, the first page a step opens is the sign-in page, and this note is what tells
    that apart from the expected screen simply not showing.
    """
    if "crm" not in request.fixturenames:
        return
    try:
        crm: CRM = request.getfixturevalue("crm")
        page = request.node.stash.get(PAGE_KEY, None)
        if page is None or page.is_closed() or not crm.session.is_on_sign_in_page():
            return
        url = page.url
    except Exception:  # reading the screen must not hide the step's own failure
        return
    exception.add_note(
        f"the CRM showed its sign-in page ({url}): the saved sign-in did not hold, or the scenario signed out"
    )


def _server_error(response: Response) -> CRMServerError:
    url = urlsplit(response.url)
    where = url.path + (f"?{url.query}" if url.query else "")
    try:
        excerpt = response.text()[:_EXCERPT_CHARS]
    except Exception:  # the page may be gone: the status and URL are evidence enough
        excerpt = ""
    error = CRMServerError(response.request.method, where or "/", response.status, excerpt)
    evidence = f"{response.request.method} {response.url}\nHTTP {response.status} {response.status_text}\n\n{excerpt}"
    allure.attach(
        evidence, name=f"CRM server error: HTTP {response.status}", attachment_type=allure.attachment_type.TEXT
    )
    return error


def _close_step(request: pytest.FixtureRequest, exception: BaseException | None) -> None:
    stack = request.node.stash.get(STEP_KEY, [])
    if stack:
        recorder = stack.pop()
        if exception is None:
            recorder.__exit__(None, None, None)
        else:
            recorder.__exit__(type(exception), exception, exception.__traceback__)


def _screenshots(config: pytest.Config) -> str:
    return str(config.getoption("--signoff-screenshots") or config.stash[PLAN_KEY].browsers.screenshots)


def _attach_screenshot(request: pytest.FixtureRequest, name: str) -> bytes | None:
    page = request.node.stash.get(PAGE_KEY, None)
    if page is None or page.is_closed():
        return None
    try:
        png = page.screenshot(full_page=True, timeout=10_000)
    except Exception:  # a crashed page must not hide the step's own failure
        return None
    allure.attach(png, name=name, attachment_type=allure.attachment_type.PNG)
    return bytes(png)


def _note_failed_step(
    request: pytest.FixtureRequest,
    feature: Feature,
    scenario: Scenario,
    step: Step,
    error: BaseException,
    png: bytes | None,
) -> None:
    """Keep the failed step in the analyst's words for the report pytest prints (:mod:`signoff.failures`)."""
    screenshot = None
    if png is not None:
        plan = request.config.stash[PLAN_KEY]
        folder = plan.resolve(plan.run.report_dir) / "screenshots"
        try:
            screenshot = failures.save_screenshot(folder, request.node.nodeid, png)
        except OSError:  # the report folder cannot be written: Allure still has the screenshot
            screenshot = None
    table = tuple(tuple(str(cell) for cell in row) for row in step.datatable.raw()) if step.datatable else ()
    failures.note(
        request.node,
        failures.FailedStep(
            feature=feature.name,
            path=feature.rel_filename,
            language=feature.language,
            scenario=scenario.name,
            keyword=step.keyword,
            step=step.name,
            line=step.line_number,
            table=table,
            message=failures.business_message(error),
            screenshot=screenshot,
        ),
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    failures.rewrite(item, report)
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the run's environment (CRM, version, browser, URL) for Allure, non-ASCII intact."""
    config = session.config
    results = config.getoption("--alluredir", default=None)
    target_session = config.stash.get(SESSION_KEY, None)
    if not results or target_session is None:
        return
    facts = dict(target_session.facts)
    if BROWSER_KEY in config.stash:
        facts["Browser"] = config.stash[BROWSER_KEY]
    facts["Isolation"] = target_session.plan.run.isolation
    from signoff.allure_env import write_environment

    write_environment(Path(results), facts)
