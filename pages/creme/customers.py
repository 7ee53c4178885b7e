"""Creme's organisation and contact pages, and its trash."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from pages.creme.widgets import FIRST_NAME, LAST_NAME, Dialog, DjangoForm, ListView, navigation
from signoff.crm import split_name

ORGANISATIONS = "/persons/organisations"
CONTACTS = "/persons/contacts"
TRASH = "/creme_core/entity/trash"
ORGANISATION_DETAIL = re.compile(r"/persons/organisation/\d+$")
CONTACT_DETAIL = re.compile(r"/persons/contact/\d+$")


CONTACT_FIRST_NAME = FIRST_NAME
CONTACT_LAST_NAME = LAST_NAME
CONTACT_EMPLOYER = "relation-persons-subject_employed_by"


def find_contact(page: Page, full_name: str) -> dict[str, str] | None:
    """The contact list's row for ``full_name`` ("first last"): its cells by column, plus ``url``."""
    first, last = split_name(full_name)
    listing = ListView(page, CONTACTS)
    listing.open()
    listing.quick_search(CONTACT_LAST_NAME, last)
    return listing.matching_row({CONTACT_FIRST_NAME: first, CONTACT_LAST_NAME: last}, also=(CONTACT_EMPLOYER,))


class OrganisationForm(DjangoForm):
    """Creation and edition form of an organisation."""

    #: Creme's Organisation.name is a CharField(max_length=200).
    NAME_LIMIT = 200

    def __init__(self, page: Page) -> None:
        super().__init__(page, re.compile(r"^Save the (organisation|modifications)$"))

    NEW_PATH = "/persons/organisation/add"

    def open_new(self) -> None:
        self.page.goto(self.NEW_PATH)
        expect(self.field("name")).to_be_visible()

    def save(self) -> None:
        self.submit(ORGANISATION_DETAIL)


class ContactForm(DjangoForm):
    """Creation and edition form of a contact (optionally as an employee of an organisation)."""

    #: Creme's Contact.last_name and first_name are CharField(max_length=100).
    NAME_LIMIT = 100
    EMPLOYED_BY = "persons-subject_employed_by"

    def __init__(self, page: Page) -> None:
        super().__init__(page, re.compile(r"^Save the (contact|modifications)$"))

    EMPLOYER_RELATION = "rtype_for_organisation"

    @staticmethod
    def new_path(employer_url: str | None = None) -> str:
        """The creation form, or the form of a new employee of the organisation at ``employer_url``."""
        if employer_url:
            return f"/persons/contact/add_related/{employer_url.rstrip('/').rsplit('/', 1)[-1]}"
        return "/persons/contact/add"

    def open_new(self, employer_url: str | None = None) -> None:
        self.page.goto(self.new_path(employer_url))
        if employer_url:
            self.select(self.EMPLOYER_RELATION, self.EMPLOYED_BY)
        expect(self.field("last_name")).to_be_visible()

    def save(self) -> None:
        self.submit(CONTACT_DETAIL)


class EntityDetail:
    """The detail page of any Creme entity."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.title = page.locator(".card-name").first
        self.edit_button = page.locator(".card-action a[title=Edit], a.card-button[title=Edit]").first
        self.delete_button = page.locator("a[data-action=creme_core-detailview-delete]").first

    def open(self, url: str) -> None:
        self.page.goto(url)
        expect(self.title).to_be_visible()

    def name(self) -> str:
        # The title holds the name plus an inline "edit" icon link without text.
        return str(
            self.title.evaluate(
                "el => Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('')"
            )
        ).strip()

    def edit(self) -> None:
        with navigation(self.page):
            self.page.locator("a.card-button").filter(has_text=re.compile(r"^\s*Edit\s*$")).first.click()

    def delete(self) -> None:
        self.delete_button.click()
        with navigation(self.page):
            Dialog.on_top(self.page).confirm()

    def related(self, relation_title: str) -> list[str]:
        """Names listed in the relation block titled ``relation_title`` (e.g. "Is an employee of")."""
        block = self.page.locator(".brick").filter(has=self.page.locator(".brick-title", has_text=relation_title))
        return [text.strip() for text in block.locator("td a").all_inner_texts() if text.strip()]


class TrashPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.rows = page.locator("#brick-regular-creme_core-trash tbody tr")

    def open(self) -> None:
        self.page.goto(TRASH)
        expect(self.page.locator("#brick-regular-creme_core-trash")).to_be_visible()

    def names(self) -> list[str]:
        return [text.strip() for text in self.rows.locator("td:nth-child(3)").all_inner_texts()]

    def restore(self, name: str) -> None:
        row = self.rows.filter(has=self.page.get_by_role("link", name=name, exact=True)).first
        with self.page.expect_response(lambda r: "/creme_core/entity/restore/" in r.url):
            row.locator("a[title=Restore]").click()
        expect(self.rows.filter(has=self.page.get_by_role("link", name=name, exact=True))).to_have_count(0)
