"""What the security checks need to know about a CRM, in CRM-neutral terms.

The checks of :mod:`signoff.security.checks` know no CRM: which form signs in, which forms change
state, where a record's pages are, how a user with a role is made, which parameters of which list
search a scanner may probe - all of that comes from the CRM adapter's ``security`` area, which
implements :class:`Security`. Requests go through the check's :class:`~signoff.security.http.HttpClient`
(a user of its own, with its own cookies); creating roles and users may use the adapter's screens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from signoff.crm.users import Role, User
from signoff.targets.base import Credentials

if TYPE_CHECKING:
    import requests

    from signoff.security.http import HttpClient


@dataclass(frozen=True)
class HttpForm:
    """A form as a browser would submit it: where to, every field with its value, and which fields
    are anti-forgery tokens."""

    action: str
    fields: tuple[tuple[str, str], ...]
    token_fields: tuple[str, ...] = ()

    def without_tokens(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.fields if name not in self.token_fields]

    def with_values(self, values: Mapping[str, str]) -> HttpForm:
        kept = tuple((name, value) for name, value in self.fields if name not in values)
        return HttpForm(self.action, kept + tuple(values.items()), self.token_fields)


@dataclass(frozen=True)
class StateForm:
    """A form that changes state, named in business words, with values that make it valid."""

    name: str
    #: The page that shows the form (GET), relative to the base URL.
    path: str
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredInput:
    """A free-text field saved through an ordinary form and shown to other users afterwards."""

    name: str
    form: StateForm
    #: The field that carries the payload.
    field: str
    #: Where the saved value shows: ``list``, ``detail`` (the saved record's page) and ``search``
    #: (a list search for the value) -> path; ``{record}`` is the saved record's path, ``{text}``
    #: the URL-quoted search text.
    views: Mapping[str, str]


@dataclass(frozen=True)
class InjectionPoint:
    """A request whose parameters a SQL-injection scanner may probe (a form or a list search)."""

    name: str
    method: Literal["GET", "POST"]
    path: str
    params: Mapping[str, str]
    #: The parameters to probe; the others are sent as they are.
    probe: tuple[str, ...]
    #: When the request needs a fresh anti-forgery token, the page that holds it and its field name.
    token_page: str = ""
    token_field: str = ""
    #: For a POST form: the page that shows it (GET). Its fields, as a browser would submit them,
    #: are read with a signed-in session just before the scan, ``params`` set over them.
    form_page: str = ""


@runtime_checkable
class Security(Protocol):
    """The security surface of one CRM (see the module docstring)."""

    @property
    def base_url(self) -> str:
        """The CRM's root URL."""

    @property
    def admin(self) -> Credentials:
        """The administrator, who makes the roles, users and records of the checks."""

    #: The sign-in page (where ``next=`` is honoured) and the name of the session cookie.
    sign_in_path: str
    session_cookie: str

    def sign_in(self, client: HttpClient, credentials: Credentials, next_path: str = "") -> str | None:
        """Fill and post the sign-in form with ``client`` (``next_path``: the page asked for, sent as
        the CRM's ``next`` parameter); where the CRM sent the user on (a URL or path) when it signed
        them in, ``None`` when it refused."""

    def sign_out(self, client: HttpClient) -> None:
        """Sign out the way the user interface does."""

    def is_signed_in(self, client: HttpClient) -> bool:
        """Whether ``client``'s cookies open the home page as a signed-in user."""

    def read_form(self, client: HttpClient, path: str) -> HttpForm:
        """The first state-changing form of the page at ``path`` as ``client`` sees it."""

    def state_forms(self) -> tuple[StateForm, ...]:
        """The state-changing forms the CSRF check replays."""

    def stored_inputs(self) -> tuple[StoredInput, ...]:
        """The free-text fields the stored-XSS check saves payloads through."""

    def injection_points(self) -> tuple[InjectionPoint, ...]:
        """The forms and list-search parameters sqlmap may probe."""

    def scan_excludes(self) -> tuple[str, ...]:
        """Paths (``*`` wildcards) a crawling scanner must not visit: sign-out, user and password
        administration - what would end its session or lock the administrator out."""

    def pages_to_inspect(self) -> tuple[str, ...]:
        """Pages whose response headers are checked (signed in), the sign-in page included."""

    def error_paths(self) -> tuple[str, ...]:
        """Requests that make the CRM answer with an error page (unknown page, malformed id)."""

    def add_role(self, role: Role, *, export: bool = False) -> None:
        """Create a role (as the administrator); ``export``: its users may export (download) lists."""

    def add_user(self, user: User) -> None:
        """Create a user with its roles (as the administrator)."""

    def add_record(self, client: HttpClient, name: str) -> str:
        """Create a record named ``name`` owned by ``client``'s user; the path of its page."""

    def record_actions(self, record: str) -> Mapping[str, str]:
        """For a record's page path: action (``view``, ``change``) -> the page (GET) that a user allowed
        to do it may open."""

    def delete_record(self, client: HttpClient, record: str) -> requests.Response | None:
        """Delete the record (or move it to the trash) as ``client``'s user does it in the user
        interface; the CRM's answer. ``None``: this adapter cannot try a delete."""

    def export_list(self, client: HttpClient, text: str) -> requests.Response | None:
        """Download (export) the list view searched for ``text`` as ``client``'s user does it; the
        CRM's answer (the file when allowed). ``None``: this adapter cannot try an export."""

    def list_path(self, text: str) -> str:
        """A list view of that kind of record searched for ``text``: a row shows the record's name."""

    def configuration_paths(self) -> tuple[str, ...]:
        """Configuration pages only administrators (or roles allowed to) may open."""
