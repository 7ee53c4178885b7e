"""A tiny fixture site's load module (the counterpart of ``pages/creme/load_accounts.py``).

The site needs no account; its journeys are in :mod:`tests.integration.perf_fixture_journeys`
(imported only by the load generator's processes: it imports locust).
"""

from __future__ import annotations

from typing import Any

from signoff.targets.base import Credentials

JOURNEYS = "tests.integration.perf_fixture_journeys"
KEY_PAGES: tuple[tuple[str, str], ...] = (("list page", "/list"),)


def create_accounts(base_url: str, admin: Credentials, count: int) -> list[Credentials]:
    return [Credentials(f"visitor{number}", "-") for number in range(count)]


def session_cookies(base_url: str, credentials: Credentials) -> list[dict[str, Any]]:
    return []
