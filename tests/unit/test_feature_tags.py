"""Feature tags are labels: no tag turns a failure green or changes how a scenario runs (pytester projects).

The project runs Signoff's plugin and its coverage plugin with a catalogue at the default place, so
that ``pytest features`` is a full run: the coverage gate is on, as in ``signoff run``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

CONFTEST = """
from pathlib import Path

from pytest_bdd import given

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin"]


@given("it works")
def works() -> None:
    # Proof that the scenario ran (a skipped one would leave no trace).
    with Path("ran.txt").open("a", encoding="utf-8") as trace:
        trace.write("ran\\n")


@given("it is broken")
def broken() -> None:
    assert False, "deliberately broken expectation"
"""

INI = """
[pytest]
addopts = --strict-markers
markers =
    smoke: quick checks
"""

CATALOGUE = """\
id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-A,Customers,客户信息,Add an organisation,新增公司,high,,
FP-B,Customers,客户信息,Add a contact,新增联系人,high,,
"""

PASSING = """\
Feature: Customers
  @FP-A @smoke
  Scenario: Add an organisation
    Given it works
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    pytester.mkdir("catalogue")
    (pytester.path / "catalogue" / "function-points.csv").write_text(CATALOGUE, encoding="utf-8")
    pytester.mkdir("features")
    (pytester.path / "features" / "customers.feature").write_text(PASSING, encoding="utf-8")
    return pytester


def add_feature(pytester: pytest.Pytester, text: str) -> None:
    (pytester.path / "features" / "contacts.feature").write_text(text, encoding="utf-8")


def coverage(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (pytester.path / "reports" / "coverage" / "coverage.json").read_text(encoding="utf-8")
    )
    return data


def statuses(pytester: pytest.Pytester) -> dict[str, str]:
    return {point["id"]: point["status"] for point in coverage(pytester)["function_points"]}


def test_a_failing_scenario_tagged_xfail_runs_and_fails(project: pytest.Pytester) -> None:
    add_feature(project, "Feature: Contacts\n  @FP-B @xfail\n  Scenario: Add a contact\n    Given it is broken\n")
    result = project.runpytest_subprocess("features")
    # Not xfailed: the CRM failed the expectation, whatever the feature says.
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert statuses(project) == {"FP-A": "passed", "FP-B": "failed"}
    assert coverage(project)["verdict"]["passed"] is False


@pytest.mark.parametrize("tag", ["skip", "xfail", "wip"])
def test_a_passing_scenario_tagged_not_ready_runs_and_counts_as_pending(project: pytest.Pytester, tag: str) -> None:
    add_feature(project, f"Feature: Contacts\n  @FP-B @{tag}\n  Scenario: Add a contact\n    Given it works\n")
    result = project.runpytest_subprocess("features")
    result.assert_outcomes(passed=2)
    assert (project.path / "ran.txt").read_text(encoding="utf-8").count("ran") == 2
    assert statuses(project) == {"FP-A": "passed", "FP-B": "pending"}
    # The gate of a full run fails: a pass its author says proves nothing yet is no pass.
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    note = f"1 scenario tagged @{tag} counted as pending"
    result.stdout.fnmatch_lines([f"*{note}*", "*coverage gate: *exit status 1*"])
    assert coverage(project)["notes"] == [note]
    assert note in (project.path / "reports" / "coverage" / "coverage.html").read_text(encoding="utf-8")


def test_tags_named_like_pytest_or_plugin_marks_change_nothing(project: pytest.Pytester) -> None:
    # Each of these, as a real mark, would skip the scenario, error it, or change how it runs.
    tags = "@skipif @usefixtures @filterwarnings @parametrize @only_browser @xdist_group @tryfirst"
    add_feature(project, f"Feature: Contacts\n  @FP-B {tags}\n  Scenario: Add a contact\n    Given it works\n")
    result = project.runpytest_subprocess("features", "-W", "error")
    result.assert_outcomes(passed=2)
    assert statuses(project)["FP-B"] == "pending"  # @skipif: not verified yet, by its author's word


def test_the_projects_own_tags_and_function_points_still_select(project: pytest.Pytester) -> None:
    add_feature(project, "Feature: Contacts\n  @FP-B @regression\n  Scenario: Add a contact\n    Given it works\n")
    project.runpytest_subprocess("features", "-m", "smoke").assert_outcomes(passed=1)
    project.runpytest_subprocess("features", "-m", "regression").assert_outcomes(passed=1)
    project.runpytest_subprocess("features", "-m", "FP-B").assert_outcomes(passed=1)
