"""Screens of a CRM by their business names: what user-experience steps open, reach and look at.

Steps about the user experience speak of screens the way a user does ("the organisation list", "the
new organisation form", 首页) and never of URLs. :data:`SCREENS` maps every business name, English
and Chinese, to one canonical screen; each CRM's adapter offers :class:`Screens` as ``crm.screens``.

Two ways to get to a screen, because they measure different things:

* :meth:`Screens.open` goes straight there, like typing its address: the starting point of a
  check, not part of a task;
* :meth:`Screens.go_to` gets there from the current screen the way a user does - menus, buttons -
  so that the clicks count in the effort of a task.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

#: Canonical screen names.
HOME = "home"
ORGANISATION_LIST = "organisation list"
CONTACT_LIST = "contact list"
NEW_ORGANISATION_FORM = "new organisation form"
NEW_CONTACT_FORM = "new contact form"
OPPORTUNITY_LIST = "opportunity list"
ACTIVITY_LIST = "activity list"
CALENDAR = "calendar"
TRASH = "trash"

#: Business names of screens, English and Chinese, to the canonical name (see GLOSSARY.md).
SCREENS: dict[str, str] = {
    "home": HOME,
    "home screen": HOME,
    "home page": HOME,
    "首页": HOME,
    "organisation list": ORGANISATION_LIST,
    "list of organisations": ORGANISATION_LIST,
    "公司列表": ORGANISATION_LIST,
    "contact list": CONTACT_LIST,
    "list of contacts": CONTACT_LIST,
    "联系人列表": CONTACT_LIST,
    "new organisation form": NEW_ORGANISATION_FORM,
    "organisation form": NEW_ORGANISATION_FORM,
    "新增公司表单": NEW_ORGANISATION_FORM,
    "new contact form": NEW_CONTACT_FORM,
    "contact form": NEW_CONTACT_FORM,
    "新增联系人表单": NEW_CONTACT_FORM,
    "opportunity list": OPPORTUNITY_LIST,
    "商机列表": OPPORTUNITY_LIST,
    "activity list": ACTIVITY_LIST,
    "活动列表": ACTIVITY_LIST,
    "calendar": CALENDAR,
    "日历": CALENDAR,
    "trash": TRASH,
    "回收站": TRASH,
}


def screen_named(name: str) -> str:
    """The canonical screen for a business name; unknown names are a clear error."""
    key = " ".join(name.strip().lower().split())
    for prefix in ("the ", "my "):
        if key.startswith(prefix) and key not in SCREENS:
            key = key[len(prefix) :]
    try:
        return SCREENS[key]
    except KeyError:
        known = ", ".join(sorted({k for k in SCREENS if k.isascii()}))
        raise ValueError(f'unknown screen "{name}"; known screens: {known}') from None


@runtime_checkable
class Screens(Protocol):
    """The screens of a CRM, for user-experience checks. Screen names are canonical (:data:`SCREENS`)."""

    def open(self, screen: str) -> None:
        """Show ``screen`` directly (like typing its address) and wait until it is ready."""

    def go_to(self, screen: str) -> None:
        """Reach ``screen`` from the current screen by the menus and buttons a user would use."""

    def form(self, screen: str) -> str:
        """An opaque handle of the screen's main form (a list's search row), for UX measurements."""

    def fill(self, **fields: str) -> None:
        """Fill fields of the form on screen by business name (``name``, ``phone`` ...), as a user types."""

    def save(self) -> None:
        """Press the form's save button and wait for the CRM's answer.

        Raises :class:`signoff.crm.FormRejected` with the CRM's words when the form is refused.
        """
