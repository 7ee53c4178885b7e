"""The CRM-neutral interface that steps talk to.

Steps say *what* a user does in business words; they never touch Playwright. Each CRM has an
adapter under ``pages/<kind>/`` that implements these protocols with its page objects. Methods are
named by intent and return data; assertions stay in the steps.

Errors a CRM shows to the user (a refused form, a refused deletion) come back as
:class:`FormRejected` / :class:`ActionRefused`, carrying the CRM's own words, so that steps can
check error cases without knowing the CRM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from signoff.targets.base import Credentials


class CRMError(Exception):
    """The CRM refused what the user did, and said so on screen."""


class FormRejected(CRMError):
    """A form was not saved. ``errors`` maps a business field name (or ``""``) to the CRM's message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k or 'form'}: {v}" for k, v in self.errors.items()) or "form refused")


class ActionRefused(CRMError):
    """An action (delete, open a page) was refused; ``message`` is what the CRM said."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Organisation:
    """A company record as the CRM shows it."""

    name: str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Contact:
    """A person record as the CRM shows it."""

    first_name: str
    last_name: str
    organisation: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return join_name(self.first_name, self.last_name)


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def split_name(full_name: str) -> tuple[str, str]:
    """(first name, last name) of a person's full name written in a step: the kit's one name rule.

    - A Latin name is written first name first: the first word is the first name, the rest the
      last name (``"Ada Lovelace"`` → Ada, Lovelace; ``"Jean Paul Sartre"`` → Jean, Paul Sartre).
    - A Chinese name (any Chinese character) is written family name first, as in China: the first
      character is the family name (姓), the rest the given name (名): ``"李雷"`` → 名 雷, 姓 李.
      A compound family name is written with a space after it: ``"欧阳 娜娜"`` → 姓 欧阳, 名 娜娜
      (without the space, ``"欧阳娜娜"`` reads as 姓 欧, 名 阳娜娜).
    - A single word (or a single Chinese character) is a last name only.

    Explicit first-name and last-name columns of a data table are taken as they are and never go
    through this rule. The CRM displays the name its own way; adapters compare by the two parts.
    """
    name = " ".join(full_name.split())
    if _HAN.search(name):
        family, _, given = name.partition(" ")
        if not given:
            family, given = name[:1], name[1:]
        return given, family
    first, _, last = name.partition(" ")
    return (first, last) if last else ("", first)


def join_name(first_name: str, last_name: str) -> str:
    """The full name :func:`split_name` reads back as these parts: ``Ada Lovelace``, ``李雷``, ``欧阳 娜娜``."""
    first, last = first_name.strip(), last_name.strip()
    if _HAN.search(first + last):
        if first and (len(last) > 1 or " " in first):
            return f"{last} {first}"
        return f"{last}{first}"
    return f"{first} {last}".strip()


#: Business names of the CRM's modules, English and Chinese, to one canonical name.
MODULES: dict[str, str] = {
    "contacts": "contacts",
    "contact list": "contacts",
    "联系人": "contacts",
    "organisations": "organisations",
    "organisation list": "organisations",
    "companies": "organisations",
    "公司": "organisations",
    "opportunities": "opportunities",
    "商机": "opportunities",
    "activities": "activities",
    "活动": "activities",
    "calendar": "calendar",
    "日历": "calendar",
    "campaigns": "campaigns",
    "营销活动": "campaigns",
    "trash": "trash",
    "回收站": "trash",
}


def module_named(name: str) -> str:
    """The canonical module for a business name; unknown names are a clear error."""
    try:
        return MODULES[name.strip().lower()]
    except KeyError:
        known = ", ".join(sorted({k for k in MODULES if k.isascii()}))
        raise ValueError(f'unknown module "{name}"; known modules: {known}') from None


@runtime_checkable
class Session(Protocol):
    """Signing in and out."""

    def sign_in(self, credentials: Credentials) -> None:
        """Fill the sign-in form and submit it (does not check the outcome)."""

    def forget_sign_in(self) -> None:
        """Leave the CRM as a visitor who never signed in (the saved sign-in stays valid)."""

    def is_signed_in(self) -> bool: ...

    def sign_in_error(self) -> str | None:
        """The error the sign-in page shows, if any."""

    def is_on_sign_in_page(self) -> bool: ...

    def open_module(self, module: str) -> None:
        """Open a module's main page by its business name (``contacts``, ``organisations`` ...)."""


@runtime_checkable
class Customers(Protocol):
    """Organisations and contacts."""

    #: Longest name the CRM accepts for an organisation and for a contact's last name.
    organisation_name_limit: int
    contact_name_limit: int

    def add_organisation(self, name: str, **fields: str) -> None:
        """Create an organisation; raises :class:`FormRejected` when the CRM refuses the form."""

    def add_contact(self, first_name: str, last_name: str, organisation: str | None = None, **fields: str) -> None: ...

    def organisation(self, name: str) -> Organisation | None:
        """The organisation's detail page data, or ``None`` when no such organisation exists."""

    def contact(self, full_name: str) -> Contact | None: ...

    def edit_organisation(self, name: str, /, **changes: str) -> None:
        """Change fields of the organisation (``name=`` renames it); :class:`FormRejected` when refused."""

    def edit_contact(self, full_name: str, /, **changes: str) -> None: ...

    def count_organisations(self) -> int:
        """How many organisations the CRM lists (trash excluded)."""

    def search_organisations(self, text: str) -> list[str]:
        """Quick search of the organisation list; the names shown."""

    def search_contacts(self, text: str) -> list[str]: ...

    def delete_organisation(self, name: str) -> None:
        """Move to the trash; raises :class:`ActionRefused` when the CRM refuses."""

    def delete_contact(self, full_name: str) -> None: ...

    def trash(self) -> list[str]:
        """Names of the records in the trash."""

    def restore(self, name: str) -> None:
        """Restore a record from the trash."""


class CRM(Protocol):
    """One CRM, as the steps see it: a set of business areas, each a typed attribute.

    The areas beyond sign-in and customers are described in their own modules of this package
    (:mod:`signoff.crm.sales`, ``.campaigns``, ``.activities``, ``.users``, ``.screens``,
    ``.customers_more``). An adapter (``pages/<kind>/``) offers every area; steps reach them as
    ``crm.<area>`` and nothing else - never the adapter's browser page.
    """

    @property
    def session(self) -> Session: ...

    @property
    def customers(self) -> Customers: ...

    @property
    def customers_more(self) -> CustomersMore: ...

    @property
    def sales(self) -> Sales: ...

    @property
    def campaigns(self) -> Campaigns: ...

    @property
    def activities(self) -> Activities: ...

    @property
    def users(self) -> Users: ...

    @property
    def screens(self) -> Screens: ...

    @property
    def records(self) -> Records: ...

    @property
    def data(self) -> DataExchange: ...

    @property
    def security(self) -> Security: ...

    def arrange(self, fast: bool) -> None:
        """Whether what the following steps ask for is a precondition (a ``Given``) to set up fast.

        While ``fast`` is on, an adapter may create records through a quicker path than its
        screens (the CRM's own forms or API over HTTP, with the same server-side validation and the
        same refusals); an adapter without one simply keeps using its screens. The kit turns it on
        for ``Given`` steps only; what a scenario does and checks always goes through the screens.
        """


#: The areas of :class:`CRM`, by attribute name.
AREAS: tuple[str, ...] = (
    "session",
    "customers",
    "customers_more",
    "sales",
    "campaigns",
    "activities",
    "users",
    "screens",
    "security",
    "records",
    "data",
)


# The area modules import nothing from this package's namespace, so they can be imported last.
from signoff.crm.activities import Activities  # noqa: E402
from signoff.crm.campaigns import Campaigns  # noqa: E402
from signoff.crm.customers_more import CustomersMore  # noqa: E402
from signoff.crm.data import DataExchange  # noqa: E402
from signoff.crm.records import Records  # noqa: E402
from signoff.crm.sales import Sales  # noqa: E402
from signoff.crm.screens import Screens  # noqa: E402
from signoff.crm.security import Security  # noqa: E402
from signoff.crm.users import Users  # noqa: E402
