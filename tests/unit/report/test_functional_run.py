"""The functional area's summary.json from a real pytest-bdd run with the coverage plugin (pytester,
trivial steps, no browser): a failing Chinese scenario becomes one finding with its steps as written."""

from __future__ import annotations

import json
from typing import Any

import pytest

CATALOGUE = """\
id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-A,Customers,客户信息,Add an organisation,新增公司,high,,
FP-B,Customers,客户信息,Add a contact,新增联系人,low,,
"""

CONFTEST = """
from pytest_bdd import given, then, parsers


@given("it works")
def works() -> None:
    pass


@then(parsers.parse('the organisation "{name}" exists'))
def exists(name: str) -> None:
    assert name == "Acme", f'no organisation "{name}" in the list'
"""

TESTS = """
from pytest_bdd import scenarios

scenarios("features")
"""

FEATURE = """\
# language: zh-CN
功能: 公司
  @FP-A
  场景: 新增公司
    假如 it works
    那么 the organisation "Acme" exists

  @FP-B
  场景: 新增重名公司
    假如 it works
    那么 the organisation "甲公司" exists
"""


def summary(pytester: pytest.Pytester, feature: str) -> dict[str, Any]:
    pytester.path.joinpath("cat.csv").write_bytes(CATALOGUE.encode("utf-8-sig"))
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_features=TESTS)
    (pytester.mkdir("features") / "orgs.feature").write_text(feature, encoding="utf-8")
    pytester.runpytest_subprocess(
        # The gate marks a run judged as the whole acceptance (signoff run sets it for a full run).
        "-p",
        "signoff.coverage.pytest_plugin",
        "--catalogue",
        "cat.csv",
        "--coverage-dir",
        "reports/coverage",
        "--coverage-gate",
    )
    data: dict[str, Any] = json.loads((pytester.path / "reports" / "functional" / "summary.json").read_text("utf-8"))
    return data


def test_failing_scenario_is_a_finding_with_its_steps_and_message(pytester: pytest.Pytester) -> None:
    data = summary(pytester, FEATURE)
    assert data["verdict"] == "failed" and data["report"] == "coverage/coverage.html"
    (finding,) = data["findings"]
    assert finding["title"] == "新增重名公司 (公司)"
    assert finding["function_point"] == "FP-B" and finding["severity"] == "low" and finding["module"] == "Customers"
    assert finding["steps"] == ["假如 it works", '那么 the organisation "甲公司" exists']
    assert 'no organisation "甲公司" in the list' in finding["actual"]
    assert data["figures"]["function points failed"] == 1
    assert data["counts"] == {"failed": 1, "could-not-check": 0, "waived": 0}


def test_clean_twin_passes(pytester: pytest.Pytester) -> None:
    data = summary(pytester, FEATURE.replace('"甲公司"', '"Acme"'))
    assert (data["verdict"], data["findings"], data["complete"]) == ("passed", [], True)
