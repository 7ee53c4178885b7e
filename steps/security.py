"""Steps about security: the scanners and the checks of our own, and the verdict on their findings.

A check is named in business words, English or Chinese (``the session checks``, ``会话检查``);
the ``security_checks`` fixture runs it on the CRM under test (:mod:`signoff.security.pytest_plugin`)
and the ``Then`` step judges this scenario's findings against the plan's ``[security] fail_on``
threshold, waivers applied. A check that could not be completed is never a pass.
"""

from __future__ import annotations

from signoff.coverage.outcomes import CouldNotCheck
from signoff.security.pytest_plugin import SecurityProbe
from signoff.vocabulary import closed_set, then, when

#: Check names in both languages -> the check of :mod:`signoff.security.run`.
CHECK_WORDS = {
    "response header checks": "headers",
    "error page checks": "error pages",
    "open redirect checks": "open redirect",
    "session checks": "sessions",
    "lockout checks": "lockout",
    "CSRF checks": "csrf",
    "role matrix checks": "roles",
    "stored XSS checks": "stored xss",
    "wapiti scan": "wapiti",
    "sqlmap scan": "sqlmap",
    "响应头检查": "headers",
    "错误页检查": "error pages",
    "开放重定向检查": "open redirect",
    "会话检查": "sessions",
    "账户锁定检查": "lockout",
    "跨站请求伪造检查": "csrf",
    "角色权限检查": "roles",
    "存储型跨站脚本检查": "stored xss",
    "wapiti 扫描": "wapiti",
    "sqlmap 扫描": "sqlmap",
}

closed_set("security_check", CHECK_WORDS, only=True)


@when("I run the {check:security_check}", "运行{check:security_check}")
def run_security_check(security_checks: SecurityProbe, check: str) -> None:
    """Run one security check or scanner on the CRM; its findings join the security report."""
    security_checks.run(check)


@then(
    "no security finding reaches the plan's threshold",
    "没有达到计划阈值的安全问题",
)
def no_security_finding(security_checks: SecurityProbe) -> None:
    """This scenario's checks found nothing at or above the plan's ``fail_on`` severity (waivers applied),
    and every one of them completed."""
    findings = security_checks.findings()
    limit = security_checks.section.fail_on
    verdict = security_checks.verdict()
    failing = [f for f in findings if f.status == "failed"]
    if verdict == "failed":
        lines = "; ".join(f"{f.severity} {f.title} at {f.where}: {f.actual}" for f in failing)
        raise AssertionError(f"security findings at {limit} or worse: {lines}")
    if verdict == "could-not-check":
        reasons = "; ".join(f"{f.title}: {f.actual}" for f in findings if f.status == "could-not-check")
        raise CouldNotCheck(f"a security check could not be completed: {reasons}")
