"""Creme's own forms submitted over HTTP: the fast path for arranging a scenario's preconditions.

A ``Given`` step such as "an organisation Acme" is not what the scenario is about, yet through
the browser it costs two page loads with Creme's scripts and styles. :class:`FormPoster` fetches
the same Creme form as HTML, keeps every default the form comes with (owner, hidden fields, the
CSRF token), sets the business values and posts it with the browser context's own signed-in
session (Playwright's ``context.request`` shares its cookies). Creme validates it exactly as it
validates a user's submission: a refusal comes back as the same :class:`FormRejected`, a server
error as a CRM defect. ``When`` and ``Then`` steps never take this path.

A choice is given by the label the form shows (an owner, a sales phase, a role), as a user picks
it, and a label the form does not offer is refused as the screen would refuse it. Creme's dialog
forms (users, teams) and its wizards (roles) are posted the same way: a dialog answers a saved form
with no form at all, a wizard with its next step until the last one is saved. Creme's buttons that
post without a form (a customer status) are posted as its own script posts them.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser

from playwright.sync_api import APIResponse, Page

from signoff.coverage.outcomes import CRMServerError
from signoff.crm import ActionRefused, FormRejected


class Arrangement:
    """Whether the current step sets up a precondition: then records may be made over HTTP.

    One per scenario, shared by the adapter's areas; the kit switches it for each step.
    """

    def __init__(self) -> None:
        self.fast = False


#: A choice of every option a field offers (Creme's "check all" of a check-list).
EVERY = ("\x00every option",)
#: A choice of the first real option a field offers, as a user who has to pick one does.
FIRST = ("\x00first option",)
#: What a step gives for a form field: a value, or several for a multiple choice.
Values = Mapping[str, str | Sequence[str]]

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
        self._labels: list[str] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""
        self._error_field: str | None = None
        self._in_error = False
        #: Every choice a select or a set of radio buttons offers: field → [(value, label)].
        self.options: dict[str, list[tuple[str, str]]] = {}
        self._radio: tuple[str, str] | None = None
        self._label_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and not self._done and attributes.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form:
            return
        name = attributes.get("name", "")
        if tag == "input" and name and attributes.get("type", "").lower() == "radio":
            # Django writes a radio button inside its label: the label's text follows it.
            self._radio, self._label_text = (name, attributes.get("value", "on")), ""
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in _NOT_SUBMITTED or (kind in ("checkbox", "radio") and "checked" not in attributes):
                return
            self.fields.append((name, attributes.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self._select, self._select_multiple, self._options = name, "multiple" in attributes, []
            self._labels = []
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
        if self._radio is not None:
            self._label_text += data
        if self._textarea is not None or self._in_error:
            self._text += data
        elif self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True
        elif tag == "label" and self._radio is not None:
            radio, radio_value = self._radio
            self.options.setdefault(radio, []).append((radio_value, " ".join(self._label_text.split())))
            self._radio = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._options.append((value if value is not None else self._option_text.strip(), selected))
            self._labels.append(" ".join(self._option_text.split()))
            self._option = None
        elif tag == "select" and self._select is not None:
            self.options[self._select] = [
                (value, label) for (value, _), label in zip(self._options, self._labels, strict=True)
            ]
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


def form_options(html: str) -> dict[str, list[tuple[str, str]]]:
    """The choices of the first POST form of ``html``: field name → ``[(value, label shown)]``."""
    parser = _FormFields()
    parser.feed(html)
    return parser.options


def chosen_values(
    options: Mapping[str, Sequence[tuple[str, str]]], name: str, labels: str | Sequence[str]
) -> list[str]:
    """The values of the options of field ``name`` shown as ``labels`` (:data:`EVERY`: all of them).

    A label the form does not offer is a :class:`LookupError` that lists what it offers, as the
    screens say when a user looks for a choice that is not there.
    """
    offered = [(value, label) for value, label in options.get(name, []) if value]
    if labels == EVERY:
        return [value for value, _ in offered]
    if labels == FIRST:
        return [value for value, _ in offered[:1]]
    values = []
    for label in [labels] if isinstance(labels, str) else labels:
        found = [value for value, shown in offered if shown == label]
        if not found:
            raise LookupError(f'"{label}" is not offered for {name}; offered: {[shown for _, shown in offered]}')
        values.append(found[0])
    return values


class FormPoster:
    """Submits Creme forms over HTTP with the signed-in session of ``page``'s browser context."""

    def __init__(self, page: Page, field_names: Mapping[str, str] | None = None) -> None:
        self.page = page
        self.request = page.context.request
        #: Creme field name → business name, for the fields a refusal names.
        self.field_names = dict(field_names or {})

    def html(self, path: str) -> str:
        """The page at ``path`` as Creme sends it (no scripts run, nothing rendered)."""
        return self._checked(self.request.get(path), "GET", path).text()

    def submit(self, path: str, values: Values, choices: Values | None = None) -> str:
        """Post the form at ``path`` with ``values`` over its defaults; the saved record's path.

        ``choices`` gives fields by the labels of their options. A dialog form saved without a
        redirect gives ``""``. Raises :class:`FormRejected` when Creme answers with the form again
        and its errors, :class:`LookupError` when a label is not offered.
        """
        shown = self._checked(self.request.get(path), "GET", path)
        return self._post_form(path, shown.text(), shown.url, values, choices or {})

    def wizard(self, path: str, steps: Sequence[tuple[Values, Values]]) -> str:
        """Go through a wizard at ``path``: each step's ``(values, choices)`` posted over the
        defaults of the form that step shows; what the last step's saving answers (see :meth:`submit`).

        A wizard answers each step with the next one: a form answered with the same step again
        is refused (:class:`FormRejected`); one that ends before the last step is too.
        """
        shown = self._checked(self.request.get(path), "GET", path)
        html, url = shown.text(), shown.url
        for number, (values, choices) in enumerate(steps):
            last = number == len(steps) - 1
            try:
                return self._post_form(path, html, url, values, choices, next_step=not last)
            except _NextStep as step:
                html = step.html
        raise FormRejected({"": f"the wizard at {path} asked for more than {len(steps)} steps"})

    def action(self, path: str, data: Values, referer: str) -> str:
        """Post ``data`` as Creme's own script posts a button's action (no form, CSRF token in a header).

        Creme's refusal (a 4xx answer) is :class:`ActionRefused` with its words.
        """
        token = next((c["value"] for c in self.page.context.cookies() if c["name"] == "csrftoken"), "")
        answer = self._checked(
            self.request.post(
                path,
                data=urllib.parse.urlencode(_pairs(data)),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": token,
                    "X-Requested-With": "XMLHttpRequest",
                    "Referer": referer,
                },
                max_redirects=0,
            ),
            "POST",
            path,
        )
        if answer.status >= 400:
            raise ActionRefused(" ".join(answer.text().split())[:500] or f"HTTP {answer.status}")
        return answer.text()

    def _post_form(
        self, path: str, html: str, url: str, values: Values, choices: Values, *, next_step: bool = False
    ) -> str:
        options = form_options(html)
        given: dict[str, list[str]] = {
            name: [value] if isinstance(value, str) else list(value) for name, value in values.items()
        }
        for name, labels in choices.items():
            given[name] = chosen_values(options, name, labels)
        fields = [(name, value) for name, value in form_fields(html) if name not in given]
        fields += [(name, value) for name, many in given.items() for value in many]
        answer = self._checked(
            self.request.post(
                path,
                data=urllib.parse.urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": url},
                max_redirects=0,
            ),
            "POST",
            path,
        )
        location = answer.headers.get("location")
        if answer.status in (301, 302, 303) and location:
            return urllib.parse.urlsplit(location).path
        text = answer.text()
        if answer.status < 400 and "<form" not in text:
            return ""  # a dialog form, saved: Creme answers with no form
        errors = form_errors(text)
        if next_step and answer.status < 400 and not errors:
            raise _NextStep(text)
        raise FormRejected(
            {self.field_names.get(name, name): message for name, message in errors.items()}
            or {"": f"HTTP {answer.status}"}
        )

    @staticmethod
    def _checked(response: APIResponse, method: str, path: str) -> APIResponse:
        if response.status >= 500:
            raise CRMServerError(method, path, response.status, response.text()[:2000])
        return response


class _NextStep(Exception):
    """A wizard answered with its next step (``html``)."""

    def __init__(self, html: str) -> None:
        super().__init__("next step")
        self.html = html


def _pairs(data: Values) -> list[tuple[str, str]]:
    return [(name, value) for name, many in data.items() for value in ([many] if isinstance(many, str) else many)]
