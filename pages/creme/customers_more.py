"""Creme's trash (delete for good), saved list filters, merge page, and opportunity links of
organisations and contacts: the operations of :class:`signoff.crm.customers_more.CustomersMore`.

Offered as ``crm.customers_more`` by :class:`pages.creme.adapter.CremeCRM`; meant to join
:class:`pages.creme.adapter.CremeCustomers` (see the module docstring of :mod:`signoff.crm.customers_more`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from playwright.sync_api import Page, expect

from pages.creme.addresses import KnownAddresses
from pages.creme.customers import (
    CONTACT_DETAIL,
    CONTACTS,
    ORGANISATION_DETAIL,
    ORGANISATIONS,
    EntityDetail,
    TrashPage,
)
from pages.creme.users import CremeUsers
from pages.creme.widgets import (
    FIRST_NAME,
    LAST_NAME,
    NAME,
    Dialog,
    DjangoForm,
    ListPopup,
    ListView,
    person_named,
    type_and_leave,
)
from signoff.crm import ActionRefused, FormRejected, split_name
from signoff.crm.customers_more import Condition, CustomerList
from signoff.crm.users import RecordKind

LIST_PATHS: dict[CustomerList, str] = {"organisations": ORGANISATIONS, "contacts": CONTACTS}
#: Business field names to the labels of Creme's filter form.
FILTER_FIELDS = {"name": "Name", "first name": "First name", "last name": "Last name", "email": "Email address"}
#: Business operators to the labels of Creme's filter form (its case-sensitive variants).
FILTER_OPERATORS = {"contains": "Contains", "starts with": "Starts with", "equals": "Equals"}


class FilterForm(DjangoForm):
    """Creme's page to create a list filter (``/creme_core/entity_filter/add/<type>``)."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, "Save the filter")
        self.conditions = page.locator("#id_regularfieldcondition")

    def add_condition(self, field: str, operator: str, value: str) -> None:
        """Add a condition on a regular field, chosen by the labels the page shows."""
        self.conditions.locator("button.selectorlist-add").click()
        row = self.conditions.locator("ul.selectors > li").last
        choices = row.locator("select.ui-creme-dselect")
        choices.nth(0).select_option(label=field)
        # The operators offered depend on the field's type: Creme refills them after the choice.
        choices.nth(1).select_option(label=operator)
        # The condition stores its value on "change" (Firefox: only for typed keys).
        type_and_leave(row.locator("input.ui-creme-dinput"), value)


class MergePage:
    """``/creme_core/entity/merge``: both records side by side and the merged one in the middle."""

    def __init__(self, page: Page, success_url: re.Pattern[str]) -> None:
        self.page = page
        self.form = DjangoForm(page, "Merge")
        self.success_url = success_url

    def change(self, **values: str) -> None:
        for name, value in values.items():
            self.form.field(f"{name}_merged").fill(value)

    def save(self) -> None:
        try:
            self.form.submit(self.success_url)
        except FormRejected as rejection:
            # The merged record's fields are "<field>_merged": report them by their own names.
            raise FormRejected(
                {re.sub(r"_merged$", "", name): message for name, message in rejection.errors.items()}
            ) from None


class CremeCustomersMore:
    """Creme's implementation of :class:`signoff.crm.customers_more.CustomersMore`."""

    def __init__(self, page: Page, known: KnownAddresses | None = None) -> None:
        self.page = page
        self.known = known or KnownAddresses()
        self.records = CremeUsers(page, known=self.known)

    # -- trash

    def delete_for_good(self, name: str) -> None:
        trash = TrashPage(self.page)
        trash.open()
        row = trash.rows.filter(has=self.page.get_by_role("link", name=name, exact=True))
        if row.count() == 0:
            raise LookupError(f'"{name}" is not in the trash')
        row.first.locator("a[title='Delete permanently']").click()
        with self.page.expect_response(lambda r: "/creme_core/entity/delete/" in r.url) as answer:
            Dialog.on_top(self.page).confirm()
        if answer.value.ok:
            expect(trash.rows.filter(has=self.page.get_by_role("link", name=name, exact=True))).to_have_count(0)
            return
        # Creme shows its refusal (HTTP 409) in an error dialog: keep its words, then close it.
        error = Dialog.on_top(self.page, holding=".ui-creme-dialog-warn")
        message = error.message()
        error.press("Close")
        raise ActionRefused(message)

    # -- links

    def link_to_opportunity(self, organisation: str, opportunity: str) -> None:
        self._open("organisation", organisation)
        form = Dialog.opened_by(self.page.get_by_role("link", name="Create an opportunity").first)
        form.fill(name=opportunity)
        form.save("Save the opportunity")

    # -- saved filters

    def save_filter(self, listing: CustomerList, name: str, conditions: Sequence[Condition]) -> None:
        page = ListView(self.page, LIST_PATHS[listing])
        page.open_unsearched()
        # The "create a filter" link sits in a drop-down of the list's filter bar: go where it points.
        self.page.goto(page.new_filter.get_attribute("href") or "")
        form = FilterForm(self.page)
        form.fill(name=name)
        for condition in conditions:
            form.add_condition(
                self._label(FILTER_FIELDS, condition.field, "field"),
                self._label(FILTER_OPERATORS, condition.operator, "operator"),
                condition.value,
            )
        form.submit(re.compile(re.escape(LIST_PATHS[listing]) + r"/?$"))
        # Creme comes back to the list with the new filter chosen, and remembers that choice.
        ListView(self.page, LIST_PATHS[listing]).choose(ListView.ALL)

    def saved_filters(self, listing: CustomerList) -> list[str]:
        page = ListView(self.page, LIST_PATHS[listing])
        page.open_unsearched()
        return page.filters()

    def filter_list(self, listing: CustomerList, filter_name: str) -> list[str]:
        page = ListView(self.page, LIST_PATHS[listing])
        page.open_unsearched()
        page.choose(filter_name)
        if listing == "organisations":
            names = page.names((NAME,))
        else:
            # Creme writes a person first name first: read back by the kit's name rule.
            names = [person_named(name) for name in page.names((FIRST_NAME, LAST_NAME))]
        page.choose(ListView.ALL)
        return names

    # -- merge

    def merge(self, kind: RecordKind, absorbed: str, kept: str, **changes: str) -> None:
        self._open(kind, kept)
        picker = ListPopup(Dialog.opened_by(self.page.locator("a[data-action=creme_core-detailview-merge]")))
        self._pick(picker, kind, absorbed)
        # Validating this popup leads to the merge page instead of closing it.
        picker.validate_button().click()
        self.page.wait_for_url(re.compile(r"/creme_core/entity/merge"))
        merge = MergePage(self.page, ORGANISATION_DETAIL if kind == "organisation" else CONTACT_DETAIL)
        merge.change(**changes)
        merge.save()
        # The absorbed record is gone, and the kept one may have a new name: both are found again
        # by their lists if a later step names them.
        self.known.forget(kind, _known_name(kind, absorbed))
        self.known.forget(kind, _known_name(kind, kept))

    def _pick(self, picker: ListPopup, kind: RecordKind, name: str) -> None:
        """Select the row of ``name`` in the list dialog where Creme asks for the other record."""
        first, last = split_name(name)
        column, text = (NAME, name) if kind == "organisation" else (LAST_NAME, last or first)
        picker.search(column, text)
        wanted = [name] if kind == "organisation" else [first, last] if last else [first]
        columns = [NAME] if kind == "organisation" else [FIRST_NAME, LAST_NAME] if last else [LAST_NAME]
        for row in picker.rows.all():
            cells = [row.locator(f'td[name="{c}"] .lv-cell-value').inner_text().strip() for c in columns]
            if cells == wanted:
                row.locator(f'td[name="{columns[-1]}"]').click()
                expect(row).to_have_class(re.compile(r"\bselected\b"))
                return
        raise LookupError(f'the merge dialog does not offer the {kind} "{name}"')

    # -- helpers

    def _open(self, kind: RecordKind, name: str) -> EntityDetail:
        record = self.records.find_record(kind, name)
        if record is None:
            raise LookupError(f'no {kind} "{name}" in the CRM')
        detail = EntityDetail(self.page)
        detail.open(record.address)
        return detail

    @staticmethod
    def _label(labels: dict[str, str], word: str, what: str) -> str:
        try:
            return labels[word]
        except KeyError:
            raise ValueError(f'unknown filter {what} "{word}"; known: {sorted(labels)}') from None


def _known_name(kind: RecordKind, name: str) -> object:
    """How the adapter's known addresses name a record: a contact by its first and last name."""
    return split_name(name) if kind == "contact" else name
