"""Fixtures for the UX audit tests: a local page server, and pytest-playwright's browser and page.

The pages under ``pages/`` are small HTML files, each with one deliberate defect (or none:
``clean.html``). They are served from 127.0.0.1 - never a CRM - because some audits need real
navigations (a save that opens ``/contacts/42``, navigation timing, init scripts).

The browser is pytest-playwright's ``browser`` fixture, launched with the options of Signoff's own
``browser_type_launch_args`` (the root conftest loads :mod:`signoff.pytest_plugin`), so these tests
find the browser the way an acceptance run does (:func:`signoff.browsers.resolve`: the plan's
executable, Playwright's own build, else the system one). Only the two fixtures of that plugin that
need a CRM are replaced here: ``browser_context_args`` (it asks for the target's URL) and
``context`` (it signs in to the CRM).
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

PAGES = Path(__file__).parent / "pages"
#: Desktop size: the small-screen audit checks that it restores exactly this viewport.
VIEWPORT = {"width": 1280, "height": 800}
#: Longest wait of any single Playwright call: a broken page fails the test rather than hangs it.
DEFAULT_TIMEOUT_MS = 10_000


class _Handler(http.server.BaseHTTPRequestHandler):
    """``/<name>.html`` from pages/; ``/contacts/<id>`` the contact's page (it names the contact),
    ``/companies/<id>`` a record page that does not name its record; a POST to ``/redirect/<path>``
    answers 303 See Other to ``/<path>`` (a CRM's post/redirect/get), any other POST 201."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if re.fullmatch(r"/contacts/\d+/?", path):
            name = "contact_detail.html"
        elif re.fullmatch(r"/companies/\d+/?", path):
            name = "company_detail_silent.html"
        else:
            name = path.lstrip("/")
        file = PAGES / name
        if not name or "/" in name or not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/redirect/"):
            self.send_response(303)
            self.send_header("Location", self.path.removeprefix("/redirect"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def ux_server() -> Iterator[str]:
    """Base URL of the fixture page server on 127.0.0.1 (an ephemeral port)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, name="ux-pages", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    """Desktop-sized, Chinese locale; no ``base_url`` (Signoff's version of this fixture starts a CRM for it)."""
    return {"viewport": dict(VIEWPORT), "locale": "zh-CN"}


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """A fresh context per test, not signed in anywhere (Signoff's version signs in to the CRM)."""
    fresh = new_context()
    fresh.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return fresh


@pytest.fixture
def ux_page(page: Page) -> Page:
    """pytest-playwright's ``page``, under the name the UX tests used before they shared it."""
    return page


@pytest.fixture
def open_page(page: Page, ux_server: str) -> Callable[[str], Page]:
    """``open_page("clean.html")`` navigates the test page to a fixture page and returns it."""

    def _open(name: str) -> Page:
        page.goto(f"{ux_server}/{name}", wait_until="load")
        return page

    return _open
