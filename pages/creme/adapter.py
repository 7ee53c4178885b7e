"""Creme CRM behind the CRM-neutral interface of :mod:`signoff.crm`.

Business words in, page objects out: this is the only place that knows which Creme page does
what. Methods return data; they do not assert.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from playwright.sync_api import Page

from pages.creme.activities import CremeActivities
from pages.creme.addresses import KnownAddresses
from pages.creme.campaigns import CremeCampaigns
from pages.creme.customers import (
    CONTACT_EMPLOYER,
    CONTACT_FIRST_NAME,
    CONTACT_LAST_NAME,
    CONTACTS,
    ORGANISATIONS,
    ContactForm,
    EntityDetail,
    OrganisationForm,
    TrashPage,
    find_contact,
)
from pages.creme.customers_more import CremeCustomersMore
from pages.creme.data import CremeData
from pages.creme.fastpath import Arrangement, FormPoster
from pages.creme.records import CremeRecords
from pages.creme.sales import CremeSales
from pages.creme.screens import CremeScreens
from pages.creme.security import CremeSecurity
from pages.creme.sign_in_page import SignInPage
from pages.creme.users import CremeUsers
from pages.creme.widgets import ListView, person_named, person_shown, require
from signoff.crm import Contact, Organisation, join_name, split_name
from signoff.targets.base import Credentials

#: Where each business module lives in Creme.
MODULE_PATHS = {
    "contacts": CONTACTS,
    "organisations": ORGANISATIONS,
    "opportunities": "/opportunities/opportunities",
    "activities": "/activities/activities",
    "calendar": "/activities/calendar/user",
    "campaigns": "/emails/campaigns",
    "trash": "/creme_core/entity/trash",
}

NAME = "regular_field-name"


class CremeSession:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.sign_in_page = SignInPage(page)

    def sign_in(self, credentials: Credentials) -> None:
        self.sign_in_page.sign_in(credentials.username, credentials.password)

    def forget_sign_in(self) -> None:
        # Dropping the cookies, not signing out: signing out would end the saved session that
        # the other scenarios reuse.
        self.page.context.clear_cookies()

    def is_signed_in(self) -> bool:
        if self.sign_in_page.is_shown():
            return False
        self.page.goto("/")
        return not self.sign_in_page.is_shown()

    def sign_in_error(self) -> str | None:
        return self.sign_in_page.error()

    def is_on_sign_in_page(self) -> bool:
        return self.sign_in_page.is_shown()

    def open_module(self, module: str) -> None:
        self.page.goto(MODULE_PATHS[module])


class CremeCustomers:
    organisation_name_limit = OrganisationForm.NAME_LIMIT
    contact_name_limit = ContactForm.NAME_LIMIT

    def __init__(self, page: Page, arrangement: Arrangement | None = None, known: KnownAddresses | None = None) -> None:
        self.page = page
        self.arrangement = arrangement or Arrangement()
        self.known = known or KnownAddresses()

    # -- organisations

    def add_organisation(self, name: str, **fields: str) -> None:
        if self.arrangement.fast:
            path = FormPoster(self.page).submit(OrganisationForm.NEW_PATH, {"name": name, **fields})
        else:
            form = OrganisationForm(self.page)
            form.open_new()
            form.fill(name=name, **fields)
            form.save()
            path = self.page.url
        self.known.remember("organisation", name, path)

    def _organisation_url(self, name: str) -> str | None:
        return self.known.find("organisation", name, lambda: self._search_organisation(name))

    def _search_organisation(self, name: str) -> str | None:
        return ListView(self.page, ORGANISATIONS).find(NAME, name)

    def organisation(self, name: str) -> Organisation | None:
        # Whether the organisation can be found is the check: search the list as a user does.
        url = self._search_organisation(name)
        if url is None:
            return None
        detail = EntityDetail(self.page)
        detail.open(url)
        return Organisation(name=detail.name())

    def edit_organisation(self, name: str, /, **changes: str) -> None:
        self._edit(require(self._organisation_url(name), "organisation", name), OrganisationForm(self.page), changes)
        self.known.rename("organisation", name, changes.get("name", name))

    def count_organisations(self) -> int:
        listing = ListView(self.page, ORGANISATIONS)
        listing.open()
        return listing.total()

    def search_organisations(self, text: str) -> list[str]:
        listing = ListView(self.page, ORGANISATIONS)
        listing.open()
        listing.quick_search(NAME, text)
        return listing.cells(NAME)

    def delete_organisation(self, name: str) -> None:
        url = require(self._organisation_url(name), "organisation", name)
        detail = EntityDetail(self.page)
        detail.open(url)
        detail.delete()
        self.known.forget("organisation", name)

    # -- contacts

    def add_contact(self, first_name: str, last_name: str, organisation: str | None = None, **fields: str) -> None:
        employer = require(self._organisation_url(organisation), "organisation", organisation) if organisation else None
        if self.arrangement.fast:
            values = {"first_name": first_name, "last_name": last_name, **fields}
            if employer:
                values[ContactForm.EMPLOYER_RELATION] = ContactForm.EMPLOYED_BY
            path = FormPoster(self.page).submit(ContactForm.new_path(employer), values)
        else:
            form = ContactForm(self.page)
            form.open_new(employer_url=employer)
            form.fill(first_name=first_name, last_name=last_name, **fields)
            form.save()
            path = self.page.url
        self.known.remember("contact", (first_name, last_name), path)

    def _contact_row(self, full_name: str) -> dict[str, str] | None:
        return find_contact(self.page, full_name)

    def _contact_url(self, full_name: str) -> str | None:
        return self.known.find(
            "contact", split_name(full_name), lambda: (self._contact_row(full_name) or {}).get("url")
        )

    def contact(self, full_name: str) -> Contact | None:
        row = self._contact_row(full_name)
        if row is None:
            return None
        return Contact(
            first_name=row[CONTACT_FIRST_NAME],
            last_name=row[CONTACT_LAST_NAME],
            organisation=row[CONTACT_EMPLOYER] or None,
        )

    def edit_contact(self, full_name: str, /, **changes: str) -> None:
        self._edit(require(self._contact_url(full_name), "contact", full_name), ContactForm(self.page), changes)
        first, last = split_name(full_name)
        renamed = (changes.get("first_name", first), changes.get("last_name", last))
        self.known.rename("contact", (first, last), renamed)

    def _edit(self, url: str, form: OrganisationForm | ContactForm, changes: dict[str, str]) -> None:
        detail = EntityDetail(self.page)
        detail.open(url)
        detail.edit()
        form.fill(**changes)
        form.save()

    def search_contacts(self, text: str) -> list[str]:
        listing = ListView(self.page, CONTACTS)
        listing.open()
        listing.quick_search(CONTACT_LAST_NAME, text)
        firsts, lasts = listing.cells(CONTACT_FIRST_NAME), listing.cells(CONTACT_LAST_NAME)
        return [join_name(first, last) for first, last in zip(firsts, lasts, strict=True)]

    def delete_contact(self, full_name: str) -> None:
        url = require(self._contact_url(full_name), "contact", full_name)
        detail = EntityDetail(self.page)
        detail.open(url)
        detail.delete()
        self.known.forget("contact", split_name(full_name))

    # -- trash

    def trash(self) -> list[str]:
        page = TrashPage(self.page)
        page.open()
        # Creme lists a person first name first ("德华 刘"): the name by the kit's rule goes too.
        names = page.names()
        return names + [person_named(name) for name in names if person_named(name) not in names]

    def restore(self, name: str) -> None:
        page = TrashPage(self.page)
        page.open()
        shown = page.names()
        page.restore(name if name in shown or person_shown(name) not in shown else person_shown(name))


class CremeCRM:
    """Creme CRM, as the steps see it: every area of :class:`signoff.crm.CRM`.

    An area is built on first use and kept for the scenario (some remember the addresses of the
    records they found). The browser page stays inside: steps reach the areas, never the page.
    """

    def __init__(
        self,
        page: Page,
        nudge_job_manager: Callable[[], None] | None = None,
        *,
        base_url: str = "",
        admin: Credentials | None = None,
    ) -> None:
        self._page = page
        # The security checks talk HTTP to the CRM themselves: they need its address and administrator.
        self._base_url = base_url
        self._admin = admin or Credentials("root", "root")
        self._arrangement = Arrangement()
        # Addresses of the records this scenario saved or found, shared by every area.
        self._known = KnownAddresses()
        self._nudge_job_manager = nudge_job_manager

    def arrange(self, fast: bool) -> None:
        # Organisations, contacts, customer statuses, opportunities, activities, users, teams
        # and roles have a fast path (Creme's own forms and buttons over HTTP); the rest keep
        # their screens.
        self._arrangement.fast = fast

    @cached_property
    def session(self) -> CremeSession:
        return CremeSession(self._page)

    @cached_property
    def customers(self) -> CremeCustomers:
        return CremeCustomers(self._page, self._arrangement, self._known)

    @cached_property
    def customers_more(self) -> CremeCustomersMore:
        return CremeCustomersMore(self._page, self._known)

    @cached_property
    def sales(self) -> CremeSales:
        return CremeSales(self._page, self._arrangement, self._known)

    @cached_property
    def campaigns(self) -> CremeCampaigns:
        return CremeCampaigns(self._page, self._nudge_job_manager)

    @cached_property
    def activities(self) -> CremeActivities:
        return CremeActivities(self._page, self._arrangement, self._known)

    @cached_property
    def users(self) -> CremeUsers:
        return CremeUsers(self._page, self._arrangement, self._known)

    @cached_property
    def screens(self) -> CremeScreens:
        return CremeScreens(self._page)

    @cached_property
    def security(self) -> CremeSecurity:
        return CremeSecurity(self._page, self._base_url, self._admin)

    @cached_property
    def records(self) -> CremeRecords:
        return CremeRecords(self._page, self.customers, self.sales, self.activities)

    @cached_property
    def data(self) -> CremeData:
        return CremeData(self._page, self._nudge_job_manager)
