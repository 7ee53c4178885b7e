"""The data gate in real pytest-bdd runs (pytester projects, no CRM, no browser).

A full acceptance run whose scenario passes is turned into a failing one when the data verdict is
not a pass, and only then: the twins differ in one cell of the "exported" file the scenario
compares. The project's steps use the kit's own comparison and the ``data_acceptance`` fixture, and
do not assert: the gate alone decides the exit status. The coverage gate cannot be what fails the
run: the catalogue holds the one function point the scenario covers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

CONFTEST = """
from signoff.data.compare import compare
from signoff.vocabulary import given, then

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin", "signoff.data.pytest_plugin"]

FILE = [{"email": "a@x.example", "phone": "0123"}, {"email": "b@x.example", "phone": "+44 20"}]


@given("an exported file with the phone {phone}")
def exported(scenario_context, phone):
    scenario_context["out"] = [{"email": "a@x.example", "phone": phone}, FILE[1]]


@then("the comparison is recorded")
def recorded(data_acceptance, scenario_context):
    comparison = compare(FILE, scenario_context["out"], key="email", fields=["email", "phone"],
                         stage="exported", record_type="contact")
    data_acceptance.compared(comparison)


@given("the import never finishes")
def never(data_acceptance):
    raise TimeoutError("the job page never said it finished")
"""

FEATURE = """\
Feature: Data
  @FP-DAT-001
  Scenario: Round trip
    Given an exported file with the phone {phone}
    Then the comparison is recorded
"""

CATALOGUE = """\
id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-DAT-001,Data,数据,Import contacts,导入联系人,high,,
"""

PLAN = """\
[run]
features = ["features"]
isolation = "none"
report_dir = "out"
[coverage]
catalogue = "cat.csv"
[data]
output_dir = "out/data"
"""


def run(pytester: pytest.Pytester, phone: str, *extra: str, feature: str = FEATURE) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST)
    (pytester.mkdir("features") / "data.feature").write_text(feature.format(phone=phone), encoding="utf-8")
    (pytester.path / "cat.csv").write_text(CATALOGUE, encoding="utf-8")
    (pytester.path / "acceptance.toml").write_text(PLAN, encoding="utf-8")
    return pytester.runpytest_subprocess("features", "--plan", "acceptance.toml", "-p", "no:cacheprovider", *extra)


def summary(pytester: pytest.Pytester) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((pytester.path / "out" / "data" / "summary.json").read_text(encoding="utf-8"))
    return data


def test_clean_twin_passes(pytester: pytest.Pytester) -> None:
    result = run(pytester, "0123")
    assert result.ret == 0, result.stdout.str()
    assert summary(pytester)["verdict"] == "passed"
    assert (pytester.path / "out" / "data" / "data-integrity.html").exists()


def test_one_changed_cell_fails_the_full_run(pytester: pytest.Pytester) -> None:
    result = run(pytester, "123")
    assert result.ret == 1, result.stdout.str()
    result.stdout.fnmatch_lines(["*1 passed*", "*data gate: the data-integrity verdict is not a pass*"])
    found = summary(pytester)
    assert found["verdict"] == "failed"
    assert [f["key"] for f in found["findings"]] == ["data:exported:contact:phone:leading-zero"]


def test_a_subset_run_reports_but_does_not_gate(pytester: pytest.Pytester) -> None:
    result = run(pytester, "123", "-k", "Round")
    assert result.ret == 0, result.stdout.str()
    assert summary(pytester)["verdict"] == "failed" and summary(pytester)["complete"] is False


def test_a_scenario_stopped_before_comparing_is_could_not_check(pytester: pytest.Pytester) -> None:
    feature = "Feature: Data\n  @FP-DAT-001\n  Scenario: Stuck\n    Given the import never finishes\n"
    result = run(pytester, "", feature=feature)
    assert result.ret == 1
    found = summary(pytester)
    assert found["verdict"] == "could-not-check"
    assert "TimeoutError" in found["findings"][0]["actual"]
