"""Users, roles and teams, as the steps see them: who may sign in, and which records each one may open.

A *role* says which modules its users may use and which records they may open: only the records
they own (``scope="own"``, a sales representative) or every record (``scope="all"``, a sales
manager). A *team* owns records on behalf of its members. Users are named by their user name
everywhere: as owners of records, as team members, when signing in.

Records are addressed by a :class:`RecordRef` taken by someone who can see them, so that a user
who cannot find a record in a list can still be shown trying to open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from signoff.targets.base import Credentials

#: Which records a role's users may open: the ones they (or their team) own, or all of them.
Scope = Literal["own", "all"]
#: What a role may do with the records in its scope; viewing is implied by the others.
Action = Literal["view", "change", "delete", "link", "unlink"]
ACTIONS: tuple[Action, ...] = ("view", "change", "delete", "link", "unlink")
#: The kinds of record the access scenarios speak of.
RecordKind = Literal["contact", "organisation"]
#: Configuration pages a sales representative must not open, by business name.
ConfigurationPage = Literal["user management", "role management", "general configuration"]
CONFIGURATION_PAGES: tuple[ConfigurationPage, ...] = ("user management", "role management", "general configuration")


@dataclass(frozen=True)
class Role:
    """A role and its permissions, as given to the CRM or as the CRM shows it."""

    name: str
    scope: Scope = "own"
    actions: tuple[Action, ...] = ACTIONS
    #: Canonical module names (see :data:`signoff.crm.MODULES`) the role's users may use.
    modules: tuple[str, ...] = ("contacts", "organisations")


@dataclass(frozen=True)
class User:
    """A user account to create. No role makes an administrator (a superuser)."""

    username: str
    first_name: str
    last_name: str
    email: str
    password: str
    roles: tuple[str, ...] = ()

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.username, self.password)


@dataclass(frozen=True)
class UserAccount:
    """A user account as the CRM lists it."""

    username: str
    first_name: str
    last_name: str
    email: str
    roles: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class Team:
    """A team: it owns records, its members work on them; it cannot sign in."""

    name: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordRef:
    """Where a record lives, as taken by someone who could see it (opaque to the steps)."""

    kind: RecordKind
    name: str
    address: str


@runtime_checkable
class Users(Protocol):
    """User accounts, roles, teams, record owners, and what the signed-in user may open."""

    #: Longest user name the CRM accepts.
    username_limit: int

    def add_user(self, user: User, password_confirmation: str | None = None) -> None:
        """Create a user account, confirming the password with ``password_confirmation`` (by
        default the password itself); raises :class:`~signoff.crm.FormRejected` when the CRM
        refuses it (keys are the fields of :class:`User`, ``password`` for either password box)."""

    def user(self, username: str) -> UserAccount | None:
        """The account as the CRM lists it, or ``None``."""

    def usernames(self) -> list[str]:
        """User names of every account (teams excluded)."""

    def deactivate_user(self, username: str) -> None: ...

    def reactivate_user(self, username: str) -> None: ...

    def add_role(self, role: Role) -> None:
        """Create a role; raises :class:`~signoff.crm.FormRejected` (keys ``name``, ``modules``)."""

    def role(self, name: str) -> Role | None:
        """The role as the CRM shows it (its first set of record permissions), or ``None``."""

    def role_names(self) -> list[str]: ...

    def add_team(self, team: Team) -> None:
        """Create a team; raises :class:`~signoff.crm.FormRejected` (keys ``name``, ``members``)."""

    def team(self, name: str) -> Team | None: ...

    def add_record(self, kind: RecordKind, name: str, owner: str) -> RecordRef:
        """Create a contact (``"First Last"``) or an organisation owned by a user or a team."""

    def find_record(self, kind: RecordKind, name: str) -> RecordRef | None:
        """The record as the signed-in user finds it in its list, or ``None`` if they cannot."""

    def open_record(self, record: RecordRef) -> None:
        """Open the record's page as the signed-in user; raises :class:`~signoff.crm.ActionRefused`
        with the CRM's words when it refuses."""

    def open_configuration(self, page: ConfigurationPage) -> None:
        """Open a configuration page; raises :class:`~signoff.crm.ActionRefused` when refused."""

    def owner(self, kind: RecordKind, name: str) -> str | None:
        """User name (or team name) of the record's owner, as the CRM shows it."""

    def assign(self, kind: RecordKind, name: str, owner: str) -> None:
        """Give the record to another owner (a user or a team)."""

    def sign_out(self) -> None:
        """Sign out the way a user does (the CRM ends the session)."""

    def current_session(self) -> object:
        """What the browser holds of the current session (opaque), to try it again later."""

    def resume_session(self, session: object) -> None:
        """Put a session taken by :meth:`current_session` back into the browser."""
