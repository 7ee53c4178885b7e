"""Files that Allure reads beside the test results: environment, categories and executor.

They go into the ``allure-results`` folder before ``allure generate`` runs:

- ``environment.xml``: the facts of the run (CRM, version, browser, plan). Allure 2 reads
  ``environment.properties`` as ISO-8859-1, which garbles Chinese and accented values; its XML reader
  honours the encoding declared in the file, so Signoff writes XML only.
- ``categories.json``: sorts failures for the people who sign off: CRM defects (the product did not
  do what the acceptance expects, or answered with a server error), checks that could not be made
  (the kit could not perform a step: a locator not found, a page object's wait that ran out; says
  nothing about the CRM), environment (the CRM, the browser or the network did not answer: a target
  that could not start or be reached, a browser that could not launch or died, a refused connection,
  a navigation the CRM did not answer in time - also could not check, kept apart because the fix is
  the machine's, not the kit's), undefined steps (a feature file speaks a phrase that no step
  definition knows) and flaky (a scenario that both passed and failed across retries or recent runs:
  :mod:`signoff.report.flaky` sets ``statusDetails.flaky`` on its results; a flaky failure is also in
  its own group). The rule behind CRM defects and could not check is
  :func:`signoff.coverage.outcomes.failure_kind`; Signoff's pytest plugin raises a page object's
  Playwright assertion again as :class:`~signoff.coverage.outcomes.CouldNotCheck` (broken) and a
  step behind a server error as :class:`~signoff.coverage.outcomes.CRMServerError` (failed), so
  that Allure's status agrees with it.
- ``executor.json``: who ran the acceptance and where, shown in the report and its trend links.

How Allure 2 applies categories (``CategoriesPlugin.matches``): a result joins EVERY category whose
statuses, ``flaky`` flag and regular expressions all match, and each expression must match the whole
status message (Java ``Matcher.matches`` with ``DOTALL``). So the categories below exclude one another
explicitly, and :func:`matching_categories` mirrors that logic for tests and summaries.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Final

from signoff.files import write_atomically

ENVIRONMENT_FILE: Final = "environment.xml"
CATEGORIES_FILE: Final = "categories.json"
EXECUTOR_FILE: Final = "executor.json"

CRM_DEFECTS: Final = "CRM defects"
COULD_NOT_CHECK: Final = "Could not check (kit or page object)"
ENVIRONMENT: Final = "Environment (the CRM, browser or network did not answer)"
UNDEFINED_STEPS: Final = "Undefined steps"
FLAKY: Final = "Flaky (passed and failed across retries or recent runs)"
#: The Allure label with a scenario's id (its pytest node id, as coverage and the run archive know it).
SCENARIO_ID_LABEL: Final = "scenario_id"

# pytest-bdd says "Step definition is not found: ..."; Signoff's plugin rewrites that into
# '<file>:<line>: undefined step "..."' (see signoff.lint), and a feature lint may say it too.
_UNDEFINED = r"(?:step definition is not found|undefined step)"
# pytest-timeout ends a hung test with pytest.fail("Timeout (>Ns) from pytest-timeout."), which
# allure-pytest records as *failed*: without this it would be counted as a CRM defect.
_TIMEOUT_FAILURE = r"failed: timeout\b"
# Playwright's expect() raises AssertionError when the screen never shows what a page object waits
# for: a wait of the kit that ran out, not an expectation of the acceptance. Signoff re-raises it as
# CouldNotCheck (broken); this catches one that reached Allure unchanged (raised outside a step).
_PLAYWRIGHT_EXPECT = r"assertionerror: (?:locator|page|apiresponse) expected\b"
# The CRM, the browser or the network did not answer. Taken from what the kit and Playwright say:
# signoff.errors' TargetError (a target that could not be provisioned, started, reached or signed in
# to: "the CRM at ... does not answer") and BrowserError (no browser to launch), as allure-pytest
# writes them ("signoff.errors.TargetError: ..."); Chromium's net::ERR_* (not ERR_ABORTED: a
# navigation the page itself replaced, the kit's doing) and Firefox's NS_ERROR_* network codes;
# refused or reset connections (Node's ECONNREFUSED from a browser server or the fast path's
# APIRequestContext, Python's ConnectionRefusedError); a navigation or HTTP request the CRM did not
# answer in time (Page.goto / APIRequestContext timeouts: a locator's timeout stays "could not
# check"); a browser that could not launch or connect, or died under the step.
_ENVIRONMENT = (
    r"(?:signoff\.errors\.(?:TargetError|BrowserError)\b"
    r"|\bthe CRM at \S+ does not answer\b"
    r"|\bnet::ERR_(?!ABORTED\b)[A-Z_]+"
    r"|\bNS_ERROR_(?:CONNECTION_REFUSED|NET_[A-Z_]+|UNKNOWN_HOST|OFFLINE|PROXY_[A-Z_]+)"
    r"|\bECONNREFUSED\b|\bECONNRESET\b|\bconnection refused\b|\bConnection(?:Refused|Reset)Error\b"
    r"|\b(?:Page|Frame)\.(?:goto|reload|go_back|go_forward): Timeout\b"
    r"|\bAPIRequestContext\.\w+: (?:Timeout\b|Request timed out|connect\b)"
    r"|\bBrowserType\.(?:launch|connect)\w*: "
    r"|\bTarget page, context or browser has been closed\b|\bBrowser has been closed\b|\bTarget crashed\b)"
)

# Inline flags rather than engine options: Java (Allure) and Python (our tests, summaries) then read
# the same expression the same way. (?s) also matches Allure's own DOTALL; (?i) is ASCII-only in Java,
# which is all these phrases need.
UNDEFINED_STEP_REGEX: Final = rf"(?is).*{_UNDEFINED}.*"
ENVIRONMENT_REGEX: Final = rf"(?is)(?!.*{_UNDEFINED}).*{_ENVIRONMENT}.*"
CRM_DEFECT_REGEX: Final = (
    rf"(?is)(?!.*{_UNDEFINED})(?!.*{_ENVIRONMENT})(?!{_TIMEOUT_FAILURE})(?!{_PLAYWRIGHT_EXPECT}).*"
)
BROKEN_REGEX: Final = rf"(?is)(?!.*{_UNDEFINED})(?!.*{_ENVIRONMENT}).*"
TIMEOUT_FAILURE_REGEX: Final = (
    rf"(?is)(?!.*{_UNDEFINED})(?!.*{_ENVIRONMENT})(?:{_TIMEOUT_FAILURE}|{_PLAYWRIGHT_EXPECT}).*"
)

_CATEGORY_RULES: Final[tuple[tuple[str, str, tuple[str, ...], str | None], ...]] = (
    (
        CRM_DEFECTS,
        (
            "An expectation of the acceptance was not met by the CRM, or the CRM answered with a server error "
            "(HTTP 5xx): a product defect to triage with the vendor."
        ),
        ("failed",),
        CRM_DEFECT_REGEX,
    ),
    (
        COULD_NOT_CHECK,
        (
            "The kit could not perform a step (a locator not found, a navigation timeout, the CRM or browser "
            "not reachable): fix the page object or the environment and run again; says nothing about the CRM yet."
        ),
        ("broken",),
        BROKEN_REGEX,
    ),
    (
        COULD_NOT_CHECK,
        "A test that ran out of time (pytest-timeout), or a page object's wait that ran out.",
        ("failed",),
        TIMEOUT_FAILURE_REGEX,
    ),
    (
        ENVIRONMENT,
        (
            "The CRM, the browser or the network did not answer (a target that could not start or be reached, "
            "a browser that could not launch or died, a refused connection, a navigation the CRM did not answer "
            "in time): could not check; fix the machine or the CRM's hosting and run again."
        ),
        ("failed", "broken"),
        ENVIRONMENT_REGEX,
    ),
    (
        UNDEFINED_STEPS,
        "A feature file uses a step that no step definition knows: write or rephrase the step.",
        ("failed", "broken"),
        UNDEFINED_STEP_REGEX,
    ),
)

#: Results Allure marks flaky (``statusDetails.flaky``: see :mod:`signoff.report.flaky`) also go here,
#: whatever their status, so that an unstable scenario is seen even on a run where it passed.
_FLAKY_RULE: Final = (
    FLAKY,
    "The scenario both passed and failed across its retries or the recent runs: its outcome is not to be trusted yet.",
    ("failed", "broken", "passed"),
)

# XML 1.0 forbids most control characters even when escaped; ElementTree would write them as they
# are and Allure's parser would then reject the whole environment file.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def categories() -> list[dict[str, Any]]:
    """The Allure category definitions written by :func:`write_categories`.

    Each rule appears twice, for ``flaky`` false and true, because Allure only lets a result into a
    category whose ``flaky`` flag equals the result's; same name means one group in the report.
    """
    result: list[dict[str, Any]] = []
    for flaky in (False, True):
        for name, description, statuses, regex in _CATEGORY_RULES:
            category: dict[str, Any] = {
                "name": name,
                "description": description,
                "matchedStatuses": list(statuses),
                "flaky": flaky,
            }
            if regex is not None:
                category["messageRegex"] = regex
            result.append(category)
    name, description, statuses = _FLAKY_RULE
    # No message rule: Allure lets a result without a message into a category without one.
    result.append({"name": name, "description": description, "matchedStatuses": list(statuses), "flaky": True})
    return result


def matching_categories(status: str, message: str | None, *, flaky: bool = False) -> list[str]:
    """Names of the categories Allure would put a result in, in the order of :func:`categories`.

    Mirrors Allure 2's matching so tests can prove the categories exclude one another. A failed or
    broken result that matches none ends up in Allure's own "Product defects" / "Test defects".
    """
    names: list[str] = []
    for category in categories():
        if category["flaky"] != flaky or status not in category["matchedStatuses"]:
            continue
        # Allure needs a message to test a regex against; a result without one matches no regex.
        regex = category.get("messageRegex")
        if regex is not None and (message is None or re.fullmatch(regex, message) is None):
            continue
        if category["name"] not in names:
            names.append(category["name"])
    return names


def write_environment(results_dir: Path, facts: dict[str, str]) -> Path:
    """Write ``environment.xml`` with ``facts`` (shown as the report's Environment widget).

    Keys and values may hold any Unicode text; characters that XML 1.0 cannot carry are shown as
    ``\\xNN``. Returns the path of the file. A stale ``environment.properties`` in the same folder
    is merged in by Allure too: do not write one.
    """
    root = ET.Element("environment")
    for key, value in facts.items():
        parameter = ET.SubElement(root, "parameter")
        ET.SubElement(parameter, "key").text = _xml_text(str(key))
        ET.SubElement(parameter, "value").text = _xml_text(str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return write_atomically(Path(results_dir) / ENVIRONMENT_FILE, body + b"\n")


def write_categories(results_dir: Path) -> Path:
    """Write ``categories.json`` (CRM defects, could not check, environment, undefined steps, flaky)."""
    text = json.dumps(categories(), ensure_ascii=False, indent=2) + "\n"
    return write_atomically(Path(results_dir) / CATEGORIES_FILE, text)


def write_executor(
    results_dir: Path,
    name: str,
    run_url: str | None = None,
    *,
    build_name: str | None = None,
    build_order: int | None = None,
    report_url: str | None = None,
) -> Path:
    """Write ``executor.json``: who ran the acceptance (``name``: a CI, a person, a machine).

    ``run_url`` links the report back to the CI run; ``build_order`` orders the history trend
    (Allure labels trend points with ``build_name``).
    """
    executor: dict[str, Any] = {"name": name, "type": "signoff"}
    if run_url:
        executor["buildUrl"] = run_url
        executor["url"] = run_url
    if build_name:
        executor["buildName"] = build_name
    if build_order is not None:
        executor["buildOrder"] = build_order
    if report_url:
        executor["reportUrl"] = report_url
    text = json.dumps(executor, ensure_ascii=False, indent=2) + "\n"
    return write_atomically(Path(results_dir) / EXECUTOR_FILE, text)


def _xml_text(text: str) -> str:
    return _XML_FORBIDDEN.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
