"""What a load run needs from Creme before it starts: real user accounts, a record to open, key pages.

Used by the performance engine in Signoff's own process (plain HTTP, no locust, no browser): the
administrator signs in on Creme's login form and creates the run's users with Creme's own "New
user" form (role "Regular user" when Creme has it), exactly as an administrator would, so every
simulated user works in a session of its own account. One opportunity is added too, so that the
"open an opportunity" journey has one to open on a fresh CRM.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from typing import Any

from pages.creme.fastpath import form_errors, form_fields
from signoff.errors import TargetError
from signoff.targets.base import Credentials

LOGIN_PATH = "/creme_login/"
USER_ADD = "/creme_config/user/add"
OPPORTUNITY_ADD = "/opportunities/opportunity/add"
#: Pages the browser opens at every step of a load run: what a user waits for most.
KEY_PAGES: tuple[tuple[str, str], ...] = (
    ("contact list", "/persons/contacts"),
    ("organisation list", "/persons/organisations"),
    ("contact page", "/persons/contact/1"),
    ("opportunity list", "/opportunities/opportunities"),
)
#: The journeys module the load generator imports (locust users).
JOURNEYS = "pages.creme.load"

_CSRF = re.compile(r"""name=["']csrfmiddlewaretoken["']\s+value=["']([^"']+)["']""")
_ROLE = re.compile(r'<select[^>]*name="roles"[^>]*>\s*<option value="(\d+)"')
_CONTACT_TYPE = re.compile(r"\{&quot;id&quot;:(\d+),[^}]*Create a contact")
_TIMEOUT = 60.0


class _Session:
    """A cookie-keeping HTTP client that does not follow redirects (a redirect is the answer)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect())

    def call(self, path: str, form: Sequence[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """(status, location, body) of a GET, or of a POST of ``form``."""
        url = self.base_url + path
        data = urllib.parse.urlencode(list(form)).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=_TIMEOUT) as response:
                return response.status, "", response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", errors="replace")
            return error.code, error.headers.get("Location", ""), body
        except (urllib.error.URLError, OSError) as error:
            raise TargetError(f"the CRM at {self.base_url} does not answer ({error})") from None

    def sign_in(self, credentials: Credentials) -> None:
        _, _, page = self.call(LOGIN_PATH)
        token = _CSRF.search(page)
        if token is None:
            raise TargetError(f"no Creme sign-in form at {self.base_url}{LOGIN_PATH}")
        status, location, _ = self.call(
            LOGIN_PATH,
            [
                ("csrfmiddlewaretoken", token.group(1)),
                ("username", credentials.username),
                ("password", credentials.password),
            ],
        )
        if status not in (301, 302, 303) or LOGIN_PATH in location:
            raise TargetError(f"user '{credentials.username}' cannot sign in to {self.base_url}")

    def submit(self, path: str, values: dict[str, str]) -> tuple[int, str, str]:
        """Creme's form at ``path`` with its defaults, ``values`` over them."""
        status, _, page = self.call(path)
        if status != 200:
            raise TargetError(f"{path} answered HTTP {status}")
        fields = [(name, value) for name, value in form_fields(page) if name not in values]
        return self.call(path, fields + list(values.items()))


def create_accounts(base_url: str, admin: Credentials, count: int) -> list[Credentials]:
    """``count`` new Creme users (fresh names each run), created by ``admin`` with the user form."""
    session = _Session(base_url)
    session.sign_in(admin)
    _, _, form = session.call(USER_ADD)
    role = _ROLE.search(form)
    run = secrets.token_hex(3)
    password = f"Load-{secrets.token_urlsafe(12)}"
    accounts: list[Credentials] = []
    for number in range(1, count + 1):
        username = f"load{run}u{number:04d}"
        values = {
            "username": username,
            "first_name": "Load",
            "last_name": f"User {number}",
            "email": f"{username}@example.com",
            "password_1": password,
            "password_2": password,
        }
        if role is not None:
            values["roles"] = role.group(1)
        status, _, body = session.submit(USER_ADD, values)
        # The dialog's form answers 200 with an empty body when saved, and the form again when not.
        errors = form_errors(body) if body.strip() else {}
        if status >= 400 or errors:
            raise TargetError(f"Creme refused the load user {username}: {errors or f'HTTP {status}'}")
        accounts.append(Credentials(username, password))
    _ensure_opportunity(session)
    return accounts


def _ensure_opportunity(session: _Session) -> None:
    """One opportunity on contact 1 (Creme's own first contact), for the opportunity journey."""
    _, _, form = session.call(OPPORTUNITY_ADD)
    contact_type = _CONTACT_TYPE.search(form)
    if contact_type is None:
        return
    target = json.dumps({"ctype": {"id": contact_type.group(1)}, "entity": "1"})
    session.submit(OPPORTUNITY_ADD, {"name": "Load run opportunity", "cform_extra-opportunities_target": target})


def session_cookies(base_url: str, credentials: Credentials) -> list[dict[str, Any]]:
    """The cookies of a signed-in session of ``credentials``, for a browser context."""
    session = _Session(base_url)
    session.sign_in(credentials)
    return [{"name": cookie.name, "value": cookie.value or "", "url": session.base_url + "/"} for cookie in session.jar]
