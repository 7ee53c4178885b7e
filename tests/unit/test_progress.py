"""Progress lines of a feature run: one readable line per scenario, failures so far, time left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from signoff.progress import format_duration

CONFTEST = """
from signoff.vocabulary import given, then

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin", "signoff.progress"]


@given("a number {value:d}", "数字{value:d}", target_fixture="number")
def number(value: int) -> int:
    return value


@then("it is even", "它是偶数")
def even(number: int) -> None:
    assert number % 2 == 0, f"{number} is odd"
"""

FEATURE = """Feature: Numbers
  Scenario: Two
    Given a number 2
    Then it is even

  Scenario: Three
    Given a number 3
    Then it is even

  Scenario: Four
    Given a number 4
    Then it is even
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\naddopts = --strict-markers\n")
    (pytester.mkdir("features") / "numbers.feature").write_text(FEATURE, encoding="utf-8")
    # The coverage plugin names each scenario for the reports; it needs a catalogue.
    catalogue = Path(__file__).parents[2] / "catalogue" / "function-points.csv"
    (pytester.mkdir("catalogue") / "function-points.csv").write_bytes(catalogue.read_bytes())
    return pytester


def test_each_scenario_gets_a_line_with_count_failures_and_time_left(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("features", "-p", "no:cacheprovider", "-p", "no:randomly")
    lines = [line for line in result.outlines if re.match(r"\[\s*\d+/\d+\] ", line)]
    assert len(lines) == 3, result.outlines
    assert lines[0].startswith("[1/3] passed  Numbers › Two (")
    assert "about" in lines[0] and "left" in lines[0]
    assert lines[1].startswith("[2/3] FAILED  Numbers › Three")
    assert "1 failed so far" in lines[1]
    assert lines[2].startswith("[3/3] passed  Numbers › Four")
    assert "left" not in lines[2]
    # No dots for scenarios: the lines replace them; pytest's summary still counts.
    result.assert_outcomes(passed=2, failed=1)


def test_under_xdist_the_controller_prints_every_scenario_once(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("features", "-p", "no:cacheprovider", "-n", "2")
    lines = [line for line in result.outlines if re.match(r"\[\s*\d+/\d+\] ", line)]
    assert sorted(line[:5] for line in lines) == ["[1/3]", "[2/3]", "[3/3]"], result.outlines
    assert sum("FAILED" in line for line in lines) == 1


@pytest.mark.parametrize(
    ("seconds", "text"), [(5, "5 s"), (89, "89 s"), (90, "2 min"), (3000, "50 min"), (3660, "1 h 01 min")]
)
def test_durations_read_at_a_glance(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
