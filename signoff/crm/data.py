"""Importing files into the CRM, exporting its lists, and reading what it stored - as a user does.

Every adapter offers this as ``crm.data`` (see :class:`signoff.crm.CRM`). Fields are named by their
canonical business keys (:mod:`signoff.crm.fields`: ``phone``, ``postcode``, ``job_title``); the
adapter maps them onto its own fields in its page objects. Nothing here compares: the kit
(:mod:`signoff.data`) does, with what these methods return untouched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from signoff.crm.fields import RecordType

#: Formats a list can be exported in.
ExportFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class Refusal:
    """One row the CRM's import refused, in its own words."""

    #: The row's cells as the CRM shows them (to find the row in the file by its key).
    values: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """What the CRM's import result page says."""

    #: The CRM's own status words (``Completed successfully``) and whether the import finished.
    status: str
    finished: bool
    created: int
    updated: int
    #: Lines of the file as the CRM counted them (-1 when it does not say).
    lines: int
    refused: tuple[Refusal, ...] = ()
    #: The CRM's summary sentence(s), shown in the report as they are.
    message: str = ""
    #: Why the CRM refused the whole file before importing any row (it cannot read it), in its words.
    file_refusal: str = ""
    #: The CRM failed while importing (a server error such as HTTP 500, or no answer): where and what.
    #: Not a refusal - the CRM did not say what it did with the file.
    server_error: str = ""


@dataclass(frozen=True)
class ExportedFile:
    """A file the CRM's list download produced, and which business field each of its columns is."""

    name: str
    content: bytes
    #: One canonical field key per column, in order; ``""`` for a column that is no business field.
    columns: tuple[str, ...]


@runtime_checkable
class DataExchange(Protocol):
    """Import, export and storage of organisations and contacts."""

    def importable_fields(self, record_type: RecordType) -> tuple[str, ...]:
        """Canonical keys of the fields the CRM's import can fill for ``record_type``."""

    def field_limits(self, record_type: RecordType) -> Mapping[str, int]:
        """The longest value the CRM takes, per canonical field key (for the length-limit rows)."""

    def date_formats(self) -> tuple[str, ...]:
        """``strftime`` formats the CRM reads dates in on import, its preferred one first."""

    def import_file(
        self, record_type: RecordType, file_name: str, content: bytes, columns: Mapping[str, int]
    ) -> ImportResult:
        """Import a file through the CRM's screens: upload, map each field key to its 1-based column,
        run, and wait for the result page. Raises ``ValueError`` for a field the import cannot fill."""

    def export_list(
        self, record_type: RecordType, fmt: ExportFormat, fields: Sequence[str], search: str = ""
    ) -> ExportedFile:
        """Download the list of ``record_type`` with (at least) ``fields`` as columns, through the list's
        own download; ``search``: first quick-search the key field (email) for this text."""

    def stored_records(
        self, record_type: RecordType, keys: Sequence[str], fields: Sequence[str], key: str = "email"
    ) -> list[dict[str, str]]:
        """For each value of the ``key`` field (``email``, ``phone`` ...) found, the record's stored
        ``fields`` as its own page shows them for edit (exact values, not the display); records not
        found are left out."""
