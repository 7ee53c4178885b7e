"""Creme's own forms submitted over HTTP: the fast path for arranging a scenario's preconditions.

A ``Given`` step such as "an organisation Acme" is not what the scenario is about, yet through
the browser it costs two page loads with Creme's scripts and styles. :class:`FormPoster` fetches
the same Creme form as HTML, keeps every default the form comes with (owner, hidden fields, the
CSRF token), sets the business values and posts it with the browser context's own signed-in
session (Playwright's ``context.request`` shares its cookies). Creme validates it exactly as it
validates a user's submission: a refusal comes back as the same :class:`FormRejected`, a server
error as a CRM defect. ``When`` and ``Then`` steps never take this path.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from html.parser import HTMLParser

from playwright.sync_api import APIResponse, Page

from signoff.coverage.outcomes import CRMServerError
from signoff.crm import FormRejected

#: Input types a browser does not submit as a field value.
_NOT_SUBMITTED = {"submit", "button", "image", "reset", "file"}


class _FormFields(HTMLParser):
    """The fields of the first POST form on a page, with the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.errors: dict[str, str] = {}
        self._in_form = False
        self._done = False
        self._select: str | None = None
        self._select_multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""
        self._error_field: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self._done and attributes.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form:
            return
        name = attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in _NOT_SUBMITTED or (kind in ("checkbox", "radio") and "checked" not in attributes):
                return
            self.fields.append((name, attributes.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select, self._select_multiple, self._options = name, "multiple" in attributes, []
        elif tag == "option" and self._select is not None:
            # An option without a value attribute submits its text.
            self._option = (dict(attrs).get("value"), "selected" in attributes)
            self._option_text = ""
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
        elif tag == "ul" and "errorlist" in attributes.get("class", ""):
            list_id = attributes.get("id", "")
            self._error_field = list_id.removeprefix("id_").removesuffix("_error") if list_id.endswith("_error") else ""
        elif tag == "li" and self._error_field is not None:
            self._in_error, self._text = True, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None or self._in_error:
            self._text += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._options.append((value if value is not None else self._option_text.strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not self._select_multiple and self._options:
                chosen = [self._options[0][0]]  # what a browser submits for a single select
            self.fields += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "li" and self._in_error:
            self.errors.setdefault(self._error_field or "", self._text.strip())
            self._in_error = False
        elif tag == "ul":
            self._error_field = None


def form_fields(html: str) -> list[tuple[str, str]]:
    """What a browser would submit for the first POST form of ``html``, untouched."""
    parser = _FormFields()
    parser.feed(html)
    return parser.fields


def form_errors(html: str) -> dict[str, str]:
    """Django's error lists on a form page answered again: field name (or ``""``) → first message."""
    parser = _FormFields()
    parser.feed(html)
    return parser.errors


class FormPoster:
    """Submits Creme forms over HTTP with the signed-in session of ``page``'s browser context."""

    def __init__(self, page: Page, field_names: Mapping[str, str] | None = None) -> None:
        self.page = page
        self.request = page.context.request
        #: Creme field name → business name, for the fields a refusal names.
        self.field_names = dict(field_names or {})

    def submit(self, path: str, values: Mapping[str, str]) -> str:
        """Post the form at ``path`` with ``values`` over its defaults; the saved record's path.

        Raises :class:`FormRejected` when Creme answers with the form again and its errors.
        """
        shown = self._checked(self.request.get(path), "GET", path)
        fields = [(name, value) for name, value in form_fields(shown.text()) if name not in values]
        fields += list(values.items())
        answer = self._checked(
            self.request.post(
                path,
                data=urllib.parse.urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": shown.url},
                max_redirects=0,
            ),
            "POST",
            path,
        )
        location = answer.headers.get("location")
        if answer.status in (301, 302, 303) and location:
            return urllib.parse.urlsplit(location).path
        errors = form_errors(answer.text())
        raise FormRejected(
            {self.field_names.get(name, name): message for name, message in errors.items()}
            or {"": f"HTTP {answer.status}"}
        )

    @staticmethod
    def _checked(response: APIResponse, method: str, path: str) -> APIResponse:
        if response.status >= 500:
            raise CRMServerError(method, path, response.status, response.text()[:2000])
        return response
