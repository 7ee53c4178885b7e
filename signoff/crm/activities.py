"""Activities, as the steps see them: tasks, meetings and phone calls, the calendar, a customer's page.

An activity is linked to its customer either as a *subject* (an organisation the activity is about)
or through its *participants* (contacts taking part). Times are naive, in the CRM user's time
zone: the scenarios speak of wall-clock times ("from 10:00 to 11:30").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

#: The kinds of activity the contract speaks of.
ActivityKind = Literal["task", "meeting", "phone call"]
KINDS: tuple[ActivityKind, ...] = ("task", "meeting", "phone call")


@dataclass(frozen=True)
class Activity:
    """An activity as its page shows it."""

    title: str
    kind: ActivityKind | str
    start: datetime | None
    end: datetime | None
    all_day: bool = False
    #: Contacts taking part (full names), the CRM user's own contact included when they take part.
    participants: tuple[str, ...] = ()
    #: Organisations (or other records) the activity is about.
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalendarEntry:
    """One activity as the calendar shows it on one day."""

    title: str
    day: date
    all_day: bool


@runtime_checkable
class Activities(Protocol):
    """Tasks, meetings and phone calls; the calendar."""

    def add(
        self,
        kind: ActivityKind,
        title: str,
        start: datetime | date,
        end: datetime | None = None,
        *,
        all_day: bool = False,
        organisation: str | None = None,
        contacts: Sequence[str] = (),
    ) -> None:
        """Create an activity about ``organisation`` with ``contacts`` taking part.

        A ``date`` start with ``all_day`` makes an all-day activity. Raises :class:`FormRejected`
        with the business field (``title``, ``start``, ``end``; ``""`` for the whole form) when the
        CRM refuses it.
        """

    def activity(self, title: str) -> Activity | None:
        """The activity's page data, or ``None`` when there is no such activity."""

    def count(self) -> int:
        """How many activities the CRM lists."""

    def calendar(self, day: date) -> list[CalendarEntry]:
        """What the user's own calendar shows on ``day``."""

    def of_organisation(self, name: str) -> list[str]:
        """Titles of the activities listed on the organisation's page."""

    def of_contact(self, full_name: str) -> list[str]:
        """Titles of the activities listed on the contact's page."""
