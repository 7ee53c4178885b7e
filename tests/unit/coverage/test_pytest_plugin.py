"""The coverage plugin in real pytest-bdd runs (pytester projects with trivial steps).

Runs are subprocesses: in-process, the inner run's pytest-playwright shares its soft-assertion
state with the outer run and fails every test.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

PLUGIN = ("-p", "signoff.coverage.pytest_plugin")

CATALOGUE = """\
id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-A,Customers,客户信息,Add an organisation,新增公司,high,,
FP-B,Customers,客户信息,Add a contact,新增联系人,high,,
FP-C,Sales,销售自动化,Convert a lead,将销售线索转换为公司和联系人,medium,creme,
FP-D,Sales,销售自动化,Mark an opportunity as lost,将商机标记为输单,low,,
"""

CONFTEST = """
import pytest
from pytest_bdd import given, parsers


@given("it works")
def works() -> None:
    pass


@given("it is broken")
def broken() -> None:
    assert False, "deliberately broken expectation"


@given("it is not ready")
def not_ready() -> None:
    pytest.skip("not ready")


@given(parsers.parse("row {n:d} works"))
def row_works(n: int) -> None:
    assert n > 0
"""

TESTS = """
from pytest_bdd import scenarios

scenarios("features")


def test_plain_python_test_is_not_a_scenario() -> None:
    pass
"""

PASSING = """\
@FP-A
Feature: Customers
  Scenario: Add an organisation
    Given it works

  @FP-B @smoke
  Scenario: Add a contact
    Given it works

  Scenario Outline: Lose an opportunity <n>
    Given row <n> works

    @FP-D
    Examples:
      | n |
      | 1 |
      | 2 |
"""

CHINESE = """\
# language: zh-CN
@FP-B
功能: 联系人
  场景: 新增联系人
    假如 it works
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytest-bdd project whose scenarios cover FP-A, FP-B and FP-D, all passing; FP-C is not for creme."""
    pytester.path.joinpath("cat.csv").write_bytes(CATALOGUE.encode("utf-8-sig"))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_features=TESTS)
    features = pytester.mkdir("features")
    (features / "customers.feature").write_text(PASSING, encoding="utf-8")
    return pytester


def add_feature(pytester: pytest.Pytester, name: str, text: str) -> None:
    (pytester.path / "features" / name).write_text(text, encoding="utf-8")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*PLUGIN, "--catalogue", "cat.csv", "--coverage-dir", "cov", *args)


def coverage(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "cov" / "coverage.json").read_text(encoding="utf-8"))
    return data


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {point["id"]: point["status"] for point in data["function_points"]}


def numbers(data: dict[str, Any]) -> dict[str, Any]:
    """Everything but the time of writing."""
    return {key: value for key, value in data.items() if key != "generated_at"}


# --------------------------------------------------------------------------- (a) all passing


def test_all_passing_gives_full_coverage_and_exit_0(project: pytest.Pytester) -> None:
    result = run(project, "--crm-kind", "creme", "--coverage-gate")
    result.assert_outcomes(passed=5)
    assert result.ret == pytest.ExitCode.OK
    data = coverage(project)
    assert data["overall"] == {
        "total": 4,
        "applicable": 3,
        "passed": 3,
        "failed": 0,
        "could_not_check": 0,
        "pending": 0,
        "not_applicable": 1,
        "coverage_percent": 100.0,
    }
    assert statuses(data) == {"FP-A": "passed", "FP-B": "passed", "FP-C": "not_applicable", "FP-D": "passed"}
    assert data["verdict"] == {"passed": True, "reasons": []}
    # The feature tag reaches every scenario; the examples tag reaches both rows of the outline only.
    by_id = {point["id"]: point for point in data["function_points"]}
    assert len(by_id["FP-A"]["scenarios"]) == 4
    assert sorted(s["name"] for s in by_id["FP-D"]["scenarios"]) == ["Lose an opportunity <n>"] * 2
    assert by_id["FP-B"]["scenarios"][0]["location"] == "features/customers.feature:7"
    assert (project.path / "cov" / "coverage.md").exists()
    assert "功能点覆盖率" in (project.path / "cov" / "coverage.html").read_text(encoding="utf-8")
    result.stdout.fnmatch_lines(
        [
            "*function-point coverage 功能点覆盖率*",
            "*Customers 客户信息*100.0%*2/2 passed, 0 failed, 0 could not check, 0 pending, 0 n/a",
            "*Sales 销售自动化*100.0%*1/1 passed, 0 failed, 0 could not check, 0 pending, 1 n/a",
            "*Overall 总计*100.0%*3/3 passed*",
            "Verdict 结论: met 达到",
            "Reports: cov/{coverage.json,coverage.md,coverage.html}",
        ]
    )


def test_pending_points_lower_coverage_and_fail_the_gate_only_when_asked(project: pytest.Pytester) -> None:
    # Without --crm-kind, FP-C applies and nothing covers it.
    result = run(project)
    assert result.ret == pytest.ExitCode.OK
    data = coverage(project)
    assert statuses(data)["FP-C"] == "pending"
    assert data["overall"]["coverage_percent"] == 75.0
    assert data["verdict"]["passed"] is False

    gated = run(project, "--coverage-gate")
    gated.assert_outcomes(passed=5)
    assert gated.ret == pytest.ExitCode.TESTS_FAILED
    gated.stdout.fnmatch_lines(["*coverage 75.0% is below the required 100.0%*", "*coverage gate: *exit status 1*"])

    assert run(project, "--coverage-gate", "--min-coverage", "75").ret == pytest.ExitCode.OK
    assert run(project, "--coverage-gate", "--not-applicable", "FP-C").ret == pytest.ExitCode.OK


# --------------------------------------------------------------------------- (b) a broken expectation


def test_a_failing_scenario_fails_its_function_point_and_the_run(project: pytest.Pytester) -> None:
    add_feature(
        project,
        "sales.feature",
        "Feature: Sales\n  @FP-D\n  Scenario: A broken expectation\n    Given it is broken\n",
    )
    result = run(project, "--crm-kind", "creme")
    result.assert_outcomes(passed=5, failed=1)
    assert result.ret != 0
    data = coverage(project)
    assert statuses(data)["FP-D"] == "failed"
    assert data["overall"]["failed"] == 1
    assert data["verdict"]["reasons"] == [
        "coverage 66.7% is below the required 100.0%",
        "1 function point failed: FP-D",
    ]
    result.stdout.fnmatch_lines(["*failed 失败: FP-D Mark an opportunity as lost / 将商机标记为输单"])


def test_skipped_scenarios_leave_their_point_pending(project: pytest.Pytester) -> None:
    add_feature(project, "later.feature", "@FP-C\nFeature: Later\n  Scenario: Not yet\n    Given it is not ready\n")
    result = run(project)
    result.assert_outcomes(passed=5, skipped=1)
    assert statuses(coverage(project))["FP-C"] == "pending"


# --------------------------------------------------------------------------- (c) unknown tag


def test_an_unknown_function_point_is_a_clear_error(project: pytest.Pytester) -> None:
    add_feature(project, "typo.feature", "Feature: Typo\n\n  @FP-E @fp-a\n  Scenario: Mistyped\n    Given it works\n")
    result = run(project, "--crm-kind", "creme")
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        [
            'features/typo.feature:3: scenario "Mistyped" tags unknown function point FP-E',
            'features/typo.feature:3: scenario "Mistyped" tags unknown function point fp-a (did you mean FP-A?)',
        ]
    )
    assert "Traceback" not in result.stdout.str()
    # The run cannot pass, and the coverage written says why.
    assert "interrupted" in coverage(project)["verdict"]["reasons"][-1]


def test_an_unknown_function_point_in_an_examples_table(project: pytest.Pytester) -> None:
    add_feature(
        project,
        "rows.feature",
        "Feature: Rows\n  Scenario Outline: Row <n>\n    Given it works\n\n"
        "    @FP-ROWS\n    Examples:\n      | n |\n      | 1 |\n",
    )
    result = run(project)
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        ['features/rows.feature:5: examples of scenario "Row <n>" tags unknown function point FP-ROWS']
    )


# --------------------------------------------------------------------------- (d) a bad catalogue


def test_a_catalogue_with_duplicate_ids_is_a_usage_error(project: pytest.Pytester) -> None:
    project.path.joinpath("cat.csv").write_bytes((CATALOGUE + "FP-B,Sales,,Again,又,low,,\n").encode("utf-8-sig"))
    result = run(project)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: cat.csv:6: duplicate function point id FP-B (first on line 3)"])
    assert not (project.path / "cov").exists()


def test_a_missing_catalogue_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(*PLUGIN, "--catalogue", "nope.csv")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: nope.csv: function-point catalogue not found"])


def test_an_unknown_not_applicable_id_is_a_usage_error(project: pytest.Pytester) -> None:
    result = run(project, "--not-applicable", "FP-A,FP-Q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: not applicable function point FP-Q is not in the catalogue cat.csv"])


# --------------------------------------------------------------------------- (e) pytest-xdist


def test_with_xdist_the_coverage_is_written_once_with_the_same_numbers(project: pytest.Pytester) -> None:
    add_feature(project, "sales.feature", "Feature: Sales\n  @FP-D\n  Scenario: Broken\n    Given it is broken\n")
    serial = run(project, "--crm-kind", "creme")
    serial.assert_outcomes(passed=5, failed=1)
    expected = numbers(coverage(project))
    (project.path / "cov" / "coverage.json").unlink()

    parallel = run(project, "--crm-kind", "creme", "-n", "2")
    parallel.assert_outcomes(passed=5, failed=1)
    assert parallel.ret != 0
    assert numbers(coverage(project)) == expected
    assert parallel.stdout.str().count("function-point coverage 功能点覆盖率") == 1
    assert sorted(path.name for path in (project.path / "cov").iterdir()) == [
        "coverage.html",
        "coverage.json",
        "coverage.md",
    ]


def test_with_xdist_an_unknown_function_point_still_stops_the_run(project: pytest.Pytester) -> None:
    add_feature(project, "typo.feature", "Feature: Typo\n  @FP-E\n  Scenario: Mistyped\n    Given it works\n")
    result = run(project, "-n", "2")
    assert result.ret != 0
    result.stdout.fnmatch_lines(['*features/typo.feature:2: scenario "Mistyped" tags unknown function point FP-E*'])
    assert "INTERNALERROR" not in result.stdout.str()


# --------------------------------------------------------------------------- integration details


def test_chinese_features_count(project: pytest.Pytester) -> None:
    add_feature(project, "contacts.zh.feature", CHINESE)
    result = run(project, "--crm-kind", "creme")
    result.assert_outcomes(passed=6)
    by_id = {point["id"]: point for point in coverage(project)["function_points"]}
    assert {s["feature"] for s in by_id["FP-B"]["scenarios"]} == {"Customers", "联系人"}


def test_strict_markers_accept_catalogue_ids_and_marks_select_a_function_point(project: pytest.Pytester) -> None:
    # The project registers its own tags (@smoke); the plugin registers the catalogue's ids.
    project.makeini("[pytest]\nmarkers =\n    smoke: quick checks\n")
    result = run(project, "--strict-markers", "-m", "FP-B")
    result.assert_outcomes(passed=1)
    data = coverage(project)
    assert statuses(data)["FP-B"] == "passed"
    assert statuses(data)["FP-A"] == "passed"  # the FP-B scenario carries the feature's FP-A too
    assert statuses(data)["FP-D"] == "pending"  # deselected scenarios verified nothing


def test_collect_only_writes_nothing(project: pytest.Pytester) -> None:
    result = run(project, "--collect-only", "--coverage-gate")
    assert result.ret == pytest.ExitCode.OK
    assert not (project.path / "cov").exists()


def test_without_a_catalogue_the_plugin_stays_out_of_the_way(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(*PLUGIN, "--coverage-gate")
    result.assert_outcomes(passed=5)
    assert result.ret == pytest.ExitCode.OK
    assert "功能点覆盖率" not in result.stdout.str()
    assert not (project.path / "reports").exists()


def test_settings_from_code_and_default_folder(project: pytest.Pytester) -> None:
    project.makeconftest(
        CONFTEST
        + """
from pathlib import Path
from signoff.coverage.pytest_plugin import CoverageSettings, configure


def pytest_configure(config):
    configure(config, CoverageSettings(catalogue=Path("cat.csv"), crm_kind="creme", gate=True))
"""
    )
    result = project.runpytest_subprocess(*PLUGIN)
    assert result.ret == pytest.ExitCode.OK
    data = json.loads((project.path / "reports" / "coverage" / "coverage.json").read_text(encoding="utf-8"))
    assert data["crm_kind"] == "creme"
    assert data["overall"]["coverage_percent"] == 100.0
    # A command-line option wins over the settings from code.
    assert project.runpytest_subprocess(*PLUGIN, "--crm-kind", "other").ret == pytest.ExitCode.TESTS_FAILED


def test_function_points_reach_junit_and_allure(project: pytest.Pytester) -> None:
    result = run(project, "--junitxml", "junit.xml", "--alluredir", "allure")
    assert result.ret == pytest.ExitCode.OK
    junit = (project.path / "junit.xml").read_text(encoding="utf-8")
    assert '<property name="function_point" value="FP-B"' in junit
    labels = []
    for path in (project.path / "allure").glob("*-result.json"):
        labels += [
            label["value"]
            for label in json.loads(path.read_text(encoding="utf-8"))["labels"]
            if label["name"] == "function_point"
        ]
    assert sorted(set(labels)) == ["FP-A", "FP-B", "FP-D"]
