"""The UX gate in real pytest-bdd runs (pytester projects with trivial steps): nothing recorded is no pass.

Runs are subprocesses, as for the coverage plugin: in-process, the inner run's pytest-playwright
would share state with the outer run.
"""

from __future__ import annotations

import json
from typing import Any

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
