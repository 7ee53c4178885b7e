"""Any Creme record by its business fields (:class:`signoff.crm.records.Records`).

Fields are entered in Creme's own creation and edition forms, through the map of
:mod:`pages.creme.fields`. A record's values are read from its edition form: Creme's detail page
spreads a record over a summary card, tiles and a one-block address, while the edition form shows
every stored value as it is kept (a phone number with its leading 0 or +, an address part apart).
Lists are Creme's list views, searched with the quick-search box of a column and sorted by its
header; Creme remembers both in the user's session, so a search is cleared once read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from playwright.sync_api import Page, expect

from pages.creme.customers import CONTACT_EMPLOYER, find_contact
from pages.creme.fields import LIST_PATHS, NAME_COLUMNS, business_key, creme_field, supported
from pages.creme.sales import CremeSales
from pages.creme.widgets import DjangoForm, ListView, cell_text, require, screen_messages
from signoff.crm import FormRejected, join_name, split_name
from signoff.crm.fields import FIELDS, RecordType, entered
from signoff.crm.records import with_name_parts

#: Creme's creation form of each record type it can create here.
NEW_PATHS: dict[RecordType, str] = {
    "organisation": "/persons/organisation/add",
    "contact": "/persons/contact/add",
}

#: The detail page of a record, whose edition form is the same path with ``edit/`` before the id.
_DETAIL = re.compile(r"^(?P<base>.*/)(?P<id>\d+)/?$")
_SAVE = re.compile(r"^Save the (organisation|contact|opportunity|activity|modifications)$")

# Every named field of a form as a user sees it: the typed text, a select's chosen label.
_FORM_VALUES_JS = """(form) => {
    const values = {};
    for (const el of form.querySelectorAll('input[name], textarea[name], select[name]')) {
        if (el.tagName === 'SELECT') {
            const chosen = Array.from(el.selectedOptions).filter(o => o.value !== '');
            values[el.name] = chosen.map(o => o.textContent.trim()).join(', ');
        } else if (el.type === 'checkbox' || el.type === 'radio') {
            if (el.checked) values[el.name] = el.value;
        } else if (!(el.name in values)) {
            values[el.name] = el.value;
        }
    }
    return values;
}"""


class CremeRecords:
    """Organisations, contacts, opportunities and activities of Creme by their business fields."""

    def __init__(self, page: Page, customers: Any, sales: CremeSales | None = None) -> None:
        self.page = page
        # The customers and sales adapters create organisations, contacts and opportunities (the
        # customers one on its fast path for a Given); this one adds the other fields.
        self.customers = customers
        self.sales = sales or CremeSales(page)
        self._search: dict[RecordType, tuple[str, str]] = {}

    def supported(self, record_type: RecordType) -> tuple[str, ...]:
        keys = supported(record_type)
        return (*keys, "full_name") if record_type == "contact" else keys

    # -- add

    def add(self, record_type: RecordType, values: Mapping[str, str]) -> None:
        values = with_name_parts(values) if record_type == "contact" else dict(values)
        if record_type == "opportunity":
            self._add_opportunity(values)
            return
        if record_type not in NEW_PATHS:
            raise LookupError(
                f"the Creme adapter adds no {record_type} from a table; use the {record_type} steps (signoff steps)"
            )
        employer = values.pop("organisation", None) if record_type == "contact" else None
        fields = {key: entered(FIELDS[key], value) for key, value in values.items()}
        entries = {key: creme_field(record_type, key) for key in fields}
        if all(entry.entry != "select" for entry in entries.values()):
            creme = {entries[key].form: value for key, value in fields.items()}
            try:
                if record_type == "organisation":
                    name = creme.pop("name", "")
                    self.customers.add_organisation(name, **creme)
                else:
                    first, last = creme.pop("first_name", ""), creme.pop("last_name", "")
                    self.customers.add_contact(first, last, organisation=employer, **creme)
            except FormRejected as rejection:
                raise self._business(record_type, rejection) from None
            return
        if employer:
            raise LookupError("the Creme adapter sets a contact's organisation and owner in two steps; add it first")
        form = DjangoForm(self.page, _SAVE)
        self.page.goto(NEW_PATHS[record_type])
        expect(form.form).to_be_visible()
        self._fill(record_type, form, fields)
        self._submit(record_type, form)

    def _add_opportunity(self, values: dict[str, str]) -> None:
        name, target = values.pop("name", ""), values.pop("target", None)
        phase = values.pop("sales_phase", None)
        try:
            self.sales.add_opportunity(name, target, phase=phase)
        except FormRejected as rejection:
            raise self._business("opportunity", rejection) from None
        if values:
            self.change("opportunity", name, values)

    # -- read

    def _url(self, record_type: RecordType, name: str) -> str | None:
        if record_type == "contact":
            row = find_contact(self.page, name)
            return row["url"] if row else None
        return ListView(self.page, LIST_PATHS[record_type]).find(NAME_COLUMNS[record_type][0], name)

    def _edit_url(self, record_type: RecordType, name: str) -> str:
        url = require(self._url(record_type, name), record_type, name)
        match = _DETAIL.match(url)
        if match is None:  # pragma: no cover - Creme's detail links all end with the record's id
            raise LookupError(f"cannot tell the edition form of {url}")
        return f"{match.group('base')}edit/{match.group('id')}"

    def values(self, record_type: RecordType, name: str, keys: Sequence[str]) -> dict[str, str] | None:
        employer: str | None = None
        if record_type == "contact":
            row = find_contact(self.page, name)
            if row is None:
                return None
            url, employer = row["url"], row.get(CONTACT_EMPLOYER, "")
        else:
            found = ListView(self.page, LIST_PATHS[record_type]).find(NAME_COLUMNS[record_type][0], name)
            if found is None:
                return None
            url = found
        match = _DETAIL.match(url)
        self.page.goto(f"{match.group('base')}edit/{match.group('id')}" if match else url)
        form = DjangoForm(self.page, _SAVE)
        expect(form.form).to_be_visible()
        shown: dict[str, str] = {str(k): str(v) for k, v in form.form.evaluate(_FORM_VALUES_JS).items()}
        values: dict[str, str] = {}
        for key in keys:
            if key == "full_name" and record_type == "contact":
                values[key] = join_name(shown.get("first_name", ""), shown.get("last_name", ""))
            elif key == "organisation" and record_type == "contact":
                values[key] = employer or ""
            elif creme_field(record_type, key).entry != "record":
                values[key] = shown.get(creme_field(record_type, key).form, "").strip()
        if "target" in keys and record_type == "opportunity":
            # The target is a relation, shown on the opportunity's own page.
            opportunity = self.sales.opportunity(name)
            values["target"] = opportunity.target if opportunity else ""
        return values

    # -- change

    def change(self, record_type: RecordType, name: str, changes: Mapping[str, str]) -> None:
        fields = with_name_parts(changes) if record_type == "contact" else dict(changes)
        fields = {key: entered(FIELDS[key], value) for key, value in fields.items()}
        linked = [key for key in fields if creme_field(record_type, key).entry == "record"]
        if linked:
            raise LookupError(f"the Creme adapter does not change the {linked[0]} of a {record_type} from a field")
        for key in fields:
            creme_field(record_type, key)  # says what is supported before opening anything
        self.page.goto(self._edit_url(record_type, name))
        form = DjangoForm(self.page, _SAVE)
        expect(form.form).to_be_visible()
        self._fill(record_type, form, fields)
        self._submit(record_type, form)

    def _fill(self, record_type: RecordType, form: DjangoForm, fields: Mapping[str, str]) -> None:
        for key, value in fields.items():
            entry = creme_field(record_type, key)
            if entry.entry == "select":
                box = form.field(entry.form)
                if value.strip():
                    labels = [text.strip() for text in box.locator("option").all_inner_texts()]
                    if value.strip() not in labels:
                        raise LookupError(f'Creme offers no {key.replace("_", " ")} "{value}"; it offers: {labels}')
                    box.select_option(label=value.strip())
                else:
                    box.select_option("")
            else:
                form.fill(**{entry.form: value})

    def _submit(self, record_type: RecordType, form: DjangoForm) -> None:
        try:
            form.submit(re.compile(r"/\d+/?$"))
        except FormRejected as rejection:
            raise self._business(record_type, rejection) from None
        if "/edit/" in self.page.url or self.page.url.rstrip("/").endswith("/add"):
            raise self._business(record_type, FormRejected({"": "the form was refused"}))

    @staticmethod
    def _business(record_type: RecordType, rejection: FormRejected) -> FormRejected:
        return FormRejected({business_key(record_type, key): message for key, message in rejection.errors.items()})

    # -- lists

    def _columns(self, record_type: RecordType, key: str) -> str:
        column = creme_field(record_type, key).column if key != "full_name" else None
        if column is None:
            shown = [k for k in supported(record_type) if creme_field(record_type, k).column]
            raise LookupError(
                f"Creme's {record_type} list shows no column for the {key.replace('_', ' ')}; "
                f"its columns: {', '.join(k.replace('_', ' ') for k in shown)}"
            )
        return column

    def search_list(self, record_type: RecordType, key: str, text: str) -> None:
        self._columns(record_type, key)
        self._search[record_type] = (key, text)

    def sort_list(self, record_type: RecordType, key: str, descending: bool = False) -> None:
        column = self._columns(record_type, key)
        listing = self._open(record_type)
        wanted = "DESC" if descending else "ASC"
        # Creme keeps the list's order in two hidden fields; a header click sorts by that column,
        # a second click turns the order round.
        for _ in range(3):
            order = (
                self.page.locator("input[name=sort_key]").first.input_value(),
                self.page.locator("input[name=sort_order]").first.input_value(),
            )
            if order == (column, wanted):
                break
            button = self.page.locator(f'th[data-column-key="{column}"] button').first
            listing._reloading(button.click)  # the list view's own wait for its reload
        else:
            raise LookupError(f"Creme's {record_type} list did not sort by the {key.replace('_', ' ')}")
        self._cleared(record_type, listing)

    def _open(self, record_type: RecordType) -> ListView:
        listing = ListView(self.page, LIST_PATHS[record_type])
        listing.open_unsearched()
        searched = self._search.get(record_type)
        if searched:
            listing.quick_search(self._columns(record_type, searched[0]), searched[1])
        return listing

    def _cleared(self, record_type: RecordType, listing: ListView) -> None:
        if self._search.get(record_type):
            listing.open_unsearched()

    def list_rows(self, record_type: RecordType, columns: Sequence[str]) -> list[dict[str, str]]:
        listing = self._open(record_type)
        rows: list[dict[str, str]] = []
        for row in listing.rows.all():
            values: dict[str, str] = {}
            for key in columns:
                if record_type == "contact" and key == "full_name":
                    values[key] = join_name(*(cell_text(row, column) for column in NAME_COLUMNS["contact"]))
                else:
                    values[key] = cell_text(row, self._columns(record_type, key))
            rows.append(values)
        self._cleared(record_type, listing)
        return rows

    def list_count(self, record_type: RecordType) -> int:
        listing = self._open(record_type)
        total = listing.total()
        self._cleared(record_type, listing)
        return total

    def messages(self) -> list[str]:
        return screen_messages(self.page)


def person_shown(full_name: str) -> str:
    """How Creme shows a person named ``full_name`` in a step: first name, a space, last name."""
    first, last = split_name(full_name)
    return f"{first} {last}".strip()
