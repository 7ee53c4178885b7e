"""Response headers and error pages: CSP, framing, nosniff, referrer policy, HSTS on HTTPS; error pages
that leak stack traces, versions or server paths; open redirects through the sign-in page's ``next=``."""

from __future__ import annotations

import re
import urllib.parse

from signoff.findings import Finding
from signoff.security.checks import CheckContext
from signoff.security.http import excerpt, request_line
from signoff.security.model import finding

#: A foreign site an open redirect would send users to (never contacted: only the Location is read).
FOREIGN = "evil.example"

#: What an error page must not show (a stack trace, framework debug pages, versions, server paths).
LEAKS = (
    ("a Python stack trace", re.compile(r"Traceback \(most recent call last\)")),
    ("a stack frame with a server path", re.compile(r"File \"/[^\"]+\", line \d+")),
    (
        "Django's debug page",
        re.compile(r"Django Version:|You're seeing this error because you have <code>DEBUG = True"),
    ),
    ("Werkzeug's debugger", re.compile(r"Werkzeug Debugger")),
    ("a Java stack trace", re.compile(r"\n\s+at [a-z]+\.[\w.$]+\(\w+\.java:\d+\)")),
    ("a PHP error with a path", re.compile(r"(Fatal error|Warning)</b>:.* in <b>/")),
    (
        "a server path of the installation",
        re.compile(r"/(?:usr|opt|home|srv|var)/[\w./-]*(?:site-packages|dist-packages)/"),
    ),
)


def check_headers(context: CheckContext) -> list[Finding]:
    """Every page to inspect, signed in (the sign-in page anonymously), has the protective headers."""
    security = context.security
    admin = context.admin_client("headers")
    anonymous = context.client("headers")
    missing: dict[str, list[str]] = {}
    lines: dict[str, list[str]] = {}
    https = security.base_url.startswith("https:")
    for path in (security.sign_in_path, *security.pages_to_inspect()):
        client = anonymous if path == security.sign_in_path else admin
        response = client.get(path)
        headers = {name.lower(): value for name, value in response.headers.items()}
        csp = headers.get("content-security-policy", "")
        problems = []
        if not csp:
            problems.append("missing-csp")
        if "x-frame-options" not in headers and "frame-ancestors" not in csp:
            problems.append("missing-frame-options")
        if headers.get("x-content-type-options", "").lower() != "nosniff":
            problems.append("missing-nosniff")
        if "referrer-policy" not in headers:
            problems.append("missing-referrer-policy")
        if https and "strict-transport-security" not in headers:
            problems.append("missing-hsts")
        for rule in problems:
            missing.setdefault(rule, []).append(path)
            lines.setdefault(rule, []).append(
                request_line(response) + "; headers: " + ", ".join(sorted(response.headers.keys()))
            )
    return [
        finding(
            rule,
            f"header:{rule}",
            where=", ".join(paths),
            expected=f"the header on every page ({rule.removeprefix('missing-')})",
            actual=f"missing on {len(paths)} page(s)",
            evidence=tuple(lines[rule][:3]),
            check="headers",
        )
        for rule, paths in sorted(missing.items())
    ]


def check_error_pages(context: CheckContext) -> list[Finding]:
    """Error pages (an unknown page, a malformed id) show no stack trace, version or server path."""
    admin = context.admin_client("error pages")
    found = []
    for path in context.security.error_paths():
        response = admin.get(path)
        for what, pattern in LEAKS:
            match = pattern.search(response.text)
            if match:
                found.append(
                    finding(
                        "error-leak",
                        f"error-leak:{urllib.parse.urlsplit(path).path}",
                        where=path,
                        expected="a generic error page",
                        actual=f"HTTP {response.status_code} showing {what}",
                        evidence=(request_line(response), excerpt(response.text, match.group(0))),
                        check="error pages",
                    )
                )
                break
    return found


def check_open_redirect(context: CheckContext) -> list[Finding]:
    """Signing in with ``next=`` pointing at a foreign site must not send the user there."""
    security = context.security
    found = []
    for target in (f"https://{FOREIGN}/", f"//{FOREIGN}/", f"/\\{FOREIGN}/"):
        client = context.client("open redirect")
        location = security.sign_in(client, security.admin, next_path=target)
        if location is None:
            raise RuntimeError("the administrator could not sign in")
        host = urllib.parse.urlsplit(location.replace("\\", "/")).hostname or ""
        if host.lower() == FOREIGN:
            found.append(
                finding(
                    "open-redirect",
                    "open-redirect:sign-in",
                    where=f"{security.sign_in_path}?next={target}",
                    expected="sent on to a page of the CRM",
                    actual=f"sent on to {location}",
                    evidence=(f"POST {security.sign_in_path}?next={target} -> Location: {location}",),
                    check="open redirect",
                )
            )
            break
    return found
