"""Any record by its business fields: the CRM-neutral interface of the general record steps.

A record is an organisation, a contact, an opportunity or an activity (:data:`RECORD_TYPES`); its
fields are the canonical keys of :mod:`signoff.crm.fields`. A record is named the way scenarios
name it: an organisation or an opportunity by its name, an activity by its title, a contact by its
full name under the kit's one name rule (:func:`signoff.crm.split_name`).

An adapter maps the keys to its own fields and says which it supports (:meth:`Records.supported`);
asking it for another one is a ``LookupError`` that lists the supported ones. A refused form comes
back as :class:`signoff.crm.FormRejected` keyed by canonical field keys (``""`` for the form).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from signoff.crm.fields import RecordType

#: The canonical key holding a record's name, by record type (a contact's is its two name parts).
NAME_KEYS: dict[RecordType, str] = {
    "organisation": "name",
    "contact": "full_name",
    "opportunity": "name",
    "activity": "title",
}


def record_name(record_type: RecordType, values: Mapping[str, str]) -> str:
    """The name scenarios use for a record of these values (a contact: its full name by the name rule)."""
    if record_type == "contact":
        from signoff.crm import join_name

        if "full_name" in values:
            return values["full_name"]
        return join_name(values.get("first_name", ""), values.get("last_name", ""))
    return values.get(NAME_KEYS[record_type], "")


def with_name_parts(values: Mapping[str, str]) -> dict[str, str]:
    """A contact's values with a full name replaced by its first and last names (the name rule)."""
    from signoff.crm import split_name

    parts = dict(values)
    if "full_name" in parts:
        parts["first_name"], parts["last_name"] = split_name(parts.pop("full_name"))
    return parts


@runtime_checkable
class Records(Protocol):
    """Add, read, change and list records of any type by their business fields."""

    def supported(self, record_type: RecordType) -> tuple[str, ...]:
        """The canonical field keys this CRM can enter and read for ``record_type``."""

    def add(self, record_type: RecordType, values: Mapping[str, str]) -> None:
        """Create a record with these values; :class:`FormRejected` when the CRM refuses the form."""

    def values(self, record_type: RecordType, name: str, keys: Sequence[str]) -> dict[str, str] | None:
        """The values the CRM holds for ``keys`` of the named record (``""``: empty), ``None`` if no such record."""

    def change(self, record_type: RecordType, name: str, changes: Mapping[str, str]) -> None:
        """Change fields of the named record; :class:`FormRejected` when the CRM refuses."""

    def list_rows(self, record_type: RecordType, columns: Sequence[str]) -> list[dict[str, str]]:
        """The rows the record type's list shows now (its current search and order), ``columns`` of each."""

    def search_list(self, record_type: RecordType, key: str, text: str) -> None:
        """Search the list by one field (the CRM's own search of that column: contains, any case)."""

    def sort_list(self, record_type: RecordType, key: str, descending: bool = False) -> None:
        """Sort the list by one field's column."""

    def list_count(self, record_type: RecordType) -> int:
        """How many records the list says it shows now (all pages)."""

    def messages(self) -> list[str]:
        """The messages the CRM shows on screen now: confirmations, warnings, errors (form and field)."""
