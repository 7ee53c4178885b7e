"""Each check of our own finds its planted flaw in the fixture app, and passes on the clean twin.

The app (tests/unit/security/fixtures/app.py) runs on 127.0.0.1 with exactly one flaw, or none;
no CRM, no browser (stored XSS, which needs a browser, is in test_stored_xss.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import requests

from signoff.crm.users import Role
from signoff.findings import Finding
from signoff.security.checks import CheckContext, run_check
from signoff.security.checks.access import check_role_matrix
from signoff.security.checks.forgery import check_csrf
from signoff.security.checks.headers import check_error_pages, check_headers, check_open_redirect
from signoff.security.checks.sessions import check_lockout, check_sessions
from signoff.security.http import HttpClient
from signoff.security.plan import SecuritySection
from tests.unit.security.fixtures.adapter import FixtureSecurity
from tests.unit.security.fixtures.app import serve

SECTION = SecuritySection(
    wrong_passwords=7,
    roles={
        "sales": {"scope": "own", "may": ("view", "change"), "configuration": False},
        "manager": {"scope": "all", "may": ("view", "change"), "configuration": False},
    },
)


def run(flaw: str | None, check: Callable[[CheckContext], list[Finding]]) -> list[Finding]:
    with serve(flaw) as (url, _state):
        result = run_check("check", check, CheckContext(FixtureSecurity(url), SECTION))
    return list(result.findings)


def rules(findings: list[Finding]) -> set[str]:
    return {finding.details.get("rule", "") for finding in findings}


CASES = [
    # flaw, check, the rules it must find
    ("missing-header", check_headers, {"missing-csp"}),
    ("error-leak", check_error_pages, {"error-leak"}),
    ("open-redirect", check_open_redirect, {"open-redirect"}),
    ("cookie-flags", check_sessions, {"cookie-httponly", "cookie-samesite"}),
    ("fixation", check_sessions, {"session-fixation"}),
    ("sign-out-keeps-session", check_sessions, {"session-survives-sign-out"}),
    ("no-lockout", check_lockout, {"no-lockout"}),
    ("csrf", check_csrf, {"csrf-no-token", "csrf-foreign-origin"}),
    ("idor", check_role_matrix, {"idor"}),
    ("list-leak", check_role_matrix, {"list-leak"}),
    ("configuration-open", check_role_matrix, {"configuration-open"}),
    ("delete-any", check_role_matrix, {"unauthorised-delete"}),
    ("export-any", check_role_matrix, {"unauthorised-export", "export-leak"}),
]


@pytest.mark.parametrize(("flaw", "check", "expected"), CASES, ids=[case[0] for case in CASES])
def test_the_check_finds_the_planted_flaw(
    flaw: str, check: Callable[[CheckContext], list[Finding]], expected: set[str]
) -> None:
    findings = run(flaw, check)
    assert rules(findings) == expected, [f.to_data() for f in findings]
    assert all(f.status == "failed" and f.details["cwe"] and f.details["owasp"] and f.fix for f in findings)


@pytest.mark.parametrize(
    "check",
    sorted({case[1] for case in CASES}, key=lambda c: c.__name__),
    ids=lambda c: c.__name__,
)
def test_the_clean_twin_passes(check: Callable[[CheckContext], list[Finding]]) -> None:
    assert run(None, check) == []


def test_an_unreachable_target_is_could_not_check_never_a_pass() -> None:
    with serve(None) as (url, _state):
        pass  # the server is stopped: nothing answers at its address any more
    result = run_check("headers", check_headers, CheckContext(FixtureSecurity(url), SECTION))
    assert [f.status for f in result.findings] == ["could-not-check"]


def test_a_request_outside_the_scope_is_refused_before_it_leaves() -> None:
    with serve(None) as (url, state):
        context = CheckContext(FixtureSecurity(url), SECTION)
        client = context.client("scope")
        with pytest.raises(Exception, match="outside the security scope"):
            client.get("http://example.org/")
        assert state.requests == 0


def test_passive_checks_refuse_active_probes_on_a_target_that_is_not_reset() -> None:
    with serve("csrf") as (url, state):
        result = run_check("csrf", check_csrf, CheckContext(FixtureSecurity(url), SECTION, active=False))
        assert [f.status for f in result.findings] == ["could-not-check"]
        assert state.requests == 0


class NoExport(FixtureSecurity):
    """An adapter that cannot try an export."""

    def export_list(self, client: HttpClient, text: str) -> requests.Response | None:
        return None


class DeleteNotGranted(FixtureSecurity):
    """An adapter that makes every role without the delete permission (the CRM then refuses deletes)."""

    def add_role(self, role: Role, *, export: bool = False) -> None:
        super().add_role(
            dataclasses.replace(role, actions=tuple(a for a in role.actions if a != "delete")), export=export
        )


EVERYTHING = SecuritySection(
    roles={
        "sales": {"scope": "own", "may": ("view", "change", "delete", "export"), "configuration": False},
        "manager": {"scope": "all", "may": ("view", "change", "delete", "export"), "configuration": False},
    },
)


def test_an_action_the_adapter_cannot_try_is_could_not_check_for_that_role() -> None:
    asked = SecuritySection(roles={"sales": {"scope": "own", "may": ("view", "export"), "configuration": False}})
    with serve(None) as (url, _state):
        result = run_check("roles", check_role_matrix, CheckContext(NoExport(url), asked))
    assert [(f.status, f.key) for f in result.findings] == [("could-not-check", "could-not-check:roles:sales:export")]


def test_delete_and_export_allowed_by_the_matrix_work_on_the_clean_app() -> None:
    # Both ways: the same roles allowed everything find nothing (deletes done, files sent) ...
    with serve(None) as (url, state):
        result = run_check("roles", check_role_matrix, CheckContext(FixtureSecurity(url), EVERYTHING))
        assert result.findings == ()
        # ... and the deletes really happened: the manager's on another owner's record and the sales
        # role's on its own (its try on another owner's record was refused, as its scope says).
        deleted = state.db.execute("select count(*) from records where deleted = 1").fetchone()[0]
        assert deleted == 2


def test_a_delete_the_matrix_allows_but_the_crm_refuses_is_role_denied() -> None:
    with serve(None) as (url, _state):
        result = run_check("roles", check_role_matrix, CheckContext(DeleteNotGranted(url), EVERYTHING))
    assert {f.key for f in result.findings} == {
        "role-denied:manager:delete",
        "role-denied:sales:delete:own",
    }
