"""Customer operations beyond :class:`signoff.crm.Customers`: deleting for good from the trash,
saved list filters, merging duplicates, and linking an organisation to an opportunity.

These belong with :class:`signoff.crm.Customers`; they live here until the core protocol takes
them in. Every adapter offers them as ``crm.customers_more`` (see :class:`signoff.crm.CRM`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from signoff.crm.users import RecordKind

#: The customer lists that can be filtered.
CustomerList = Literal["organisations", "contacts"]
#: How a saved filter compares a field with its value.
Operator = Literal["contains", "starts with", "equals"]


@dataclass(frozen=True)
class Condition:
    """One condition of a saved filter, e.g. the name contains "Star"."""

    field: str  # business field name: "name", "first name", "last name", "email"
    operator: Operator
    value: str


@runtime_checkable
class CustomersMore(Protocol):
    """Trash, saved filters, merging and links of organisations and contacts."""

    def delete_for_good(self, name: str) -> None:
        """Delete a record from the trash for good; raises :class:`~signoff.crm.ActionRefused` with
        the CRM's words when it refuses (for instance while the record is still linked)."""

    def link_to_opportunity(self, organisation: str, opportunity: str) -> None:
        """Make a new opportunity that targets the organisation (a link the CRM must respect)."""

    def save_filter(self, listing: CustomerList, name: str, conditions: Sequence[Condition]) -> None:
        """Save a filter of the list; raises :class:`~signoff.crm.FormRejected` when refused."""

    def saved_filters(self, listing: CustomerList) -> list[str]:
        """Names of the filters the list offers."""

    def filter_list(self, listing: CustomerList, filter_name: str) -> list[str]:
        """Apply a saved filter to the list; the names shown (contacts as "First Last")."""

    def merge(self, kind: RecordKind, absorbed: str, kept: str, **changes: str) -> None:
        """Merge ``absorbed`` into ``kept`` (``changes`` overrides fields of the merged record, e.g.
        ``name``); raises :class:`~signoff.crm.FormRejected` when the CRM refuses."""
