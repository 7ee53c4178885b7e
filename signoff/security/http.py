"""The HTTP client of the security checks: one signed-in (or anonymous) user, kept inside the scope.

A :class:`HttpClient` is a :class:`requests.Session` bound to the target's base URL. It refuses
any request to a host outside the scope (:class:`Scope`: the provisioned target, loopback, and
hosts the plan names explicitly), never follows redirects unless asked (the checks judge each
answer), and counts what it sent, for the benchmark.
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests

#: Seconds one request may take: a check that hangs is could-not-check, not a wait forever.
REQUEST_TIMEOUT = 30.0


class OutOfScope(Exception):
    """A request to a host the plan does not allow was refused before it left."""


@dataclass(frozen=True)
class Scope:
    """Which hosts probes may reach: the target's, loopback, and those named explicitly."""

    target_host: str
    allowed_hosts: tuple[str, ...] = ()

    def allows(self, url: str) -> bool:
        host = (urllib.parse.urlsplit(url).hostname or "").lower()
        if host in (self.target_host.lower(), "localhost", *(h.lower() for h in self.allowed_hosts)):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @classmethod
    def of(cls, base_url: str, allowed_hosts: Iterable[str] = ()) -> Scope:
        return cls(urllib.parse.urlsplit(base_url).hostname or "", tuple(allowed_hosts))


@dataclass
class RequestCounter:
    """Requests sent, shared by the clients of one check (for bench/bench_security.py)."""

    count: int = 0
    by_check: dict[str, int] = field(default_factory=dict)

    def add(self, check: str) -> None:
        self.count += 1
        self.by_check[check] = self.by_check.get(check, 0) + 1


class HttpClient(requests.Session):
    """A browser-less user of the target: its own cookie jar, paths relative to ``base_url``."""

    def __init__(
        self, base_url: str, scope: Scope | None = None, counter: RequestCounter | None = None, check: str = ""
    ) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.scope = scope or Scope.of(base_url)
        self.counter = counter or RequestCounter()
        self.check = check
        self.headers["User-Agent"] = "signoff-security"
        #: The last raw Set-Cookie header received for each cookie name (its flags and lifetime).
        self.set_cookie_headers: dict[str, str] = {}

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        method = method.decode() if isinstance(method, bytes) else method
        full = self.url(url.decode() if isinstance(url, bytes) else url)
        if not self.scope.allows(full):
            raise OutOfScope(f"{full} is outside the security scope (target, loopback, [security] allowed_hosts)")
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        self.counter.add(self.check)
        response = super().request(method, full, *args, **kwargs)
        # requests merges Set-Cookie headers into its jar and loses their attributes: keep them raw.
        for header in response.raw.headers.getlist("Set-Cookie") if response.raw is not None else ():
            name = header.split("=", 1)[0].strip()
            self.set_cookie_headers[name] = header
        return response

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        # requests.Session.get follows redirects unless told otherwise; the checks judge each answer.
        kwargs.setdefault("allow_redirects", False)
        return self.request("GET", url, **kwargs)

    def fork(self, check: str | None = None) -> HttpClient:
        """A new anonymous client of the same target, scope and counter."""
        return HttpClient(self.base_url, self.scope, self.counter, self.check if check is None else check)


def request_line(response: requests.Response) -> str:
    """``POST /path -> 302`` for evidence."""
    request = response.request
    path = urllib.parse.urlsplit(request.url or "").path
    query = urllib.parse.urlsplit(request.url or "").query
    return f"{request.method} {path}{'?' + query if query else ''} -> HTTP {response.status_code}"


def excerpt(text: str, around: str = "", width: int = 300) -> str:
    """A short piece of a response body, around ``around`` when it occurs."""
    at = text.find(around) if around else -1
    start = max(0, at - width // 2) if at >= 0 else 0
    return " ".join(text[start : start + width].split())
