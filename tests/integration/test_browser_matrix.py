"""``signoff run --browser chromium --browser firefox`` on the real Creme: one run, two browsers.

The sign-in feature runs in Chromium and in Debian's Firefox (WebDriver BiDi); each result says its
browser: the progress line, the Allure label and parameter (one test case, two results), the
coverage browser matrix, the environment, and the UX scorecard's page kinds.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from signoff import browsers
from tests.integration.test_acceptance_run import labels, results, signoff, write_plan

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]


def test_each_scenario_runs_in_each_browser_and_every_report_tells_them_apart(tmp_path: Path) -> None:
    if browsers.system_executable("firefox") is None and browsers.playwright_executable("firefox") is None:
        pytest.skip("no Firefox on this machine (./run tests installs firefox-esr)")
    plan = write_plan(tmp_path)
    run = signoff(
        "--plan",
        str(plan),
        "run",
        "--browser",
        "chromium",
        "--browser",
        "firefox",
        "--no-report",
        "features/functional/sign_in.feature",
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    found = results(tmp_path)
    assert Counter(labels(r, "browser")[0] for r in found) == {"chromium": 4, "firefox": 4}
    assert {r["status"] for r in found} == {"passed"}
    by_case: dict[str, set[str]] = {}
    for result in found:
        by_case.setdefault(result["testCaseId"], set()).update(labels(result, "browser"))
    assert list(by_case.values()) == [{"chromium", "firefox"}] * 4
    assert sum("[firefox]" in line for line in run.stdout.splitlines() if line.startswith("[")) == 4

    coverage = json.loads((tmp_path / "reports/coverage/coverage.json").read_text(encoding="utf-8"))
    assert coverage["browsers"] == ["chromium", "firefox"]
    sign_in_points = {
        point["id"]
        for point in coverage["function_points"]
        if any("Sign in" == s["feature"] for s in point["scenarios"])
    }
    assert sign_in_points
    assert all(coverage["browser_matrix"][p] == {"chromium": "passed", "firefox": "passed"} for p in sign_in_points)

    environment = (tmp_path / "results/environment.xml").read_text(encoding="utf-8")
    assert "chromium" in environment and "firefox" in environment

    card = json.loads((tmp_path / "reports/ux/ux-scorecard.json").read_text(encoding="utf-8"))
    kinds = [page["kind"] for page in card["pages"]]
    assert any(kind.endswith("[chromium]") for kind in kinds) and any(kind.endswith("[firefox]") for kind in kinds)
