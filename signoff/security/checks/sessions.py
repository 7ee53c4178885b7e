"""Sessions and authentication: cookie flags, a new session id at sign-in, sign-out ending the session
on the server, lockout or throttling after wrong passwords, and the session's lifetime."""

from __future__ import annotations

import email.utils
import statistics
import time
import urllib.parse

from signoff.findings import Finding
from signoff.security.checks import CheckContext
from signoff.security.model import finding
from signoff.targets.base import Credentials

#: A session id an attacker would plant before the victim signs in.
PLANTED_SESSION = "signoffplanted0000000000000000000"


def _cookie_lifetime_hours(header: str) -> float | None:
    """Hours a Set-Cookie header keeps the cookie (Max-Age, else Expires); None for a browser-session cookie."""
    attributes = {}
    for part in header.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        attributes[name.lower()] = value.strip()
    if "max-age" in attributes:
        try:
            return int(attributes["max-age"]) / 3600
        except ValueError:
            return None
    if "expires" in attributes:
        try:
            expires = email.utils.parsedate_to_datetime(attributes["expires"]).timestamp()
        except (TypeError, ValueError):
            return None
        return (expires - time.time()) / 3600
    return None


def check_sessions(context: CheckContext) -> list[Finding]:
    """Cookie flags and lifetime, session id renewal at sign-in, and sign-out ending the session."""
    security = context.security
    name = security.session_cookie
    found: list[Finding] = []
    client = context.client("sessions")
    # An attacker's session id planted before sign-in must not survive it.
    host = urllib.parse.urlsplit(security.base_url).hostname or ""
    client.cookies.set(name, PLANTED_SESSION, domain=host, path="/")
    if security.sign_in(client, security.admin) is None:
        raise RuntimeError("the administrator could not sign in")
    header = client.set_cookie_headers.get(name)
    if header is None:
        if not security.is_signed_in(client):
            raise LookupError(f"the sign-in set no cookie named {name!r}")
        header = f"{name}={PLANTED_SESSION}"  # the planted id was kept without a word
    session_id = header.split("=", 1)[1].split(";", 1)[0]
    if session_id == PLANTED_SESSION:
        found.append(
            finding(
                "session-fixation",
                "session:fixation",
                where=security.sign_in_path,
                expected="a new session id after sign-in",
                actual="the session id planted before sign-in was kept",
                evidence=(f"Cookie before sign-in: {name}={PLANTED_SESSION}", f"after: {header}"),
                check="sessions",
            )
        )
    flags = [part.strip().lower() for part in header.split(";")[1:]]
    if "httponly" not in flags:
        found.append(
            finding(
                "cookie-httponly",
                "session:cookie-httponly",
                where=security.sign_in_path,
                expected="HttpOnly",
                actual=header.split("=", 1)[0] + "=…; " + "; ".join(flags),
                evidence=(f"Set-Cookie: {_redacted(header)}",),
                check="sessions",
            )
        )
    if not any(flag.startswith("samesite=") and flag != "samesite=none" for flag in flags):
        found.append(
            finding(
                "cookie-samesite",
                "session:cookie-samesite",
                where=security.sign_in_path,
                expected="SameSite=Lax or Strict",
                actual="; ".join(flags) or "no attributes",
                evidence=(f"Set-Cookie: {_redacted(header)}",),
                check="sessions",
            )
        )
    if security.base_url.startswith("https:") and "secure" not in flags:
        found.append(
            finding(
                "cookie-secure",
                "session:cookie-secure",
                where=security.sign_in_path,
                expected="Secure",
                actual="; ".join(flags),
                evidence=(f"Set-Cookie: {_redacted(header)}",),
                check="sessions",
            )
        )
    hours = _cookie_lifetime_hours(header)
    if hours is not None and hours > context.section.max_session_hours:
        found.append(
            finding(
                "session-lifetime",
                "session:lifetime",
                where=security.sign_in_path,
                expected=f"at most {context.section.max_session_hours:g} h",
                actual=f"the session cookie lasts {hours:.0f} h ({hours / 24:.0f} days)",
                evidence=(f"Set-Cookie: {_redacted(header)}",),
                check="sessions",
            )
        )
    # Sign out, then replay the old cookie from another client (a client without a planted id).
    client = context.client("sessions")
    if security.sign_in(client, security.admin) is None:
        raise RuntimeError("the administrator could not sign in")
    header = client.set_cookie_headers.get(name, "")
    session_id = header.split("=", 1)[1].split(";", 1)[0] if "=" in header else ""
    if not session_id or not security.is_signed_in(client):
        raise RuntimeError("the signed-in session does not open the home page")
    security.sign_out(client)
    replay = context.client("sessions")
    replay.cookies.set(name, session_id, domain=host, path="/")
    if security.is_signed_in(replay):
        found.append(
            finding(
                "session-survives-sign-out",
                "session:survives-sign-out",
                where="sign-out",
                expected="the old session cookie no longer signs in",
                actual="the session cookie of a signed-out user still opens the CRM as that user",
                evidence=("sign in, sign out, then a new client sends the old session cookie: signed in",),
                steps=("Sign in", "Copy the session cookie", "Sign out", "Send a request with the copied cookie"),
                check="sessions",
            )
        )
    return found


def check_lockout(context: CheckContext) -> list[Finding]:
    """Many wrong passwords in a row for one account must lock it or slow the attempts down.

    Uses a user made for the run (never the administrator, whom a lockout would shut out of the run).
    """
    if not context.active:
        raise RuntimeError("needs a user made for the run: only on a target that is reset afterwards")
    security = context.security
    rules = context.section.role_rules()
    if not rules:
        raise LookupError("the role matrix is empty: no user to try wrong passwords on")
    user = context.user_with_role(rules[0])
    client = context.client("lockout")
    times = []
    throttled = ""
    for attempt in range(context.section.wrong_passwords):
        started = time.monotonic()
        location = security.sign_in(client, Credentials(user.username, f"wrong-{attempt}"))
        times.append(time.monotonic() - started)
        if location is not None:
            raise RuntimeError("a wrong password signed in")
    started = time.monotonic()
    accepted = security.sign_in(context.client("lockout"), user)
    last = time.monotonic() - started
    first = statistics.median(times[:3])
    slowed = statistics.median(times[-3:]) > max(2 * first, first + 1.0) or last > max(2 * first, first + 1.0)
    if accepted is None:
        throttled = "the right password was refused after the wrong ones (locked out)"
    elif slowed:
        throttled = f"attempts slowed from {first:.2f} s to {statistics.median(times[-3:]):.2f} s"
    if throttled:
        return []
    return [
        finding(
            "no-lockout",
            "auth:no-lockout",
            where=security.sign_in_path,
            expected=f"lockout or throttling after {context.section.wrong_passwords} wrong passwords",
            actual=(
                f"{context.section.wrong_passwords} wrong passwords answered in {first:.2f}-{max(times):.2f} s "
                f"each, then the right password signed in at once ({last:.2f} s)"
            ),
            evidence=tuple(f"attempt {i + 1}: {t:.2f} s, refused" for i, t in enumerate(times[:3])),
            steps=(f"Try {context.section.wrong_passwords} wrong passwords for one user", "Sign in with the right one"),
            check="lockout",
        )
    ]


def _redacted(header: str) -> str:
    """A Set-Cookie header without the session id itself (reports are shared)."""
    name, _, rest = header.partition("=")
    value, _, attributes = rest.partition(";")
    return f"{name}={value[:4]}…;{attributes}"
