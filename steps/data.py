"""Steps about data integrity 数据完整性: a file imported, exported and stored keeps every field exact.

A scenario makes (or names) a customer file, imports it through the CRM's own import screens,
exports the list, and compares field by field, keyed by the email column::

    Given a customer file of 200 contacts with tricky values
    When I import the file into the contacts
    And I export the contact list as CSV
    Then every imported field matches the file

A generated file carries every tricky case of :mod:`signoff.data.dataset`, from the plan's
``[data] seed``; an analyst's own file (``the customer file "data/my-contacts.xlsx" of contacts``)
has business field names as headers (English or Chinese) and a key column: the plan's ``[data] key``
(the email by default) or the one the step names (``keyed by "phone"``). Each comparison goes to the
data-integrity report; the Then steps judge it against the plan's ``[data]`` thresholds.

Bad input (:mod:`signoff.data.bad_input`): an empty file, a header line only, a file without a
column, malformed rows, a file of N MB. ``Then the import is refused`` and ``Then the CRM refuses the
file or keeps every field`` judge what the CRM did with it, and the report says it per file
(refused with its message, imported partly, damaged, failed with a server error).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signoff.crm import CRM
from signoff.crm.fields import RecordType, field_named
from signoff.data import bad_input
from signoff.data.compare import KINDS, Comparison
from signoff.data.dataset import KEY
from signoff.data.exchange import (
    DataScenario,
    analyst_file,
    compare_export,
    compare_stored,
    export_from,
    generated_file,
    import_into,
    outcome,
    sample_keys,
)
from signoff.data.formats import DataFileError
from signoff.vocabulary import checks, closed_set, given, then, when

if TYPE_CHECKING:
    # The fixture's type only: the plugin module itself is loaded by the root conftest.
    from signoff.data.pytest_plugin import DataRecorder

#: The record types a customer file holds, English and Chinese.
DATA_RECORDS: dict[str, RecordType] = {
    "contacts": "contact",
    "contact": "contact",
    "organisations": "organisation",
    "organisation": "organisation",
    "organizations": "organisation",
    "companies": "organisation",
    "联系人": "contact",
    "公司": "organisation",
}
#: File formats, English and Chinese.
FILE_FORMATS: dict[str, str] = {
    "CSV": "csv",
    "UTF-8 CSV": "csv",
    "CSV with BOM": "csv-bom",
    "GB18030 CSV": "csv-gb18030",
    "GBK CSV": "csv-gb18030",
    "semicolon CSV": "csv-semicolon",
    "UTF-16 CSV": "csv-utf16",
    "UTF-16编码的CSV": "csv-utf16",
    "XLSX": "xlsx",
    "Excel": "xlsx",
    "带BOM的CSV": "csv-bom",
    "GB18030编码的CSV": "csv-gb18030",
    "GBK编码的CSV": "csv-gb18030",
    "分号分隔的CSV": "csv-semicolon",
}
EXPORT_FORMATS: dict[str, str] = {"CSV": "csv", "XLSX": "xlsx", "Excel": "xlsx"}

closed_set("data_records", DATA_RECORDS, meaning="contacts or organisations / 联系人 或 公司")
closed_set("file_format", FILE_FORMATS, meaning="a file format: CSV, CSV with BOM, GB18030 CSV, semicolon CSV, XLSX")
closed_set("export_format", EXPORT_FORMATS, meaning="CSV or XLSX")

#: The scenario context key of the scenario's file.
FILE = "data_file"


def _scenario(scenario_context: dict[str, Any]) -> DataScenario:
    found = scenario_context.get(FILE)
    if not isinstance(found, DataScenario):
        raise RuntimeError("no customer file in this scenario: a step must make or name one first")
    return found


def _file_exists(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    """``signoff check``: the analyst's file must exist (relative to the folder the run starts in);
    a key column the step names must be a field of the record type, present in the file, filled on
    every row and unique."""
    path = Path(str(arguments.get("path", "")))
    if not path.is_file():
        return [f"data file not found: {path}"]
    key = arguments.get("key")
    if key is None:
        return []  # the plan's [data] key: checked with the plan, and when the file is read
    try:
        field_named(str(key), arguments["records"])
        analyst_file(path, arguments["records"], str(key))
    except (DataFileError, ValueError) as error:
        return [str(error)]
    return []


def _column_left_out(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    """``signoff check``: the column named is a field of the record type, and not the key."""
    try:
        field = field_named(str(arguments["field"]), arguments["records"])
    except ValueError as error:
        return [str(error)]
    if field.key == KEY:
        return [f'the "{arguments["field"]}" column is the key the rows are matched by: it cannot be left out']
    return []


# ----------------------------------------------------------------------------- the file


@given(
    "a customer file of {count:d} {records:data_records} with tricky values",
    "一份包含{count:d}个{records:data_records}的客户文件，带有各种刁钻的值",
)
def tricky_file(
    crm: CRM, data_acceptance: DataRecorder, scenario_context: dict[str, Any], count: int, records: RecordType
) -> None:
    """A generated CSV (UTF-8) of that many records, the first rows each carrying one tricky case."""
    scenario_context[FILE] = generated_file(crm.data, data_acceptance.section, records, count, "csv")


@given(
    "a customer file of {count:d} {records:data_records} with tricky values as {fmt:file_format}",
    "一份包含{count:d}个{records:data_records}的客户文件，格式为{fmt:file_format}，带有各种刁钻的值",
)
def tricky_file_as(
    crm: CRM,
    data_acceptance: DataRecorder,
    scenario_context: dict[str, Any],
    count: int,
    records: RecordType,
    fmt: str,
) -> None:
    """A generated file of that many records in that format (CSV, GB18030 CSV, XLSX ...)."""
    language = "zh" if fmt == "csv-gb18030" else "en"
    scenario_context[FILE] = generated_file(crm.data, data_acceptance.section, records, count, fmt, language)


@given(
    'the customer file "{path}" of {records:data_records}',
    '客户文件"{path}"，内含{records:data_records}',
)
@checks(_file_exists)
def named_file(data_acceptance: DataRecorder, scenario_context: dict[str, Any], path: str, records: RecordType) -> None:
    """An analyst's own CSV or XLSX file: headers are field names; rows are matched by the plan's
    ``[data] key`` column (the email unless the plan names another)."""
    _analyst_file(data_acceptance, scenario_context, path, records, data_acceptance.section.key)


@given(
    'the customer file "{path}" of {records:data_records} keyed by "{key}"',
    '客户文件"{path}"，内含{records:data_records}，以"{key}"为键',
)
@checks(_file_exists)
def named_file_keyed(
    data_acceptance: DataRecorder, scenario_context: dict[str, Any], path: str, records: RecordType, key: str
) -> None:
    """An analyst's own CSV or XLSX file whose rows are matched by the column ``key`` names (a business
    field name: ``phone``, ``电话``): it must be filled on every row, and unique."""
    _analyst_file(data_acceptance, scenario_context, path, records, key)


def _analyst_file(
    data_acceptance: DataRecorder, scenario_context: dict[str, Any], path: str, records: RecordType, key: str
) -> None:
    location = Path(path) if Path(path).is_absolute() else data_acceptance.root / path
    try:
        scenario_context[FILE] = analyst_file(location, records, key)
    except (DataFileError, ValueError) as error:
        raise AssertionError(str(error)) from None


# ----------------------------------------------------------------------------- bad input


def _made(make: Callable[[], DataScenario]) -> DataScenario:
    """A bad file made from the plan's seed; one that cannot be made so fails the step in one line."""
    try:
        return make()
    except ValueError as error:
        raise AssertionError(str(error)) from None


@given("an empty customer file of {records:data_records}", "一份空的{records:data_records}客户文件")
def empty_customer_file(
    crm: CRM, data_acceptance: DataRecorder, scenario_context: dict[str, Any], records: RecordType
) -> None:
    """A file of 0 bytes."""
    scenario_context[FILE] = bad_input.empty_file(crm.data, data_acceptance.section, records)


@given(
    "a customer file of {records:data_records} with a header line only",
    "一份只有标题行的{records:data_records}客户文件",
)
def header_only_file(
    crm: CRM, data_acceptance: DataRecorder, scenario_context: dict[str, Any], records: RecordType
) -> None:
    """The header line of a customer file and no row."""
    scenario_context[FILE] = bad_input.header_only(crm.data, data_acceptance.section, records)


@given(
    'a customer file of {count:d} {records:data_records} without the "{field}" column',
    '一份包含{count:d}个{records:data_records}的客户文件，缺少"{field}"列',
)
@checks(_column_left_out)
def file_without_column(
    crm: CRM,
    data_acceptance: DataRecorder,
    scenario_context: dict[str, Any],
    count: int,
    records: RecordType,
    field: str,
) -> None:
    """Ordinary rows with every column but one (a required one, such as the last name, is the case)."""
    key = field_named(field, records).key
    scenario_context[FILE] = _made(
        lambda: bad_input.without_column(crm.data, data_acceptance.section, records, count, key)
    )


@given(
    "a customer file of {count:d} {records:data_records} with malformed rows",
    "一份包含{count:d}个{records:data_records}的客户文件，其中有格式错误的行",
)
def file_with_malformed_rows(
    crm: CRM, data_acceptance: DataRecorder, scenario_context: dict[str, Any], count: int, records: RecordType
) -> None:
    """A CSV whose last three lines are broken: a cell too many, two cells too few, an unclosed quote."""
    scenario_context[FILE] = _made(lambda: bad_input.malformed_rows(crm.data, data_acceptance.section, records, count))


@given(
    "a customer file of {megabytes:d} MB of {records:data_records}",
    "一份{megabytes:d} MB的{records:data_records}客户文件",
)
def large_customer_file(
    crm: CRM, data_acceptance: DataRecorder, scenario_context: dict[str, Any], megabytes: int, records: RecordType
) -> None:
    """About that many megabytes of ordinary rows (10 MB: some 53,000 contacts) as CSV."""
    scenario_context[FILE] = _made(lambda: bad_input.large_file(crm.data, data_acceptance.section, records, megabytes))


# ----------------------------------------------------------------------------- import and export


@when("I import the file into the {records:data_records}", "我把文件导入{records:data_records}")
def import_file(crm: CRM, scenario_context: dict[str, Any], records: RecordType) -> None:
    """Import the scenario's file through the CRM's import screens, each column mapped to its field."""
    scenario = _scenario(scenario_context)
    if scenario.record_type != records:
        raise AssertionError(f"the file holds {scenario.record_type}s, not {records}s")
    import_into(crm.data, scenario)


@when(
    "I export the {records:data_records} list as {fmt:export_format}",
    "我把{records:data_records}列表导出为{fmt:export_format}",
)
def export_list(crm: CRM, scenario_context: dict[str, Any], records: RecordType, fmt: str) -> None:
    """Download the list through its own download, searched for the file's records."""
    scenario = _scenario(scenario_context)
    if scenario.record_type != records:
        raise AssertionError(f"the file holds {scenario.record_type}s, not {records}s")
    export_from(crm.data, scenario, fmt)


# ----------------------------------------------------------------------------- checks


def _judge(data_acceptance: DataRecorder, scenario: DataScenario, comparison: Comparison) -> None:
    """Record the comparison, then fail the step when it exceeds the plan's thresholds."""
    section = data_acceptance.section
    problems: list[str] = []
    crashed = scenario.result is not None and bool(scenario.result.server_error)
    if scenario.result is not None and scenario.result.server_error:
        problems.append(f"the CRM failed on the file: {scenario.result.server_error}")
    changed = len(comparison.mismatches) + len(comparison.extra)
    if changed > section.max_mismatches:
        kinds = ", ".join(f"{KINDS[kind]} {len(items)}" for kind, items in comparison.by_kind().items())
        problems.append(f"{changed} values changed or rows extra ({kinds or 'extra rows'})")
        first = comparison.mismatches[0] if comparison.mismatches else None
        if first is not None:
            problems.append(f"e.g. row {first.row}, {first.field}: {first.expected!r} came back as {first.actual!r}")
    if len(comparison.missing) > section.max_dropped_rows:
        problems.append(f"{len(comparison.missing)} rows dropped without a refusal")
    if len(comparison.unexpected_refusals) > section.max_unexpected_refusals:
        _key, row, reason = comparison.unexpected_refusals[0]
        problems.append(f"{len(comparison.unexpected_refusals)} valid rows refused, e.g. row {row}: {reason}")
    _kind, did = outcome(scenario, comparison)
    # A bad file is judged as a whole in the report's bad-input table; a sound file's changes are
    # judged by the comparison's figures, a server error in any case.
    failed = "; ".join(problems) if scenario.bad_input else (problems[0] if crashed else "")
    data_acceptance.compared(
        comparison, scenario.import_summary(), bad_input=scenario.bad_input, outcome=did, failed=failed
    )
    assert not problems, f"{comparison.stage} {comparison.record_type}s differ from the file: " + "; ".join(problems)


@then("every imported field matches the file", "每个导入的字段都与文件一致")
def every_field_matches(data_acceptance: DataRecorder, scenario_context: dict[str, Any]) -> None:
    """The exported list holds every row of the file (or its refusal) with every field exact."""
    scenario = _scenario(scenario_context)
    _judge(data_acceptance, scenario, compare_export(scenario, data_acceptance.section))


@then(
    "the stored {records:data_records} match the file",
    "存储的{records:data_records}与文件一致",
)
def stored_match(
    crm: CRM, data_acceptance: DataRecorder, scenario_context: dict[str, Any], records: RecordType
) -> None:
    """A sample of the records (every tricky row first), read on their own pages, matches the file."""
    scenario = _scenario(scenario_context)
    keys = sample_keys(scenario.dataset, data_acceptance.section.sample)
    _judge(data_acceptance, scenario, compare_stored(crm.data, scenario, data_acceptance.section, keys))


@then(
    "the CRM refuses the file or keeps every field",
    "CRM拒绝该文件或完整保留每个字段",
)
def refuses_or_keeps(data_acceptance: DataRecorder, scenario_context: dict[str, Any]) -> None:
    """For a file the CRM may not read: every row is refused with a reason or comes back exact -
    never imported damaged, never dropped silently."""
    scenario = _scenario(scenario_context)
    scenario.may_be_refused = True
    _judge(data_acceptance, scenario, compare_export(scenario, data_acceptance.section))


@then(
    "the import reports every refused row with its reason",
    "导入结果列出每个被拒绝的行及其原因",
)
def refusals_reported(scenario_context: dict[str, Any]) -> None:
    """The import finished, says how many rows it took, and names each refused row with a reason."""
    scenario = _scenario(scenario_context)
    result = scenario.result
    assert result is not None, "the file was not imported"
    assert result.finished, f"the import did not finish: {result.status}"
    without_reason = [refusal for refusal in result.refused if not refusal.reason]
    assert not without_reason, f"{len(without_reason)} refused rows come without a reason"
    refused = scenario.refused_by_key()
    expected = [scenario.dataset.rows[index][scenario.dataset.key] for index in sorted(scenario.dataset.expect_refused)]
    unreported = [key for key in expected if key not in refused]
    assert not unreported, (
        f"rows the CRM should refuse (past a length limit, malformed) were not reported as refused: "
        f"{', '.join(unreported)}"
    )
    # A file refused as a whole accounts for every row (each is refused, with the CRM's reason).
    accounted = (
        len(scenario.dataset.rows) if result.file_refusal else result.created + result.updated + len(result.refused)
    )
    assert accounted >= len(scenario.dataset.rows), (
        f"{len(scenario.dataset.rows)} rows in the file, but the import accounts for {accounted} "
        f"({result.created} created, {result.updated} updated, {len(result.refused)} refused)"
    )


@then("the import is refused", "导入被拒绝")
def import_refused(data_acceptance: DataRecorder, scenario_context: dict[str, Any]) -> None:
    """The CRM took no record from the file and said so: it refused the whole file with its message,
    or refused every row with a reason, or (a file without rows) ended its import having created
    nothing. A server error, or a record created from the file, fails - and the report says which."""
    scenario = _scenario(scenario_context)
    if scenario.result is None:
        raise AssertionError("the file was not imported")
    kind, did = outcome(scenario)
    problem = ""
    if kind == "crashed":
        problem = (
            f"the CRM failed instead of refusing {scenario.bad_input or 'the file'}: {scenario.result.server_error}"
        )
    elif kind != "refused" and not (kind == "imported-nothing" and not scenario.dataset.rows):
        problem = f"the import of {scenario.bad_input or 'the file'} was not refused: the CRM {did}"
    data_acceptance.judged(scenario.import_summary(), bad_input=scenario.bad_input, outcome=did, failed=problem)
    assert not problem, problem
