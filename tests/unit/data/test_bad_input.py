"""Bad input and the key column: the bad files are made deterministically with exactly their one
defect; what the CRM did is told in one sentence per kind; an analyst's file is keyed by any field,
and a key that is unknown, blank or repeated is one line."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import pytest

from signoff.crm.data import ImportResult, Refusal
from signoff.crm.fields import RecordType
from signoff.data import bad_input
from signoff.data.compare import compare
from signoff.data.exchange import DataScenario, analyst_file, outcome
from signoff.data.formats import DataFileError, read
from signoff.data.plan import DataSection
from signoff.data.report import REPORT_HTML, DataCheck, verdict_of_checks, write_report
from signoff.errors import PlanError
from signoff.findings import read_area_results
from signoff.lint import check_features

COLUMNS = ("email", "first_name", "last_name", "job_title", "phone", "mobile", "birthday", "city", "description")
SECTION = DataSection(seed=11)


class Fields:
    """What the data interface tells the generator (no CRM)."""

    def importable_fields(self, record_type: RecordType) -> tuple[str, ...]:
        return COLUMNS

    def field_limits(self, record_type: RecordType) -> Mapping[str, int]:
        return {"last_name": 100}

    def date_formats(self) -> tuple[str, ...]:
        return ("%Y-%m-%d",)


CRM_DATA = Fields()


def lines(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


# ----------------------------------------------------------------------------- the bad files


def test_every_bad_file_is_the_same_byte_for_byte_from_the_same_seed() -> None:
    def made(section: DataSection) -> list[bytes]:
        return [
            bad_input.empty_file(CRM_DATA, section, "contact").content,
            bad_input.header_only(CRM_DATA, section, "contact").content,
            bad_input.without_column(CRM_DATA, section, "contact", 8, "last_name").content,
            bad_input.malformed_rows(CRM_DATA, section, "contact", 8).content,
        ]

    first, again, other = made(SECTION), made(SECTION), made(DataSection(seed=12))
    assert first == again
    assert first[2:] != other[2:]


def test_an_empty_file_has_no_byte_and_a_header_only_file_one_line() -> None:
    assert bad_input.empty_file(CRM_DATA, SECTION, "contact").content == b""
    header = bad_input.header_only(CRM_DATA, SECTION, "organisation")
    assert header.dataset.rows == ()
    assert lines(header.content) == [header.dataset.headers()]
    assert header.bad_input == "a header line and no row"


def test_a_file_without_a_column_has_every_other_column() -> None:
    scenario = bad_input.without_column(CRM_DATA, SECTION, "contact", 8, "last_name")
    table = read(scenario.content)
    assert "last name" not in table.headers and "first name" in table.headers
    assert len(table.rows) == 8 and all(len(row) == len(COLUMNS) - 1 for row in table.rows)
    assert scenario.dataset.columns == tuple(c for c in COLUMNS if c != "last_name")
    assert scenario.bad_input == "a file without the last name column"
    # Ordinary rows only: nothing but the missing column is wrong with the file.
    assert not scenario.dataset.expect_refused and not any(scenario.dataset.cases)


@pytest.mark.parametrize(
    ("field", "message"),
    [("email", "the email column is the key"), ("website", "has no website column to leave out")],
)
def test_the_key_or_an_absent_column_cannot_be_left_out(field: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bad_input.without_column(CRM_DATA, SECTION, "contact", 8, field)


def test_malformed_rows_are_the_last_three_lines_and_expected_refused() -> None:
    scenario = bad_input.malformed_rows(CRM_DATA, SECTION, "contact", 8)
    found = lines(scenario.content)  # a lenient reader: the unclosed quote runs to the end
    assert len(found) == 9
    assert all(len(line) == len(COLUMNS) for line in found[:6])
    assert found[6] == [*scenario.dataset.values(5), bad_input.EXTRA_CELL]
    assert len(found[7]) == len(COLUMNS) - 2
    assert scenario.content.endswith(b',"Unclosed quote, the line ends here\r\n')
    assert scenario.dataset.expect_refused == frozenset({5, 6, 7})
    assert scenario.dataset.rows[7]["description"] == bad_input.UNCLOSED
    with pytest.raises(DataFileError, match="malformed CSV"):
        read(scenario.content)  # a strict reader refuses the file
    with pytest.raises(ValueError, match="at least 4 rows"):
        bad_input.malformed_rows(CRM_DATA, SECTION, "contact", 3)


def test_a_large_file_is_about_its_size_and_reproducible() -> None:
    first = bad_input.large_file(CRM_DATA, SECTION, "contact", 1)
    assert 950_000 <= len(first.content) <= 1_100_000
    assert len(first.dataset.rows) > 3_000
    assert bad_input.large_file(CRM_DATA, SECTION, "contact", 1).content == first.content
    with pytest.raises(ValueError, match="between 1 and 100 MB"):
        bad_input.large_file(CRM_DATA, SECTION, "contact", 0)


# ----------------------------------------------------------------------------- what the CRM did


def scenario_with(result: ImportResult | None, rows: int = 4) -> DataScenario:
    scenario = bad_input.without_column(CRM_DATA, SECTION, "contact", rows, "last_name")
    scenario.result = result
    return scenario


def test_what_the_crm_did_is_one_kind_and_one_sentence() -> None:
    crashed = ImportResult("server error", False, 0, 0, -1, server_error="HTTP 500 on POST /upload")
    refused = ImportResult("file refused", True, 0, 0, -1, file_refusal="The submitted file is empty.")
    every_row = ImportResult("Done", True, 0, 0, 4, tuple(Refusal(("x",), "bad") for _ in range(4)))
    nothing = ImportResult("Done", True, 0, 0, 0, message="No contact has been created.")
    partly = ImportResult("Done", True, 3, 0, 4, (Refusal(("x",), "too long"),))
    cases = {
        "not-imported": scenario_with(None),
        "crashed": scenario_with(crashed),
        "refused": scenario_with(refused),
        "imported-nothing": scenario_with(nothing),
        "imported-partly": scenario_with(partly),
        "imported": scenario_with(ImportResult("Done", True, 4, 0, 4)),
    }
    said = {kind: outcome(scenario) for kind, scenario in cases.items()}
    assert {kind: found[0] for kind, found in said.items()} == {kind: kind for kind in cases}
    assert said["crashed"][1] == "failed instead of answering: HTTP 500 on POST /upload"
    assert said["refused"][1] == "refused the whole file (4 rows): The submitted file is empty."
    assert said["imported-partly"][1] == "imported 3 of 4 rows, refused 1 with a reason - "[:-3]
    assert outcome(scenario_with(every_row))[0] == "refused"


def test_an_import_that_changed_or_lost_rows_is_damaged_or_dropped() -> None:
    scenario = scenario_with(ImportResult("Done", True, 4, 0, 4))
    rows = scenario.dataset.rows
    changed = [{**rows[0], "city": "?"}, *rows[1:]]
    damaged = compare(rows, changed, key="email", fields=scenario.dataset.columns, stage="exported")
    assert outcome(scenario, damaged) == ("damaged", "imported 4 of 4 rows and changed 1 values or rows")
    lost = compare(rows, rows[1:], key="email", fields=scenario.dataset.columns, stage="exported")
    assert outcome(scenario, lost)[0] == "dropped"


def test_a_mishandled_bad_file_fails_the_verdict_and_is_a_finding(tmp_path: Path) -> None:
    hostile = "<b>Error</b> reading <script>"
    fine = DataCheck("Empty file", bad_input="an empty file (0 bytes)", outcome=f"refused the whole file: {hostile}")
    assert verdict_of_checks([fine], DataSection()).verdict == "passed"
    crashed = DataCheck(
        "Header only",
        bad_input="a header line and no row",
        outcome="failed instead of answering: HTTP 500",
        failed="the CRM failed instead of refusing a header line and no row: HTTP 500",
    )
    verdict = verdict_of_checks([fine, crashed], DataSection())
    assert verdict.verdict == "failed"
    assert verdict.reasons[0].startswith("1 files mishandled by the CRM (e.g. the CRM failed instead of refusing")
    write_report([fine, crashed], DataSection(), tmp_path / "data", tmp_path, complete=True)
    html = (tmp_path / "data" / REPORT_HTML).read_text(encoding="utf-8")
    assert "Bad input: what the CRM did" in html and "&lt;script&gt;" in html and "<script>" not in html
    result = read_area_results(tmp_path)["data"]
    assert "data:bad-input:a header line and no row" in {finding.key for finding in result.findings}
    assert DataCheck.from_data(crashed.to_data()) == crashed


# ----------------------------------------------------------------------------- the key column


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_analysts_file_is_keyed_by_the_field_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", "电话,last name,email\r\n0123,Li,\r\n+44 20,Wu,\r\n")
    scenario = analyst_file(path, "contact", "phone")
    assert scenario.dataset.key == "phone"
    assert scenario.dataset.keyed().keys() == {"0123", "+44 20"}
    assert analyst_file(path, "contact", "电话").dataset.key == "phone"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "phone,last name\r\n0123,Li\r\n,Wu\r\n",
            'x.csv: the key column "phone" is blank on line 3; every row needs a key',
        ),
        (
            "phone,last name\r\n0123,Li\r\n0124,Wu\r\n0123,Ma\r\n",
            'x.csv: the key column "phone" has "0123" twice (lines 2 and 4); keys must be unique',
        ),
        (
            "mobile,last name\r\n0123,Li\r\n",
            "x.csv: no 'phone' column to match rows by; the columns are mobile, last name",
        ),
    ],
)
def test_a_key_column_that_is_blank_repeated_or_absent_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        analyst_file(write_csv(tmp_path / "x.csv", text), "contact", "phone")
    assert str(error.value) == message


def test_the_plan_key_is_a_business_field_name() -> None:
    assert DataSection().key == "email"
    assert DataSection(key="电话").key == "电话"
    with pytest.raises(PlanError) as error:
        DataSection(key="shoe size")
    message = str(error.value)
    assert message.startswith('[data] key: no field "shoe size" in a customer file; known fields: ')
    assert "phone / 电话" in message and "\n" not in message


FEATURE = """\
Feature: Keys
  Scenario: Keyed by a field
    Given the customer file "{path}" of contacts keyed by "{key}"
"""


@pytest.mark.parametrize(
    ("key", "text", "problem"),
    [
        ("phone", "phone,last name\r\n0123,Li\r\n", None),
        ("shoe size", "phone,last name\r\n0123,Li\r\n", 'a contact has no field "shoe size"; known fields: '),
        ("phone", "phone,last name\r\n0123,Li\r\n0123,Wu\r\n", 'the key column "phone" has "0123" twice'),
    ],
)
def test_signoff_check_checks_the_key_column(tmp_path: Path, key: str, text: str, problem: str | None) -> None:
    path = write_csv(tmp_path / "x.csv", text)
    feature = tmp_path / "keys.feature"
    feature.write_text(FEATURE.format(path=path, key=key), encoding="utf-8")
    messages = [found.message for found in check_features([feature])]
    if problem is None:
        assert messages == []
    else:
        assert len(messages) == 1 and problem in messages[0], messages


def test_signoff_check_checks_the_column_left_out(tmp_path: Path) -> None:
    feature = tmp_path / "bad.feature"
    feature.write_text(
        "Feature: Bad\n  Scenario: Columns\n"
        '    Given a customer file of 5 contacts without the "shoe size" column\n'
        '    Given a customer file of 5 contacts without the "email" column\n'
        '    Given a customer file of 5 contacts without the "last name" column\n',
        encoding="utf-8",
    )
    messages = [found.message for found in check_features([feature])]
    assert len(messages) == 2
    assert messages[0].startswith('a contact has no field "shoe size"')
    assert "is the key the rows are matched by" in messages[1]
