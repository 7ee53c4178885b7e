"""What a security finding is: the rule it breaks (severity, CWE, OWASP Top 10 category, fix), where and
the evidence; and how waivers and the plan's threshold turn findings into the area's verdict.

Every check of our own and every scanner parser ends in :func:`finding`, so that one rule has one
severity, one CWE and one fix wherever it was found. Severities follow the OWASP risk rating
(likelihood x impact, in words: critical, high, medium, low, info).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from signoff.findings import COULD_NOT_CHECK, FAILED, PASSED, Finding, Verdict, severity_rank
from signoff.security.plan import Waiver


@dataclasses.dataclass(frozen=True)
class Rule:
    """A kind of weakness: how bad it is, how it is classified, how to fix it."""

    title: str
    severity: str
    cwe: str
    owasp: str
    fix: str
    #: The function point of the catalogue it belongs to.
    function_point: str


A01 = "A01:2021 Broken Access Control"
A03 = "A03:2021 Injection"
A05 = "A05:2021 Security Misconfiguration"
A07 = "A07:2021 Identification and Authentication Failures"
A06 = "A06:2021 Vulnerable and Outdated Components"

FP_AUTH = "FP-SEC-001"
FP_ROLES = "FP-SEC-002"
FP_SESSION_END = "FP-SEC-003"
FP_INPUT = "FP-SEC-004"
FP_TRANSPORT = "FP-SEC-005"

RULES: Final[dict[str, Rule]] = {
    # -- authorisation
    "idor": Rule(
        "A user opens another owner's record by its address",
        "high",
        "CWE-639",
        A01,
        "Check on the server, for every record request, that the signed-in user's role may reach this record.",
        FP_ROLES,
    ),
    "list-leak": Rule(
        "A list view shows records the user's role may not see",
        "high",
        "CWE-285",
        A01,
        "Filter list views and searches by the same permission as the record pages.",
        FP_ROLES,
    ),
    "role-denied": Rule(
        "A role is refused what the role matrix allows it",
        "medium",
        "CWE-285",
        A01,
        "Give the role the permissions the contract's role matrix lists.",
        FP_ROLES,
    ),
    "unauthorised-change": Rule(
        "A role changes a record the role matrix does not allow it to change",
        "high",
        "CWE-285",
        A01,
        "Check on the server, for every change request, the role's change permission for this record.",
        FP_ROLES,
    ),
    "unauthorised-delete": Rule(
        "A role deletes a record the role matrix does not allow it to delete",
        "high",
        "CWE-285",
        A01,
        "Check on the server, for every delete request, the role's delete permission for this record and its owner.",
        FP_ROLES,
    ),
    "unauthorised-export": Rule(
        "A role exports (downloads) a list the role matrix does not allow it to export",
        "high",
        "CWE-285",
        A01,
        "Check the role's export permission on the server before producing any export file.",
        FP_ROLES,
    ),
    "export-leak": Rule(
        "An exported list holds records the user's role may not see",
        "high",
        "CWE-200",
        A01,
        "Filter exports by the same permission as the list views and record pages.",
        FP_ROLES,
    ),
    "configuration-open": Rule(
        "A role without configuration rights opens a configuration page",
        "high",
        "CWE-285",
        A01,
        "Restrict configuration pages to administrators (and roles the matrix allows).",
        FP_ROLES,
    ),
    # -- input handling
    "stored-xss": Rule(
        "A script saved in a form runs when others view the record",
        "high",
        "CWE-79",
        A03,
        "Escape every user-supplied value for its HTML context when rendering (lists, detail pages, search results).",
        FP_INPUT,
    ),
    "csrf-no-token": Rule(
        "A state-changing form is accepted without its anti-forgery token",
        "high",
        "CWE-352",
        A01,
        "Require a per-session anti-CSRF token on every state-changing request and refuse requests without it.",
        FP_INPUT,
    ),
    "csrf-foreign-origin": Rule(
        "A state-changing form is accepted from a foreign site (Origin header)",
        "medium",
        "CWE-352",
        A01,
        "Refuse state-changing requests whose Origin is not the application's own.",
        FP_INPUT,
    ),
    "sql-injection": Rule(
        "A parameter is injectable into SQL",
        "critical",
        "CWE-89",
        A03,
        "Use parameterised queries (the ORM's placeholders) for every value that comes from a request.",
        FP_INPUT,
    ),
    "open-redirect": Rule(
        "The sign-in page sends users on to any other site (next=)",
        "medium",
        "CWE-601",
        A01,
        "Follow next= only to paths of the application itself.",
        FP_AUTH,
    ),
    "error-leak": Rule(
        "An error page shows a stack trace, versions or server paths",
        "medium",
        "CWE-209",
        A05,
        "Turn debug pages off in production and show a generic error page.",
        FP_TRANSPORT,
    ),
    # -- sessions and authentication
    "cookie-httponly": Rule(
        "The session cookie can be read by scripts (no HttpOnly)",
        "medium",
        "CWE-1004",
        A05,
        "Set HttpOnly on the session cookie.",
        FP_SESSION_END,
    ),
    "cookie-samesite": Rule(
        "The session cookie has no SameSite attribute",
        "low",
        "CWE-1275",
        A05,
        "Set SameSite=Lax (or Strict) on the session cookie.",
        FP_SESSION_END,
    ),
    "cookie-secure": Rule(
        "The session cookie is sent over plain HTTP too (no Secure on HTTPS)",
        "medium",
        "CWE-614",
        A05,
        "Set Secure on the session cookie when the application is served over HTTPS.",
        FP_TRANSPORT,
    ),
    "session-fixation": Rule(
        "The session id is not renewed at sign-in",
        "high",
        "CWE-384",
        A07,
        "Issue a new session id when a user signs in.",
        FP_SESSION_END,
    ),
    "session-survives-sign-out": Rule(
        "Signing out does not end the session on the server",
        "high",
        "CWE-613",
        A07,
        "Delete the session on the server at sign-out, so that the old cookie no longer signs in.",
        FP_SESSION_END,
    ),
    "session-lifetime": Rule(
        "A sign-in lasts longer than the plan allows",
        "low",
        "CWE-613",
        A07,
        "Shorten the session lifetime (an idle timeout and an absolute one).",
        FP_SESSION_END,
    ),
    "no-lockout": Rule(
        "Many wrong passwords in a row are neither locked out nor slowed down",
        "medium",
        "CWE-307",
        A07,
        "Lock the account or throttle sign-in attempts after repeated failures (per account and per address).",
        FP_AUTH,
    ),
    # -- response headers
    "missing-csp": Rule(
        "No Content-Security-Policy header",
        "medium",
        "CWE-693",
        A05,
        "Send a Content-Security-Policy that allows only the application's own scripts.",
        FP_TRANSPORT,
    ),
    "missing-frame-options": Rule(
        "Pages can be framed by other sites (no X-Frame-Options or frame-ancestors)",
        "medium",
        "CWE-1021",
        A05,
        "Send X-Frame-Options: DENY (or CSP frame-ancestors 'none').",
        FP_TRANSPORT,
    ),
    "missing-nosniff": Rule(
        "No X-Content-Type-Options: nosniff header",
        "low",
        "CWE-693",
        A05,
        "Send X-Content-Type-Options: nosniff.",
        FP_TRANSPORT,
    ),
    "missing-referrer-policy": Rule(
        "No Referrer-Policy header",
        "low",
        "CWE-200",
        A05,
        "Send Referrer-Policy: same-origin (or strict-origin-when-cross-origin).",
        FP_TRANSPORT,
    ),
    "missing-hsts": Rule(
        "No Strict-Transport-Security header over HTTPS",
        "medium",
        "CWE-319",
        A05,
        "Send Strict-Transport-Security with a max-age of at least six months.",
        FP_TRANSPORT,
    ),
    # -- scanners' own classes fall back on this one; their own CWE and severity are kept
    "scanner": Rule(
        "A scanner reported a weakness",
        "medium",
        "",
        A05,
        "See the scanner's description and references.",
        FP_INPUT,
    ),
    # -- what could not be checked
    "could-not-check": Rule(
        "A security check could not be completed",
        "info",
        "",
        "",
        "Make the check possible (see the reason).",
        "",
    ),
}


def finding(
    rule_id: str,
    key: str,
    *,
    where: str,
    actual: str,
    expected: str = "",
    evidence: Sequence[str] = (),
    steps: Sequence[str] = (),
    title: str = "",
    severity: str = "",
    cwe: str = "",
    owasp: str = "",
    fix: str = "",
    check: str = "",
    status: str = "failed",
) -> Finding:
    """A failed (or uncheckable) security check as a :class:`~signoff.findings.Finding`.

    ``key`` is stable across runs (rule and where, no ids); the rule gives title, severity, CWE,
    OWASP category and fix unless a scanner brings its own.
    """
    rule = RULES[rule_id]
    details = {
        "rule": rule_id,
        "cwe": cwe or rule.cwe,
        "owasp": owasp or rule.owasp,
        "check": check,
    }
    return Finding(
        key=key,
        title=title or rule.title,
        severity=severity or rule.severity,
        status="could-not-check" if status == "could-not-check" else "failed",
        module="security",
        function_point=rule.function_point,
        where=where,
        expected=expected,
        actual=actual,
        fix=fix or rule.fix,
        evidence=tuple(evidence),
        steps=tuple(steps),
        details={k: v for k, v in details.items() if v},
    )


def could_not_check(check: str, key: str, reason: str, *, where: str = "", function_point: str = "") -> Finding:
    """A check that did not complete: shown and counted, never a pass."""
    made = finding(
        "could-not-check",
        f"could-not-check:{key}",
        where=where,
        actual=reason,
        check=check,
        title=f"{check}: could not check",
        status="could-not-check",
    )
    return dataclasses.replace(made, function_point=function_point) if function_point else made


def apply_waivers(
    findings: Iterable[Finding], waivers: Iterable[Waiver], today: datetime.date | None = None
) -> tuple[tuple[Finding, ...], tuple[Waiver, ...]]:
    """Findings with the plan's current waivers applied, and the expired waivers (which do not apply
    and are shown). A waiver never hides a could-not-check: what was not checked cannot be accepted."""
    today = today or datetime.date.today()
    all_waivers = list(waivers)
    current = {waiver.key: waiver for waiver in all_waivers if waiver.applies(today)}
    expired = tuple(waiver for waiver in all_waivers if not waiver.applies(today))
    result = []
    for item in findings:
        waiver = current.get(item.key)
        if waiver is not None and item.status == "failed":
            item = dataclasses.replace(
                item, status="waived", waiver_reason=waiver.reason, waiver_expires=waiver.expires.isoformat()
            )
        result.append(item)
    return tuple(result), expired


def security_verdict(findings: Iterable[Finding], fail_on: str, *, checked_anything: bool = True) -> Verdict:
    """The plan's threshold: a failed finding of ``fail_on`` severity or worse fails; lesser findings
    are reported without failing; any check that did not complete makes it could-not-check."""
    items = list(findings)
    limit = severity_rank(fail_on)
    if any(item.status == "failed" and severity_rank(item.severity) <= limit for item in items):
        return FAILED
    if any(item.status == "could-not-check" for item in items) or not checked_anything:
        return COULD_NOT_CHECK
    return PASSED


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by key: the order of every report."""
    return sorted(findings, key=lambda item: (severity_rank(item.severity), item.key))


def severity_counts(findings: Iterable[Finding]) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for item in findings:
        if item.status == "failed":
            counts[item.severity] = counts.get(item.severity, 0) + 1
    return counts
