"""A failed step is read for what it says about the CRM (a pytester project in a real browser).

A tiny HTTP server on 127.0.0.1 stands in for the CRM: ``/boom`` answers HTTP 500 with an error
page, every other path a page with a title. The project's steps use pytest-playwright's ``page``
through Signoff's own browser fixtures (launch arguments, context factory); only the CRM target
is left out, as no CRM runs here.

- the CRM answers 500 and the step then waits in vain: a CRM defect (Allure: failed), with evidence;
- a step waits for an element a 200 page does not have: could not check (Allure: broken);
- a page object's ``expect`` runs out on a 200 page: could not check too, not a CRM defect;
- a step's own assertion: a CRM defect.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from signoff.allure_env import COULD_NOT_CHECK, CRM_DEFECTS, matching_categories

CONFTEST = """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from pytest_bdd import given, parsers, then, when

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin"]


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/boom"):
            status, body = 500, "<h1>Server Error (500)</h1><pre>decimal.InvalidOperation</pre>"
        else:
            status, body = 200, "<h1 id='title'>Opportunity</h1>"
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_context_args():
    return {}  # Signoff's needs a CRM target; none runs here


@pytest.fixture
def context(new_context):
    return new_context()  # Signoff's factory, without the CRM's sign-in


@when(parsers.parse('I open "{path}" and wait for "{selector}"'))
def open_and_wait(page, site, path, selector):
    page.goto(site + path)
    page.locator(selector).wait_for(timeout=1500)


@when(parsers.parse('I open "{path}" and the page object expects "{selector}"'))
def open_and_expect(page, site, path, selector):
    page.goto(site + path)
    expect(page.locator(selector)).to_be_visible(timeout=1500)


@then(parsers.parse('the title of "{path}" is "{text}"'))
def title_is(page, site, path, text):
    page.goto(site + path)
    assert page.locator("#title").inner_text() == text, "the CRM shows another title"
"""

CATALOGUE = """\
id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-A,Sales,销售,Save a huge amount,保存巨额,high,,
FP-B,Sales,销售,Open an opportunity,打开商机,high,,
FP-C,Sales,销售,See an opportunity,查看商机,high,,
FP-D,Sales,销售,Name an opportunity,商机名称,high,,
FP-E,Sales,销售,Title of an opportunity,商机标题,high,,
"""

FEATURE = """\
Feature: Opportunities
  @FP-A
  Scenario: Server error
    When I open "/boom?amount=1e30" and wait for "#title"

  @FP-B
  Scenario: Stale selector
    When I open "/opportunity" and wait for "#renamed"

  @FP-C
  Scenario: Page object expectation
    When I open "/opportunity" and the page object expects "#renamed"

  @FP-D
  Scenario: Wrong title
    Then the title of "/opportunity" is "Lead"

  @FP-E
  Scenario: Right title
    Then the title of "/opportunity" is "Opportunity"
"""


def _allure_results(folder: Path) -> dict[str, dict[str, Any]]:
    results = {}
    for path in folder.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[data["name"]] = data
    return results


def _attachment(folder: Path, result: dict[str, Any], prefix: str) -> str:
    attachments = [a for step in result.get("steps", []) for a in step.get("attachments", [])]
    attachments += result.get("attachments", [])
    (found,) = [a for a in attachments if a["name"].startswith(prefix)]
    return (folder / str(found["source"])).read_text(encoding="utf-8")


def test_each_failed_step_is_read_for_what_it_says_about_the_crm(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.mkdir("catalogue")
    (pytester.path / "catalogue" / "function-points.csv").write_text(CATALOGUE, encoding="utf-8")
    pytester.mkdir("features")
    (pytester.path / "features" / "opportunities.feature").write_text(FEATURE, encoding="utf-8")

    result = pytester.runpytest_subprocess("features", "--alluredir", "allure", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, failed=4)
    allure = _allure_results(pytester.path / "allure")
    outcome = {
        name: (data["status"], data["statusDetails"]["message"])
        for name, data in allure.items()
        if "statusDetails" in data
    }
    # The CRM answered 500 and the page never rendered: the CRM's defect, not a broken test.
    status, message = outcome["Server error"]
    assert status == "failed"
    assert message.startswith(
        "signoff.coverage.outcomes.CRMServerError: the CRM answered HTTP 500 on GET /boom?amount=1e30"
    )
    assert matching_categories(status, message) == [CRM_DEFECTS]
    evidence = _attachment(pytester.path / "allure", allure["Server error"], "CRM server error")
    assert "HTTP 500" in evidence and "/boom?amount=1e30" in evidence and "decimal.InvalidOperation" in evidence
    # The kit could not perform the step: could not check, whether Playwright timed out or its expect ran out.
    for name in ("Stale selector", "Page object expectation"):
        status, message = outcome[name]
        assert status == "broken", (name, message)
        assert matching_categories(status, message) == [COULD_NOT_CHECK], (name, message)
    assert outcome["Page object expectation"][1].startswith("signoff.coverage.outcomes.CouldNotCheck: could not check")
    # A business expectation that failed is a CRM defect.
    status, message = outcome["Wrong title"]
    assert (status, matching_categories(status, message)) == ("failed", [CRM_DEFECTS])

    data = json.loads((pytester.path / "reports" / "coverage" / "coverage.json").read_text(encoding="utf-8"))
    statuses = {point["id"]: point["status"] for point in data["function_points"]}
    assert statuses == {
        "FP-A": "failed",
        "FP-B": "could_not_check",
        "FP-C": "could_not_check",
        "FP-D": "failed",
        "FP-E": "passed",
    }
    assert data["verdict"]["passed"] is False
    assert "2 function points could not be checked: FP-B, FP-C" in data["verdict"]["reasons"]
    result.stdout.fnmatch_lines(
        ["*could not check: 2 scenarios (Opportunities / Page object expectation, Opportunities / Stale selector)*"]
    )
