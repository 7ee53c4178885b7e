"""Feature files run with no Python written for them, in English and Chinese (pytester projects)."""

from __future__ import annotations

import pytest

CONFTEST = """
from signoff.vocabulary import given, then, when

pytest_plugins = ["signoff.pytest_plugin"]


@given("a basket", "一个购物篮", target_fixture="basket")
def basket() -> list:
    return []


@when('I put "{item}" in it', '我放入"{item}"')
def put(basket: list, item: str) -> None:
    basket.append(item)


@then("it holds {count:d} items", "里面有{count:d}件")
def holds(basket: list, count: int) -> None:
    assert len(basket) == count, basket
"""

INI = """
[pytest]
addopts = --strict-markers
disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true
"""

ENGLISH = """@smoke
Feature: Basket
  Scenario: Two items
    Given a basket
    When I put "apple" in it
    And I put "pear" in it
    Then it holds 2 items
"""

CHINESE = """# language: zh-CN
功能: 购物篮
  场景: 放入两件商品
    假如 一个购物篮
    当 我放入“苹果”
    而且 我放入"梨"
    那么 里面有2件
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    features = pytester.mkdir("features")
    (features / "basket.feature").write_text(ENGLISH, encoding="utf-8")
    (features / "basket.zh.feature").write_text(CHINESE, encoding="utf-8")
    return pytester


def test_every_feature_file_is_collected_and_run(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("features", "-v")
    result.assert_outcomes(passed=2)
    # Chinese test ids stay readable, not \\u-escaped.
    result.stdout.fnmatch_lines(["*features/basket.zh.feature::test_放入两件商品[[]chromium] PASSED*"])


def test_a_new_feature_file_needs_no_python(project: pytest.Pytester) -> None:
    (project.path / "features" / "more.feature").write_text(
        'Feature: More\n  Scenario: Three\n    Given a basket\n    When I put "a" in it\n'
        '    And I put "b" in it\n    And I put "c" in it\n    Then it holds 3 items\n',
        encoding="utf-8",
    )
    project.runpytest_subprocess("features").assert_outcomes(passed=3)


def test_a_broken_expectation_fails(project: pytest.Pytester) -> None:
    (project.path / "features" / "wrong.feature").write_text(
        'Feature: Wrong\n  Scenario: Miscounted\n    Given a basket\n    When I put "a" in it\n'
        "    Then it holds 5 items\n",
        encoding="utf-8",
    )
    result = project.runpytest_subprocess("features")
    result.assert_outcomes(passed=2, failed=1)
    assert result.ret == 1


def test_undefined_step_says_which_where_and_what_is_near(project: pytest.Pytester) -> None:
    (project.path / "features" / "typo.feature").write_text(
        'Feature: Typo\n  Scenario: Typo\n    Given a basket\n    When I place "a" in it\n',
        encoding="utf-8",
    )
    result = project.runpytest_subprocess("features/typo.feature")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '*features/typo.feature:4: undefined step "When I place "a" in it"; '
            'nearest existing phrasing: When I put "{item}" in it*'
        ]
    )


def test_malformed_feature_is_a_one_line_collection_error(project: pytest.Pytester) -> None:
    (project.path / "features" / "bad.feature").write_text(
        "Feature: Bad\n  Scenario: One\n    Given a basket\n  Scenarioo: Two\n", encoding="utf-8"
    )
    result = project.runpytest_subprocess("features/bad.feature")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*bad.feature:4: malformed feature file: *"])
    assert "Traceback" not in result.stdout.str()


def test_duplicate_scenario_names_stop_collection(project: pytest.Pytester) -> None:
    (project.path / "features" / "dup.feature").write_text(
        "Feature: Dup\n  Scenario: Same\n    Given a basket\n  Scenario: Same\n    Given a basket\n",
        encoding="utf-8",
    )
    result = project.runpytest_subprocess("features/dup.feature")
    assert result.ret != 0
    result.stdout.fnmatch_lines(['*dup.feature:4: scenario name "Same" is used twice*'])


def test_bad_plan_is_a_one_line_usage_error(project: pytest.Pytester) -> None:
    (project.path / "acceptance.toml").write_text("[run]\nworkers = 'many'\n", encoding="utf-8")
    result = project.runpytest_subprocess("features")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*acceptance.toml: [[]run] workers must be a whole number*"])
