"""Datasets of organisations and contacts that carry the values which break real imports.

:func:`generate` makes one from a seed with Faker (``en_US`` and ``zh_CN``): the first rows each carry
one tricky case (:data:`CASES`) - Chinese, accented, emoji and right-to-left names; commas, quotes,
semicolons, tabs and line breaks inside fields; leading zeros and ``+`` in phone numbers and
postcodes; numbers with and without spaces; a value at the field's length limit and one past it;
empty optional fields; dates in each format the CRM reads; an exact duplicate row; leading and
trailing spaces; markup - and the other rows are ordinary people and companies of both locales. The
same seed, size and limits give the same rows (and, written by :mod:`signoff.data.formats`, the
same file byte for byte).

Rows are keyed by business field keys (:mod:`signoff.crm.fields`); the key column (``email``) holds
a value unique to the row and to the seed (``...@d<seed>.example``), so that rows can be matched
after the CRM stored and exported them, and so that an export can be searched for this dataset's
records only (:attr:`Dataset.scope`). :func:`from_records` wraps an analyst's own file the same way.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

from faker import Faker

from signoff.crm.fields import FIELDS, RecordType, field_named

#: The key column: a value unique to each row that every CRM stores as typed.
KEY: Final = "email"

#: Columns of a generated file, per record type, key first.
COLUMNS: Final[dict[RecordType, tuple[str, ...]]] = {
    "contact": (
        "email",
        "first_name",
        "last_name",
        "job_title",
        "phone",
        "mobile",
        "birthday",
        "address",
        "postcode",
        "city",
        "description",
    ),
    "organisation": ("email", "name", "phone", "fax", "website", "address", "postcode", "city", "description"),
}

#: The field whose length limit the limit cases test, per record type.
LIMITED_FIELD: Final[dict[RecordType, str]] = {"contact": "last_name", "organisation": "name"}

#: Every tricky case and what it puts in the row, in the order rows carry them.
CASES: Final[dict[str, str]] = {
    "chinese-name": "a Chinese name, family name first (李雷)",
    "accented-name": "accented Latin letters (Zoë Müller-Lüdenscheidt)",
    "emoji-name": "an emoji in the name",
    "rtl-name": "a right-to-left (Arabic and Hebrew) name",
    "comma-in-field": "a comma inside a field",
    "quote-in-field": 'double quotes inside a field ("…")',
    "semicolon-in-field": "a semicolon inside a field",
    "tab-in-field": "a tab inside a field",
    "line-break-in-field": "a line break (LF) inside a field",
    "crlf-in-field": "a Windows line break (CR LF) inside a field",
    "leading-zero-phone": "a phone number with a leading 0",
    "plus-phone": "a phone number with a leading +",
    "leading-zero-postcode": "a postcode with a leading 0",
    "number-with-spaces": "a number written with spaces (020 7946 0958)",
    "number-without-spaces": "a long number without spaces (13800138000)",
    "at-length-limit": "a value exactly at the field's length limit",
    "past-length-limit": "a value one character past the field's length limit (the CRM must refuse or say so)",
    "empty-optional": "every optional field empty",
    "date": "a date in one of the CRM's date formats",
    "duplicate": "an exact copy of an earlier row",
    "surrounding-spaces": "leading and trailing spaces",
    "markup": "text that looks like HTML and a formula (<b>, =1+1)",
}

#: Optional fields an "empty-optional" row leaves empty, per record type.
_OPTIONAL: Final[dict[RecordType, tuple[str, ...]]] = {
    "contact": ("job_title", "phone", "mobile", "birthday", "address", "postcode", "city", "description"),
    "organisation": ("phone", "fax", "website", "address", "postcode", "city", "description"),
}

_ACCENTED = (("Zoë", "Müller-Lüdenscheidt"), ("François", "Niño Ærøskøbing"), ("Ångström", "Dvořák Łukasz"))
_RTL = (("محمد", "العلي"), ("דוד", "כהן"))
_DEFAULT_LIMITS: Final[dict[str, int]] = {"last_name": 100, "first_name": 100, "name": 200}
_DEFAULT_DATE_FORMATS: Final[tuple[str, ...]] = ("%Y-%m-%d",)


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Rows of one record type, keyed by business field keys, with what each row tests."""

    record_type: RecordType
    #: Business field keys, in file order, :attr:`key` among them.
    columns: tuple[str, ...]
    rows: tuple[Mapping[str, str], ...]
    #: The tricky cases each row carries (empty for ordinary rows and analysts' files).
    cases: tuple[tuple[str, ...], ...] = ()
    #: Indexes of the rows the CRM is expected to refuse (a value past a length limit).
    expect_refused: frozenset[int] = frozenset()
    key: str = KEY
    #: Text that every key of this dataset contains (an export may be searched for it); "" for none.
    scope: str = ""
    #: Where it came from: ``generated (seed 7)`` or the analyst's file name.
    source: str = ""

    def headers(self, language: str = "en") -> list[str]:
        """The header line: business names in English or Chinese (``zh``)."""
        return [FIELDS[key].chinese if language == "zh" else FIELDS[key].english for key in self.columns]

    def values(self, index: int) -> list[str]:
        """Row ``index`` in column order."""
        return [self.rows[index].get(column, "") for column in self.columns]

    def cases_present(self) -> set[str]:
        return {case for row_cases in self.cases for case in row_cases}

    def keyed(self) -> dict[str, Mapping[str, str]]:
        """Rows by key (a duplicate keeps the first; the comparison counts occurrences itself)."""
        found: dict[str, Mapping[str, str]] = {}
        for row in self.rows:
            found.setdefault(row.get(self.key, ""), row)
        return found


def generate(
    record_type: RecordType,
    count: int,
    seed: int,
    *,
    limits: Mapping[str, int] | None = None,
    date_formats: Sequence[str] = _DEFAULT_DATE_FORMATS,
    tag: str = "",
    tricky: bool = True,
) -> Dataset:
    """``count`` rows of ``record_type``, the first ones carrying each tricky case once.

    ``limits`` gives the longest value the CRM takes per field key (its own numbers, from the data
    interface); ``date_formats`` the ``strftime`` formats it reads dates in: one row per format.
    ``tag`` (letters, digits, ``-``) goes into every key, so that two files of one seed imported into
    the same CRM keep apart. ``tricky=False``: ordinary rows only (the bad-input files, whose only
    defect must be the one they are made for).
    """
    if count < 1:
        raise ValueError(f"a dataset needs at least one row, not {count}")
    limits = {**_DEFAULT_LIMITS, **(limits or {})}
    # One generator per locale, each seeded: Faker's own multi-locale proxy picks locales at random.
    english, chinese = Faker("en_US"), Faker("zh_CN")
    english.seed_instance(seed)
    chinese.seed_instance(seed + 1)
    scope = f"@d{seed}{tag}.example"
    plan = _case_plan(record_type, date_formats) if tricky else []
    rows: list[dict[str, str]] = []
    cases: list[tuple[str, ...]] = []
    refused: set[int] = set()
    for index in range(count):
        fake = chinese if index % 3 == 1 else english
        row = _ordinary(record_type, fake, date_formats[0])
        case, detail = plan[index] if index < len(plan) else ("", "")
        if case == "duplicate" and rows:
            rows.append(dict(rows[-1]))
            cases.append((case,))
            continue
        if case:
            _apply(case, detail, row, record_type, limits, chinese)
            if case == "past-length-limit":
                refused.add(index)
        row[KEY] = _email(row, record_type, index, scope)
        rows.append(row)
        cases.append((case,) if case else ())
    return Dataset(
        record_type=record_type,
        columns=COLUMNS[record_type],
        rows=tuple(rows),
        cases=tuple(cases),
        expect_refused=frozenset(refused),
        key=KEY,
        scope=scope,
        source=f"generated (seed {seed}, {count} {record_type}s)",
    )


def from_records(
    record_type: RecordType, headers: Sequence[str], rows: Sequence[Sequence[str]], *, key: str, source: str
) -> Dataset:
    """An analyst's file as a dataset: headers are business field names (English or Chinese).

    ``ValueError`` (one line) for a header that names no field of the record type, for a missing
    key column, a key cell that is blank or repeated, and for a row with more cells than headers.
    ``key`` is a business field name (``email``, ``phone``, ``电话``).
    """
    columns = tuple(field_named(header, record_type).key for header in headers)
    key_field = field_named(key, record_type).key
    if key_field not in columns:
        raise ValueError(f"{source}: no '{key}' column to match rows by; the columns are {', '.join(headers)}")
    records: list[dict[str, str]] = []
    first_line: dict[str, int] = {}
    for number, values in enumerate(rows, start=2):
        if len(values) > len(columns):
            raise ValueError(f"{source}: line {number} has {len(values)} cells for {len(columns)} columns")
        record = {column: (values[i] if i < len(values) else "") for i, column in enumerate(columns)}
        # Rows are matched by the key after the CRM stored and exported them: it must be unique and
        # present on every row, or a row could be matched with another one's record.
        value = record[key_field]
        if not value.strip():
            raise ValueError(f'{source}: the key column "{key}" is blank on line {number}; every row needs a key')
        if value in first_line:
            raise ValueError(
                f'{source}: the key column "{key}" has "{value}" twice (lines {first_line[value]} and {number}); '
                "keys must be unique"
            )
        first_line[value] = number
        records.append(record)
    return Dataset(record_type, columns, tuple(records), key=key_field, source=source)


# ----------------------------------------------------------------------------- the rows


def _case_plan(record_type: RecordType, date_formats: Sequence[str]) -> list[tuple[str, str]]:
    """(case, detail) for the first rows; a date row per date format; the duplicate after a row."""
    plan: list[tuple[str, str]] = []
    for case in CASES:
        if case == "date":
            if record_type == "contact":
                plan += [("date", fmt) for fmt in date_formats]
        else:
            plan.append((case, ""))
    return plan


def _ordinary(record_type: RecordType, fake: Faker, date_format: str) -> dict[str, str]:
    address = fake.street_address()
    row = {
        "phone": fake.phone_number(),
        "address": address,
        "postcode": fake.postcode(),
        "city": fake.city(),
        "description": fake.sentence(nb_words=6),
    }
    if record_type == "contact":
        row |= {
            "first_name": fake.first_name(),
            "last_name": fake.last_name(),
            "job_title": fake.job()[:80],
            "mobile": fake.phone_number(),
            "birthday": fake.date_of_birth(minimum_age=18, maximum_age=80).strftime(date_format),
        }
    else:
        row |= {"name": fake.company(), "fax": fake.phone_number(), "website": f"https://{fake.domain_name()}"}
    return row


def _apply(
    case: str,
    detail: str,
    row: dict[str, str],
    record_type: RecordType,
    limits: Mapping[str, int],
    chinese: Faker,
) -> None:
    contact = record_type == "contact"
    name = "last_name" if contact else "name"
    if case == "chinese-name":
        if contact:
            row["last_name"], row["first_name"] = chinese.last_name(), chinese.first_name()
        else:
            row["name"] = chinese.company()
        row["city"], row["address"] = chinese.city(), chinese.street_address()
    elif case == "accented-name":
        first, last = _ACCENTED[len(row["city"]) % len(_ACCENTED)]
        if contact:
            row["first_name"], row["last_name"] = first, last
        else:
            row["name"] = f"{last} Société Générale d'Électricité"
    elif case == "emoji-name":
        row[name] = f"{row[name]} 😀"
        if contact:
            row["first_name"] = f"Ann🌟{row['first_name']}"
    elif case == "rtl-name":
        first, last = _RTL[len(row["city"]) % len(_RTL)]
        if contact:
            row["first_name"], row["last_name"] = first, last
        else:
            row["name"] = f"شركة {last}"
    elif case == "comma-in-field":
        row["address"] = f"{row['address']}, Building 2, Floor 3"
    elif case == "quote-in-field":
        row["description"] = 'Said "call me back", then "bye"'
    elif case == "semicolon-in-field":
        row["address"] = f"{row['address']}; Bât. B"
    elif case == "tab-in-field":
        row["description"] = "Column A\tColumn B"
    elif case == "line-break-in-field":
        row["description"] = "First line\nSecond line"
    elif case == "crlf-in-field":
        row["description"] = "第一行\r\n第二行"
    elif case == "leading-zero-phone":
        row["phone"] = "0123456789"
    elif case == "plus-phone":
        row["phone"] = "+86 138 0013 8000"
        if contact:
            row["mobile"] = "+447700900123"
    elif case == "leading-zero-postcode":
        row["postcode"] = "01234"
    elif case == "number-with-spaces":
        row["phone"] = "020 7946 0958"
    elif case == "number-without-spaces":
        row["phone"] = "13800138000"
    elif case == "at-length-limit":
        row[name] = _of_length(row[name], limits[name])
    elif case == "past-length-limit":
        row[name] = _of_length(row[name], limits[name] + 1)
    elif case == "empty-optional":
        for field in _OPTIONAL[record_type]:
            row[field] = ""
    elif case == "date":
        row["birthday"] = date(1984, 2, 29).strftime(detail)
    elif case == "surrounding-spaces":
        row[name] = f"  {row[name]} "
        if contact:
            row["job_title"] = f" {row['job_title']}  "
    elif case == "markup":
        row["description"] = "<b>bold</b> & <script>alert('x')</script> =1+1"
    else:  # pragma: no cover - CASES and this function are kept in step by a unit test
        raise ValueError(f"unknown case {case}")


def _of_length(value: str, length: int) -> str:
    """``value`` repeated and cut to exactly ``length`` characters."""
    seed = value.strip() or "x"
    return (seed * (length // len(seed) + 1))[:length]


def _email(row: Mapping[str, str], record_type: RecordType, index: int, scope: str) -> str:
    """A valid ASCII address unique to the row: built from the name where it is Latin."""
    words = row.get("last_name" if record_type == "contact" else "name", "")
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    local = re.sub(r"[^a-z0-9]+", ".", ascii_words.lower()).strip(".")[:20].strip(".") or "row"
    return f"{local}.{index + 1:05d}{scope}"
