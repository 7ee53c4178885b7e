"""Creme CRM's security surface (:class:`signoff.crm.security.Security`): its sign-in and sign-out,
the state-changing forms and free-text fields the checks use, the forms and searches sqlmap may
probe, the pages of a record, how a record is deleted and a list exported, and how roles and users
are made (through the users area's screens; a role that may export through the role wizard's form).

Delete: the detail page's "Delete" button posts to ``/creme_core/entity/delete/<id>`` (the record
goes to the trash; a role without the permission gets 403). Export: the list's "Download" asks
``/creme_core/mass_export`` with the list's content type, its column set and its search (a role
without export rights gets 403).

Requests go through the check's own HTTP client; Creme's forms are read with the fast path's form
parser (:func:`pages.creme.fastpath.form_fields`), which submits what a browser would.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping

import requests
from playwright.sync_api import Page

from pages.creme.customers import ORGANISATIONS, OrganisationForm
from pages.creme.fastpath import form_fields
from pages.creme.users import APPLICATIONS, CONFIGURATION_PATHS, CremeUsers, UserForms
from signoff.crm.security import HttpForm, InjectionPoint, StateForm, StoredInput
from signoff.crm.users import Role, User
from signoff.security.http import HttpClient
from signoff.targets.base import Credentials

LOGIN_PATH = "/creme_login/"
LOGOUT_PATH = "/creme_logout"
#: Django's anti-forgery field and cookie.
TOKEN_FIELD = "csrfmiddlewaretoken"
CSRF_COOKIE = "csrftoken"
CONTACT_NEW = "/persons/contact/add"
ORGANISATION_NEW = OrganisationForm.NEW_PATH
#: Quick search of the organisation list by name (a GET the list view honours).
NAME_SEARCH = "search-regular_field-name"
#: The global quick search of the header bar (GET ``search=``).
QUICK_SEARCH = "/creme_core/search"
DELETE = "/creme_core/entity/delete/{id}"
MASS_EXPORT = "/creme_core/mass_export"
#: Creme's built-in column set of the organisation list (it holds the name).
ORGANISATION_COLUMNS = "persons-hf_organisation"
_RECORD = re.compile(r"^/persons/organisation/(\d+)$")
#: The list page's state form carries its content type's id.
_CT_ID = re.compile(r'value="(\d+)"[^>]*name="ct_id"')


class CremeSecurity:
    """Creme's sign-in, forms and pages for the security checks."""

    sign_in_path = LOGIN_PATH
    session_cookie = "sessionid"

    def __init__(self, page: Page, base_url: str, admin: Credentials) -> None:
        self.page = page
        self._base_url = base_url.rstrip("/")
        self._admin = admin

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def admin(self) -> Credentials:
        return self._admin

    # -- signing in and out

    def sign_in(self, client: HttpClient, credentials: Credentials, next_path: str = "") -> str | None:
        shown = client.get(LOGIN_PATH)
        fields = dict(form_fields(shown.text))
        fields.update(username=credentials.username, password=credentials.password)
        query = f"?next={urllib.parse.quote(next_path, safe='')}" if next_path else ""
        answer = client.post(f"{LOGIN_PATH}{query}", data=fields, headers={"Referer": client.url(LOGIN_PATH)})
        # Creme answers a refused sign-in with the form again (200), a signed-in one with a redirect.
        return answer.headers.get("Location") if answer.status_code in (301, 302, 303) else None

    def sign_out(self, client: HttpClient) -> None:
        # Django's logout takes a POST with the anti-forgery token (a GET is 405).
        token = client.cookies.get(CSRF_COOKIE) or ""
        client.post(LOGOUT_PATH, data={TOKEN_FIELD: token}, headers={"Referer": client.url("/")})

    def is_signed_in(self, client: HttpClient) -> bool:
        return client.get("/").status_code == 200

    # -- forms

    def read_form(self, client: HttpClient, path: str) -> HttpForm:
        shown = client.get(path)
        if shown.status_code != 200:
            raise LookupError(f"GET {path} answered HTTP {shown.status_code}, not a form")
        # Creme's forms post back to the page that shows them.
        return HttpForm(path, tuple(form_fields(shown.text)), (TOKEN_FIELD,))

    def state_forms(self) -> tuple[StateForm, ...]:
        return (
            StateForm("new organisation", ORGANISATION_NEW, {"name": "Signoff forged {run}"}),
            StateForm("new contact", CONTACT_NEW, {"last_name": "Forged {run}"}),
        )

    def stored_inputs(self) -> tuple[StoredInput, ...]:
        views = {
            "detail": "{record}",
            "list": ORGANISATIONS,
            "search": f"{ORGANISATIONS}?{NAME_SEARCH}={{text}}",
        }
        return (
            StoredInput("organisation name", StateForm("new organisation", ORGANISATION_NEW), "name", views),
            StoredInput(
                "organisation description",
                StateForm("new organisation", ORGANISATION_NEW, {"name": "Signoff description {run}"}),
                "description",
                {"detail": "{record}"},
            ),
        )

    def injection_points(self) -> tuple[InjectionPoint, ...]:
        return (
            InjectionPoint("organisation list search", "GET", ORGANISATIONS, {NAME_SEARCH: "Signoff"}, (NAME_SEARCH,)),
            InjectionPoint(
                "contact list search",
                "GET",
                "/persons/contacts",
                {"search-regular_field-last_name": "Signoff"},
                ("search-regular_field-last_name",),
            ),
            InjectionPoint("quick search", "GET", QUICK_SEARCH, {"search": "Signoff"}, ("search",)),
            # The add forms post back to the page that shows them, with Django's token.
            InjectionPoint(
                "new organisation form",
                "POST",
                ORGANISATION_NEW,
                {"name": "Signoff sqlmap"},
                ("name", "phone"),
                form_page=ORGANISATION_NEW,
            ),
            InjectionPoint(
                "new contact form",
                "POST",
                CONTACT_NEW,
                {"last_name": "Sqlmap", "first_name": "Signoff"},
                ("last_name", "first_name"),
                form_page=CONTACT_NEW,
            ),
        )

    # -- pages

    def scan_excludes(self) -> tuple[str, ...]:
        return (LOGOUT_PATH, "/creme_config/*", "/creme_core/entity/delete*", "/creme_core/entity/trash*")

    def pages_to_inspect(self) -> tuple[str, ...]:
        return ("/", ORGANISATIONS, ORGANISATION_NEW, "/creme_config/")

    def error_paths(self) -> tuple[str, ...]:
        return ("/signoff-no-such-page", "/persons/organisation/not-a-number", "/persons/organisation/999999999")

    def add_role(self, role: Role, *, export: bool = False) -> None:
        if not export:
            CremeUsers(self.page).add_role(role)
            return
        # Only the wizard's form can tick the exportable resources (the role page objects never do).
        applications = [APPLICATIONS[module] for module in role.modules]
        UserForms(self.page).create_role(role.name, applications, role.scope, role.actions, exportable=True)

    def add_user(self, user: User) -> None:
        CremeUsers(self.page).add_user(user)

    def add_record(self, client: HttpClient, name: str) -> str:
        form = self.read_form(client, ORGANISATION_NEW).with_values({"name": name})
        answer = client.post(form.action, data=list(form.fields), headers={"Referer": client.url(form.action)})
        location = urllib.parse.urlsplit(answer.headers.get("Location", "")).path
        if answer.status_code not in (301, 302, 303) or not _RECORD.match(location):
            raise RuntimeError(f"the organisation '{name}' was not saved (HTTP {answer.status_code})")
        return location

    def record_actions(self, record: str) -> Mapping[str, str]:
        match = _RECORD.match(record)
        if match is None:
            raise ValueError(f"not an organisation page: {record}")
        return {"view": record, "change": f"/persons/organisation/edit/{match.group(1)}"}

    def delete_record(self, client: HttpClient, record: str) -> requests.Response | None:
        match = _RECORD.match(record)
        if match is None:
            raise ValueError(f"not an organisation page: {record}")
        # The detail page's button posts the token of the session's anti-forgery cookie.
        token = client.cookies.get(CSRF_COOKIE) or ""
        return client.post(
            DELETE.format(id=match.group(1)), data={TOKEN_FIELD: token}, headers={"Referer": client.url(record)}
        )

    def export_list(self, client: HttpClient, text: str) -> requests.Response | None:
        listing = client.get(self.list_path(text))
        ct_id = _CT_ID.search(listing.text)
        if ct_id is None:
            raise LookupError(f"the organisation list shows no content type to export (HTTP {listing.status_code})")
        query = {"ct_id": ct_id.group(1), "hfilter": ORGANISATION_COLUMNS, "type": "csv", NAME_SEARCH: text}
        return client.get(f"{MASS_EXPORT}?{urllib.parse.urlencode(query)}")

    def list_path(self, text: str) -> str:
        return f"{ORGANISATIONS}?{NAME_SEARCH}={urllib.parse.quote(text)}"

    def configuration_paths(self) -> tuple[str, ...]:
        return tuple(CONFIGURATION_PATHS.values())
