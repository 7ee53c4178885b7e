"""Allure categories of a recorded results folder: environment and flaky next to CRM defects and could not check.

The archived runs under ``recorded/history`` (2.8.6, then 2.8.7) give each scenario's recent
outcomes; a results folder of "this run" is written here, result by result, as allure-pytest writes
them. A scenario that passed and failed across its retries or the recent runs gets
``statusDetails.flaky``; one that always passed or always failed does not.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from signoff.allure_env import (
    COULD_NOT_CHECK,
    CRM_DEFECTS,
    ENVIRONMENT,
    FLAKY,
    SCENARIO_ID_LABEL,
    UNDEFINED_STEPS,
    categories,
    matching_categories,
)
from signoff.report.flaky import mark_flaky, mark_from_history, summary_line
from signoff.report.history import list_runs
from tests.unit.report.conftest import RECORDED, RUN_A, RUN_B
from tests.unit.test_report import installed_allure  # noqa: F401  (a session fixture, used by name)

HISTORY = RECORDED / "history"
ORGS = "features/functional/organisations.feature::"
SALES = "features/functional/sales.feature::"


def result(
    folder: Path,
    name: str,
    status: str,
    *,
    scenario_id: str = "",
    message: str | None = None,
    history_id: str | None = None,
    start: int = 1,
) -> Path:
    """One Allure result as allure-pytest writes it (labels, historyId, statusDetails)."""
    folder.mkdir(parents=True, exist_ok=True)
    labels = [{"name": "feature", "value": "Customers"}, {"name": "browser", "value": "chromium"}]
    if scenario_id:
        labels.append({"name": SCENARIO_ID_LABEL, "value": scenario_id})
    data: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "historyId": history_id or (scenario_id or name),
        "name": name,
        "status": status,
        "labels": labels,
        "start": start,
        "stop": start + 1,
    }
    if message is not None:
        data["statusDetails"] = {"message": message, "trace": "..."}
    path = folder / f"{data['uuid']}-result.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def flaky_of(path: Path) -> bool:
    return bool(json.loads(path.read_text(encoding="utf-8")).get("statusDetails", {}).get("flaky", False))


def test_recent_runs_and_retries_make_a_scenario_flaky_and_steady_ones_stay(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    # Passed in 2.8.6, failed in 2.8.7, passes now: flaky.
    organisation = result(results, "Add an organisation", "passed", scenario_id=ORGS + "Add an organisation[chromium]")
    # Failed in both runs and now: a steady failure, a CRM defect and nothing else.
    won = result(
        results,
        "Win an opportunity created as won",
        "failed",
        scenario_id=SALES + "Win an opportunity created as won[chromium]",
        message="AssertionError: the target is not a customer",
    )
    # Passed in the one run that had it, passes now: steady.
    contact = result(
        results, "Add a contact", "passed", scenario_id="features/functional/contacts.feature::Add a contact[chromium]"
    )
    # Never archived, retried in this run: failed, then passed (one historyId, two results).
    first_try = result(results, "Import contacts", "broken", history_id="h-import", message="TimeoutError", start=1)
    second_try = result(results, "Import contacts", "passed", history_id="h-import", start=5)

    flaky = mark_flaky(results, list_runs(HISTORY))

    assert flaky == ["Customers / Add an organisation [chromium]", "Customers / Import contacts [chromium]"]
    assert [flaky_of(p) for p in (organisation, won, contact, first_try, second_try)] == [
        True,
        False,
        False,
        True,
        True,
    ]
    assert matching_categories("passed", None, flaky=True) == [FLAKY]
    assert matching_categories("failed", "AssertionError: the target is not a customer") == [CRM_DEFECTS]
    assert matching_categories("broken", "TimeoutError", flaky=True) == [COULD_NOT_CHECK, FLAKY]
    # Marking again changes nothing (a rebuilt report reads the same results).
    before = {p.name: p.read_bytes() for p in results.iterdir()}
    assert mark_flaky(results, list_runs(HISTORY)) == flaky
    assert {p.name: p.read_bytes() for p in results.iterdir()} == before
    assert summary_line(flaky).startswith("flaky scenarios (passed and failed across retries or recent runs): 2: ")


def test_only_the_recent_window_counts(tmp_path: Path) -> None:
    history = tmp_path / "history"
    for run in (RUN_A, RUN_B):
        (history / run).mkdir(parents=True)
        (history / run / "scenarios.json").write_bytes((HISTORY / run / "scenarios.json").read_bytes())
    results = tmp_path / "allure-results"
    # Failed in 2.8.6 (outside a window of one run), passed in 2.8.7, passes now.
    editing = result(
        results,
        "Win an opportunity by editing it",
        "passed",
        scenario_id=SALES + "Win an opportunity by editing it[chromium]",
    )
    assert mark_from_history(results, history, window=1) == []
    assert not flaky_of(editing)
    assert mark_from_history(results, history, window=0) == []
    assert mark_from_history(results, history, window=2) == ["Customers / Win an opportunity by editing it [chromium]"]
    assert flaky_of(editing)


ENVIRONMENT_MESSAGES = [
    # What the kit's own errors say (signoff.errors) as allure-pytest writes a fixture's error.
    "signoff.errors.TargetError: the CRM at http://127.0.0.1:8123 does not answer (Connection refused)",
    "signoff.errors.TargetError: Creme instance 'gw0': the job manager exited; last lines of x.log:\nboom",
    "signoff.errors.BrowserError: no firefox browser found: run 'python -m playwright install firefox'",
    # Playwright: the CRM or the network did not answer a navigation, a request or a browser server.
    "playwright._impl._errors.Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:8123/",
    "playwright._impl._errors.Error: Page.goto: NS_ERROR_CONNECTION_REFUSED\nCall log:\n  - navigating to ...",
    'playwright._impl._errors.TimeoutError: Page.goto: Timeout 30000ms exceeded.\nCall log:\n  - navigating to "http://127.0.0.1:8123/"',
    "playwright._impl._errors.Error: APIRequestContext.post: connect ECONNREFUSED 127.0.0.1:8123",
    "playwright._impl._errors.Error: BrowserType.connect: WebSocket error: connect ECONNREFUSED 127.0.0.1:3000",
    "playwright._impl._errors.Error: BrowserType.launch: Executable doesn't exist at /nope/chrome",
    "playwright._impl._errors.TargetClosedError: Target page, context or browser has been closed",
    "ConnectionRefusedError: [Errno 111] Connection refused",
]


@pytest.mark.parametrize("flaky", [False, True], ids=["steady", "flaky"])
@pytest.mark.parametrize("message", ENVIRONMENT_MESSAGES)
def test_the_crm_browser_or_network_not_answering_is_environment(message: str, flaky: bool) -> None:
    expected = [ENVIRONMENT, FLAKY] if flaky else [ENVIRONMENT]
    assert matching_categories("broken", message, flaky=flaky) == expected


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        # A page object's locator that waited in vain is the kit's, even when it "timed out".
        ("broken", "playwright._impl._errors.TimeoutError: Locator.click: Timeout 30000ms exceeded.", COULD_NOT_CHECK),
        # A navigation the page replaced by another one is not the network's fault.
        (
            "broken",
            "playwright._impl._errors.Error: Page.goto: net::ERR_ABORTED at http://127.0.0.1:1/x",
            COULD_NOT_CHECK,
        ),
        # A server error is the CRM's defect, not the environment's.
        ("failed", "signoff.coverage.outcomes.CRMServerError: the CRM answered HTTP 502 on GET /", CRM_DEFECTS),
        ("broken", 'features/a.feature:3: undefined step "When the CRM at x does not answer"', UNDEFINED_STEPS),
    ],
)
def test_what_is_not_the_environment_stays_where_it_was(status: str, message: str, expected: str) -> None:
    assert matching_categories(status, message) == [expected]


def test_the_categories_file_has_environment_and_flaky() -> None:
    names = [c["name"] for c in categories()]
    assert {CRM_DEFECTS, COULD_NOT_CHECK, ENVIRONMENT, UNDEFINED_STEPS, FLAKY} == set(names)
    (flaky,) = [c for c in categories() if c["name"] == FLAKY]
    assert flaky["flaky"] is True and "messageRegex" not in flaky and "passed" in flaky["matchedStatuses"]


@pytest.mark.slow
def test_allure_shows_the_flaky_and_environment_groups(
    tmp_path: Path,
    installed_allure: tuple[Path, float, float],  # noqa: F811
) -> None:
    from signoff.report import build_report, report_files

    results = tmp_path / "allure-results"
    result(results, "Add an organisation", "passed", scenario_id=ORGS + "Add an organisation[chromium]")
    result(results, "Open the CRM", "broken", message=ENVIRONMENT_MESSAGES[3])
    result(results, "Win an opportunity created as won", "failed", message="AssertionError: not a customer")
    assert mark_flaky(results, list_runs(HISTORY)) == ["Customers / Add an organisation [chromium]"]

    index = build_report(results, tmp_path / "report", installed_allure[0])  # writes categories.json too

    files = report_files(index.parent)
    groups = {c["name"]: c["statistic"]["total"] for c in json.loads(files["widgets/categories.json"])["items"]}
    assert groups == {FLAKY: 1, ENVIRONMENT: 1, CRM_DEFECTS: 1}
    cases = [json.loads(data) for name, data in files.items() if name.startswith("data/test-cases/")]
    assert {case["name"]: case["flaky"] for case in cases} == {
        "Add an organisation": True,
        "Open the CRM": False,
        "Win an opportunity created as won": False,
    }
