"""The contract every CRM target fulfils: how Signoff provisions, starts, resets and stops a CRM.

A target is one CRM instance reachable over HTTP. The embedded Creme CRM is provisioned and run by
Signoff itself; a remote target is any deployed CRM given by URL, which Signoff only talks to.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Credentials:
    """A user account on the CRM."""

    username: str
    password: str


@dataclass(frozen=True)
class TargetStatus:
    """What ``signoff target status`` prints."""

    name: str
    running: bool
    base_url: str | None = None
    healthy: bool = False
    details: dict[str, str] = field(default_factory=dict)


class Target(abc.ABC):
    """One CRM under test.

    ``kind`` names the page-object package under ``pages/`` that knows how to drive this CRM
    (``"creme"`` → ``pages/creme``). Targets are context managers: leaving the block stops
    whatever the target started.
    """

    #: Page-object package name under ``pages/``.
    kind: str
    #: Short name used in the plan file and in reports (``creme``, ``remote``).
    name: str

    @property
    @abc.abstractmethod
    def base_url(self) -> str:
        """Root URL of the running CRM, without a trailing slash."""

    @property
    @abc.abstractmethod
    def admin(self) -> Credentials:
        """The administrator account used by scenarios that act as the administrator."""

    @property
    def can_reset(self) -> bool:
        """Whether :meth:`reset` brings the CRM back to a pristine state."""
        return False

    def provision(self) -> None:  # noqa: B027  # a deliberate no-op default, not a missing abstract
        """Install whatever the CRM needs (idempotent; a no-op for remote targets)."""

    @abc.abstractmethod
    def start(self, pristine: bool = False) -> None:
        """Start the CRM (or check that a remote one answers) and wait until it is healthy.

        ``pristine``: start from the snapshot, not from the data an earlier run left (targets
        that cannot be reset ignore it).
        """

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop every process this target started. Safe to call twice."""

    def reset(self) -> None:
        """Bring the CRM data back to its pristine snapshot."""
        raise NotImplementedError(f"the {self.name} target cannot be reset")

    @abc.abstractmethod
    def status(self) -> TargetStatus:
        """Whether the CRM runs and answers."""

    @abc.abstractmethod
    def describe(self) -> dict[str, str]:
        """Facts for reports: CRM name and version, URL (all plain strings, may be non-ASCII)."""

    def __enter__(self) -> Target:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
