"""Fixtures for the security tests that need a browser: pytest-playwright's, without a CRM.

Only the stored-XSS check drives a browser; it gets a fresh context of pytest-playwright's
``browser`` (launched the way an acceptance run launches it), on the fixture app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    """No ``base_url`` (Signoff's version of this fixture starts a CRM for it)."""
    return {}


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A fresh context per test, not signed in anywhere (Signoff's version signs in to the CRM)."""
    fresh = new_context()
    fresh.set_default_timeout(10_000)
    return fresh
