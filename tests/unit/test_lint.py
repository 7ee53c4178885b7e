"""Feature-file checks: syntax errors, duplicate scenario names, undefined steps with suggestions."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff import lint

ROOT = Path(__file__).parents[2]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_features_have_no_problem() -> None:
    assert [str(p) for p in lint.check_features([ROOT / "features"])] == []


def test_undefined_step_names_file_line_and_nearest_phrasing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "typo.feature",
        "Feature: Typo\n  Scenario: One\n    Given I am signed in as the administrator\n"
        '    When I add a organisation "Acme"\n',
    )
    problems = lint.check_features([path])
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith(f"{path}:4: undefined step")
    assert 'When I add a organisation "Acme"' in text
    assert 'nearest existing phrasing: When I add an organisation "{name}"' in text


def test_undefined_chinese_step_suggests_chinese_phrasing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "zh.feature",
        '# language: zh-CN\n功能: 客户\n  场景: 一\n    当 我新建公司"华东"\n',
    )
    [problem] = lint.check_features([path])
    assert problem.line == 4
    assert '我新增公司"{name}"' in problem.message


def test_malformed_feature_is_one_line_with_its_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.feature", "Feature: Bad\n  Scenario: One\n    Given x\n  Scenariox: Two\n")
    [problem] = lint.check_features([path])
    assert problem.line == 4
    assert problem.message.startswith("malformed feature file:")
    assert "\n" not in str(problem)


def test_duplicate_scenario_names_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "dup.feature",
        "Feature: Dup\n  Scenario: Same\n    Given I am not signed in\n"
        "  Scenario: Same\n    Given I am not signed in\n",
    )
    [problem] = lint.check_features([path])
    assert problem.line == 4
    assert 'scenario name "Same" is used twice (first on line 2)' in problem.message


def test_outline_steps_are_checked_with_their_examples(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "outline.feature",
        'Feature: O\n  Scenario Outline: Names\n    When I add an organisation "<name>"\n'
        "    Examples:\n      | name |\n      | Acme |\n",
    )
    assert lint.check_features([path]) == []


@pytest.mark.parametrize(
    ("step_type", "text", "expected"),
    [
        ("then", 'the organisation "X" is present', 'Then the organisation "{name}" exists'),
        ("when", "I sign in as the admin", "When I sign in as the administrator"),
    ],
)
def test_nearest_phrasing(step_type: str, text: str, expected: str) -> None:
    lint.load_step_definitions()
    assert lint.nearest_phrasing(step_type, text) == expected
