"""The ``[data]`` section of the acceptance plan: what the data-integrity verdict applies.

Example ``acceptance.toml``::

    [data]
    seed = 20261206
    contacts = 200
    organisations = 50
    formats = ["csv", "csv-bom", "csv-gb18030", "csv-semicolon", "xlsx"]
    normalise = []            # e.g. ["trim"]: every one applied is printed in the report
    max_mismatches = 0
    max_dropped_rows = 0
    max_unexpected_refusals = 0
    sample = 10
    key = "email"             # the column an analyst's file is keyed by (a business field name)
    output_dir = "reports/data"

The defaults are the strict ones: a CRM that changes one value, drops one row without saying so, or
refuses one valid row fails. A normalisation is applied only when listed here, and the report says
which ones were and how many values each changed: a CRM that changes data is never passed quietly.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from signoff.crm.fields import FIELDS, RECORD_FIELDS, field_named
from signoff.errors import PlanError
from signoff.plan import register_section

#: File formats the generator writes and the reader reads.
FORMATS: tuple[str, ...] = ("csv", "csv-bom", "csv-gb18030", "csv-semicolon", "csv-utf16", "xlsx")

#: Normalisations a plan may list, with what each does (shown in the report when applied).
NORMALISATIONS: dict[str, str] = {
    "trim": "leading and trailing spaces removed before comparing",
    "whitespace": "runs of spaces and tabs collapsed to one space before comparing",
    "line-breaks": "CR LF and CR read as LF before comparing",
    "case": "letter case ignored",
}


@register_section("data")
@dataclasses.dataclass(frozen=True)
class DataSection:
    """Data-integrity settings: the generated datasets and the thresholds of the verdict."""

    #: Seed of the generated datasets: the same seed gives the same file, byte for byte.
    seed: int = 20261206
    #: Default sizes of generated files when a step does not say how many.
    contacts: int = 200
    organisations: int = 50
    #: Formats a generated file may be written in.
    formats: tuple[str, ...] = FORMATS
    #: Normalisations applied before comparing (empty: values must be exactly equal).
    normalise: tuple[str, ...] = ()
    #: Most changed values accepted (mismatches no normalisation above explains).
    max_mismatches: int = 0
    #: Most rows that may vanish without the CRM refusing them.
    max_dropped_rows: int = 0
    #: Most rows the CRM may refuse that the file did not expect to be refused.
    max_unexpected_refusals: int = 0
    #: How many imported records are opened on their detail pages to check storage.
    sample: int = 10
    #: The column an analyst's file is keyed by, as a business field name (``email``, ``phone``,
    #: ``电话``): rows are matched by it after the CRM stored and exported them. A step may name
    #: another (``keyed by "phone"``). Generated files are always keyed by their email.
    key: str = "email"
    #: Where ``data-integrity.{html,json}`` and ``summary.json`` go (relative to the plan file).
    output_dir: str = "reports/data"

    def __post_init__(self) -> None:
        unknown = [name for name in self.normalise if name not in NORMALISATIONS]
        if unknown:
            raise PlanError(
                f"[data] normalise: unknown normalisation {unknown[0]!r}; known: {', '.join(NORMALISATIONS)}"
            )
        key_field(self.key)
        bad = [name for name in self.formats if name not in FORMATS]
        if bad:
            raise PlanError(f"[data] formats: unknown format {bad[0]!r}; known: {', '.join(FORMATS)}")


#: The record types a customer file holds (the key column must be a field of one of them).
_FILE_RECORDS: Final = ("contact", "organisation")


def key_field(name: str) -> str:
    """The canonical key of the field ``[data] key`` names; a :class:`PlanError` listing the known ones."""
    for record_type in _FILE_RECORDS:
        try:
            return field_named(name, record_type).key
        except ValueError:
            continue
    keys = dict.fromkeys(key for record_type in _FILE_RECORDS for key in RECORD_FIELDS[record_type])
    known = ", ".join(f"{FIELDS[key].english} / {FIELDS[key].chinese}" for key in keys)
    raise PlanError(f'[data] key: no field "{name}" in a customer file; known fields: {known}')
