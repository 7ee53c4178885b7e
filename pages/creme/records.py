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

from playwright.sync_api import Locator, Page, expect

from pages.creme.activities import CremeActivities
from pages.creme.addresses import KnownAddresses
from pages.creme.customers import CONTACT_EMPLOYER, find_contact
from pages.creme.fastpath import Arrangement, FormPoster
from pages.creme.fields import LIST_PATHS, NAME_COLUMNS, business_key, creme_field, supported
from pages.creme.sales import CremeSales
from pages.creme.widgets import (
    Dialog,
    DjangoForm,
    EntityChooser,
    ListView,
    cell_text,
    person_shown,
    require,
    screen_messages,
)
from signoff.crm import FormRejected, join_name, split_name
from signoff.crm.activities import KINDS
from signoff.crm.fields import FIELDS, RecordType, activity_kind, entered, items
from signoff.crm.records import with_name_parts
from signoff.vocabulary import parse_datetime

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

    def __init__(
        self, page: Page, customers: Any, sales: CremeSales | None = None, activities: CremeActivities | None = None
    ) -> None:
        self.page = page
        # The customers, sales and activities adapters create organisations, contacts,
        # opportunities and activities (on their fast path for a Given); this one adds the other
        # fields. They share the scenario's arrangement and known record addresses.
        self.customers = customers
        self.arrangement: Arrangement = getattr(customers, "arrangement", None) or Arrangement()
        self.known: KnownAddresses = getattr(customers, "known", None) or KnownAddresses()
        self.sales = sales or CremeSales(page, self.arrangement, self.known)
        self.activities = activities or CremeActivities(page, self.arrangement, self.known)
        self._search: dict[RecordType, tuple[str, str]] = {}
        #: The view each list showed before a step chose one with more columns (put back after).
        self._views: dict[RecordType, str] = {}

    def supported(self, record_type: RecordType) -> tuple[str, ...]:
        keys = supported(record_type)
        return (*keys, "full_name") if record_type == "contact" else keys

    # -- add

    def add(self, record_type: RecordType, values: Mapping[str, str]) -> None:
        values = with_name_parts(values) if record_type == "contact" else dict(values)
        if record_type == "opportunity":
            self._add_opportunity(values)
            return
        if record_type == "activity":
            self._add_activity(values)
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

    def _add_activity(self, values: dict[str, str]) -> None:
        # The activities adapter opens the form of the kind (or posts it, for a Given) with its
        # date and time boxes and participant pickers; the plain fields (place, description) go
        # into the activity's edition form afterwards, posted too when arranging.
        written = activity_kind(values.pop("activity_type", "") or "task")
        kind = next((known for known in KINDS if known == written), None)
        if kind is None:
            raise LookupError(f'Creme has no activity of the kind "{written}"; it has: {", ".join(KINDS)}')
        title = values.pop("title", "")
        start, end = values.pop("start", ""), values.pop("end", "")
        if not start.strip():
            raise LookupError("give the start of the activity (2030-03-14 09:30): Creme's activity form needs it")
        try:
            self.activities.add(
                kind,
                title,
                parse_datetime(start),
                parse_datetime(end) if end.strip() else None,
                contacts=items(values.pop("participants", "")),
            )
        except FormRejected as rejection:
            raise self._business("activity", rejection) from None
        if not values:
            return
        if self.arrangement.fast:
            fields = {creme_field("activity", key).form: value for key, value in values.items()}
            try:
                FormPoster(self.page).submit(self._edit_url("activity", title), fields)
            except FormRejected as rejection:
                raise self._business("activity", rejection) from None
        else:
            self.change("activity", title, values)

    # -- read

    def _url(self, record_type: RecordType, name: str) -> str | None:
        if record_type == "contact":
            row = find_contact(self.page, name)
            return row["url"] if row else None
        if record_type == "activity":
            # An activity the scenario saved keeps its address (its list is searched otherwise).
            return self.known.find("activity", name, lambda: self._listed(record_type, name))
        return self._listed(record_type, name)

    def _listed(self, record_type: RecordType, name: str) -> str | None:
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
            found = self._url(record_type, name)
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
            elif creme_field(record_type, key).entry not in ("record", "moment", "kind"):
                values[key] = shown.get(creme_field(record_type, key).form, "").strip()
        if "target" in keys and record_type == "opportunity":
            # The target is a relation, shown on the opportunity's own page.
            opportunity = self.sales.opportunity(name)
            values["target"] = opportunity.target if opportunity else ""
        if record_type == "activity" and {"activity_type", "start", "end", "participants"} & set(keys):
            # Kind, times and participants are shown on the activity's own page (its card).
            activity = self.activities.activity(name)
            if activity is not None:
                moments = {"start": activity.start, "end": activity.end}
                for key, moment in moments.items():
                    values[key] = moment.strftime("%Y-%m-%d %H:%M") if moment else ""
                values["activity_type"] = str(activity.kind)
                values["participants"] = ", ".join(activity.participants)
        return values

    # -- change

    def change(self, record_type: RecordType, name: str, changes: Mapping[str, str]) -> None:
        fields = with_name_parts(changes) if record_type == "contact" else dict(changes)
        fields = {key: entered(FIELDS[key], value) for key, value in fields.items()}
        for key in fields:
            creme_field(record_type, key)  # says what is supported before opening anything
        # Relations as fields: a contact's employer, an opportunity's target (see below).
        employer = fields.pop("organisation", None) if record_type == "contact" else None
        target = fields.pop("target", None) if record_type == "opportunity" else None
        fixed = [key for key in fields if creme_field(record_type, key).entry in ("record", "moment", "kind")]
        if fixed:
            raise LookupError(
                f"the Creme adapter does not change the {fixed[0].replace('_', ' ')} of a {record_type} from a field"
            )
        if fields:
            self._edit(record_type, name, fields)
        if target is not None:
            self._change_target(name, target)
        if employer is not None:
            # A renamed contact is found by its new name.
            first_last = (fields.get("first_name"), fields.get("last_name"))
            person = (
                name
                if first_last == (None, None)
                else join_name(
                    *(new if new is not None else old for new, old in zip(first_last, split_name(name), strict=True))
                )
            )
            self._change_employer(person, employer)

    def _edit(self, record_type: RecordType, name: str, fields: Mapping[str, str]) -> None:
        self.page.goto(self._edit_url(record_type, name))
        form = DjangoForm(self.page, _SAVE)
        expect(form.form).to_be_visible()
        self._fill(record_type, form, fields)
        self._submit(record_type, form)

    def _change_employer(self, full_name: str, organisation: str) -> None:
        """Move the contact from its employers to ``organisation`` (none when empty), as a user does
        in Creme: "Unlink this contact" in each old employer's Employees block, then "Link to
        contacts" in the new one's (a contact's employer is a relationship, not a form field)."""
        row = find_contact(self.page, full_name)
        if row is None:
            raise LookupError(f'no contact "{full_name}" in the CRM')
        shown = person_shown(full_name)
        for old in items(row.get(CONTACT_EMPLOYER, "")):
            if old == organisation:
                continue
            employees = self._employees(old)
            line = employees.locator("tbody tr").filter(has=self.page.locator(f'a:text-is("{shown}")'))
            line.locator("a[data-action=delete]").first.click()
            Dialog.on_top(self.page).confirm()
            expect(line).to_have_count(0)
        if not organisation.strip() or organisation in items(row.get(CONTACT_EMPLOYER, "")):
            return
        employees = self._employees(organisation)
        EntityChooser(self.page).choose_contact(employees.locator("a[data-action=add-relationships]").first, full_name)
        expect(employees.locator("tbody tr a", has_text=shown).first).to_be_visible()

    def _employees(self, organisation: str) -> Locator:
        """The Employees block of the organisation's page, opened."""
        url = self.known.find("organisation", organisation, lambda: self._listed("organisation", organisation))
        self.page.goto(require(url, "organisation", organisation))
        block = self.page.locator("#brick-regular-persons-employees")
        expect(block).to_be_visible()
        return block

    def _change_target(self, opportunity: str, organisation: str) -> None:
        """Choose another target organisation in the opportunity's edition form (Creme's entity
        picker: the kind of record, then the record in its list popup)."""
        self.page.goto(self._edit_url("opportunity", opportunity))
        form = DjangoForm(self.page, _SAVE)
        expect(form.form).to_be_visible()
        # Creme's chained input: a hidden input holding the choice, then the kind of record and the
        # record's picker in its own list items.
        picker = form.form.locator(f'div:has(> [id="id_{creme_field("opportunity", "target").form}"])').first
        picker.locator("li[chained-name=ctype] select").select_option(label="Organisation")
        EntityChooser(self.page).choose_named(picker.locator("li[chained-name=entity] button").first, organisation)
        expect(picker.locator("li[chained-name=entity] button").first).to_contain_text(organisation)
        self._submit("opportunity", form)

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
        """The list column of ``key``: one of the default list's, or one a view of the user's own can show."""
        entry = creme_field(record_type, key) if key != "full_name" else None
        column = (entry.column or entry.cell) if entry else None
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
        listing = self._open(record_type, [key])
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

    def _open(self, record_type: RecordType, keys: Sequence[str] = ()) -> ListView:
        listing = ListView(self.page, LIST_PATHS[record_type])
        listing.open_unsearched()
        searched = self._search.get(record_type)
        wanted = [*keys, *([searched[0]] if searched else [])]
        self._showing(record_type, listing, [key for key in wanted if key != "full_name"])
        if searched:
            listing.quick_search(self._columns(record_type, searched[0]), searched[1])
        return listing

    def _showing(self, record_type: RecordType, listing: ListView, keys: Sequence[str]) -> None:
        """Make the list show the columns of ``keys``, as a user of Creme does when the default view
        lacks one (a city): "Clone this view", tick the field (a sub-field of the address under
        its toggle), name the view and save; Creme then shows the list in that view. A view made
        so is chosen again by its name, and the scenario's first view is put back afterwards."""
        cells = [self._columns(record_type, key) for key in keys]
        missing = [cell for cell in cells if not self.page.locator(f'th[data-column-key="{cell}"]').count()]
        if not missing:
            return
        views = self.page.locator("select.list-views-selector").first
        self._views.setdefault(record_type, (views.locator("option:checked").text_content() or "").strip())
        name = "With the " + " and ".join(
            FIELDS[key].english for key in keys if self._columns(record_type, key) in missing
        )
        if name in [text.strip() for text in views.locator("option").all_text_contents()]:
            listing._reloading(lambda: views.select_option(label=name))
        else:
            # The list's header is drawn twice (one copy floats when the page scrolls): the shown one.
            # Its link holds only the icon, which takes the click.
            self.page.locator("a[href^='/creme_core/header_filter/clone/'] img:visible").first.click()
            form = DjangoForm(self.page, "Save the view")
            expect(form.form).to_be_visible()
            form.fill(name=name)
            for cell in missing:
                parent = cell.split("__")[0]
                box = form.form.locator(f'li.selector[data-column="{cell}"] > input[type=checkbox]')
                # A sub-field shows once its field's toggle opens it; the copied view may have it
                # open already (a sub-field of it is ticked), and a second click would close it.
                if parent != cell and not box.is_visible():
                    form.form.locator(f'li.selector[data-column="{parent}"] > a.sub_selector_toggle').click()
                box.check()
            form.submit(re.compile(re.escape(LIST_PATHS[record_type])))
            expect(self.page.locator("form.ui-creme-listview")).to_be_visible()
        for cell in missing:
            expect(self.page.locator(f'th[data-column-key="{cell}"]').first).to_be_attached()

    def _cleared(self, record_type: RecordType, listing: ListView) -> None:
        if self._search.get(record_type):
            listing.open_unsearched()
        view = self._views.pop(record_type, None)
        if view is not None:
            # Back to the view the scenario found: the other steps read the default columns.
            views = self.page.locator("select.list-views-selector").first
            if (views.locator("option:checked").text_content() or "").strip() != view:
                listing._reloading(lambda: views.select_option(label=view))

    def list_rows(self, record_type: RecordType, columns: Sequence[str]) -> list[dict[str, str]]:
        listing = self._open(record_type, list(columns))
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
