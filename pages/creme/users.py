"""Creme's users, teams and roles (configuration pages), record owners, and what a user may open.

Users and teams are created in dialogs of the users page (``/creme_config/user/portal``), roles in
an eight-step wizard dialog of the roles page. A team is a Creme user that cannot sign in. Creme
shows a user by its *displayed name*; the accounts made here get their user name as displayed
name, so that owners and team members read back as the user names the scenarios speak of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar, cast

from playwright.sync_api import Locator, Page, Response, expect

from pages.creme.addresses import KnownAddresses
from pages.creme.customers import CONTACTS, ORGANISATIONS, ContactForm, EntityDetail, OrganisationForm
from pages.creme.fastpath import EVERY, Arrangement, FormPoster, Values
from pages.creme.widgets import FIRST_NAME, LAST_NAME, NAME, Dialog, DjangoForm, ListView, exactly
from signoff.crm import ActionRefused, FormRejected, split_name
from signoff.crm.users import (
    ACTIONS,
    Action,
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
#: The forms of the users page's "New user" and "New team" dialogs and of the roles page's wizard.
USER_ADD = "/creme_config/user/add"
TEAM_ADD = "/creme_config/team/add"
ROLE_WIZARD = "/creme_config/role/wizard"
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

OWNER = "regular_field-user"

#: The users page's "New user" dialog and "New team" dialog: Creme's fields → business names.
USER_FIELDS = {"password_1": "password", "password_2": "password"}
TEAM_FIELDS = {"username": "name", "teammates": "members"}
# Text of each element; textContent, because column titles are upper-cased by CSS only.
_TEXTS = "els => els.map(e => e.textContent)"


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
        return self.teams.locator("tbody tr").filter(has=self.page.locator("td:first-child", has_text=exactly(name)))

    def lists_user(self, shown_as: str) -> bool:
        """Whether a row of the users table shows ``shown_as`` (a user name, a displayed name) in a cell."""
        rows = self.users.locator("tbody tr").filter(has=self.page.locator("td", has_text=exactly(shown_as)))
        return rows.count() > 0

    def lists_team(self, name: str) -> bool:
        return self.team_row(name).count() > 0

    def create_user(
        self,
        *,
        username: str,
        first_name: str,
        last_name: str,
        email: str,
        displayed_name: str,
        password: str,
        password_confirmation: str,
        roles: Iterable[str],
    ) -> None:
        """Fill and save the "New user" dialog (no role: a superuser).

        Raises :class:`~signoff.crm.FormRejected` when refused, keyed by the fields of
        :class:`~signoff.crm.users.User` (``password`` for either password box).
        """
        form = Dialog.opened_by(self.new_user, USER_FIELDS)
        form.fill(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            displayed_name=displayed_name,
            password_1=password,
            password_2=password_confirmation,
        )
        form.check("roles", roles)
        form.save("Save the user")

    def create_team(self, name: str, members: Iterable[str]) -> None:
        """Fill and save the "New team" dialog, members by displayed name; FormRejected (``name``,
        ``members``) when refused."""
        form = Dialog.opened_by(self.new_team, TEAM_FIELDS)
        form.fill(username=name)
        form.check("teammates", members)
        form.save("Save the team")

    def user_cells(self, username: str) -> dict[str, str] | None:
        """The user's row, cell texts by column title (``"username"``, ``"roles"``, ``"active?"`` ...)."""
        row = self.user_row(username)
        if row.count() == 0:
            return None
        titles = [str(title).strip().lower() for title in self.users.locator("thead th").evaluate_all(_TEXTS)]
        cells = [" ".join(str(text).split()) for text in row.first.locator("td").evaluate_all(_TEXTS)]
        return dict(zip(titles, cells, strict=False))


class UserForms:
    """The users page's dialogs and the role wizard, posted over HTTP: the fast path of a ``Given``.

    The same forms the dialogs show, with the same choices by label and the same refusals, keyed
    as :class:`UsersPage` and :meth:`CremeUsers.add_role` key them.
    """

    def __init__(self, page: Page) -> None:
        self.page = page

    def create_user(
        self,
        *,
        username: str,
        first_name: str,
        last_name: str,
        email: str,
        displayed_name: str,
        password: str,
        password_confirmation: str,
        roles: Iterable[str],
    ) -> None:
        values = {
            "username": username,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "displayed_name": displayed_name,
            "password_1": password,
            "password_2": password_confirmation,
        }
        FormPoster(self.page, USER_FIELDS).submit(USER_ADD, values, {"roles": list(roles)})

    def create_team(self, name: str, members: Iterable[str]) -> None:
        FormPoster(self.page, TEAM_FIELDS).submit(TEAM_ADD, {"username": name}, {"teammates": list(members)})

    def create_role(
        self,
        name: str,
        applications: Iterable[str],
        scope: Scope,
        actions: Iterable[Action],
        *,
        exportable: bool = False,
    ) -> None:
        """The eight steps of the role wizard, as :meth:`CremeUsers.add_role` goes through them;
        ``exportable``: its users may export (download) every kind of record (the security area's matrix)."""
        steps: list[tuple[Values, Values]] = [
            ({"0-name": name}, {"0-allowed_apps": list(dict.fromkeys(applications))}),
            ({}, {}),  # administrated applications: none
            ({}, {"2-creatable_ctypes": EVERY}),
            ({}, {"3-listable_ctypes": EVERY}),
            ({}, {"4-exportable_ctypes": EVERY} if exportable else {}),  # exportable resources
            ({}, {}),  # special permissions: none
            ({f"6-can_{action}": "on" for action in actions if action != "view"}, {"6-set_type": SCOPE_LABELS[scope]}),
            ({}, {}),
        ]
        try:
            FormPoster(self.page).wizard(ROLE_WIZARD, steps)
        except FormRejected as rejection:
            # Wizard steps prefix their fields with the step number, as the dialog reports them.
            raise FormRejected(
                {
                    CremeUsers.ROLE_FIELDS.get(bare, bare): message
                    for bare, message in ((re.sub(r"^\d+-", "", key), text) for key, text in rejection.errors.items())
                }
            ) from None


class RolesPage:
    """``/creme_config/role/portal``: one row per role, with its applications and credentials."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.new_role = page.get_by_role("link", name="New role")

    def open(self) -> None:
        self.page.goto(ROLES_PORTAL)
        expect(self.new_role).to_be_visible()

    def row(self, name: str) -> Locator:
        return self.page.locator("tr").filter(has=self.page.locator("td.role-name", has_text=exactly(name)))

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

    #: The role wizard's fields → business names.
    ROLE_FIELDS: ClassVar[dict[str, str]] = {"allowed_apps": "modules"}

    def __init__(self, page: Page, arrangement: Arrangement | None = None, known: KnownAddresses | None = None) -> None:
        self.page = page
        self.arrangement = arrangement or Arrangement()
        self.known = known or KnownAddresses()

    # -- user accounts

    def add_user(self, user: User, password_confirmation: str | None = None) -> None:
        if self.arrangement.fast:
            create = UserForms(self.page).create_user
        else:
            portal = UsersPage(self.page)
            portal.open()
            create = portal.create_user
        create(
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            # Creme shows users by their displayed name everywhere (owners, team members).
            displayed_name=user.username,
            password=user.password,
            password_confirmation=user.password if password_confirmation is None else password_confirmation,
            roles=user.roles,
        )

    def user(self, username: str) -> UserAccount | None:
        portal = UsersPage(self.page)
        portal.open()
        cells = portal.user_cells(username)
        if cells is None:
            return None
        roles = cells.get("roles", "")
        # A user without a role is a superuser: Creme writes "Superuser" in the roles column.
        role_names = (
            () if roles in ("", "Superuser") else tuple(p.strip() for p in re.split(r",| and ", roles) if p.strip())
        )
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
        if row.count() != 1:
            raise LookupError(f'no user "{username}" in the CRM')
        with self.page.expect_response(lambda r: r.request.method == "POST" and "/creme_config/user/" in r.url):
            row.get_by_role("link", name=action, exact=True).click()
        # Creme reloads the users table after the change: the row then offers the opposite action.
        expect(portal.user_row(username).get_by_role("link", name=opposite, exact=True)).to_be_visible()

    # -- roles

    def add_role(self, role: Role) -> None:
        if self.arrangement.fast:
            applications = [self._application(module) for module in role.modules]
            UserForms(self.page).create_role(role.name, applications, role.scope, role.actions)
            return
        portal = RolesPage(self.page)
        portal.open()
        wizard = Dialog.opened_by(portal.new_role, self.ROLE_FIELDS)
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

    def _next(self, wizard: Dialog, step: int) -> None:
        wizard.submit("Next step")
        self._wizard_step(wizard, step)

    @staticmethod
    def _wizard_step(wizard: Dialog, step: int) -> None:
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
        if self.arrangement.fast:
            UserForms(self.page).create_team(team.name, team.members)
            return
        portal = UsersPage(self.page)
        portal.open()
        portal.create_team(team.name, team.members)

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
        first, last = split_name(name)
        values = {"first_name": first, "last_name": last} if kind == "contact" else {"name": name}
        if self.arrangement.fast:
            new = ContactForm.new_path() if kind == "contact" else OrganisationForm.NEW_PATH
            address = FormPoster(self.page).submit(new, values, {"user": owner})
        else:
            form = self._record_form(kind)
            form.open_new()
            form.fill(**values)
            self._choose_owner(form, owner)
            form.save()
            address = self.page.url
        self.known.remember(kind, (first, last) if kind == "contact" else name, address)
        return RecordRef(kind, name, address)

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
            columns, wanted = (FIRST_NAME, LAST_NAME), split_name(name)
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
        menu.get_by_role("link", name="Log out").click()
        self.page.wait_for_url(re.compile(r"/creme_login"))

    def current_session(self) -> object:
        # The session is the browser's cookies: Creme's session id (and its CSRF token).
        return self.page.context.cookies()

    def resume_session(self, session: object) -> None:
        self.page.context.clear_cookies()
        self.page.context.add_cookies(cast(Any, session))
