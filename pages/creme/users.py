"""Creme's users, teams and roles (configuration pages), record owners, and what a user may open.

Users and teams are created in dialogs of the users page (``/creme_config/user/portal``), roles in
an eight-step wizard dialog of the roles page. A team is a Creme user that cannot sign in. Creme
shows a user by its *displayed name*; the accounts made here get their user name as displayed
name, so that owners and team members read back as the user names the scenarios speak of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, cast

from playwright.sync_api import Locator, Page, Response, expect

from pages.creme.customers import CONTACTS, ORGANISATIONS, ContactForm, EntityDetail, OrganisationForm
from pages.creme.widgets import INVALID_FIELDS_JS, DjangoForm, ListView
from signoff.crm import ActionRefused, FormRejected
from signoff.crm.users import (
    ACTIONS,
    ConfigurationPage,
    RecordKind,
    RecordRef,
    Role,
    Scope,
    Team,
    User,
    UserAccount,
)

USERS_PORTAL = "/creme_config/user/portal"
ROLES_PORTAL = "/creme_config/role/portal"
CONFIGURATION_PATHS: dict[ConfigurationPage, str] = {
    "user management": USERS_PORTAL,
    "role management": ROLES_PORTAL,
    "general configuration": "/creme_config/",
}

#: The Creme application behind each business module a role may use.
APPLICATIONS: dict[str, str] = {
    "contacts": "Accounts and Contacts",
    "organisations": "Accounts and Contacts",
    "opportunities": "Opportunities",
    "activities": "Activities",
    "calendar": "Activities",
    "campaigns": "Emails",
}
#: How the roles page names a credential's set of records.
SCOPE_LABELS: dict[Scope, str] = {"own": "User's own entities", "all": "All entities"}

NAME = "regular_field-name"
FIRST_NAME = "regular_field-first_name"
LAST_NAME = "regular_field-last_name"
OWNER = "regular_field-user"

_STALE = "data-signoff-stale"
# Text of each element; textContent, because column titles are upper-cased by CSS only.
_TEXTS = "els => els.map(e => e.textContent)"


def _exactly(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


class DialogForm:
    """A Creme form shown in a jQuery dialog: fill it, submit it, read refusals in the CRM's words.

    The dialog is pinned by its id when it opens, so that a second dialog (an error box) or the
    closing of this one never makes the locators point at another dialog.
    """

    def __init__(self, page: Page, field_names: Mapping[str, str] | None = None) -> None:
        self.page = page
        opened = page.locator(".ui-dialog:visible").filter(has=page.locator("form")).last
        expect(opened).to_be_visible()
        content_id = opened.get_attribute("aria-describedby")
        self.dialog = page.locator(f'.ui-dialog[aria-describedby="{content_id}"]')
        self.frame = self.dialog.locator(".ui-creme-dialog-frame")
        self.form = self.dialog.locator("form")
        self.buttons = self.dialog.locator(".ui-dialog-buttonpane")
        self.title = self.dialog.locator(".bar-title").first
        #: Creme field name (without a wizard step prefix) → the business name used in FormRejected.
        self.field_names = dict(field_names or {})
        expect(self.form).to_be_visible()

    def field(self, name: str) -> Locator:
        return self.form.locator(f"#id_{name}")

    def fill(self, **values: str) -> None:
        for name, value in values.items():
            self.field(name).fill(value)

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
            item = items.filter(has=self.page.locator(".checkbox-label-text", has_text=_exactly(label)))
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
        # Creme replaces the dialog's content with its answer: mark the current content to know
        # when the answer is on screen.
        self.frame.locator("> *").first.evaluate(f"el => el.setAttribute('{_STALE}', '1')")
        with self.page.expect_response(self._is_form_post) as answer:
            press.click()
        # Creme answers a refused form (or the next wizard step) with the form again, a saved one
        # with a short confirmation.
        closed = "<form" not in answer.value.text()
        if closed:
            expect(self.dialog).to_be_hidden()
            return True
        expect(self.frame.locator(f"[{_STALE}]")).to_have_count(0)
        errors = self._errors()
        if errors:
            raise FormRejected(errors)
        return False

    @staticmethod
    def _is_form_post(response: Response) -> bool:
        return response.request.method == "POST" and response.request.resource_type in ("xhr", "fetch")

    def _errors(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for errors in self.form.locator("ul.errorlist").all():
            # Creme renders a field's errors as <ul id="id_<field>_error">; form-wide ones have no id.
            match = re.fullmatch(r"id_(.+)_error", errors.get_attribute("id") or "")
            name = self._business_name(match.group(1)) if match else ""
            message = " ".join(text.strip() for text in errors.locator("li").all_inner_texts())
            if message:
                found[name] = f"{found[name]} {message}" if name in found else message
        return found

    def _business_name(self, name: str) -> str:
        bare = re.sub(r"^\d+-", "", name)  # wizard steps prefix their fields with the step number
        return self.field_names.get(bare, bare)


class UsersPage:
    """``/creme_config/user/portal``: the users table and the teams table."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.users = page.locator("#brick-regular-creme_config-users")
        self.teams = page.locator("#brick-regular-creme_config-teams")
        self.new_user = self.users.get_by_role("link", name="New user")
        self.new_team = self.teams.get_by_role("link", name="New team")

    def open(self) -> None:
        self.page.goto(USERS_PORTAL)
        expect(self.users).to_be_visible()

    def user_row(self, username: str) -> Locator:
        return self.users.locator("tbody tr").filter(has=self.page.get_by_role("cell", name=username, exact=True))

    def team_row(self, name: str) -> Locator:
        return self.teams.locator("tbody tr").filter(
            has=self.page.locator("td:first-child", has_text=_exactly(name))
        )

    def user_cells(self, username: str) -> dict[str, str] | None:
        """The user's row, cell texts by column title (``"username"``, ``"roles"``, ``"active?"`` ...)."""
        row = self.user_row(username)
        if row.count() == 0:
            return None
        titles = [str(title).strip().lower() for title in self.users.locator("thead th").evaluate_all(_TEXTS)]
        cells = [" ".join(str(text).split()) for text in row.first.locator("td").evaluate_all(_TEXTS)]
        return dict(zip(titles, cells, strict=False))


class RolesPage:
    """``/creme_config/role/portal``: one row per role, with its applications and credentials."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.new_role = page.get_by_role("link", name="New role")

    def open(self) -> None:
        self.page.goto(ROLES_PORTAL)
        expect(self.new_role).to_be_visible()

    def row(self, name: str) -> Locator:
        return self.page.locator("tr").filter(has=self.page.locator("td.role-name", has_text=_exactly(name)))

    def applications(self, row: Locator) -> list[str]:
        # Up to a few applications are listed as they are; more hide in a popover list.
        cell = row.locator("td.role-apps")
        items = cell.locator(".enumerator-item, details li").evaluate_all("els => els.map(e => e.textContent)")
        return [str(item).strip() for item in items]

    def first_credentials(self, row: Locator) -> str:
        """E.g. "For “User's own entities“ it is allowed to: view, change, delete, link, unlink"."""
        allowed = row.locator("td.role-creds li.role-creds-allowed").first
        return " ".join(allowed.inner_text().split()) if allowed.count() else ""


class CremeUsers:
    """Users, roles, teams and record access in Creme, behind :class:`signoff.crm.users.Users`."""

    #: Creme's user name: Django's username field, 30 characters in Creme.
    username_limit = 30

    USER_FIELDS = {"password_1": "password", "password_2": "password"}
    ROLE_FIELDS = {"allowed_apps": "modules"}
    TEAM_FIELDS = {"username": "name", "teammates": "members"}

    def __init__(self, page: Page) -> None:
        self.page = page

    # -- user accounts

    def add_user(self, user: User, password_confirmation: str | None = None) -> None:
        portal = UsersPage(self.page)
        portal.open()
        portal.new_user.click()
        form = DialogForm(self.page, self.USER_FIELDS)
        form.fill(
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            # Creme shows users by their displayed name everywhere (owners, team members).
            displayed_name=user.username,
            password_1=user.password,
            password_2=user.password if password_confirmation is None else password_confirmation,
        )
        form.check("roles", user.roles)
        form.submit("Save the user")
        expect(portal.user_row(user.username)).to_have_count(1)

    def user(self, username: str) -> UserAccount | None:
        portal = UsersPage(self.page)
        portal.open()
        cells = portal.user_cells(username)
        if cells is None:
            return None
        roles = cells.get("roles", "")
        # A user without a role is a superuser: Creme writes "Superuser" in the roles column.
        role_names = () if roles in ("", "Superuser") else tuple(p.strip() for p in re.split(r",| and ", roles) if p.strip())
        return UserAccount(
            username=cells.get("username", ""),
            first_name=cells.get("first name", ""),
            last_name=cells.get("last name", ""),
            email=cells.get("email address", ""),
            roles=role_names,
            active=cells.get("active?", "").lower() == "yes",
        )

    def usernames(self) -> list[str]:
        portal = UsersPage(self.page)
        portal.open()
        return [text.strip() for text in portal.users.locator("tbody tr td:first-child").all_inner_texts()]

    def deactivate_user(self, username: str) -> None:
        self._switch_user(username, "Deactivate", "Activate")

    def reactivate_user(self, username: str) -> None:
        self._switch_user(username, "Activate", "Deactivate")

    def _switch_user(self, username: str, action: str, opposite: str) -> None:
        portal = UsersPage(self.page)
        portal.open()
        row = portal.user_row(username)
        expect(row).to_have_count(1)
        with self.page.expect_response(lambda r: r.request.method == "POST" and "/creme_config/user/" in r.url):
            row.get_by_role("link", name=action, exact=True).click()
        # Creme reloads the users table after the change: the row then offers the opposite action.
        expect(portal.user_row(username).get_by_role("link", name=opposite, exact=True)).to_be_visible()

    # -- roles

    def add_role(self, role: Role) -> None:
        portal = RolesPage(self.page)
        portal.open()
        portal.new_role.click()
        wizard = DialogForm(self.page, self.ROLE_FIELDS)
        self._wizard_step(wizard, 1)
        wizard.fill(**{"0-name": role.name})
        wizard.check("0-allowed_apps", dict.fromkeys(self._application(module) for module in role.modules))
        self._next(wizard, 2)
        self._next(wizard, 3)  # administrated applications: none, a sales role configures nothing
        wizard.check_all("2-creatable_ctypes")
        self._next(wizard, 4)
        wizard.check_all("3-listable_ctypes")
        self._next(wizard, 5)
        self._next(wizard, 6)  # exportable resources: none
        self._next(wizard, 7)  # special permissions (users, roles): none
        wizard.form.get_by_label(SCOPE_LABELS[role.scope], exact=True).check()
        for action in ACTIONS[1:]:  # viewing is always granted by the first credentials
            box = wizard.field(f"6-can_{action}")
            box.set_checked(action in role.actions)
        self._next(wizard, 8)
        if not wizard.submit("Save the role"):
            raise FormRejected({"": "the role wizard did not finish"})
        expect(RolesPage(self.page).row(role.name)).to_have_count(1)

    def _next(self, wizard: DialogForm, step: int) -> None:
        wizard.submit("Next step")
        self._wizard_step(wizard, step)

    @staticmethod
    def _wizard_step(wizard: DialogForm, step: int) -> None:
        expect(wizard.title).to_contain_text(re.compile(rf"step {step} of \d+", re.I))

    @staticmethod
    def _application(module: str) -> str:
        try:
            return APPLICATIONS[module]
        except KeyError:
            raise ValueError(f'no Creme application for the module "{module}"') from None

    def role_names(self) -> list[str]:
        portal = RolesPage(self.page)
        portal.open()
        return [text.strip() for text in self.page.locator("td.role-name").all_inner_texts()]

    def role(self, name: str) -> Role | None:
        portal = RolesPage(self.page)
        portal.open()
        row = portal.row(name)
        if row.count() == 0:
            return None
        applications = set(portal.applications(row.first))
        modules = tuple(module for module, application in APPLICATIONS.items() if application in applications)
        credentials = portal.first_credentials(row.first)
        scope: Scope = "own" if SCOPE_LABELS["own"] in credentials else "all"
        allowed = credentials.partition("allowed to:")[2]
        named = {part.strip() for part in allowed.split(",")}
        actions = tuple(action for action in ACTIONS if action in named)
        return Role(name=name, scope=scope, actions=actions, modules=modules)

    # -- teams

    def add_team(self, team: Team) -> None:
        portal = UsersPage(self.page)
        portal.open()
        portal.new_team.click()
        form = DialogForm(self.page, self.TEAM_FIELDS)
        form.fill(username=team.name)
        form.check("teammates", team.members)
        form.submit("Save the team")
        expect(portal.team_row(team.name)).to_have_count(1)

    def team(self, name: str) -> Team | None:
        portal = UsersPage(self.page)
        portal.open()
        row = portal.team_row(name)
        if row.count() == 0:
            return None
        members = row.first.locator(".enumerator-item").all_inner_texts()
        return Team(name=name, members=tuple(member.strip() for member in members))

    # -- records and their owners

    def add_record(self, kind: RecordKind, name: str, owner: str) -> RecordRef:
        form = self._record_form(kind)
        form.open_new()
        if kind == "contact":
            first, last = _split_name(name)
            form.fill(first_name=first, last_name=last)
        else:
            form.fill(name=name)
        self._choose_owner(form, owner)
        form.save()
        return RecordRef(kind, name, self.page.url)

    def find_record(self, kind: RecordKind, name: str) -> RecordRef | None:
        row = self._list_row(kind, name)
        return RecordRef(kind, name, row["url"]) if row else None

    def open_record(self, record: RecordRef) -> None:
        response = self.page.goto(record.address)
        self._raise_if_refused(response)
        expect(EntityDetail(self.page).title).to_be_visible()

    def open_configuration(self, page: ConfigurationPage) -> None:
        response = self.page.goto(CONFIGURATION_PATHS[page])
        self._raise_if_refused(response)

    def owner(self, kind: RecordKind, name: str) -> str | None:
        row = self._list_row(kind, name)
        return row[OWNER] if row else None

    def assign(self, kind: RecordKind, name: str, owner: str) -> None:
        row = self._list_row(kind, name)
        if row is None:
            raise LookupError(f'no {kind} "{name}" in the CRM')
        detail = EntityDetail(self.page)
        detail.open(row["url"])
        detail.edit()
        form = self._record_form(kind)
        self._choose_owner(form, owner)
        form.save()

    def _record_form(self, kind: RecordKind) -> ContactForm | OrganisationForm:
        return ContactForm(self.page) if kind == "contact" else OrganisationForm(self.page)

    @staticmethod
    def _choose_owner(form: DjangoForm, owner: str) -> None:
        owners = form.field("user")
        offered = [text.strip() for text in owners.locator("option").all_inner_texts()]
        if owner not in offered:
            raise LookupError(f'"{owner}" is not offered as owner; offered: {offered}')
        # Creme hides its <select>s behind select2; the hidden element still takes the choice.
        owners.select_option(label=owner)

    def _list_row(self, kind: RecordKind, name: str) -> dict[str, str] | None:
        """The list row of the record as the signed-in user sees it: cells by column, plus ``url``."""
        path = ORGANISATIONS if kind == "organisation" else CONTACTS
        response = self.page.goto(path)
        if response is not None and response.status == 403:
            return None  # the user may not even list this kind of record
        listing = ListView(self.page, path)
        expect(self.page.locator("form.ui-creme-listview")).to_be_visible()
        columns: tuple[str, ...]
        wanted: tuple[str, ...]
        if kind == "organisation":
            columns, wanted = (NAME,), (name,)
        else:
            columns, wanted = (FIRST_NAME, LAST_NAME), _split_name(name)
        listing.quick_search(columns[-1], wanted[-1])
        return listing.matching_row(dict(zip(columns, wanted, strict=True)), also=(OWNER,))

    def _raise_if_refused(self, response: Response | None) -> None:
        if response is not None and response.status == 403:
            message = self.page.locator(".error-container .message").first
            raise ActionRefused(" ".join(message.inner_text().split()) if message.count() else "403 Forbidden")
        if "/creme_login" in self.page.url:
            raise ActionRefused("the CRM asks to sign in first")

    # -- session

    def sign_out(self) -> None:
        # "Log out" sits in the first menu of the main menu bar, shown when the pointer is over it.
        menu = self.page.locator("li.ui-creme-navigation-item-level0").filter(
            has=self.page.locator("li.ui-creme-navigation-item-id_creme_core-logout")
        )
        if menu.count() == 0:
            self.page.goto("/")
        menu.hover()
        with self.page.expect_navigation():
            menu.get_by_role("link", name="Log out").click()
        expect(self.page).to_have_url(re.compile(r"/creme_login"))

    def current_session(self) -> object:
        # The session is the browser's cookies: Creme's session id (and its CSRF token).
        return self.page.context.cookies()

    def resume_session(self, session: object) -> None:
        self.page.context.clear_cookies()
        self.page.context.add_cookies(cast(Any, session))


def _split_name(full_name: str) -> tuple[str, str]:
    """``"Ada Lovelace"`` → (``Ada``, ``Lovelace``); a single word is a last name (as in the steps)."""
    first, _, last = full_name.strip().partition(" ")
    return (first, last) if last else ("", first)
