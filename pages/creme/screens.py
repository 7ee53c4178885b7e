"""Creme's screens by business name: open them, reach them through the menus, fill and save their form.

Creme's main menu is a row of hover menus (``Directory`` → ``Organisations``); list screens offer a
"Create ..." button above the list; forms are Django forms saved with a "Save the ..." button that
leads to the new record's page. The UX steps use this to walk Creme the way a user does, so that
the clicks of a task are the clicks a person would make.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect

from pages.creme.widgets import DjangoForm, navigation
from signoff.crm.screens import (
    ACTIVITY_LIST,
    CALENDAR,
    CONTACT_LIST,
    HOME,
    NEW_CONTACT_FORM,
    NEW_ORGANISATION_FORM,
    OPPORTUNITY_LIST,
    ORGANISATION_LIST,
    TRASH,
)

#: Creme's record pages end in the record's id; a saved form leads there.
RECORD_PAGE = re.compile(r"/\d+/?$")
#: The save button of every Creme creation and edition form.
SAVE_LABEL = re.compile(r"^Save the ")

#: The CSS handles :meth:`CremeScreens.form` hands to the UX measurements (they run
#: ``document.querySelector``): the one POST form of a form page, the quick-search row of a list.
POST_FORM = 'form[method="post" i]'
LIST_SEARCH_ROW = "form.ui-creme-listview tr.lv-search-header"


@dataclass(frozen=True)
class Screen:
    """Where a screen lives and how a user reaches it."""

    path: str
    #: Top-level menu and its entry (``None`` for screens reached another way).
    menu: tuple[str, str] | None = None
    #: For form screens: the list screen and the name of its "Create ..." button.
    created_from: tuple[str, str] | None = None
    #: ``list`` (a Creme list view), ``form`` (a Django form) or ``page``.
    layout: str = "page"


SCREENS: dict[str, Screen] = {
    HOME: Screen("/"),
    ORGANISATION_LIST: Screen("/persons/organisations", ("Directory", "Organisations"), layout="list"),
    CONTACT_LIST: Screen("/persons/contacts", ("Directory", "Contacts"), layout="list"),
    NEW_ORGANISATION_FORM: Screen(
        "/persons/organisation/add", created_from=(ORGANISATION_LIST, "Create an organisation"), layout="form"
    ),
    NEW_CONTACT_FORM: Screen("/persons/contact/add", created_from=(CONTACT_LIST, "Create a contact"), layout="form"),
    OPPORTUNITY_LIST: Screen("/opportunities/opportunities", ("Commercial", "Opportunities"), layout="list"),
    ACTIVITY_LIST: Screen("/activities/activities", ("Activities", "Activities"), layout="list"),
    CALENDAR: Screen("/activities/calendar/user", ("Activities", "Calendar")),
    TRASH: Screen("/creme_core/entity/trash", ("Crème", "Trash")),
}


class CremeScreens:
    """``crm.screens`` for Creme (see :class:`signoff.crm.screens.Screens`)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.menu_bar = page.locator("ul.ui-creme-navigation")
        self.home_link = page.locator("a#logo")
        self.list_view = page.locator("form.ui-creme-listview")
        self.post_form = page.locator(POST_FORM)

    # -- getting there

    def open(self, screen: str) -> None:
        self.page.goto(self._screen(screen).path)
        self._wait_ready(screen)

    def go_to(self, screen: str) -> None:
        target = self._screen(screen)
        if not self.page.url.startswith(("http://", "https://")):
            # No CRM screen is open yet (the preconditions were set up over HTTP, and the saved
            # sign-in opens no page): a user starts from the CRM's home page.
            self.page.goto("/")
        if screen == HOME:
            with navigation(self.page):
                self.home_link.click()
        elif target.created_from is not None:
            listing, button = target.created_from
            if not self._on(listing):
                self.go_to(listing)
            # The button's icon has its own alt text ("Create"), read before the label.
            link = self.page.get_by_role("link", name=re.compile(rf"(^|\s){re.escape(button)}$"))
            with navigation(self.page):
                link.first.click()
        elif target.menu is not None:
            menu, entry = target.menu
            # Creme's menus open on hover: the pointer goes over the menu, then the entry is clicked.
            item = (
                self.menu_bar.locator(":scope > li").filter(has_text=re.compile(rf"^\s*{re.escape(menu)}", re.I)).first
            )
            item.hover()
            link = item.get_by_role("link", name=entry, exact=True)
            expect(link).to_be_visible()
            with navigation(self.page):
                link.click()
        else:
            raise ValueError(f"no way through the menus to the {screen}")
        self._wait_ready(screen)

    def form(self, screen: str) -> str:
        layout = self._screen(screen).layout
        if layout == "form":
            return POST_FORM
        if layout == "list":
            return LIST_SEARCH_ROW
        raise ValueError(f"the {screen} has no form")

    # -- the form on screen

    def fill(self, **fields: str) -> None:
        self._form().fill(**fields)

    def save(self) -> None:
        self._form().submit(RECORD_PAGE)

    # -- helpers

    def _form(self) -> DjangoForm:
        return DjangoForm(self.page, SAVE_LABEL)

    @staticmethod
    def _screen(screen: str) -> Screen:
        try:
            return SCREENS[screen]
        except KeyError:
            raise ValueError(f"Creme has no {screen} screen here; known: {', '.join(SCREENS)}") from None

    def _on(self, screen: str) -> bool:
        path = self._screen(screen).path
        return self.page.url.split("?", 1)[0].rstrip("/").endswith(path.rstrip("/")) and path != "/"

    def _wait_ready(self, screen: str) -> None:
        layout = self._screen(screen).layout
        ready: Locator
        if layout == "list":
            ready = self.list_view
        elif layout == "form":
            ready = self.post_form
        else:
            ready = self.menu_bar
        expect(ready.first).to_be_visible()
