"""Creme's mass import and list download screens, and its edit forms as the exact stored values.

Import (``/creme_core/mass_import/<content type>``, reached from the list's "Import" link):

1. the upload: "Create a document" opens a dialog where the file is chosen and saved as a Creme
   document; "Header present?" is ticked; "Import this file";
2. the column mapping: one ``#id_<field>_colselect`` per Creme field (``0`` = not in the file).
   Creme pre-selects columns whose header looks like a field's label; every select is set here,
   so that what is imported is exactly the mapping asked for. Quirk: the default-value box of a
   required field (a contact's last name, an organisation's name) keeps the HTML ``required``
   attribute even when a column is mapped, and the browser silently refuses to submit the form
   until it holds something. A user has to type a default there; the kit types
   :data:`REQUIRED_DEFAULT`, so that a row whose required cell is empty comes back with that
   marker and the comparison shows it, instead of a default that looks like data;
3. "Save the entities" starts a job; its page says when it finished, how many records it created
   and which lines it refused, with the reason. The kit-owned Creme's job manager is nudged so the
   job starts at once.

Export: a list view (column set) holding the compared fields is made once through Creme's own
view form (posted over HTTP with the browser's session, like the fast path: it is set-up, not what
is accepted), chosen in the list, the list quick-searched, then the list's own "Download" link
asked for CSV or XLSX - Creme's ``mass_export``, which respects the current search.

Storage: a record is found in the list by its email, and its edit form read - the form holds the
exact stored values; the detail page shows them reformatted for display (blanks collapsed, line
breaks as HTML).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from pages.creme.fastpath import FormPoster
from pages.creme.fields import FIELDS, LIST_PATHS
from pages.creme.widgets import Dialog, ListView, screen_messages
from signoff.crm import FormRejected
from signoff.crm.data import ExportedFile, ExportFormat, ImportResult, Refusal
from signoff.crm.fields import RecordType

#: What the kit types in the default-value box of a required field (see the module docstring).
REQUIRED_DEFAULT: Final = "SIGNOFF-EMPTY-CELL"
#: Creme's required fields per record type (their default boxes carry the HTML ``required``).
_REQUIRED: Final[dict[RecordType, tuple[str, ...]]] = {"contact": ("last_name",), "organisation": ("name",)}
#: Fields the import and export handle, per record type (a subset of pages/creme/fields.py).
_DATA_FIELDS: Final[dict[RecordType, tuple[str, ...]]] = {
    "contact": (
        "email",
        "first_name",
        "last_name",
        "job_title",
        "phone",
        "mobile",
        "fax",
        "website",
        "birthday",
        "address",
        "postcode",
        "city",
        "country",
        "description",
    ),
    "organisation": (
        "email",
        "name",
        "phone",
        "fax",
        "website",
        "address",
        "postcode",
        "city",
        "country",
        "description",
    ),
}
#: Creme's model field lengths (CharField max_length) of the fields the limit rows test.
_LIMITS: Final[dict[RecordType, dict[str, int]]] = {
    "contact": {"first_name": 100, "last_name": 100, "phone": 100, "mobile": 100, "full_position": 500},
    "organisation": {"name": 200, "phone": 100},
}
#: Creme reads dates on import in the user's input formats; ISO first (its date picker's format).
DATE_FORMATS: Final[tuple[str, ...]] = ("%Y-%m-%d", "%d/%m/%Y")

_JOB_PAGE = re.compile(r"/creme_core/job/\d+$")
#: Every field of a form with its exact value (no trimming: spaces and line breaks are data).
_EXACT_VALUES_JS = """form => {
    const values = {};
    for (const el of form.elements) {
        if (el.name && !(el.name in values)) values[el.name] = el.value;
    }
    return values;
}"""
_VIEW_NAME = "Signoff data {record_type}"
_EXPORT_TYPES: Final[dict[str, str]] = {"csv": "csv", "xlsx": "xlsx"}


def _import_name(form: str) -> str:
    """The import's field name for a form field (the billing address is ``billaddr_*`` there)."""
    return form.replace("billing_address-", "billaddr_")


def _cell(form: str) -> str:
    """The list-view column of a form field (the billing address's parts are sub-fields there)."""
    return "regular_field-" + form.replace("billing_address-", "billing_address__")


class FileRefused(Exception):
    """Creme refused the uploaded file at the first step (it cannot read it); the message is Creme's."""


class ImportScreens:
    """The two steps of Creme's mass import and its job page."""

    def __init__(self, page: Page, nudge_job_manager: Callable[[], None] | None = None, timeout: float = 600.0) -> None:
        self.page = page
        self._nudge = nudge_job_manager
        #: Seconds the import job may take before the kit stops waiting for its result.
        self.timeout = timeout

    def run(self, record_type: RecordType, file_name: str, content: bytes, columns: Mapping[str, int]) -> ImportResult:
        self._open(record_type)
        # A server error on any request of the import (Creme answering 500 to an upload it cannot
        # handle) is what the CRM did with the file, not a failure of the kit: it is kept and told.
        failures: list[str] = []

        def watch(response: Response) -> None:
            if response.status >= 500:
                failures.append(f"HTTP {response.status} on {response.request.method} {urlsplit(response.url).path}")

        self.page.on("response", watch)
        stage = "the upload"
        try:
            try:
                self._upload(file_name, content)
            except FileRefused as refused:
                return ImportResult(
                    status="file refused", finished=True, created=0, updated=0, lines=-1, file_refusal=str(refused)
                )
            stage = "the column mapping"
            self._map(record_type, columns)
            stage = "the import job"
            return self._result(self.timeout)
        except (PlaywrightTimeoutError, AssertionError) as error:
            # An expectation that timed out: the screen never showed what comes next.
            if not failures:
                raise
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            return ImportResult(
                status="server error",
                finished=False,
                created=0,
                updated=0,
                lines=-1,
                server_error=f"{failures[0]} during {stage} ({first})",
            )
        finally:
            self.page.remove_listener("response", watch)

    def _open(self, record_type: RecordType) -> None:
        listing = ListView(self.page, LIST_PATHS[record_type])
        listing.open()
        link = self.page.locator("a[href*='/creme_core/mass_import/']").first
        href = link.get_attribute("href") or ""
        self.page.goto(href)
        expect(self.page.locator("#id_document")).to_be_attached()

    def _upload(self, file_name: str, content: bytes) -> None:
        dialog = Dialog.opened_by(self.page.get_by_role("button", name="Create a document"))
        dialog.form.locator("input[type=file]").set_input_files(
            {"name": file_name, "mimeType": "application/octet-stream", "buffer": content}
        )
        try:
            dialog.save("Save the document")
        except FormRejected as refused:
            # Creme's document form refuses some files itself ("The submitted file is empty.").
            raise FileRefused("; ".join(refused.errors.values()) or str(refused)) from None
        self.page.locator("#id_has_header").check()
        self.page.get_by_role("button", name="Import this file").click()
        # Either the column mapping, or the upload form again with Creme's reason for refusing the
        # file ("Error reading document: 'utf-8' codec can't decode ..." for a file it cannot read).
        mapping = self.page.locator("select.csv_col_select").first
        refusal = self.page.locator(".errorlist li, .global-error").first
        expect(mapping.or_(refusal)).to_be_visible(timeout=60_000)
        if not mapping.is_visible():
            raise FileRefused("; ".join(screen_messages(self.page)) or refusal.inner_text().strip())

    def _map(self, record_type: RecordType, columns: Mapping[str, int]) -> None:
        wanted = {
            f"id_{_import_name(FIELDS[record_type][key].form)}_colselect": str(number)
            for key, number in columns.items()
        }
        for select in self.page.locator("select.csv_col_select").all():
            select_id = select.get_attribute("id") or ""
            select.select_option(wanted.get(select_id, "0"))
        for key in _REQUIRED[record_type]:
            box = self.page.locator(f"#id_{FIELDS[record_type][key].form}_defval")
            if box.get_attribute("required") is not None:
                box.fill(REQUIRED_DEFAULT)
        self.page.get_by_role("button", name="Save the entities").click()
        self.page.wait_for_url(_JOB_PAGE, timeout=120_000)
        if self._nudge is not None:
            self._nudge()

    def _result(self, timeout: float) -> ImportResult:
        # The job runs in Creme's job manager; the job page watches it and redraws its block of
        # information when the job ends.
        info = self.page.locator("#brick-job_info")
        state = info.locator("td[data-job-status]")
        expect(state).to_have_attribute("data-job-status", re.compile(r"^(10|20)$"), timeout=timeout * 1000)
        status = " ".join(state.inner_text().split())
        statistics_row = info.locator("tr").filter(has=self.page.locator("td", has_text=re.compile(r"^Statistics$")))
        statistics = " ".join(statistics_row.locator("td").last.inner_text().split()) if statistics_row.count() else ""
        created = _number(r"(\d+|No) «[^»]+» ha(?:s|ve) been created", statistics)
        updated = _number(r"(\d+|No) «[^»]+» ha(?:s|ve) been updated", statistics)
        lines = _number(r"(\d+) lines? in the file", statistics, missing=-1)
        return ImportResult(
            status=status,
            finished=state.get_attribute("data-job-status") in ("10", "20"),
            created=created,
            updated=updated,
            lines=lines,
            refused=tuple(self._refusals()),
            message=statistics,
        )

    def _refusals(self) -> list[Refusal]:
        brick = self.page.locator("#brick-regular-creme_core-mass_import_job_errors")
        if brick.count() == 0:
            return []
        refusals: list[Refusal] = []
        for row in brick.locator("tbody tr").all():
            cells = [text.strip() for text in row.locator("td").all_inner_texts()]
            if len(cells) < 3:
                continue
            refusals.append(Refusal(values=_line_values(cells[0]), reason=" ".join(cells[-1].split())))
        return refusals


def _number(pattern: str, text: str, missing: int = 0) -> int:
    match = re.search(pattern, text)
    if match is None:
        return missing
    return 0 if match.group(1) == "No" else int(match.group(1))


def _line_values(shown: str) -> tuple[str, ...]:
    """The refused line as Creme shows it - a Python list of the cells (``['a', 'b']``)."""
    try:
        value = ast.literal_eval(shown)
    except (ValueError, SyntaxError):
        return (shown,)
    return tuple(str(item) for item in value) if isinstance(value, (list, tuple)) else (shown,)


class ListDownload:
    """A list view made of the compared fields, searched, and downloaded through its Download link."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def download(self, record_type: RecordType, fmt: ExportFormat, fields: Sequence[str], search: str) -> ExportedFile:
        keys = [key for key in _DATA_FIELDS[record_type] if key in fields or key == "email"]
        listing = self.open_view(record_type, keys)
        if search:
            listing.quick_search(_cell(FIELDS[record_type]["email"].form), search)
        # The list's "Download" action (not "Download header", which has the header only).
        link = self.page.locator("a[data-action='export-as']:not([data-action-url*='header=true'])").first
        link.click()
        # The format is chosen in a small dialog (a select and OK, no form).
        dialog = Dialog.on_top(self.page, holding="select")
        dialog.locator.locator("select").first.select_option(_EXPORT_TYPES[fmt])
        with self.page.expect_download(timeout=300_000) as event:
            dialog.confirm()
        download = event.value
        path = download.path()
        content = path.read_bytes()
        # The list is left unsearched for the next steps (Creme remembers a search per session).
        if search:
            listing.open_unsearched()
        return ExportedFile(name=download.suggested_filename, content=content, columns=tuple(keys))

    def open_view(self, record_type: RecordType, keys: Sequence[str]) -> ListView:
        """The list, unsearched, showing the view made of ``keys`` (Creme keeps the choice per session)."""
        view = self._ensure_view(record_type, keys)
        listing = ListView(self.page, LIST_PATHS[record_type])
        listing.open_unsearched()
        selector = self.page.locator("select.list-views-selector")
        if selector.locator("option:checked").inner_text().strip() != view:
            # The list view's own wait for its reload (as pages/creme/records.py does).
            listing._reloading(lambda: selector.select_option(label=view))
        return listing

    def _ensure_view(self, record_type: RecordType, keys: Sequence[str]) -> str:
        name = _VIEW_NAME.format(record_type=record_type) + " " + "-".join(keys)[:40]
        listing = ListView(self.page, LIST_PATHS[record_type])
        listing.open()
        offered = [text.strip() for text in self.page.locator("select.list-views-selector option").all_inner_texts()]
        if name not in offered:
            add = self.page.locator("a[href^='/creme_core/header_filter/add/']").first.get_attribute("href") or ""
            cells = ",".join(_cell(FIELDS[record_type][key].form) for key in keys)
            FormPoster(self.page).submit(add, {"name": name, "cells": cells})
        return name


class StoredValues:
    """The exact stored values of records, from their edit forms, found by email."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def read(
        self, record_type: RecordType, keys: Sequence[str], fields: Sequence[str], key_field: str = "email"
    ) -> list[dict[str, str]]:
        key_column = _cell(FIELDS[record_type][key_field].form)
        found: list[dict[str, str]] = []
        # A list view with the key column: the default one of a record type may not show it.
        listing = ListDownload(self.page).open_view(record_type, [key_field])
        for key in keys:
            listing.open()
            listing.quick_search(key_column, key)
            links = listing.rows.locator("a[href*='/persons/']").all()
            urls = [link.get_attribute("href") or "" for link in links]
            details = list(dict.fromkeys(u for u in urls if re.search(r"/persons/(contact|organisation)/\d+$", u)))
            for url in details:
                self.page.goto(re.sub(r"/(\d+)$", r"/edit/\1", url))
                form = self.page.locator("form").filter(has=self.page.locator("#id_email"))
                expect(form).to_be_visible()
                shown: dict[str, str] = {str(k): str(v) for k, v in form.evaluate(_EXACT_VALUES_JS).items()}
                values = {name: shown.get(FIELDS[record_type][name].form, "") for name in fields}
                values[key_field] = shown.get(FIELDS[record_type][key_field].form, "")
                if values[key_field] == key:
                    found.append(values)
        listing.open_unsearched()
        return found


class CremeData:
    """Creme's import, export and storage behind :class:`signoff.crm.data.DataExchange`."""

    def __init__(
        self, page: Page, nudge_job_manager: Callable[[], None] | None = None, import_timeout: float = 600.0
    ) -> None:
        self.page = page
        self._nudge = nudge_job_manager
        #: Seconds an import job may run before the kit stops waiting (bench/ sets it for big files).
        self.import_timeout = import_timeout

    def importable_fields(self, record_type: RecordType) -> tuple[str, ...]:
        return _DATA_FIELDS.get(record_type, ())

    def field_limits(self, record_type: RecordType) -> Mapping[str, int]:
        forms = {FIELDS[record_type][key].form: key for key in _DATA_FIELDS.get(record_type, ())}
        return {forms[form]: limit for form, limit in _LIMITS.get(record_type, {}).items() if form in forms}

    def date_formats(self) -> tuple[str, ...]:
        return DATE_FORMATS

    def import_file(
        self, record_type: RecordType, file_name: str, content: bytes, columns: Mapping[str, int]
    ) -> ImportResult:
        unknown = [key for key in columns if key not in _DATA_FIELDS.get(record_type, ())]
        if unknown:
            raise ValueError(
                f"the Creme import cannot fill the {unknown[0].replace('_', ' ')} of a {record_type}; "
                f"it fills: {', '.join(k.replace('_', ' ') for k in _DATA_FIELDS.get(record_type, ()))}"
            )
        return ImportScreens(self.page, self._nudge, self.import_timeout).run(record_type, file_name, content, columns)

    def export_list(
        self, record_type: RecordType, fmt: ExportFormat, fields: Sequence[str], search: str = ""
    ) -> ExportedFile:
        return ListDownload(self.page).download(record_type, fmt, fields, search)

    def stored_records(
        self, record_type: RecordType, keys: Sequence[str], fields: Sequence[str], key: str = "email"
    ) -> list[dict[str, str]]:
        if key not in _DATA_FIELDS[record_type]:
            raise ValueError(f"a Creme {record_type} cannot be found by its {key.replace('_', ' ')}")
        wanted = [f for f in fields if f in _DATA_FIELDS[record_type]]
        return StoredValues(self.page).read(record_type, keys, wanted, key)
