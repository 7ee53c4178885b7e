"""The UX gate in real pytest-bdd runs (pytester projects with trivial steps): nothing recorded is no pass.

Runs are subprocesses, as for the coverage plugin: in-process, the inner run's pytest-playwright
would share state with the outer run.

The UX gate alone decides the exit status: a planted UX defect fails a run that is otherwise green.
Those tests run a small acceptance project with Signoff's whole plugin stack - the core plugin,
function-point coverage and the UX plugin - against a "remote" target: a fixture site served by the
test on 127.0.0.1 and driven by a tiny page-object package of the project's own
(``pages/gatefixture``), in a full acceptance run (every feature of the plan). The coverage gate
cannot be what fails the run: the catalogue holds the one function point the scenario covers, the
scenario passes in every variant, and each test checks the coverage verdict passed. The twins differ
in one page of the site:

* clean: the form's field is labelled and the record page names the contact saved -> exit 0;
* an unlabelled input on the form (axe ``label``, critical) -> exit 1, verdict FAIL;
* a silent redirect after the save to a record page that does not name the record -> exit 1.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

PLUGINS = ("-p", "signoff.pytest_plugin", "-p", "signoff.ux.pytest_plugin", "-p", "no:cacheprovider")

PLAN = """\
[run]
features = ["features"]

[ux]
output_dir = "ux-out"
"""

CONFTEST = """
from pytest_bdd import given


@given("it works")
def works() -> None:
    pass
"""

TESTS = """
from pytest_bdd import scenarios

scenarios("features")
"""

FEATURE = """\
Feature: Nothing on screen
  Scenario: A check that shows no page
    Given it works
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A feature run whose only scenario shows no page and does no task: the UX audit sees nothing."""
    (pytester.path / "acceptance.toml").write_text(PLAN, encoding="utf-8")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_features=TESTS)
    (pytester.mkdir("features") / "a.feature").write_text(FEATURE, encoding="utf-8")
    return pytester


def scorecard(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "ux-out" / "ux-scorecard.json").read_text(encoding="utf-8"))
    return data


def test_a_full_run_that_recorded_nothing_fails_the_gate(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(*PLUGINS, "features", "test_features.py")
    result.assert_outcomes(passed=2)  # the feature file and its scenario
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*ux gate: the UX verdict failed, exit status 1*"])
    data = scorecard(project)
    assert data["verdict"]["passed"] is False
    assert data["verdict"]["reasons"] == [
        "nothing was audited: no page and no task was recorded, so there is nothing to pass"
    ]
    assert data["overall_score"] is None and data["accessibility_score"] is None


def test_a_subset_that_recorded_nothing_keeps_the_last_scorecard_and_says_so(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(*PLUGINS, "features", "test_features.py", "-k", "check")
    result.assert_outcomes(passed=2)  # the feature file and its scenario
    assert result.ret == pytest.ExitCode.OK
    assert not (project.path / "ux-out").exists()
    result.stdout.fnmatch_lines(["*nothing was recorded*the scorecard was not rewritten*"])


# ---------------------------------------------------------------------------------------------
# A planted defect against a fixture site: the UX gate alone decides the exit status
# ---------------------------------------------------------------------------------------------

PAGES = Path(__file__).parent / "pages"

SITE_CONFTEST = """
from signoff.vocabulary import given, then, when

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin", "signoff.ux.pytest_plugin"]


@given("I am on the new contact form")
def on_form(crm) -> None:
    crm.open("/contacts/add")


@when('I save a contact named "{name}"')
def save_contact(crm, name: str) -> None:
    crm.save_contact(name)


@then("I see the contact's page")
def on_record(crm) -> None:
    assert crm.page.url.endswith("/contacts/7"), crm.page.url
"""

SITE_ADAPTER = '''
"""Page objects of the UX gate's fixture site: open a page, save a contact. Nobody signs in."""

import re


class Session:
    def sign_in(self, credentials) -> None:
        pass

    def is_signed_in(self) -> bool:
        return True


class FixtureSite:
    def __init__(self, page, target) -> None:
        self.page = page
        self.session = Session()

    def arrange(self, fast: bool) -> None:
        pass  # no fast path: everything goes through the site's screens

    def open(self, path: str) -> None:
        self.page.goto(path)

    def save_contact(self, name: str) -> None:
        # By id: the planted defect is that the field has no label to find it by.
        self.page.locator("#name").fill(name)
        self.page.get_by_role("button", name="Save").click()
        self.page.wait_for_url(re.compile(r"/contacts/7$"))


def create_crm(page, target):
    return FixtureSite(page, target)
'''

SITE_FEATURE = """\
@FP-UXG-001
Feature: Contacts
  Scenario: Save a contact
    Given I am on the new contact form
    When I save a contact named "Wang Wei"
    Then I see the contact's page
"""

SITE_CATALOGUE = """\
id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-UXG-001,Customers,客户信息,Add a contact,新增联系人,high,,
"""


class _Site(http.server.BaseHTTPRequestHandler):
    """The fixture site: ``/contacts/add`` (the form), its POST answered 303 to ``/contacts/7``."""

    #: path -> fixture page, set per test by :func:`site`.
    routes: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(200, b"<!DOCTYPE html><html lang='en'><title>Home</title><main><h1>Home</h1></main></html>")
            return
        name = self.routes.get(path)
        if name is None:
            self._send(404, b"")
            return
        self._send(200, (PAGES / name).read_bytes())

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?", 1)[0] != "/contacts/add":
            self._send(404, b"")
            return
        self.send_response(303)
        self.send_header("Location", "/contacts/7")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


Serve = Callable[[str, str], str]


@pytest.fixture
def site() -> Iterator[Serve]:
    """``site(form_page, record_page)`` serves the fixture site on 127.0.0.1; returns its URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(form: str, record: str) -> str:
        handler = type("Site", (_Site,), {"routes": {"/contacts/add": form, "/contacts/7": record}})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, name="ux-gate-site", daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def run_acceptance(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, url: str) -> pytest.RunResult:
    """A full acceptance run of the project against ``url``."""
    pytester.makeconftest(SITE_CONFTEST)
    adapter = pytester.mkpydir("pages") / "gatefixture"
    adapter.mkdir()
    (adapter / "__init__.py").write_text(SITE_ADAPTER, encoding="utf-8")
    (pytester.mkdir("features") / "contacts.feature").write_text(SITE_FEATURE, encoding="utf-8")
    (pytester.path / "cat.csv").write_text(SITE_CATALOGUE, encoding="utf-8")
    (pytester.path / "acceptance.toml").write_text(
        f'[target]\nkind = "remote"\nurl = "{url}"\npages = "gatefixture"\n'
        '[run]\nfeatures = ["features"]\nisolation = "none"\nreport_dir = "reports"\n'
        '[coverage]\ncatalogue = "cat.csv"\n'
        '[ux]\noutput_dir = "reports/ux"\n',
        encoding="utf-8",
    )
    # The remote target wants credentials before it runs anything; the fixture site ignores them.
    monkeypatch.setenv("SIGNOFF_USERNAME", "admin")
    monkeypatch.setenv("SIGNOFF_PASSWORD", "not-a-secret")
    return pytester.runpytest_subprocess("features", "--plan", "acceptance.toml", "-p", "no:cacheprovider")


def read_json(pytester: pytest.Pytester, relative: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / relative).read_text(encoding="utf-8"))
    return data


def verdicts(pytester: pytest.Pytester, result: pytest.RunResult) -> tuple[dict[str, Any], dict[str, Any]]:
    """The UX and the coverage verdicts of the run; the scenario itself passed."""
    output = result.stdout.str()[-6000:] + result.stderr.str()[-3000:]
    result.assert_outcomes(passed=1)
    card = read_json(pytester, "reports/ux/ux-scorecard.json")
    coverage = read_json(pytester, "reports/coverage/coverage.json")
    assert coverage["verdict"]["passed"], f"the coverage gate must not decide this run: {coverage['verdict']}\n{output}"
    return card["verdict"], card


@pytest.mark.browser
@pytest.mark.slow
def test_the_clean_site_passes_the_ux_gate(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, site: Serve
) -> None:
    result = run_acceptance(pytester, monkeypatch, site("gate_form_labelled.html", "gate_record_named.html"))
    verdict, card = verdicts(pytester, result)
    assert verdict["passed"], verdict["reasons"]
    assert sorted(page["kind"] for page in card["pages"]) == ["/contacts/add", "/contacts/{id}"]
    [task] = card["tasks"]
    save = next(check for check in task["checks"] if check["check"] == "save-feedback")
    assert save["passed"] and "record-named" in save["detail"], save
    result.stdout.fnmatch_lines(["*UX verdict: PASS*"])
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-4000:]


@pytest.mark.browser
@pytest.mark.slow
def test_an_unlabelled_input_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, site: Serve
) -> None:
    result = run_acceptance(pytester, monkeypatch, site("gate_form_unlabelled.html", "gate_record_named.html"))
    verdict, _card = verdicts(pytester, result)
    assert not verdict["passed"]
    assert any("label on /contacts/add" in reason for reason in verdict["reasons"]), verdict["reasons"]
    result.stdout.fnmatch_lines(["*UX verdict: FAIL*", "*ux gate: the UX verdict failed, exit status 1*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.browser
@pytest.mark.slow
def test_a_silent_redirect_after_saving_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, site: Serve
) -> None:
    result = run_acceptance(pytester, monkeypatch, site("gate_form_labelled.html", "gate_record_silent.html"))
    verdict, _card = verdicts(pytester, result)
    assert not verdict["passed"]
    # The record page was reached (a detail route): before, that alone passed the check.
    silent = [r for r in verdict["reasons"] if "save-feedback" in r]
    assert len(silent) == 1, verdict["reasons"]
    assert silent[0].startswith("task 'Save a contact': save-feedback: no confirmation and no new state"), silent
    assert result.ret == pytest.ExitCode.TESTS_FAILED
