"""Marketing campaigns, as the steps see them: mailing lists, email templates, campaigns, sendings.

Personalised fields are written the CRM-neutral way in a template's subject and body: a field name
in square brackets, ``[first name]`` or ``[last name]``. Each adapter turns them into its own
syntax (Creme writes ``{{first_name}}``), so that a feature file never shows one CRM's notation.
A field the CRM cannot fill stays a field in brackets: the CRM is expected to refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: ``[first name]`` and friends: a personalised field in a template's text.
PERSONAL_FIELD = re.compile(r"\[(?P<field>[^\[\]]+)\]")


def personal_fields(text: str) -> list[str]:
    """The personalised fields ``text`` uses, by business name (``["first name", "last name"]``)."""
    return [match.group("field").strip() for match in PERSONAL_FIELD.finditer(text)]


def fill_personal_fields(text: str, value_of: Callable[[str], str]) -> str:
    """``text`` with every ``[field]`` replaced by ``value_of(field)``."""
    return PERSONAL_FIELD.sub(lambda match: value_of(match.group("field").strip()), text)


@dataclass(frozen=True)
class MailingListMember:
    """A contact on a mailing list, with the address the CRM will write to."""

    name: str
    address: str


@dataclass(frozen=True)
class MailingList:
    name: str
    contacts: tuple[MailingListMember, ...] = ()


@dataclass(frozen=True)
class EmailTemplate:
    name: str
    subject: str
    body: str


@dataclass(frozen=True)
class Campaign:
    name: str
    mailing_lists: tuple[str, ...] = ()


@dataclass(frozen=True)
class SentEmail:
    """One email of a sending, as the CRM reports it."""

    address: str
    recipient: str
    #: The CRM's own word for the email's state ("Sent", "Not sent" ...).
    status: str
    sent: bool


@dataclass(frozen=True)
class Sending:
    """One sending of a campaign and what became of each of its emails."""

    subject: str
    #: The CRM's own word for the sending's state ("Done", "Planned" ...).
    state: str
    finished: bool
    emails: tuple[SentEmail, ...] = ()


@runtime_checkable
class Campaigns(Protocol):
    """Mailing lists, email templates and marketing campaigns."""

    def use_mail_server(self, host: str, port: int, sender: str) -> None:
        """Make campaigns send through the SMTP server at ``host:port`` from ``sender`` (idempotent)."""

    def add_mailing_list(self, name: str, contacts: Sequence[str] = ()) -> None:
        """Create a mailing list, with contacts by full name; :class:`FormRejected` when refused."""

    def add_to_mailing_list(self, name: str, contacts: Sequence[str]) -> None:
        """Add existing contacts (full names) to an existing mailing list."""

    def mailing_list(self, name: str) -> MailingList | None: ...

    def count_mailing_lists(self) -> int: ...

    def add_template(self, name: str, subject: str, body: str) -> None:
        """Create an email template; ``[field]`` marks a personalised field (see the module doc)."""

    def template(self, name: str) -> EmailTemplate | None:
        """The template as the CRM keeps it, personalised fields written back as ``[field]``."""

    def count_templates(self) -> int: ...

    def add_campaign(self, name: str, mailing_lists: Sequence[str] = ()) -> None: ...

    def campaign(self, name: str) -> Campaign | None: ...

    def count_campaigns(self) -> int: ...

    def send(self, campaign: str, template: str | None) -> None:
        """Send ``campaign`` now with ``template`` (``None``: choose none, to see the CRM refuse)."""

    def sendings(self, campaign: str) -> list[Sending]:
        """The campaign's sendings, newest first."""

    def wait_until_sent(self, campaign: str, timeout: float) -> Sending:
        """Wait until the campaign's newest sending is finished (the CRM sends in the background)."""
