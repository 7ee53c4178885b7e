"""At run time a phrasing is found after any keyword, and the step keeps the type its keyword gave
it (what decides arranging fast); the same words bound under two keywords run the one written
(a pytester project: pytest-bdd and Signoff's plugin, no CRM, no browser)."""

from __future__ import annotations

import pytest

from tests.unit.test_collection import INI

CONFTEST = """
from pathlib import Path

from signoff.vocabulary import given, then, when

pytest_plugins = ["signoff.pytest_plugin"]
LOG = Path(__file__).parent / "steps.log"


def pytest_bdd_before_step(request, feature, scenario, step, step_func):
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"{step.keyword.strip()}|{step.type}|{step_func.__name__}\\n")


@given('a kettle "{name}"', '一个水壶"{name}"')
def kettle(name: str) -> None:
    pass


@when('I boil {cups:list}', '我烧{cups:list}')
def boil(cups: list) -> None:
    assert isinstance(cups, list), cups


@given("I am a visitor")
def forget() -> None:
    pass


@then("I am a visitor")
def check() -> None:
    pass
"""

FEATURE = """Feature: Keywords
  Scenario: Any keyword
    Given I boil "tea"
    And I boil "tea", "coffee" and "cocoa"
    When a kettle "big"
    Then I boil "tea"
    But a kettle "small"

  Scenario: The keyword written decides
    Given I am a visitor
    Then I am a visitor
"""

CHINESE = """# language: zh-CN
功能: 关键字
  场景: 任何关键字
    那么 一个水壶"大"
    而且 我烧"茶"、"咖啡"和"可可"
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini(INI)
    for name, text in (("keywords.feature", FEATURE), ("keywords.zh.feature", CHINESE)):
        path = pytester.path / "features" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pytester


def test_phrasings_run_after_any_keyword_keeping_the_written_type(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("features", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    log = (project.path / "steps.log").read_text(encoding="utf-8").splitlines()
    assert log == [
        "Given|given|boil",
        "And|given|boil",
        "When|when|kettle",
        "Then|then|boil",
        "But|then|kettle",
        "Given|given|forget",
        "Then|then|check",
        "那么|then|kettle",
        "而且|then|boil",
    ]
