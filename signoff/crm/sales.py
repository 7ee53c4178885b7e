"""Sales automation and customer status, as the steps see them.

A *lead* is an organisation marked as a prospect or a suspect; it becomes an *opportunity* when a
sales representative records a possible deal with it. An opportunity moves through sales phases
until it is won (its organisation then becomes a customer), lost or abandoned; it has an owner (a
sales representative or a team) and records estimated and made sales.

Customer, prospect and suspect are *statuses* of an organisation towards the company that runs the
CRM. Sales phases and statuses are named here once, in English and Chinese, so that scenarios in
either language reach the same CRM words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

#: The sales phases of the contract, in their order of progress (the last three close the deal).
PHASES: tuple[str, ...] = ("Forthcoming", "In progress", "Under negotiation", "Won", "Lost", "Abandoned")

#: Business names of the sales phases, English and Chinese, to the canonical name above.
SALES_PHASES: dict[str, str] = {
    "forthcoming": "Forthcoming",
    "即将开始": "Forthcoming",
    "in progress": "In progress",
    "进行中": "In progress",
    "under negotiation": "Under negotiation",
    "谈判中": "Under negotiation",
    "won": "Won",
    "赢单": "Won",
    "lost": "Lost",
    "输单": "Lost",
    "abandoned": "Abandoned",
    "已放弃": "Abandoned",
}

CustomerStatus = Literal["customer", "prospect", "suspect"]

#: Business names of the customer statuses, English and Chinese (see the glossary).
CUSTOMER_STATUSES: dict[str, CustomerStatus] = {
    "customer": "customer",
    "客户": "customer",
    "prospect": "prospect",
    "潜在客户": "prospect",
    "suspect": "suspect",
    "可疑客户": "suspect",
    "待确认线索": "suspect",
}


def sales_phase_named(name: str) -> str:
    """The canonical sales phase for a business name; unknown names are a clear error."""
    try:
        return SALES_PHASES[name.strip().lower()]
    except KeyError:
        raise ValueError(f'unknown sales phase "{name}"; known phases: {", ".join(PHASES)}') from None


def customer_status_named(name: str) -> CustomerStatus:
    """The customer status for a business name; unknown names are a clear error."""
    try:
        return CUSTOMER_STATUSES[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted({k for k in CUSTOMER_STATUSES if k.isascii()}))
        raise ValueError(f'unknown customer status "{name}"; known statuses: {known}') from None


@dataclass(frozen=True)
class Opportunity:
    """An opportunity as its page shows it."""

    name: str
    #: The organisation (or contact) the deal is with.
    target: str
    #: Canonical sales phase (see :data:`PHASES`); a phase the contract does not know stays as shown.
    phase: str
    #: The owner's name as the CRM shows it: a user's displayed name or a team's name.
    owner: str
    owner_is_team: bool = False
    #: Amounts in the opportunity's currency; ``None`` when the CRM shows none.
    estimated_sales: Decimal | None = None
    made_sales: Decimal | None = None


@runtime_checkable
class Sales(Protocol):
    """Opportunities, their owners, and the customer status of organisations.

    Refused forms raise :class:`signoff.crm.FormRejected` keyed by business field: ``name``,
    ``target``, ``phase``, ``owner``, ``estimated_sales``, ``made_sales`` (``""`` for the form).
    """

    #: The largest amount the CRM accepts for estimated or made sales.
    amount_limit: int

    # -- customer status

    def mark_as(self, organisation: str, status: CustomerStatus) -> None:
        """Give the organisation a status; raises :class:`ActionRefused` when the CRM does not offer it."""

    def statuses(self, organisation: str) -> list[CustomerStatus]:
        """The organisation's statuses, one entry per status the CRM records (repeats kept)."""

    # -- opportunities

    def add_opportunity(
        self,
        name: str,
        target: str | None,
        *,
        phase: str | None = None,
        estimated_sales: Decimal | None = None,
        made_sales: Decimal | None = None,
    ) -> None:
        """Record an opportunity with the organisation ``target``, as a user does from its page.

        ``target=None`` uses the general creation form and leaves the target empty. ``phase=None``
        takes the first phase, as a user does who has to pick one.
        """

    def opportunity(self, name: str) -> Opportunity | None:
        """The opportunity's page data, or ``None`` when there is no such opportunity."""

    def count_opportunities(self) -> int:
        """How many opportunities the CRM lists (trash excluded)."""

    def opportunities_of(self, organisation: str) -> list[str]:
        """Names of the opportunities listed on the organisation's page."""

    def move_to_phase(self, name: str, phase: str) -> None:
        """Change the opportunity's sales phase (canonical name)."""

    def assign(self, name: str, owner: str | None, *, team: bool = False) -> None:
        """Make ``owner`` (a user, or with ``team`` a team) the opportunity's owner; ``None`` clears it."""

    def record_sales(
        self, name: str, *, estimated_sales: Decimal | None = None, made_sales: Decimal | None = None
    ) -> None:
        """Change the amounts given (the others stay as they are)."""

    # -- the people opportunities are assigned to

    def ensure_sales_representative(self, full_name: str) -> None:
        """Make sure a user with this displayed name exists and can own records."""

    def ensure_team(self, name: str, members: Sequence[str]) -> None:
        """Make sure a team of this name exists (created with ``members`` when missing)."""
