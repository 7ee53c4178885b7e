"""bench_load's one-page load module: Creme's accounts, and one user class that only opens the
contact list with no think time (what ``wrk`` does to the same page). The user class lives in
:mod:`bench.load_one_page_users`: only the load generator's processes import locust."""

from __future__ import annotations

from pages.creme.load_accounts import KEY_PAGES, create_accounts, session_cookies

JOURNEYS = "bench.load_one_page_users"
PAGE = "/persons/contacts"

__all__ = ["JOURNEYS", "KEY_PAGES", "PAGE", "create_accounts", "session_cookies"]
