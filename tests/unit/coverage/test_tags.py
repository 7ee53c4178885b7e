"""Function-point tags: which tags name function points, and one-line errors for unknown ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.coverage.catalogue import Catalogue
from signoff.coverage.tags import (
    check_feature_tags,
    function_point_ids,
    is_function_point_tag,
    unknown_function_points,
    unknown_message,
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Error lines show paths relative to the current folder, as a user typed them.
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("FP-CUS-001", True), ("@FP-CUS-001", True), ("fp-cus-001", True), ("FPX", False), ("smoke", False), ("F", False)],
)
def test_is_function_point_tag(tag: str, expected: bool) -> None:
    assert is_function_point_tag(tag) is expected


def test_function_point_ids_are_sorted_unique_and_without_at() -> None:
    tags = {"@FP-SAL-001", "smoke", "FP-CUS-002", "FP-SAL-001", "error-case"}
    assert function_point_ids(tags) == ("FP-CUS-002", "FP-SAL-001")
    assert function_point_ids([]) == ()


def test_unknown_function_points(catalogue: Catalogue) -> None:
    assert unknown_function_points(["FP-CUS-001", "FP-CUS-999", "smoke"], catalogue) == ("FP-CUS-999",)


def test_unknown_message_suggests_the_nearest_id(catalogue: Catalogue) -> None:
    assert unknown_message("fp-cus-001", catalogue) == "unknown function point fp-cus-001 (did you mean FP-CUS-001?)"
    assert unknown_message("FP-CUS-0001", catalogue) == "unknown function point FP-CUS-0001 (did you mean FP-CUS-001?)"
    assert unknown_message("FP_CUS_1", catalogue) == "unknown function point FP_CUS_1 (did you mean FP-CUS-001?)"
    # A different number is a different function point, however alike the ids look.
    assert unknown_message("FP-CUS-404", catalogue) == "unknown function point FP-CUS-404"
    assert unknown_message("FP-MKT-777", catalogue) == "unknown function point FP-MKT-777"


ENGLISH = """\
@FP-CUS-001 @FP-FEATURE-9
Feature: Customers

  @FP-CUS-002 @smoke
  Scenario: Known tags only
    Given something

  @FP-CUS-999
  Scenario: An unknown tag
    Given something

  @FP-SAL-001
  Scenario Outline: Rows
    Given <thing>

    @FP-ROW-1
    Examples: first rows
      | thing |
      | a     |

  @FP-RULE-1
  Rule: A rule
    @fp-sal-002
    Scenario: Inside a rule
      Given something
"""


def test_check_feature_tags_names_file_line_and_what(in_tmp: Path, catalogue: Catalogue) -> None:
    path = write(in_tmp, "customers.feature", ENGLISH)
    assert check_feature_tags([path], catalogue) == [
        'customers.feature:1: feature "Customers" tags unknown function point FP-FEATURE-9',
        'customers.feature:8: scenario "An unknown tag" tags unknown function point FP-CUS-999',
        'customers.feature:16: examples "first rows" of scenario "Rows" tags unknown function point FP-ROW-1',
        'customers.feature:21: rule "A rule" tags unknown function point FP-RULE-1',
        'customers.feature:23: scenario "Inside a rule" tags unknown function point fp-sal-002 (did you mean FP-SAL-002?)',
    ]


def test_check_feature_tags_reads_chinese_features(in_tmp: Path, catalogue: Catalogue) -> None:
    path = write(
        in_tmp,
        "登录.zh.feature",
        "# language: zh-CN\n@FP-CUS-001\n功能: 客户管理\n\n  @FP-CUS-404\n  场景: 新增公司\n    假如 一个公司\n",
    )
    assert check_feature_tags([str(path)], catalogue) == [
        '登录.zh.feature:5: scenario "新增公司" tags unknown function point FP-CUS-404'
    ]


def test_check_feature_tags_all_known(in_tmp: Path, catalogue: Catalogue) -> None:
    path = write(in_tmp, "ok.feature", "@FP-CUS-001\nFeature: F\n  @FP-SAL-002 @wip\n  Scenario: S\n    Given x\n")
    assert check_feature_tags([path], catalogue) == []


def test_check_feature_tags_reports_a_malformed_file_in_one_line(in_tmp: Path, catalogue: Catalogue) -> None:
    path = write(in_tmp, "broken.feature", "Feature: F\n  Scenario: S\n    Given x\nFeature: again\n")
    (line,) = check_feature_tags([path], catalogue)
    assert line.startswith("broken.feature:4: malformed feature file: ")
    assert "\n" not in line


def test_check_feature_tags_missing_file(in_tmp: Path, catalogue: Catalogue) -> None:
    (line,) = check_feature_tags([in_tmp / "gone.feature"], catalogue)
    assert line.startswith("gone.feature: cannot read the feature file")


def test_check_feature_tags_empty_file(in_tmp: Path, catalogue: Catalogue) -> None:
    assert check_feature_tags([write(in_tmp, "empty.feature", "")], catalogue) == []
