"""Fixtures for the UX audit tests: a local page server and a headless Chromium.

The pages under ``pages/`` are small HTML files, each with one deliberate defect (or none:
``clean.html``). They are served from 127.0.0.1 - never a CRM - because some audits need real
navigations (a save that opens ``/contacts/42``, navigation timing, init scripts).
"""

from __future__ import annotations

import http.server
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

PAGES = Path(__file__).parent / "pages"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Handler(http.server.BaseHTTPRequestHandler):
    """``/<name>.html`` from pages/, ``/contacts/<id>`` as the contact detail page, POST answers 201."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if re.fullmatch(r"/contacts/\d+/?", path):
            name = "contact_detail.html"
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

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep test output quiet
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
def ux_playwright() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def ux_browser(ux_playwright: Playwright) -> Iterator[Browser]:
    executable = os.environ.get("SIGNOFF_CHROMIUM", "/usr/bin/chromium")
    browser = ux_playwright.chromium.launch(
        executable_path=executable if Path(executable).exists() else None,
        args=CHROMIUM_ARGS,
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def ux_page(ux_browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context, desktop-sized."""
    context = ux_browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def open_page(ux_page: Page, ux_server: str):  # type: ignore[no-untyped-def]
    """``open_page("clean.html")`` navigates the test page to a fixture page and returns it."""

    def _open(name: str) -> Page:
        ux_page.goto(f"{ux_server}/{name}", wait_until="load")
        return ux_page

    return _open
