"""The security area's checks in one place: each own check and each scanner by name, run into
:class:`~signoff.security.checks.CheckResult`\\ s (findings, seconds, requests sent)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from playwright.sync_api import BrowserContext

from signoff.findings import Finding
from signoff.security.checks import Check, CheckContext, CheckResult, run_check
from signoff.security.checks.access import check_role_matrix
from signoff.security.checks.forgery import check_csrf
from signoff.security.checks.headers import check_error_pages, check_headers, check_open_redirect
from signoff.security.checks.sessions import check_lockout, check_sessions
from signoff.security.checks.xss import check_stored_xss
from signoff.security.model import FP_AUTH, FP_INPUT, FP_ROLES, FP_SESSION_END, FP_TRANSPORT, could_not_check
from signoff.security.scanners import sqlmap, wapiti

#: Own checks by name, with the function point each verifies. Stored XSS needs a browser.
CHECKS: Final[dict[str, tuple[Check, str]]] = {
    "headers": (check_headers, FP_TRANSPORT),
    "error pages": (check_error_pages, FP_TRANSPORT),
    "open redirect": (check_open_redirect, FP_AUTH),
    "sessions": (check_sessions, FP_SESSION_END),
    "lockout": (check_lockout, FP_AUTH),
    "csrf": (check_csrf, FP_INPUT),
    "roles": (check_role_matrix, FP_ROLES),
}
BROWSER_CHECKS: Final[dict[str, str]] = {"stored xss": FP_INPUT}
SCANNERS: Final[dict[str, str]] = {"wapiti": FP_INPUT, "sqlmap": FP_INPUT}
#: Every check's name, in the order a full run takes them.
ALL: Final[tuple[str, ...]] = (*CHECKS, *BROWSER_CHECKS, *SCANNERS)


def run_named(
    name: str,
    context: CheckContext,
    *,
    browser: BrowserContext | None = None,
    home: Path | None = None,
    out_dir: Path | None = None,
) -> CheckResult:
    """Run the check or scanner ``name``."""
    if name in CHECKS:
        check, point = CHECKS[name]
        return run_check(name, check, context, function_point=point)
    if name == "stored xss":
        if browser is None:
            return _not_checked(name, "no browser to view the saved payloads in")
        context_browser = browser
        return run_check(name, lambda c: check_stored_xss(c, context_browser), context, function_point=FP_INPUT)
    if name in SCANNERS:
        return run_scanner(name, context, home or Path(".signoff"), out_dir or Path("reports/security"))
    raise ValueError(f"unknown security check {name!r}; known: {', '.join(ALL)}")


def run_scanner(name: str, context: CheckContext, home: Path, out_dir: Path) -> CheckResult:
    """wapiti or sqlmap with a fresh administrator session; off in the plan is not run, and shown."""
    section = context.section
    enabled = section.wapiti if name == "wapiti" else section.sqlmap
    if not enabled:
        # Turned off on purpose: not run, and the report says so; nothing is claimed about it.
        return CheckResult(name, (), 0.0, 0, skipped=f"off in the plan ([security] {name} = false)")
    if name == "sqlmap" and not context.active:
        return _not_checked(name, "sqlmap only probes a target that is reset afterwards")
    started = time.monotonic()
    try:
        client = context.admin_client(name)
    except Exception as error:  # the target is down or refuses the administrator
        return _not_checked(name, f"no signed-in session for {name}: {error}")
    cookies = {cookie.name: cookie.value or "" for cookie in client.cookies}
    base = context.security.base_url
    findings: list[Finding]
    if name == "wapiti":
        excludes = [base.rstrip("/") + path for path in context.security.scan_excludes()]
        findings, _run = wapiti.scan(home, base, cookies, out_dir, section.wapiti_seconds, excludes)
    else:
        try:
            points = tuple(
                sqlmap.resolve(point, lambda path: context.security.read_form(client, path))
                for point in context.security.injection_points()
            )
        except Exception as error:  # a form that cannot be read cannot be probed: said, never passed
            return _not_checked(name, f"a form to probe could not be read: {type(error).__name__}: {error}")
        # The form reads refreshed the session's cookies (the anti-forgery one): sqlmap gets them all.
        cookies = {cookie.name: cookie.value or "" for cookie in client.cookies}
        options = sqlmap.Options(section.sqlmap_level, section.sqlmap_risk, section.sqlmap_techniques)
        findings, _runs = sqlmap.scan(home, base, points, cookies, out_dir, section.sqlmap_seconds, options)
    return CheckResult(name, tuple(_with_point(findings, SCANNERS[name])), time.monotonic() - started, -1)


def _with_point(findings: list[Finding], point: str) -> list[Finding]:
    import dataclasses

    return [item if item.function_point else dataclasses.replace(item, function_point=point) for item in findings]


def _not_checked(name: str, reason: str) -> CheckResult:
    point = CHECKS[name][1] if name in CHECKS else BROWSER_CHECKS.get(name, SCANNERS.get(name, ""))
    return CheckResult(name, (could_not_check(name, name, reason, function_point=point),), 0.0, 0)


Runner = Callable[[str], CheckResult]
