"""A CRM deployed elsewhere, given by URL: Signoff only talks to it.

Nothing is provisioned, started or stopped; :meth:`RemoteTarget.start` checks that the URL answers,
and the administrator's credentials come from environment variables named in the plan, so that
they never sit in a file under version control.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from signoff.errors import TargetError
from signoff.targets.base import Credentials, Target, TargetStatus


class RemoteTarget(Target):
    """A running CRM at ``url``, driven by the page objects of ``pages_kind``."""

    name = "remote"

    def __init__(
        self,
        url: str,
        pages_kind: str = "creme",
        credentials: Credentials | None = None,
        *,
        username_env: str = "SIGNOFF_USERNAME",
        password_env: str = "SIGNOFF_PASSWORD",
        timeout: float = 10.0,
    ) -> None:
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TargetError(f"the remote CRM URL {url!r} is not an http(s) URL")
        self.url = url.rstrip("/")
        self.kind = pages_kind
        self.username_env = username_env
        self.password_env = password_env
        self.timeout = timeout
        self._credentials = credentials

    @property
    def base_url(self) -> str:
        return self.url

    @property
    def admin(self) -> Credentials:
        """Given credentials, else the two environment variables; TargetError when one is unset."""
        if self._credentials is not None:
            return self._credentials
        missing = [name for name in (self.username_env, self.password_env) if not os.environ.get(name)]
        if missing:
            raise TargetError(f"the remote CRM's credentials are missing: set {' and '.join(missing)}")
        return Credentials(os.environ[self.username_env], os.environ[self.password_env])

    def start(self, pristine: bool = False) -> None:
        """Check that the CRM answers, and that credentials are at hand before any test runs."""
        self.admin  # noqa: B018 - raises TargetError early when the credentials are missing
        answer = self._probe()
        if answer is None:
            raise TargetError(f"the CRM at {self.url} does not answer")

    def stop(self) -> None:
        """Nothing to stop: Signoff did not start it."""

    def status(self) -> TargetStatus:
        answer = self._probe()
        return TargetStatus(
            name=self.name,
            running=answer is not None,
            base_url=self.url,
            healthy=answer is not None and answer < 500,
            details={"HTTP status": str(answer)} if answer is not None else {},
        )

    def describe(self) -> dict[str, str]:
        return {"CRM": f"remote ({self.kind} pages)", "Target URL": self.url}

    def check_credentials(self, credentials: Credentials | None = None) -> bool | None:
        """Whether signing in works; None when Signoff does not know this CRM's sign-in form."""
        if self.kind != "creme":
            return None
        from signoff.targets.creme import check_creme_login

        return check_creme_login(self.url, credentials or self.admin)

    def _probe(self) -> int | None:
        """The HTTP status of the root URL; None when nothing answers (refused, timeout, DNS)."""
        request = urllib.request.Request(self.url + "/", headers={"User-Agent": "signoff"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            # Any HTTP answer, even 401/404/500, means something serves at that URL.
            return int(error.code)
        except (urllib.error.URLError, OSError, ValueError):
            return None
