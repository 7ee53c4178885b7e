"""Creme's own widgets: jQuery dialogs, Django forms with browser-side validation, list views.

Creme renders its confirmations as jQuery UI dialogs and reloads list views with AJAX; these
helpers wait on what the user would see (a dialog, the reloaded rows), never on time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Locator, Page, Response, expect

from signoff.crm import FormRejected, join_name, split_name

# Collects what the browser itself refuses (HTML ``required``, ``maxlength``, ``type=email``) with
# the message the browser shows the user, keyed by the field's name. Creme's composite widgets
# (entity pickers, chained selects) post a named hidden input but validate an unnamed visible one:
# that refusal blocks the submission all the same, so it is reported under the widget's posted name.
INVALID_FIELDS_JS = """(form) => {
    const postedName = (el) => {
        for (let box = el.parentElement; box && box !== form; box = box.parentElement) {
            const owner = box.querySelector(':scope > input[name]:not([name=""])');
            if (owner) return owner.name;
        }
        return '';
    };
    const errors = {};
    for (const el of form.querySelectorAll('input, select, textarea')) {
        if (!el.checkValidity()) errors[el.name || postedName(el)] = el.validationMessage;
    }
    return errors;
}"""


# Errors of a Django form: field errors carry the id ``id_<field>_error`` (Django 5); errors of
# the whole form are in an ``errorlist nonfield``. Keyed by field name, ``""`` for the form.
_FORM_ERRORS_JS = """(root) => {
    const errors = {};
    for (const list of root.querySelectorAll('ul.errorlist')) {
        const match = /^id_(.+)_error$/.exec(list.id || '');
        const key = match ? match[1] : '';
        const text = Array.from(list.querySelectorAll('li')).map(li => li.textContent.trim()).join(' ');
        if (text) errors[key] = errors[key] ? errors[key] + ' ' + text : text;
    }
    return errors;
}"""

#: Marks an element about to be replaced, to know when its replacement is on screen.
STALE = "data-signoff-stale"

#: Creme's list columns (``td[name=...]``) and quick-search boxes (``#id_search-...``) of the
#: fields the scenarios look records up by.
NAME = "regular_field-name"
FIRST_NAME = "regular_field-first_name"
LAST_NAME = "regular_field-last_name"


def exactly(text: str) -> re.Pattern[str]:
    """A text matcher for the whole text of an element, give or take surrounding blanks."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class EntryNotTaken(RuntimeError):
    """A box does not hold what the kit put in it: the kit or the browser failed, not the CRM.

    Not an ``AssertionError``: the scenario becomes "could not check" (see
    :mod:`signoff.coverage.outcomes`), never a CRM defect built on a value the CRM was not sent.
    """


def replace_text(box: Locator, text: str) -> None:
    """Put ``text`` in ``box`` in place of what it held, and make sure the box holds it.

    Emptied first: in Firefox (WebDriver BiDi), ``fill`` on an ``<input type="email">`` holding a
    value appended to it ("grace@navy.example" + "Grace.Hopper@cobol.example"), so an edited email
    address was refused as invalid by the browser itself.
    """
    box.clear()
    box.fill(text)
    check_entry(box, text)


def check_entry(box: Locator, text: str) -> None:
    """Raise :class:`EntryNotTaken` unless ``box`` holds ``text`` as a user's typing would leave it.

    Read back because what the kit types is what the verdict is about: a value the browser changed
    on the way (appended to the old one, say) must not be judged as the CRM's answer.
    Two changes are the browser's own rules, met by a user too: a ``maxlength`` cuts what is typed
    beyond it, and a text box keeps line breaks as LF (a one-line box drops them).
    """
    held = box.input_value()
    if held == text:
        return
    limit = box.get_attribute("maxlength") or ""
    for as_user in (text.replace("\r\n", "\n"), text.replace("\r", "").replace("\n", "")):
        if held == (as_user[: int(limit)] if limit.isdigit() else as_user):
            return
    name = box.get_attribute("name") or box.get_attribute("id") or "a box"
    raise EntryNotTaken(f"the kit typed {text!r} into {name}, but the box holds {held!r}")


def type_and_leave(box: Locator, text: str) -> None:
    """Type ``text`` into ``box`` as a user does, then leave it (Tab).

    Creme's widgets (time pickers, filter conditions, the sending's sender) copy a box into the
    submitted field on its "change", which a browser fires when a box a user typed into is left.
    Typed keys, as a user does: Firefox fires no "change" for a value set by script (``fill``
    over WebDriver BiDi), Chromium does. Characters no key types (Chinese: a user's input method
    enters them, and leaving the box then fires "change") are inserted by Playwright, and Firefox
    over WebDriver BiDi fires no "change" for them either: the kit then sends the one a user's
    leaving would have sent.
    """
    box.fill("")
    box.press_sequentially(text)
    check_entry(box, text)
    handle = box.element_handle()
    try:
        handle.evaluate(_WATCH_CHANGE_JS)
        box.press("Tab")
        handle.evaluate(_CHANGE_IF_NONE_JS)
    finally:
        handle.dispose()


# Before leaving a box: note whether leaving it fires "change". After: send one if it did not.
_WATCH_CHANGE_JS = """(el) => {
    el.signoffChanged = false;
    el.addEventListener('change', () => { el.signoffChanged = true; }, {once: true});
}"""
_CHANGE_IF_NONE_JS = """(el) => {
    if (!el.signoffChanged) el.dispatchEvent(new Event('change', {bubbles: true}));
}"""


def form_errors(root: Locator) -> dict[str, str]:
    """The errors a Creme form shows, by field name (``""`` for the whole form)."""
    found: dict[str, Any] = root.evaluate(_FORM_ERRORS_JS)
    return {str(key): str(value) for key, value in found.items()}


@contextmanager
def navigation(page: Page) -> Iterator[None]:
    """Wait until what the block does (a click, a submission) has loaded a new page in ``page``.

    What Playwright's deprecated navigation expectation did: wait for the main frame to navigate,
    then for that document's ``load`` state (at once when it has already loaded). Waiting for the
    next page ``load`` event instead timed out now and then on Creme's activity forms.
    """
    with page.expect_event("framenavigated", lambda frame: frame == page.main_frame):
        yield
    page.wait_for_load_state("load")


class Dialog:
    """One of Creme's jQuery UI dialogs: a form in a dialog, a list popup, a confirmation, an error box.

    The dialog is pinned by its id when it opens (jQuery UI ties ``aria-describedby`` to the
    dialog's content), so that a second dialog on top of it (a list popup, an error box) or the
    closing of this one never makes its locators point at another dialog. Fields are addressed
    by Creme's names; ``field_names`` maps them (without a wizard step prefix) to the business
    names reported in :class:`FormRejected`.
    """

    VISIBLE = ".ui-dialog:visible"

    def __init__(self, page: Page, shown: Locator, field_names: Mapping[str, str] | None = None) -> None:
        self.page = page
        expect(shown).to_be_visible()
        content_id = shown.get_attribute("aria-describedby")
        self.locator = page.locator(f'.ui-dialog[aria-describedby="{content_id}"]')
        self.frame = self.locator.locator(".ui-creme-dialog-frame")
        self.form = self.locator.locator("form").first
        self.buttons = self.locator.locator(".ui-dialog-buttonpane")
        self.title = self.locator.locator(".bar-title").first
        self.field_names = dict(field_names or {})

    @classmethod
    def opened_by(cls, trigger: Locator, field_names: Mapping[str, str] | None = None) -> Dialog:
        """Click ``trigger`` and take the dialog it opens, on top of any dialog already shown,
        once its content (a form, or the list of a list popup) is on screen."""
        page = trigger.page
        visible = page.locator(cls.VISIBLE)
        depth = visible.count()
        trigger.click()
        expect(visible).to_have_count(depth + 1)
        dialog = cls(page, visible.nth(depth), field_names)
        expect(dialog.form).to_be_visible()
        return dialog

    @classmethod
    def on_top(cls, page: Page, holding: str | None = None) -> Dialog:
        """The dialog on top of the others (the last one holding ``holding``, a CSS selector)."""
        visible = page.locator(cls.VISIBLE)
        if holding is not None:
            visible = visible.filter(has=page.locator(holding))
        return cls(page, visible.last)

    # -- what it says

    def text(self) -> str:
        return self.locator.inner_text().strip()

    def message(self) -> str:
        """The text of the dialog's content, blanks collapsed (an error box's message)."""
        return " ".join(self.frame.inner_text().split())

    # -- its buttons

    def press(self, button: str | re.Pattern[str]) -> None:
        self.buttons.get_by_role("button", name=button).click()

    def confirm(self) -> None:
        """Press OK in a confirmation dialog (Creme asks before a destructive action)."""
        self.locator.get_by_role("button", name=re.compile(r"^(ok|confirm)$", re.I)).click()

    def wait_closed(self) -> None:
        expect(self.locator).to_be_hidden()

    # -- its form

    def field(self, name: str) -> Locator:
        return self.form.locator(f"#id_{name}")

    def fill(self, **values: str) -> None:
        for name, value in values.items():
            replace_text(self.field(name), value)

    def checklist(self, name: str) -> Locator:
        """The checkboxes of a Creme check-list (the widget that stands in for a multiple select)."""
        widget = self.form.locator(".ui-creme-checklistselect").filter(has=self.page.locator(f"#id_{name}"))
        # Creme's script builds the checkboxes from the <select> once the dialog is shown.
        expect(widget).to_have_class(re.compile(r"\bwidget-ready\b"))
        return widget.locator("li.checkbox-field")

    def check(self, name: str, labels: Iterable[str]) -> None:
        """Tick the check-list entries shown with these labels."""
        items = self.checklist(name)
        for label in labels:
            item = items.filter(has=self.page.locator(".checkbox-label-text", has_text=exactly(label)))
            if item.count() == 0:
                offered = [text.strip() for text in items.locator(".checkbox-label-text").all_inner_texts()]
                raise LookupError(f'"{label}" is not offered for {name}; offered: {offered}')
            item.locator("input[type=checkbox]").check()

    def check_all(self, name: str) -> None:
        for box in self.checklist(name).locator("input[type=checkbox]").all():
            box.check()

    def submit(self, button: str) -> bool:
        """Press ``button``; ``True`` when the CRM saved and closed the dialog, ``False`` when it
        shows the next form (a wizard step). Raises :class:`FormRejected` when the form comes back
        with errors, or when the browser refuses it before sending."""
        refused: dict[str, Any] = self.form.evaluate(INVALID_FIELDS_JS)
        press = self.buttons.get_by_role("button", name=button, exact=True)
        if refused:
            # Press anyway, as a user would: the browser then shows its own message at the field.
            press.click()
            raise FormRejected({self._business_name(name): str(message) for name, message in refused.items()})
        # Creme replaces the dialog's content with its answer: mark the current form to know
        # when the answer is on screen.
        self.form.evaluate(f"el => el.setAttribute('{STALE}', '1')")
        with self.page.expect_response(self._is_form_post) as answer:
            press.click()
        # Creme answers a refused form (or the next wizard step) with the form again, a saved one
        # with a short confirmation.
        if "<form" not in answer.value.text():
            self.wait_closed()
            return True
        expect(self.locator.locator(f"[{STALE}]")).to_have_count(0)
        errors = self._errors()
        if errors:
            raise FormRejected(errors)
        return False

    def save(self, button: str) -> None:
        """Press ``button`` of a one-step form; :class:`FormRejected` unless the CRM saves and closes it."""
        if not self.submit(button):
            raise FormRejected({"": "the form was refused"})

    @staticmethod
    def _is_form_post(response: Response) -> bool:
        return response.request.method == "POST" and response.request.resource_type in ("xhr", "fetch")

    def _errors(self) -> dict[str, str]:
        return {self._business_name(name): message for name, message in form_errors(self.form).items()}

    def _business_name(self, name: str) -> str:
        bare = re.sub(r"^\d+-", "", name)  # wizard steps prefix their fields with the step number
        return self.field_names.get(bare, bare)


class ListPopup:
    """The list popup of an entity selector (or of the merge page): search, pick rows, validate."""

    def __init__(self, dialog: Dialog) -> None:
        self.dialog = dialog
        self.page = dialog.page
        self.listview = dialog.locator.locator("form.ui-creme-listview")
        self.rows = dialog.locator.locator("tr.lv-row")

    def search(self, column: str, text: str) -> None:
        # The popup swaps its whole table for the searched one: mark the old table and wait until
        # it is gone, as the list pages do.
        self.listview.locator("table").first.evaluate(f"t => t.setAttribute('{STALE}', '1')")
        box = self.dialog.locator.locator(f"#id_search-{column}")
        box.fill(text)
        box.press("Enter")
        expect(self.dialog.locator.locator(f"table[{STALE}]")).to_have_count(0)
        expect(self.dialog.locator.locator(f"#id_search-{column}")).to_have_value(text)

    def row(self, **cells: str) -> Locator:
        """The one row whose cells (column key → exact text) all match; LookupError otherwise."""
        for row in self.rows.all():
            if all(cell_text(row, column) == text for column, text in cells.items()):
                return row
        shown = [cell_text(row, next(iter(cells))) for row in self.rows.all()]
        raise LookupError(f"no row with {cells} in the list popup; it shows {shown}")

    def tick(self, row: Locator) -> None:
        box = row.locator("input[name=select_one]")
        if box.count():
            box.check()
        else:
            # Single-selection popups have no boxes: the row itself is clicked.
            row.locator("td.lv-cell").first.click()
        expect(row).to_have_class(re.compile(r"\bselected\b"))

    def validate_button(self) -> Locator:
        return self.dialog.buttons.get_by_role("button", name="Validate the selection")

    def validate(self) -> None:
        self.validate_button().click()
        self.dialog.wait_closed()


def cell_text(row: Locator, column: str) -> str:
    """What a list row shows in ``column`` (``""`` when the row has no such cell)."""
    cell = row.locator(f'td[name="{column}"] .lv-cell-value')
    return cell.inner_text().strip() if cell.count() else ""


def person_shown(full_name: str) -> str:
    """How Creme shows the person a step names ``full_name``: first name, a space, last name ("雷 李").

    Steps name people by the kit's one rule (:func:`signoff.crm.split_name`, "李雷"); Creme writes
    every person first name first, whatever the script.
    """
    first, last = split_name(full_name)
    return f"{first} {last}".strip()


def person_named(shown: str) -> str:
    """The full name, by the kit's rule, of a person Creme shows as ``shown`` ("雷 李" → "李雷").

    Creme writes "<first name> <last name>"; a Chinese last name holds no space, so the last word
    is the last name. A Latin name reads the same both ways.
    """
    text = " ".join(shown.split())
    first, _, last = text.rpartition(" ")
    return join_name(first, last) if first else text


class EntityChooser:
    """Choose records for a Creme entity selector (single, or a list of selectors) in its list popup."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def choose_contact(self, trigger: Locator, full_name: str) -> None:
        first, last = split_name(full_name)
        popup = ListPopup(Dialog.opened_by(trigger))
        popup.search(LAST_NAME, last)
        popup.tick(popup.row(**{FIRST_NAME: first, LAST_NAME: last}))
        popup.validate()

    def choose_named(self, trigger: Locator, name: str) -> None:
        popup = ListPopup(Dialog.opened_by(trigger))
        popup.search(NAME, name)
        popup.tick(popup.row(**{NAME: name}))
        popup.validate()


class DjangoForm:
    """A Creme (Django) form page: fill fields by name, submit, report refusals in the CRM's words."""

    def __init__(self, page: Page, submit_label: str | re.Pattern[str]) -> None:
        self.page = page
        self.form = page.locator("form").filter(has=page.get_by_role("button", name=submit_label)).first
        self.submit_button = self.form.get_by_role("button", name=submit_label)

    def field(self, name: str) -> Locator:
        return self.form.locator(f"#id_{name}")

    def fill(self, **values: str) -> None:
        for name, value in values.items():
            replace_text(self.field(name), value)

    def select(self, name: str, value: str) -> None:
        # Creme hides its <select>s behind select2; the hidden element still takes the choice.
        self.field(name).select_option(value)

    def submit(self, success_url: re.Pattern[str]) -> None:
        """Submit and wait for the page the CRM goes to on success; raise FormRejected otherwise."""
        refused: dict[str, Any] = self.form.evaluate(INVALID_FIELDS_JS)
        if refused:
            # Click anyway, as a user would: the browser then shows its own message at the field.
            self.submit_button.click()
            raise FormRejected({name: str(message) for name, message in refused.items()})
        # A Django form always answers a POST with a new page: the saved record or the form again.
        with navigation(self.page):
            self.submit_button.click()
        if not success_url.search(self.page.url):
            raise FormRejected(self._server_errors(self.page.locator(".errorlist li")))

    def _server_errors(self, errors: Locator) -> dict[str, str]:
        found: dict[str, str] = {}
        for item in errors.all():
            # Django 5 ties a field's error list to the field: <ul class="errorlist" id="id_<field>_error">.
            error_list = item.locator("xpath=ancestor::ul[1]")
            list_id = (error_list.get_attribute("id") or "") if error_list.count() else ""
            field = self.form.locator(f'[id="{list_id.removesuffix("_error")}"][name]')
            if list_id.endswith("_error") and field.count():
                found.setdefault(field.first.get_attribute("name") or "", item.inner_text().strip())
                continue
            owner = item.locator("xpath=ancestor::*[.//*[starts-with(@id,'id_')]][1]//*[starts-with(@id,'id_')]").first
            name = (owner.get_attribute("name") or "") if owner.count() else ""
            found.setdefault(name, item.inner_text().strip())
        return found or {"": "the form was refused"}


# What Creme says on screen: field and form errors, the text of an open dialog, page messages.
_MESSAGES_JS = """() => {
    const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const texts = [];
    const selectors = ['.errorlist li', '.ui-dialog .ui-creme-dialog-frame', '.ui-dialog .ui-dialog-content',
                       '.messages li', '[role=alert]', '.global-error', '.help-block.error',
                       '.non-field-errors', 'p.errornote'];
    for (const el of document.querySelectorAll(selectors.join(','))) {
        const text = el.innerText.replace(/\\s+/g, ' ').trim();
        if (text && shown(el) && !texts.includes(text)) texts.push(text);
    }
    return texts;
}"""


def screen_messages(page: Page) -> list[str]:
    """What Creme says on screen now: field and form errors, an open dialog's text, page messages."""
    return [str(text) for text in page.evaluate(_MESSAGES_JS)]


def require(url: str | None, kind: str, name: str | None) -> str:
    """``url``, or a LookupError naming the record the scenario expected to exist."""
    if url is None:
        raise LookupError(f'no {kind} "{name}" in the CRM')
    return url


class ListView:
    """A Creme entity list with its quick-search row and its saved-filter selector.

    Creme remembers a list's quick search and chosen filter in the user's session, and the
    scenarios of a feature share the administrator's session: a filtered list starts from a
    cleared search (:meth:`open_unsearched`) and is put back to :attr:`ALL` afterwards, so that
    no other step finds it filtered.
    """

    #: The filter that shows every record.
    ALL = "All"

    def __init__(self, page: Page, path: str) -> None:
        self.page = page
        self.path = path
        self.rows = page.locator("tr.lv-row")
        self.selector = page.locator("select.list-filters-selector")
        self.new_filter = page.locator("a[href^='/creme_core/entity_filter/add/']")
        self.search_boxes = page.locator("input[id^='id_search-']")

    def open(self) -> None:
        self.page.goto(self.path)
        expect(self.page.locator("form.ui-creme-listview")).to_be_visible()

    def open_unsearched(self) -> None:
        """Open the list and clear any quick search Creme remembers for it."""
        self.open()
        searched = [box for box in self.search_boxes.all() if box.is_visible() and box.input_value()]
        if searched:
            # Emptying the boxes and pressing Enter is what "Clear search" does; its link can sit
            # under the list's floating header, which then takes the click.
            for box in searched:
                box.fill("")
            self._reloading(lambda: searched[-1].press("Enter"))

    def quick_search(self, column: str, text: str) -> None:
        """Type into the quick-search box of ``column`` (e.g. ``regular_field-name``) and press Enter."""
        box = self.page.locator(f"#id_search-{column}")

        def search() -> None:
            box.fill(text)
            box.press("Enter")

        self._reloading(search)
        expect(self.page.locator(f"#id_search-{column}")).to_have_value(text)

    def _reloading(self, action: Callable[[], object]) -> None:
        """Do what makes Creme swap the whole list, and wait until the old table is gone.

        The current table is marked first, so that rows read afterwards are the new list's.
        """
        self.page.locator("form.ui-creme-listview table").first.evaluate(f"t => t.setAttribute('{STALE}', '1')")
        action()
        expect(self.page.locator(f"table[{STALE}]")).to_have_count(0)

    # -- saved filters

    def filters(self) -> list[str]:
        return [text.strip() for text in self.selector.locator("option").all_inner_texts()]

    def chosen(self) -> str:
        return self.selector.locator("option:checked").inner_text().strip()

    def choose(self, filter_name: str) -> None:
        if filter_name not in self.filters():
            raise LookupError(f'no saved filter "{filter_name}"; the list offers {self.filters()}')
        if self.chosen() != filter_name:
            self._reloading(lambda: self.selector.select_option(label=filter_name))
        expect(self.selector.locator("option:checked")).to_have_text(filter_name)

    # -- what it shows

    def names(self, columns: Sequence[str]) -> list[str]:
        """Each row's cells of ``columns`` joined by a space (a contact as "First Last")."""
        shown: list[str] = []
        for row in self.rows.all():
            parts = [row.locator(f'td[name="{column}"] .lv-cell-value').inner_text().strip() for column in columns]
            shown.append(" ".join(part for part in parts if part))
        return shown

    def find(self, column: str, text: str) -> str | None:
        """Open the list and quick-search ``column``: the detail link of the row showing exactly ``text``."""
        self.open()
        self.quick_search(column, text)
        return self.row_link(column, text)

    def cells(self, column: str) -> list[str]:
        return [text.strip() for text in self.rows.locator(f'td[name="{column}"] .lv-cell-value').all_inner_texts()]

    def row_link(self, column: str, text: str) -> str | None:
        """The detail-page link of the row whose ``column`` shows exactly ``text``."""
        row = self.matching_row({column: text})
        return row["url"] if row else None

    def matching_row(self, wanted: Mapping[str, str], also: Sequence[str] = ()) -> dict[str, str] | None:
        """The first row showing exactly ``wanted`` (column → text): its cells (``wanted`` and
        ``also`` columns) plus ``url``, the row's detail-page link."""
        columns = (*wanted, *also)
        for row in self.rows.all():
            cells = {column: cell_text(row, column) for column in columns}
            if all(cells[column] == text for column, text in wanted.items()):
                cells["url"] = row.locator("a[data-action=redirect]").first.get_attribute("href") or ""
                return cells
        return None

    def total(self) -> int:
        """The number of records the list says it has (all pages)."""
        text = self.page.locator(".list-title").first.inner_text()
        # "List of organisations (1 - 25 / 120)": the last number is the total.
        match = re.search(r"\(([^)]*)\)", text)
        numbers = re.findall(r"\d+", match.group(1)) if match else []
        return int(numbers[-1]) if numbers else self.rows.count()
