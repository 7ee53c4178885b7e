"""Creme's own widgets: jQuery dialogs, Django forms with browser-side validation, list views.

Creme renders its confirmations as jQuery UI dialogs and reloads list views with AJAX; these
helpers wait on what the user would see (a dialog, the reloaded rows), never on time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from playwright.sync_api import Locator, Page, expect

from signoff.crm import FormRejected

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


def visible_dialog(page: Page) -> Locator:
    return page.locator(".ui-dialog:visible").last


def confirm_dialog(page: Page) -> None:
    """Press OK in the confirmation dialog Creme shows before a destructive action."""
    dialog = visible_dialog(page)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=re.compile(r"^(ok|confirm)$", re.I)).click()


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
            self.field(name).fill(value)

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
        with self.page.expect_navigation():
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


def require(url: str | None, kind: str, name: str | None) -> str:
    """``url``, or a LookupError naming the record the scenario expected to exist."""
    if url is None:
        raise LookupError(f'no {kind} "{name}" in the CRM')
    return url


class ListView:
    """A Creme entity list with its quick-search row."""

    def __init__(self, page: Page, path: str) -> None:
        self.page = page
        self.path = path
        self.rows = page.locator("tr.lv-row")

    def open(self) -> None:
        self.page.goto(self.path)
        expect(self.page.locator("form.ui-creme-listview")).to_be_visible()

    def quick_search(self, column: str, text: str) -> None:
        """Type into the quick-search box of ``column`` (e.g. ``regular_field-name``) and press Enter."""
        box = self.page.locator(f"#id_search-{column}")
        # Creme swaps the whole list for the reloaded one: mark the current rows, then wait until
        # no marked row is left, so that rows read afterwards are the search's.
        self.page.locator("form.ui-creme-listview table").first.evaluate("t => t.setAttribute('data-signoff-stale', '1')")
        box.fill(text)
        box.press("Enter")
        expect(self.page.locator("table[data-signoff-stale]")).to_have_count(0)
        expect(self.page.locator(f"#id_search-{column}")).to_have_value(text)

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
            cells = {column: self._cell_text(row, column) for column in columns}
            if all(cells[column] == text for column, text in wanted.items()):
                cells["url"] = row.locator("a[data-action=redirect]").first.get_attribute("href") or ""
                return cells
        return None

    @staticmethod
    def _cell_text(row: Locator, column: str) -> str:
        cell = row.locator(f'td[name="{column}"] .lv-cell-value')
        return cell.inner_text().strip() if cell.count() else ""

    def total(self) -> int:
        """The number of records the list says it has (all pages)."""
        text = self.page.locator(".list-title").first.inner_text()
        # "List of organisations (1 – 25 / 120)": the last number is the total.
        match = re.search(r"\(([^)]*)\)", text)
        numbers = re.findall(r"\d+", match.group(1)) if match else []
        return int(numbers[-1]) if numbers else self.rows.count()
