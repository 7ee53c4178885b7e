"""Errors a user can cause and fix, shown as one clear line with a non-zero exit (never a traceback)."""

from __future__ import annotations


class SignoffError(Exception):
    """A problem the user can fix: bad plan, CRM not answering, undefined step, ... .

    ``str(error)`` is the one line shown to the user; ``exit_code`` is what the CLI exits with.
    """

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} ({hint})")


class PlanError(SignoffError):
    """The acceptance plan file is missing, malformed, or has unknown keys or bad values."""


class TargetError(SignoffError):
    """The CRM under test cannot be provisioned, started, reached or signed in to."""


class FeatureError(SignoffError):
    """A feature file is malformed or uses a step that no step definition matches."""


class BrowserError(SignoffError):
    """No usable browser executable could be found or installed."""
