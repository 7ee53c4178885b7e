"""The data-integrity report: hostile values escaped, invisible characters shown, verdict by thresholds,
the area's summary.json through the one findings model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signoff.data.compare import compare
from signoff.data.plan import DataSection
from signoff.data.report import REPORT_HTML, REPORT_JSON, DataCheck, verdict_of_checks, write_report
from signoff.errors import PlanError
from signoff.findings import read_area_results
from signoff.plan import parse_sections

HOSTILE = "<script>alert('x')</script> & \"quoted\""
FILE = [
    {"email": "a@x.example", "name": HOSTILE, "phone": "0123"},
    {"email": "b@x.example", "name": "Plain", "phone": "+44 20"},
]


def check(actual: list[dict[str, str]], **options: object) -> DataCheck:
    comparison = compare(
        FILE, actual, key="email", fields=["email", "name", "phone"], stage="exported", record_type="contact", **options
    )  # type: ignore[arg-type]
    return DataCheck("Imported contacts come back exactly", comparison=comparison, import_summary="2 created")


def test_hostile_values_are_escaped_and_invisible_characters_shown(tmp_path: Path) -> None:
    damaged = [{**FILE[0], "name": HOSTILE + "\t "}, {**FILE[1], "phone": "44 20"}]
    result = write_report([check(damaged)], DataSection(), tmp_path / "data", tmp_path, complete=True)
    html = (tmp_path / "data" / REPORT_HTML).read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "⇥␣" in html  # the tab and the trailing space that came back
    assert "lost leading zero or +" in html
    data = json.loads((tmp_path / "data" / REPORT_JSON).read_text(encoding="utf-8"))
    assert data["verdict"] == "failed"
    assert data["figures"]["mismatches"] == 2
    assert result.verdict == "failed"
    summary = read_area_results(tmp_path)["data"]
    assert summary.verdict == "failed" and summary.report == "data/data-integrity.html"
    keys = {finding.key for finding in summary.findings}
    assert keys == {"data:exported:contact:name:whitespace", "data:exported:contact:phone:leading-zero"}


def test_a_clean_comparison_passes_and_says_no_normalisation(tmp_path: Path) -> None:
    result = write_report([check(FILE)], DataSection(), tmp_path / "data", tmp_path, complete=True)
    assert result.verdict == "passed" and not result.findings
    assert "None: every value was compared exactly as written." in (tmp_path / "data" / REPORT_HTML).read_text()


def test_applied_normalisations_are_printed(tmp_path: Path) -> None:
    section = DataSection(normalise=("trim",))
    spaced = [{**FILE[0], "phone": " 0123 "}, FILE[1]]
    write_report([check(spaced, normalise=["trim"])], section, tmp_path / "data", tmp_path, complete=True)
    html = (tmp_path / "data" / REPORT_HTML).read_text(encoding="utf-8")
    assert "trim" in html and "decided 1 values" in html


def test_thresholds_decide_the_verdict() -> None:
    one_change = [check([{**FILE[0], "phone": "123"}, FILE[1]])]
    assert verdict_of_checks(one_change, DataSection()).verdict == "failed"
    assert verdict_of_checks(one_change, DataSection(max_mismatches=1)).verdict == "passed"
    dropped = [check([FILE[0]])]
    assert verdict_of_checks(dropped, DataSection(max_mismatches=5)).verdict == "failed"
    refused = [check([FILE[0]], refused={"b@x.example": "too long"})]
    assert verdict_of_checks(refused, DataSection()).verdict == "failed"  # a valid row refused
    assert verdict_of_checks(refused, DataSection(max_unexpected_refusals=1)).verdict == "passed"
    # A scenario that only checked storage still counts its refusals, once for both stages.
    stored = compare(FILE, [FILE[0]], key="email", fields=["email"], stage="stored", refused={"b@x.example": "no"})
    stored_only = [DataCheck("Stored", comparison=stored)]
    assert verdict_of_checks(stored_only, DataSection()).verdict == "failed"
    both = [*refused, DataCheck("Imported contacts come back exactly", comparison=stored)]
    assert verdict_of_checks(both, DataSection()).figures["unexpected refusals"] == 1


def test_nothing_compared_or_a_check_not_made_is_no_pass() -> None:
    assert verdict_of_checks([], DataSection()).verdict == "could-not-check"
    stopped = [check(FILE), DataCheck("Stored contacts", could_not_check="TimeoutError: the job page never finished")]
    assert verdict_of_checks(stopped, DataSection()).verdict == "could-not-check"


def test_a_check_survives_its_json_record() -> None:
    original = check([{**FILE[0], "name": "x"}], refused={"b@x.example": "no"})
    assert DataCheck.from_data(json.loads(json.dumps(original.to_data()))) == original


def test_the_plan_section() -> None:
    assert parse_sections({})["data"] == DataSection()
    assert parse_sections({"data": {"normalise": ["trim"], "max_mismatches": 3}})["data"].normalise == ("trim",)
    with pytest.raises(PlanError, match="unknown normalisation 'squash'"):
        parse_sections({"data": {"normalise": ["squash"]}})
    with pytest.raises(PlanError, match="unknown format 'ods'"):
        parse_sections({"data": {"formats": ["ods"]}})
