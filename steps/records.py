"""Steps about any record by its business fields: organisations, contacts, opportunities, activities.

Fields are named as the glossary names them, in English or Chinese (phone 电话, mobile 手机, email
邮箱, website 网站, city 城市, postcode 邮编, job title 职位, estimated sales 预计销售额, closing date
预计成交日期 …; every name: ``signoff steps`` and :mod:`signoff.crm.fields`). They are given inline
(``whose website is "…" and city is "…"``) or as a Gherkin data table: a header row of field names
and one row per record to add, or two columns, field and value, to check or change one record.
``signoff check`` reads the field names and values before anything runs and names the fields a
record type has. A person's full name follows the kit's one name rule (:func:`signoff.crm.split_name`):
Latin first name first, Chinese family name first ("李雷" = 姓 李, 名 雷; "欧阳 娜娜" for a compound
family name); first name and last name columns are taken as written.
"""

from __future__ import annotations

from typing import Any

from signoff.crm import CRM, FormRejected
from signoff.crm.fields import (
    ACTIVITY_KINDS,
    FIELDS,
    RECORD_TYPE_NAMES,
    RECORD_TYPES,
    RecordType,
    field_named,
    records_from_table,
    same_value,
    table_header,
    table_problems,
    value_problem,
    values_from_table,
)
from signoff.vocabulary import checks, closed_set, given, then, when
from steps._refusals import KEY, attempt

closed_set(
    "record", RECORD_TYPE_NAMES, only=True, meaning="a record type: organisation, contact, opportunity, activity"
)
closed_set("kind_of_activity", ACTIVITY_KINDS, only=True, meaning="a kind of activity: task, meeting, phone call")

#: The scenario context key of the record type the last attempt was about.
ATTEMPTED = "attempted_record_type"


# ----------------------------------------------------------------------------- checks before running


def _field_problems(record_type: RecordType, names: list[str], values: list[str] | None = None) -> list[str]:
    problems: list[str] = []
    for at, name in enumerate(names):
        try:
            field = field_named(name, record_type)
        except ValueError as error:
            problems.append(str(error))
            continue
        problem = value_problem(field, values[at]) if values is not None else None
        if problem:
            problems.append(problem)
    return problems


def _one_field(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    values = [arguments["value"]] if "value" in arguments else None
    return _field_problems(arguments["record"], [arguments["field"]], values)


def _inline_fields(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    pairs: list[tuple[str, str]] = arguments["fields"]
    return _field_problems(arguments["record"], [name for name, _ in pairs], [value for _, value in pairs])


def _rows_table(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    return table_problems(table, arguments["record"], vertical=False)


def _field_value_table(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    return table_problems(table, arguments["record"], vertical=True)


def _columns_table(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    if not table:
        return ["this step needs a data table under it: a header row of field names, then the rows expected"]
    try:
        table_header(table[0], arguments["record"])
    except ValueError as error:
        return [str(error)]
    return []


def _sort_field(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    return _field_problems(arguments["record"], [arguments["field"]])


def _list_noun(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    if arguments["noun"] != arguments["record"]:
        return [f"the {arguments['record']} list shows {arguments['record']}s, not {arguments['noun']}s"]
    return []


def _any_field(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    name = arguments["field"]
    if any(_known(name, record_type) for record_type in RECORD_TYPES):
        return []
    return [f'no record has a field "{name}"; known fields: {", ".join(sorted({f.english for f in FIELDS.values()}))}']


def _known(name: str, record_type: RecordType) -> bool:
    try:
        field_named(name, record_type)
    except ValueError:
        return False
    return True


def _keys(record_type: RecordType, values: dict[str, str], crm: CRM) -> dict[str, str]:
    """Values by canonical key, checked against what the CRM supports for that record type."""
    supported = crm.records.supported(record_type)
    missing = [key for key in values if key not in supported]
    if missing:
        raise LookupError(
            f"this CRM's adapter does not support the {', '.join(k.replace('_', ' ') for k in missing)} "
            f"of a {record_type}; it supports: {', '.join(k.replace('_', ' ') for k in supported)}"
        )
    return values


# ----------------------------------------------------------------------------- add


@given(
    "a {record:record} with:",
    "an {record:record} with:",
    "these {record:record}:",
    "已有{record:record}：",
    "已有{record:record}:",
    "已有以下{record:record}：",
    "已有以下{record:record}:",
)
@when(
    "I add a {record:record} with:",
    "I add an {record:record} with:",
    "I add these {record:record}:",
    "我新增{record:record}：",
    "我新增{record:record}:",
    "我新增以下{record:record}：",
    "我新增以下{record:record}:",
)
@checks(_rows_table)
def add_records(crm: CRM, record: RecordType, datatable: list[list[str]]) -> None:
    """Create one record per row of the table (a header row of field names, then the values)."""
    for values in records_from_table(datatable, record):
        crm.records.add(record, _keys(record, values, crm))


def _activity_table(arguments: dict[str, Any], table: list[list[str]] | None) -> list[str]:
    return table_problems(table, "activity", vertical=False)


@given(
    "a {kind:kind_of_activity} with:",
    "these {kind:kind_of_activity}s:",
    "已有{kind:kind_of_activity}：",
    "已有{kind:kind_of_activity}:",
    "已有以下{kind:kind_of_activity}：",
    "已有以下{kind:kind_of_activity}:",
)
@when(
    "I add a {kind:kind_of_activity} with:",
    "I add these {kind:kind_of_activity}s:",
    "我新增{kind:kind_of_activity}：",
    "我新增{kind:kind_of_activity}:",
    "我新增以下{kind:kind_of_activity}：",
    "我新增以下{kind:kind_of_activity}:",
)
@checks(_activity_table)
def add_activities(crm: CRM, kind: str, datatable: list[list[str]]) -> None:
    """Add a task, meeting or phone call from a table: title, start, end, place, participants, description."""
    for values in records_from_table(datatable, "activity"):
        crm.records.add("activity", _keys("activity", {**values, "activity_type": kind}, crm))


@when(
    "I try to add a {record:record} with:",
    "I try to add an {record:record} with:",
    "我尝试新增{record:record}：",
    "我尝试新增{record:record}:",
)
@checks(_rows_table)
def try_add_records(crm: CRM, scenario_context: dict[str, Any], record: RecordType, datatable: list[list[str]]) -> None:
    """Try to save a record with the values of the table; the CRM's answer is kept for the Then steps."""
    scenario_context[ATTEMPTED] = record
    rows = records_from_table(datatable, record)

    def add_all() -> None:
        for values in rows:
            crm.records.add(record, _keys(record, values, crm))

    attempt(scenario_context, add_all)


@given(
    'a {record:record} "{name}" whose {fields:fields}',
    'an {record:record} "{name}" whose {fields:fields}',
    '已有{record:record}"{name}"，其{fields:fields}',
)
@when(
    'I add a {record:record} "{name}" whose {fields:fields}',
    'I add an {record:record} "{name}" whose {fields:fields}',
    '我新增{record:record}"{name}"，其{fields:fields}',
)
@checks(_inline_fields)
def add_record_inline(crm: CRM, record: RecordType, name: str, fields: list[tuple[str, str]]) -> None:
    """Create a record of that name with the fields given inline (website is "…" and city is "…")."""
    values = {field_named(field, record).key: value for field, value in fields}
    values.setdefault("full_name" if record == "contact" else _name_key(record), name)
    crm.records.add(record, _keys(record, values, crm))


def _name_key(record: RecordType) -> str:
    return "title" if record == "activity" else "name"


# ----------------------------------------------------------------------------- read


def _check_values(crm: CRM, record: RecordType, name: str, expected: dict[str, str]) -> None:
    keys = list(_keys(record, expected, crm))
    shown = crm.records.values(record, name, keys)
    assert shown is not None, f'no {record} "{name}" in the CRM'
    wrong = [
        f'the {FIELDS[key].english} is "{shown.get(key, "")}", not "{value}"'
        for key, value in expected.items()
        if not same_value(FIELDS[key], value, shown.get(key, ""))
    ]
    assert not wrong, f'the {record} "{name}" shows other values: ' + "; ".join(wrong)


@then(
    'the {record:record} "{name}" has the {field} "{value}"',
    '{record:record}"{name}"的{field}是"{value}"',
    '{record:record}"{name}"的{field}为"{value}"',
)
@checks(_one_field)
def record_has(crm: CRM, record: RecordType, name: str, field: str, value: str) -> None:
    """The record shows that value in that field, exactly as written (an amount as the same amount)."""
    _check_values(crm, record, name, {field_named(field, record).key: value})


@then(
    'the {record:record} "{name}" shows:',
    '{record:record}"{name}"显示：',
    '{record:record}"{name}"显示:',
)
@checks(_field_value_table)
def record_shows(crm: CRM, record: RecordType, name: str, datatable: list[list[str]]) -> None:
    """The record shows every value of the field/value table (an empty value: the field is empty)."""
    _check_values(crm, record, name, values_from_table(datatable, record))


# ----------------------------------------------------------------------------- change


@when(
    'I change the {field} of the {record:record} "{name}" to "{value}"',
    '我把{record:record}"{name}"的{field}改为"{value}"',
)
@checks(_one_field)
def change_field(crm: CRM, record: RecordType, name: str, field: str, value: str) -> None:
    """Change one field of the record in its edit form and save it."""
    crm.records.change(record, name, _keys(record, {field_named(field, record).key: value}, crm))


@when(
    'I try to change the {field} of the {record:record} "{name}" to "{value}"',
    '我尝试把{record:record}"{name}"的{field}改为"{value}"',
)
@checks(_one_field)
def try_change_field(
    crm: CRM, scenario_context: dict[str, Any], record: RecordType, name: str, field: str, value: str
) -> None:
    """Try to change one field of the record; the CRM's answer is kept for the Then steps."""
    scenario_context[ATTEMPTED] = record
    changes = _keys(record, {field_named(field, record).key: value}, crm)
    attempt(scenario_context, crm.records.change, record, name, changes)


@when(
    'I change the {record:record} "{name}" to:',
    '我修改{record:record}"{name}"为：',
    '我修改{record:record}"{name}"为:',
)
@checks(_field_value_table)
def change_fields(crm: CRM, record: RecordType, name: str, datatable: list[list[str]]) -> None:
    """Change the fields of the field/value table in the record's edit form and save it once."""
    crm.records.change(record, name, _keys(record, values_from_table(datatable, record), crm))


# ----------------------------------------------------------------------------- lists


@when(
    'I search the {record:record} list by {field} "{text}"',
    'I filter the {record:record} list by {field} "{text}"',
    '我按{field}"{text}"搜索{record:record}列表',
    '我按{field}"{text}"筛选{record:record}列表',
)
@checks(_sort_field)
def search_list(crm: CRM, record: RecordType, field: str, text: str) -> None:
    """Search the list by one field with the list's own search box (it keeps rows whose field contains the text)."""
    crm.records.search_list(record, field_named(field, record).key, text)


@when(
    "I sort the {record:record} list by {field}",
    "我按{field}对{record:record}列表排序",
)
@checks(_sort_field)
def sort_list(crm: CRM, record: RecordType, field: str) -> None:
    """Sort the list by one field's column, ascending."""
    crm.records.sort_list(record, field_named(field, record).key)


@when(
    "I sort the {record:record} list by {field} in descending order",
    "我按{field}对{record:record}列表降序排序",
)
@checks(_sort_field)
def sort_list_descending(crm: CRM, record: RecordType, field: str) -> None:
    """Sort the list by one field's column, descending."""
    crm.records.sort_list(record, field_named(field, record).key, descending=True)


def _same_row(record: RecordType, expected: dict[str, str], shown: dict[str, str]) -> bool:
    return all(same_value(FIELDS[key], value, shown.get(key, "")) for key, value in expected.items())


def _table_text(rows: list[list[str]]) -> str:
    return " / ".join(" | ".join(row) for row in rows) or "no rows"


@then(
    "the {record:record} list shows exactly:",
    "{record:record}列表完全显示：",
    "{record:record}列表完全显示:",
)
@checks(_columns_table)
def list_shows_exactly(crm: CRM, record: RecordType, datatable: list[list[str]]) -> None:
    """The list shows exactly these rows (columns named in the header), no more, no fewer, in any order."""
    keys = table_header(datatable[0], record)
    shown = crm.records.list_rows(record, list(_keys(record, dict.fromkeys(keys, ""), crm)))
    expected = [dict(zip(keys, row, strict=True)) for row in datatable[1:]]
    left = list(shown)
    missing = []
    for row in expected:
        match = next((candidate for candidate in left if _same_row(record, row, candidate)), None)
        if match is None:
            missing.append(row)
        else:
            left.remove(match)
    shown_text = _table_text([[row.get(key, "") for key in keys] for row in shown])
    assert not missing and not left, (
        f"the {record} list shows {shown_text}"
        + (f"; missing: {_table_text([list(row.values()) for row in missing])}" if missing else "")
        + (f"; not expected: {_table_text([[row.get(k, '') for k in keys] for row in left])}" if left else "")
    )


@then(
    "the {record:record} list shows in this order:",
    "{record:record}列表按顺序显示：",
    "{record:record}列表按顺序显示:",
)
@checks(_columns_table)
def list_shows_in_order(crm: CRM, record: RecordType, datatable: list[list[str]]) -> None:
    """The list's first rows are these rows, in this order (columns named in the header)."""
    keys = table_header(datatable[0], record)
    shown = crm.records.list_rows(record, list(_keys(record, dict.fromkeys(keys, ""), crm)))
    expected = [dict(zip(keys, row, strict=True)) for row in datatable[1:]]
    first = shown[: len(expected)]
    ok = len(first) == len(expected) and all(_same_row(record, e, s) for e, s in zip(expected, first, strict=True))
    assert ok, (
        f"the {record} list shows {_table_text([[row.get(key, '') for key in keys] for row in shown])}; "
        f"expected first: {_table_text(datatable[1:])}"
    )


@then(
    "the {record:record} list shows {count:d} {noun:record}",
    "{record:record}列表显示{count:d}个{noun:record}",
)
@checks(_list_noun)
def list_count(crm: CRM, record: RecordType, count: int, noun: RecordType) -> None:
    """The list (as last searched) says it shows that many records."""
    shown = crm.records.list_count(record)
    assert shown == count, f"the {record} list shows {shown} {record}(s), not {count}"


# ----------------------------------------------------------------------------- messages


def _told(crm: CRM, scenario_context: dict[str, Any]) -> list[str]:
    """Everything the CRM said: the refusal of the last attempt, then what the screen shows now."""
    said: list[str] = []
    rejection: FormRejected | None = scenario_context.get(KEY)
    if rejection is not None:
        said += [message for message in rejection.errors.values() if message]
    said += [message for message in crm.records.messages() if message not in said]
    return said


@then('I am told "{text}"', '我看到提示"{text}"', '系统提示"{text}"')
def told(crm: CRM, scenario_context: dict[str, Any], text: str) -> None:
    """The CRM showed a message (confirmation, warning or error) holding that text, whole or part, any case."""
    said = _told(crm, scenario_context)
    assert any(text.casefold() in message.casefold() for message in said), (
        f'the CRM did not say "{text}"; it said: {said or "nothing"}'
    )


def _field_error(scenario_context: dict[str, Any], field: str) -> tuple[str, str]:
    record: RecordType | None = scenario_context.get(ATTEMPTED)
    candidates = [record] if record else list(RECORD_TYPES)
    key = next((field_named(field, r).key for r in candidates if _known(field, r)), field)
    rejection: FormRejected | None = scenario_context.get(KEY)
    assert rejection is not None, f"the CRM accepted the form; it showed no error at the {field}"
    message = rejection.errors.get(key, "")
    assert message, f"the CRM showed no error at the {field}; it said: {rejection.errors}"
    return key, message


@then(
    'I am told that the {field} is "{text}"',
    'I am told at the {field} "{text}"',
    '系统在{field}处提示"{text}"',
)
@checks(_any_field)
def told_at_field(scenario_context: dict[str, Any], field: str, text: str) -> None:
    """The refused form shows, at that field, a message holding that text (whole or part, any case)."""
    _, message = _field_error(scenario_context, field)
    assert text.casefold() in message.casefold(), f'the {field} error says "{message}", not "{text}"'


@then(
    "I am told that the {field} is required",
    "系统在{field}处提示必填",
)
@checks(_any_field)
def told_required(scenario_context: dict[str, Any], field: str) -> None:
    """The refused form shows an error at that field (the CRM's own words: required, missing, empty)."""
    _field_error(scenario_context, field)


@then(
    "I am told that the {field} is not valid",
    "系统在{field}处提示无效",
)
@checks(_any_field)
def told_not_valid(scenario_context: dict[str, Any], field: str) -> None:
    """The refused form shows an error at that field (the value was not accepted)."""
    _field_error(scenario_context, field)
