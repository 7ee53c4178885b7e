"""The UX acceptance riding along a functional run: real features, the real embedded Creme, a real browser.

One small feature runs in a pytest subprocess with the UX plugin, as a user's run would; the test
checks what the user gets: the scorecard files with every page kind the scenarios showed audited
once, each scenario's effort, feedback after the save, and the Allure results of the page audits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
#: This test's own Creme instance, so that it never resets someone else's.
LABEL = "ux-itest"
pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]

FEATURE = """\
Feature: UX riding along
  Background:
    Given I am signed in as the administrator

  Scenario: Add a first organisation
    When I add an organisation "UX Ride Along One"
    Then the organisation "UX Ride Along One" exists

  Scenario: Add a second organisation
    When I add an organisation "UX Ride Along Two"
    Then the organisation "UX Ride Along Two" exists
"""

#: The page kinds those scenarios show: the form, the record (after the save and when checking it
#: exists), the list (the quick search is AJAX on the same list page). The saved sign-in is
#: trusted, so the Background opens no page.
KINDS = {"/persons/organisation/add", "/persons/organisation/{id}", "/persons/organisations"}


def run_feature(folder: Path, features: Path) -> subprocess.CompletedProcess[str]:
    (features / "ride_along.feature").write_text(FEATURE, encoding="utf-8")
    plan = folder / "acceptance.toml"
    home = os.environ.get("SIGNOFF_HOME", str(ROOT / ".signoff"))
    # The plan's features are this one folder, and the run is pointed at all of it: a full
    # acceptance run, the kind whose exit status the UX verdict decides.
    plan.write_text(
        f'[target]\nhome = "{home}"\n[run]\nfeatures = ["{features}"]\nreport_dir = "{folder / "reports"}"\n'
        f'[ux]\noutput_dir = "{folder / "ux"}"\n',
        encoding="utf-8",
    )
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(features),
        "-p",
        "signoff.ux.pytest_plugin",  # harmless when the root conftest loads it too
        "--plan",
        str(plan),
        "-p",
        "no:cacheprovider",
        "--coverage-dir",
        str(folder / "coverage"),
        f"--alluredir={folder / 'results'}",
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "SIGNOFF_CREME_LABEL": LABEL},
        capture_output=True,
        text=True,
        timeout=1500,
    )


@pytest.fixture(scope="module")
def ride_along(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    folder = tmp_path_factory.mktemp("ux-ride-along")
    # Inside the project (its git-ignored cache), so that the root conftest loads the steps and
    # plugins as in a real run; a folder of its own, so that nobody else's features are touched.
    features = ROOT / ".signoff" / f"itest-ux-{uuid.uuid4().hex[:8]}"
    features.mkdir(parents=True)
    try:
        yield folder, run_feature(folder, features)
    finally:
        shutil.rmtree(features, ignore_errors=True)


def test_the_scenarios_pass_and_the_ux_verdict_sets_the_exit_status(
    ride_along: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, run = ride_along
    output = run.stdout[-6000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout, output
    card = json.loads((folder / "ux" / "ux-scorecard.json").read_text(encoding="utf-8"))
    assert "user experience 用户体验" in run.stdout and "UX verdict:" in run.stdout, output
    if not card["verdict"]["passed"]:
        assert "ux gate: the UX verdict failed, exit status 1" in run.stdout, output
        assert run.returncode == 1, output


def test_every_page_kind_shown_is_audited_once(ride_along: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, run = ride_along
    assert (folder / "ux" / "ux-scorecard.html").is_file(), run.stdout[-3000:]
    card = json.loads((folder / "ux" / "ux-scorecard.json").read_text(encoding="utf-8"))
    kinds = [page["kind"] for page in card["pages"]]
    assert sorted(kinds) == sorted(KINDS), run.stdout[-3000:]
    for page in card["pages"]:
        assert page["accessibility_score"] is not None, f"{page['kind']}: axe did not run"
        assert {c["check"] for c in page["checks"]} >= {"no-horizontal-overflow", "touch-target-size"}
    form = next(page for page in card["pages"] if page["kind"] == "/persons/organisation/add")
    assert "keyboard-reach" in {c["check"] for c in form["checks"]}, "the form page's form was not tried by keyboard"
    assert [p["score"] for p in card["pages"]] == sorted(p["score"] for p in card["pages"]), "worst first"


def test_each_scenario_is_a_task_with_its_effort(ride_along: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, run = ride_along
    card = json.loads((folder / "ux" / "ux-scorecard.json").read_text(encoding="utf-8"))
    tasks = {task["name"]: task for task in card["tasks"]}
    assert set(tasks) == {"Add a first organisation", "Add a second organisation"}, run.stdout[-3000:]
    for task in tasks.values():
        # The When step only: type the name, click "Save the organisation" (its submit is the same action).
        assert task["actions"] == 2, task["steps"]
        # The form (where the step starts), the new record.
        assert task["pages_visited"] == 2, task
        assert task["seconds"] > 0
        checks = {c["check"]: c for c in task["checks"]}
        assert checks["save-feedback"]["passed"], checks["save-feedback"]["detail"]


def test_page_audits_are_allure_results_of_the_ux_epic(
    ride_along: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    folder, _run = ride_along
    results = [json.loads(p.read_text(encoding="utf-8")) for p in (folder / "results").glob("*-result.json")]

    def labels(result: dict, name: str) -> list[str]:
        return [label["value"] for label in result["labels"] if label["name"] == name]

    ux = [r for r in results if labels(r, "epic") == ["User experience acceptance"]]
    audits = [r for r in ux if labels(r, "feature") == ["Page audits · 页面审查"]]
    assert sorted(r["name"] for r in audits) == sorted(KINDS)
    for audit in audits:
        names = {a["name"] for a in audit["attachments"]}
        assert {"violations and checks", "audit"} <= names
        if audit["status"] == "failed" and "accessibility violations" in audit.get("statusDetails", {}).get(
            "message", ""
        ):
            assert "annotated screenshot" in names
            png = next(a for a in audit["attachments"] if a["name"] == "annotated screenshot")
            assert (folder / "results" / png["source"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any(r["name"] == "UX scorecard · 用户体验评分卡" for r in ux)
    scenarios = [r for r in results if labels(r, "epic") != ["User experience acceptance"]]
    assert len(scenarios) == 2
    for scenario in scenarios:
        assert any(a["name"].startswith("UX task: ") for a in scenario.get("attachments", []))
