"""Record fields by their business names, in English and Chinese: the one field vocabulary of the kit.

Analysts write fields the way the glossary (``shared/GLOSSARY.md``) names them - ``phone`` / ``电话``,
``postcode`` / ``邮编``, ``job title`` / ``职位`` - in steps, data tables and data files. This module
turns such a name into a canonical field key (``phone``, ``postcode``, ``job_title``) and knows which
keys each record type has. It knows no CRM: an adapter maps the canonical keys to its own fields
(``pages/<crm>/fields.py``) and says which of them it supports.

An unknown name is an error that lists the known names for that record type
(:func:`field_named`), so ``signoff check`` and a data file's header can say so in one line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal

from signoff.crm.activities import ActivityKind

RecordType = Literal["organisation", "contact", "opportunity", "activity"]
RECORD_TYPES: Final[tuple[RecordType, ...]] = ("organisation", "contact", "opportunity", "activity")

#: Business names of the record types, English and Chinese, to the canonical record type.
RECORD_TYPE_NAMES: Final[dict[str, RecordType]] = {
    "organisation": "organisation",
    "organisations": "organisation",
    "organization": "organisation",
    "company": "organisation",
    "companies": "organisation",
    "公司": "organisation",
    "组织": "organisation",
    "contact": "contact",
    "contacts": "contact",
    "联系人": "contact",
    "opportunity": "opportunity",
    "opportunities": "opportunity",
    "商机": "opportunity",
    "activity": "activity",
    "activities": "activity",
    "活动": "activity",
    "日程": "activity",
}


@dataclass(frozen=True)
class BusinessField:
    """One field as analysts name it: canonical key, English and Chinese names, other spellings."""

    key: str
    english: str
    chinese: str
    #: Other words analysts use for it (plural forms, synonyms from the glossary).
    aliases: tuple[str, ...] = ()
    #: ``text``, ``email``, ``phone``, ``url``, ``date``, ``datetime``, ``amount``, ``percent``,
    #: ``record`` (names another record), ``records`` (names several, comma-separated), ``user``,
    #: ``choice``, ``activity kind``: how a value is read and compared.
    kind: str = "text"

    def names(self) -> tuple[str, ...]:
        return (self.english, self.chinese, *self.aliases)


_FIELDS: Final[tuple[BusinessField, ...]] = (
    BusinessField("name", "name", "名称", ("company name", "公司名称")),
    BusinessField("first_name", "first name", "名", ("given name", "名字")),
    BusinessField("last_name", "last name", "姓", ("family name", "surname", "姓氏")),
    BusinessField("full_name", "full name", "姓名"),
    BusinessField("job_title", "job title", "职位", ("position",)),
    BusinessField("phone", "phone", "电话", ("phone number", "telephone", "电话号码"), kind="phone"),
    BusinessField("mobile", "mobile", "手机", ("mobile phone", "手机号码"), kind="phone"),
    BusinessField("fax", "fax", "传真", kind="phone"),
    BusinessField("email", "email", "邮箱", ("email address", "e-mail", "电子邮箱", "电子邮件"), kind="email"),
    BusinessField("website", "website", "网站", ("web site", "url"), kind="url"),
    BusinessField("address", "address", "地址", ("street", "街道")),
    BusinessField("city", "city", "城市"),
    BusinessField("postcode", "postcode", "邮编", ("postal code", "zip code", "zip", "邮政编码")),
    BusinessField("country", "country", "国家"),
    BusinessField("description", "description", "描述", ("notes", "备注")),
    BusinessField("birthday", "birthday", "生日", ("date of birth", "出生日期"), kind="date"),
    BusinessField("owner", "owner", "负责人", ("assigned to",), kind="user"),
    BusinessField(
        "organisation", "organisation", "公司", ("company", "employer", "organization", "组织"), kind="record"
    ),
    BusinessField("status", "status", "状态", kind="choice"),
    BusinessField("estimated_sales", "estimated sales", "预计销售额", kind="amount"),
    BusinessField("made_sales", "made sales", "实际销售额", kind="amount"),
    BusinessField("probability", "probability", "赢单概率", kind="percent"),
    BusinessField("closing_date", "closing date", "预计成交日期", ("expected closing date",), kind="date"),
    BusinessField("sales_phase", "sales phase", "销售阶段", ("phase",), kind="choice"),
    BusinessField("target", "target", "目标客户", kind="record"),
    BusinessField("title", "title", "标题", ("subject of the activity",)),
    BusinessField("start", "start", "开始", ("start time", "开始时间"), kind="datetime"),
    BusinessField("end", "end", "结束", ("end time", "结束时间"), kind="datetime"),
    BusinessField("participants", "participants", "参与人", ("participant", "参与者"), kind="records"),
    BusinessField("activity_type", "type", "类型", ("activity type", "活动类型"), kind="activity kind"),
    BusinessField("place", "place", "地点", ("location", "venue", "会议地点")),
)

#: The kinds of activity by the words analysts use, English and Chinese, to the canonical kind.
ACTIVITY_KINDS: Final[dict[str, ActivityKind]] = {
    "task": "task",
    "任务": "task",
    "meeting": "meeting",
    "会议": "meeting",
    "phone call": "phone call",
    "电话": "phone call",
}

#: Which canonical fields each record type has, in the order forms and reports list them.
RECORD_FIELDS: Final[dict[RecordType, tuple[str, ...]]] = {
    "organisation": (
        "name",
        "phone",
        "fax",
        "email",
        "website",
        "address",
        "city",
        "postcode",
        "country",
        "description",
        "owner",
        "status",
    ),
    "contact": (
        "first_name",
        "last_name",
        "full_name",
        "job_title",
        "organisation",
        "phone",
        "mobile",
        "fax",
        "email",
        "website",
        "address",
        "city",
        "postcode",
        "country",
        "description",
        "birthday",
        "owner",
    ),
    "opportunity": (
        "name",
        "target",
        "sales_phase",
        "estimated_sales",
        "made_sales",
        "probability",
        "closing_date",
        "description",
        "owner",
    ),
    "activity": ("title", "activity_type", "start", "end", "place", "participants", "description", "owner"),
}

FIELDS: Final[dict[str, BusinessField]] = {field.key: field for field in _FIELDS}


def _normalised(name: str) -> str:
    return " ".join(name.strip().lower().replace("_", " ").split())


def record_type_named(name: str) -> RecordType:
    """The canonical record type for a business name (``公司`` → ``organisation``); ``ValueError`` else."""
    try:
        return RECORD_TYPE_NAMES[_normalised(name)]
    except KeyError:
        known = ", ".join(name for name in RECORD_TYPE_NAMES if name.isascii() and not name.endswith("s"))
        raise ValueError(f'unknown record type "{name}"; known: {known}') from None


def field_named(name: str, record_type: RecordType) -> BusinessField:
    """The field of ``record_type`` an analyst means by ``name`` (English, Chinese or an alias).

    ``ValueError`` with the known names of that record type when it has no such field.
    """
    wanted = _normalised(name)
    for key in RECORD_FIELDS[record_type]:
        field = FIELDS[key]
        if wanted in (_normalised(word) for word in field.names()) or wanted == _normalised(key):
            return field
    article = "an" if record_type[0] in "aeiou" else "a"
    raise ValueError(
        f'{article} {record_type} has no field "{name}"; known fields: {", ".join(known_names(record_type))}'
    )


def known_names(record_type: RecordType, keys: Iterable[str] | None = None) -> list[str]:
    """``english / 中文`` of each field of ``record_type`` (or of ``keys`` only), for messages."""
    return [f"{FIELDS[key].english} / {FIELDS[key].chinese}" for key in (keys or RECORD_FIELDS[record_type])]


# ----------------------------------------------------------------------------- values and tables


def value_problem(field: BusinessField, value: str) -> str | None:
    """What is wrong with ``value`` for ``field`` (``None``: it can be entered), one line.

    The typed kinds are read by the vocabulary's own readers (one rule per kind); an empty value
    is always accepted (it leaves the field empty). Phones, text and choices take any text.
    """
    from signoff.vocabulary import BadValue, parse_amount, parse_date, parse_datetime, parse_email, parse_percent

    def percent(text: str) -> object:
        return parse_percent(text if text.rstrip().endswith(("%", "％")) else f"{text}%")

    readers: dict[str, Callable[[str], object]] = {
        "email": parse_email,
        "date": parse_date,
        "datetime": parse_datetime,
        "amount": parse_amount,
        "percent": percent,
    }
    if field.kind == "activity kind" and value.strip() and _normalised(value) not in ACTIVITY_KINDS:
        return f'the {field.english}: "{value}" is not a kind of activity; valid: {", ".join(ACTIVITY_KINDS)}'
    reader = readers.get(field.kind)
    if reader is None or not value.strip():
        return None
    try:
        reader(value)
    except BadValue as error:
        return f"the {field.english}: {error}"
    return None


def entered(field: BusinessField, value: str) -> str:
    """``value`` as a form takes it: an amount or a percentage as a plain number (12,500 → 12500, 10% → 10)."""
    if field.kind in ("amount", "percent") and value.strip():
        number = _number(value)
        if number is not None:
            return format(number, "f")
    return value


def same_value(field: BusinessField, expected: str, shown: str) -> bool:
    """Whether the CRM shows ``expected`` for ``field``: amounts and percentages by number, the rest exactly.

    Exactly means character for character, blanks at either end aside: a phone number keeps its
    leading 0 or +, an email its letter case. An amount is the same amount however many decimals
    the CRM writes (12,500 = 12500.00); a percentage likewise (10% = 10).
    """
    if field.kind in ("amount", "percent"):
        numbers = [_number(text) for text in (expected, shown)]
        if None not in numbers:
            return numbers[0] == numbers[1]
    if field.kind in ("date", "datetime"):
        moments = [_moment(text) for text in (expected, shown)]
        if None not in moments:
            return moments[0] == moments[1]
    if field.kind == "activity kind":
        return activity_kind(expected) == activity_kind(shown)
    if field.kind == "records":
        # Every record named takes part; the CRM may add its own (Creme: the user who saved it).
        return set(items(expected)) <= set(items(shown))
    return expected.strip() == shown.strip()


def items(value: str) -> list[str]:
    """The names of a cell that names several records: ``Ada Lovelace, Alan Turing`` / ``李雷、韩梅梅``."""
    return [item.strip() for item in re.split(r"[,，、;；]", value) if item.strip()]


def activity_kind(word: str) -> str:
    """The canonical kind of activity for a word analysts use (``会议`` → ``meeting``); the word itself else."""
    return ACTIVITY_KINDS.get(_normalised(word), word.strip())


def _moment(text: str) -> object | None:
    """A date or a date and time as written (2030-03-14, 2030-03-14 09:30), ``None`` when it is neither."""
    from signoff.vocabulary import BadValue, parse_date, parse_datetime

    for reader in (parse_datetime, parse_date):
        try:
            return reader(text)
        except BadValue:
            continue
    return None


def _number(text: str) -> Decimal | None:
    cleaned = re.sub(r"[,，\s%％]", "", text)
    cleaned = re.sub(r"[^\d.\-]", "", cleaned)
    try:
        return Decimal(cleaned) if cleaned else None
    except InvalidOperation:
        return None


def records_from_table(rows: Sequence[Sequence[str]], record_type: RecordType) -> list[dict[str, str]]:
    """The records of a data table: a header row of field names, then one row per record (or one
    record as field | value rows, see :func:`_field_value_table`).

    Each record maps canonical keys to the values written (empty cells are left out). A full name
    column is split by :func:`signoff.crm.split_name`; explicit first and last name columns are
    taken as written. ``ValueError`` (one line) for an unknown field, a field named twice, a row
    of the wrong width, or a value its field cannot take.
    """
    if _field_value_table(rows, record_type):
        # One record written as field | value rows: its empty values leave the fields empty.
        return [{key: value for key, value in values_from_table(rows, record_type).items() if value.strip()}]
    if len(rows) < 2:
        raise ValueError("the table needs a header row of field names and at least one row of values")
    keys = table_header(rows[0], record_type)
    records: list[dict[str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(keys):
            raise ValueError(f"row {number} of the table has {len(row)} cells, the header {len(keys)}")
        records.append(_checked({key: cell for key, cell in zip(keys, row, strict=True) if cell.strip()}, number))
    return records


def _field_value_table(rows: Sequence[Sequence[str]], record_type: RecordType) -> bool:
    """Whether a table gives one record as field | value rows rather than a header row of field names.

    It does when its header says so (``field | value``, ``字段 | 值``), or when it has two columns
    whose first one names a field in every row while its first row is not all field names.
    """
    if not rows or any(len(row) != 2 for row in rows):
        return False
    if [cell.strip().lower() for cell in rows[0]] in (["field", "value"], ["字段", "值"]):
        return True
    return all(_is_field(row[0], record_type) for row in rows) and not all(
        _is_field(cell, record_type) for cell in rows[0]
    )


def _is_field(name: str, record_type: RecordType) -> bool:
    try:
        field_named(name, record_type)
    except ValueError:
        return False
    return True


def values_from_table(rows: Sequence[Sequence[str]], record_type: RecordType) -> dict[str, str]:
    """A field/value table (two columns, one field per row, an optional header row) as canonical values.

    A header row is recognised by its words (``field | value``, ``字段 | 值``). Empty values are kept:
    they say the field is empty. ``ValueError`` as :func:`records_from_table`.
    """
    if rows and [cell.strip().lower() for cell in rows[0]] in (["field", "value"], ["字段", "值"]):
        rows = rows[1:]
    if not rows or any(len(row) != 2 for row in rows):
        raise ValueError("write the table as two columns, field and value, one field per row")
    keys = table_header([row[0] for row in rows], record_type)
    return _checked({key: row[1] for key, row in zip(keys, rows, strict=True)}, None)


def table_header(names: Sequence[str], record_type: RecordType) -> list[str]:
    """The canonical keys of the field names of a table header; ``ValueError`` for an unknown or repeated one."""
    keys = [field_named(name, record_type).key for name in names]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"the table names the {', '.join(FIELDS[key].english for key in repeated)} twice")
    if "full_name" in keys and ({"first_name", "last_name"} & set(keys)):
        raise ValueError("give either the full name or the first and last names, not both")
    return keys


def _checked(values: dict[str, str], row: int | None) -> dict[str, str]:
    for key, value in values.items():
        problem = value_problem(FIELDS[key], value)
        if problem:
            raise ValueError(problem + (f" (row {row})" if row else ""))
    return values


def table_problems(rows: Sequence[Sequence[str]] | None, record_type: RecordType, *, vertical: bool) -> list[str]:
    """What ``signoff check`` says about a step's data table (empty: none); for steps that take one."""
    if rows is None:
        return ["this step needs a data table under it"]
    try:
        (values_from_table if vertical else records_from_table)(rows, record_type)
    except ValueError as error:
        return [str(error)]
    return []
