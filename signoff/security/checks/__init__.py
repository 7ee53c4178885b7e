"""Security checks of our own: HTTP (and, for stored XSS, the browser) with real sessions.

Each check is a function of a :class:`CheckContext` that returns findings (an empty list is a
pass). They know no CRM: everything CRM-specific comes from the :class:`~signoff.crm.security.Security`
area of the adapter. A check that cannot complete returns a could-not-check finding; one that
raises is turned into one by :func:`run_check`.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import requests

from signoff.crm.security import Security
from signoff.crm.users import Role, User
from signoff.findings import Finding
from signoff.security.http import HttpClient, OutOfScope, RequestCounter, Scope
from signoff.security.model import could_not_check
from signoff.security.plan import RoleRule, SecuritySection
from signoff.targets.base import Credentials

#: Actions of the plan's matrix that a :class:`signoff.crm.users.Role` knows.
_ROLE_ACTIONS = {"view": "view", "change": "change", "delete": "delete"}


@dataclasses.dataclass
class CheckContext:
    """What every check is given: the CRM's security area, the plan, the scope and a request counter."""

    security: Security
    section: SecuritySection
    #: Whether active probes (stored payloads, records and users made for the run) are allowed:
    #: only on a target that is reset afterwards.
    active: bool = True
    counter: RequestCounter = dataclasses.field(default_factory=RequestCounter)
    #: Folder for screenshots and other evidence files; paths in findings are relative to its parent.
    evidence_dir: Path | None = None
    #: Makes the names of users and records made by this run unique.
    run_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex[:6])
    #: Role users made so far: role name -> credentials.
    _users: dict[str, Credentials] = dataclasses.field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        return Scope.of(self.security.base_url, self.section.allowed_hosts)

    def client(self, check: str) -> HttpClient:
        """A new anonymous client of the target."""
        return HttpClient(self.security.base_url, self.scope, self.counter, check)

    def admin_client(self, check: str) -> HttpClient:
        """A new client signed in as the administrator; RuntimeError when the sign-in is refused."""
        client = self.client(check)
        if self.security.sign_in(client, self.security.admin) is None:
            raise RuntimeError(f"the administrator '{self.security.admin.username}' could not sign in")
        return client

    def user_with_role(self, rule: RoleRule) -> Credentials:
        """A user of the role ``rule`` made for this run (the role too), once per run."""
        if rule.name not in self._users:
            role_name = f"{rule.name} {self.run_id}"
            self.security.add_role(
                Role(
                    name=role_name,
                    scope="all" if rule.scope == "all" else "own",
                    actions=tuple(_ROLE_ACTIONS[a] for a in ("view", *rule.may) if a in _ROLE_ACTIONS),  # type: ignore[misc]
                ),
                # Export is not a record permission but a right to download lists: the adapter's.
                export="export" in rule.may,
            )
            username = f"sec{len(self._users) + 1}{self.run_id}"
            password = f"Pw-{uuid.uuid4().hex[:12]}!"
            self.security.add_user(
                User(username, "Security", f"Check {rule.name}", f"{username}@example.test", password, (role_name,))
            )
            self._users[rule.name] = Credentials(username, password)
        return self._users[rule.name]


Check = Callable[[CheckContext], list[Finding]]


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """One check's findings, how long it took and how many requests it sent."""

    name: str
    findings: tuple[Finding, ...]
    seconds: float
    #: Requests the check sent (-1: a scanner, counted by the target's access log in the benchmark).
    requests: int
    #: Why the check was not run at all (off in the plan); empty when it ran.
    skipped: str = ""


def run_check(name: str, check: Check, context: CheckContext, *, function_point: str = "") -> CheckResult:
    """Run one check; a crash or an unreachable target becomes a could-not-check finding."""
    started = time.monotonic()
    before = context.counter.by_check.get(name, 0)
    try:
        findings = check(context)
    except (requests.RequestException, OutOfScope, RuntimeError, OSError, ValueError, LookupError) as error:
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        findings = [could_not_check(name, name, reason, function_point=function_point)]
    except Exception as error:  # a bug of the kit or the adapter must show, never pass
        reason = f"the check crashed: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        findings = [could_not_check(name, name, reason, function_point=function_point)]
    return CheckResult(
        name=name,
        findings=tuple(findings),
        seconds=time.monotonic() - started,
        requests=context.counter.by_check.get(name, 0) - before,
    )


def refused(response: requests.Response, sign_in_path: str) -> bool:
    """Whether an answer refuses the request: 401/403/404/405, or a redirect to the sign-in page."""
    if response.status_code in (401, 403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return sign_in_path in response.headers.get("Location", "")
    return False
