"""Remote browsers: ``[browsers] connect`` drives a Playwright browser server instead of a local browser.

The server is ``playwright run-server`` on loopback (``--unsafe`` lets the client name the
executable, as this machine has no Playwright build of its own). A pytester project asks for
pytest-playwright's ``browser`` through Signoff's plugin: with the server up the test gets a browser
connected to it; with no server at that address, no browser is launched locally instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright._impl._driver import compute_driver_executable

from signoff import browsers

pytestmark = pytest.mark.browser

PROJECT_TEST = """
def test_a_page_in_the_remote_browser(browser, browser_name):
    assert browser.is_connected()
    page = browser.new_page()
    page.set_content("<h1>remote</h1>")
    assert page.inner_text("h1") == "remote"
    print("BROWSER", browser_name, browser.version)
    page.close()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def browser_server() -> Iterator[str]:
    """``playwright run-server`` on loopback; its ws:// address."""
    port = free_port()
    node, cli = compute_driver_executable()
    server = subprocess.Popen(
        [node, cli, "run-server", "--host", "127.0.0.1", "--port", str(port), "--unsafe"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PW_LANG_NAME": "python"},
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("playwright run-server did not listen within 20 s")
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def project(pytester: pytest.Pytester, endpoint: str) -> pytest.Pytester:
    executable = browsers.system_executable("chromium") or ""
    if not executable:
        pytest.skip("no chromium on this machine for the browser server to launch")
    pytester.makeconftest('pytest_plugins = ["signoff.pytest_plugin"]\n')
    pytester.makepyfile(test_remote=PROJECT_TEST)
    Path(pytester.path / "acceptance.toml").write_text(
        f'[browsers]\nconnect = "{endpoint}"\nexecutable = "{executable}"\n', encoding="utf-8"
    )
    return pytester


def test_a_run_uses_the_browser_server_of_the_plan(pytester: pytest.Pytester, browser_server: str) -> None:
    result = project(pytester, browser_server).runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "BROWSER chromium " in result.stdout.str()  # the page was opened in the server's browser


def test_without_the_server_no_local_browser_stands_in(pytester: pytest.Pytester) -> None:
    result = project(pytester, f"ws://127.0.0.1:{free_port()}/").runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "ECONNREFUSED" in result.stdout.str(), result.stdout.str()[-2000:]
