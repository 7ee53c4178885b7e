"""``signoff manual`` runs the features again for their screenshots: it must not touch the last real run.

A pytester project (steps that need neither a browser nor a CRM; the CRM target is stubbed) is run
once as the acceptance (``pytest`` with Signoff's plugins: coverage, functional summary, UX), then
``signoff manual`` runs it through the command line for real. Every file the acceptance left under
``reports/`` and its Allure results must be byte for byte what they were; the manual's own run wrote
its results and area reports under ``reports/manual/run/``, and the manual is made from those.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from signoff import cli

CONFTEST = """
from signoff.vocabulary import given, then

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin", "signoff.ux.pytest_plugin"]


@given("a number {value:d}", target_fixture="number")
def number(value: int) -> int:
    return value


@then("it is even")
def even(number: int) -> None:
    assert number % 2 == 0, f"{number} is odd"
"""

CATALOGUE = """id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-CUS-001,Customers,客户,One,一,high,,
FP-CUS-002,Customers,客户,Two,二,high,,
"""

FEATURE = """Feature: Numbers
  @FP-CUS-001
  Scenario: Two is even
    Given a number 2
    Then it is even

  @FP-CUS-002
  Scenario: Three is even
    Given a number 3
    Then it is even
"""


def snapshot(*folders: Path) -> dict[str, str]:
    """Every file under ``folders`` with the digest of its bytes."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


class StubTarget:
    """The CRM target of the command line: provisioning is all ``signoff run`` asks of it here."""

    def provision(self) -> None:
        pass


def test_the_manual_run_leaves_the_acceptance_reports_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".ini", pytest="[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:randomly\n")
    (pytester.path / "cat.csv").write_text(CATALOGUE, encoding="utf-8")
    plan = pytester.path / "acceptance.toml"
    plan.write_text('[coverage]\ncatalogue = "cat.csv"\n', encoding="utf-8")
    (pytester.mkdir("features") / "numbers.feature").write_text(FEATURE, encoding="utf-8")

    # The acceptance run: one scenario fails, so the reports say something a second run could change.
    acceptance = pytester.runpytest_subprocess("features", f"--plan={plan}", "--alluredir=allure-results")
    acceptance.assert_outcomes(passed=1, failed=1)
    reports, results = pytester.path / "reports", pytester.path / "allure-results"
    for written in ("coverage/coverage.json", "functional/summary.json", "ux/summary.json"):
        assert (reports / written).is_file(), written
    before = snapshot(reports, results)

    # signoff manual through the command line, its pytest run real; only the CRM and the browser
    # choice are stubbed, and the manual's writer records what it was given.
    monkeypatch.setattr("signoff.targets.make_target", lambda plan, label: StubTarget())
    monkeypatch.setattr(cli, "_run_browsers", lambda plan, given: ["chromium"])
    monkeypatch.setattr(cli, "_report_feature_problems", lambda plan, paths: False)
    made: list[Any] = []
    monkeypatch.setattr(cli, "_write_manual", lambda plan, results, language, pdf: made.append(results))
    code = cli.main(["--plan", str(plan), "manual", str(pytester.path / "features")])

    assert code == 1  # the manual's run had the failing scenario too
    after = snapshot(reports, results)
    # Every file of the acceptance is still there, byte for byte.
    assert {path: after.get(path) for path in before} == before
    own = reports / "manual" / "run"
    new = sorted(set(after) - set(before))
    assert new and all(path.startswith(str(own)) for path in new), new
    assert (own / "coverage" / "coverage.json").is_file() and (own / "functional" / "summary.json").is_file()
    assert (own / "ux" / "summary.json").is_file()
    assert made == [own / "allure-results"] and any((own / "allure-results").glob("*-result.json"))
    assert not (reports / "history").exists()  # the manual's run is never archived


def test_every_report_folder_of_the_plan_moves_under_the_manual_run(tmp_path: Path) -> None:
    from signoff.plan import load_plan

    path = tmp_path / "acceptance.toml"
    path.write_text('[run]\nreport_dir = "out"\n\n[data]\noutput_dir = "elsewhere/data"\n', encoding="utf-8")
    plan = load_plan(path)
    moved = plan.with_report_dir(tmp_path / "out/manual/run")
    assert moved.resolve(moved.run.report_dir) == tmp_path / "out/manual/run"
    assert moved.resolve(moved.section("data").output_dir) == tmp_path / "out/manual/run/data"  # outside: by section
    for section in ("ux", "performance", "security"):  # defaults under reports/: kept relative
        assert plan.resolve(plan.section(section).output_dir) != moved.resolve(moved.section(section).output_dir)
    assert moved.resolve(moved.section("ux").output_dir) == tmp_path / "out/manual/run/ux"
    assert moved.run.features == plan.run.features and moved.target == plan.target
