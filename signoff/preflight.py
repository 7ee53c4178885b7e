"""Checks made before an acceptance run starts, so that a wrong setting costs seconds, not a run.

The administrator's sign-in is tried once in a real browser through the CRM's own page objects:
this is how Signoff learns, in one line, that a remote CRM's credentials are wrong.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from signoff import browsers
from signoff.errors import TargetError
from signoff.targets.base import Target


def check_sign_in(
    target: Target,
    browser_name: str = "chromium",
    executable: str = "",
    project_root: Path | None = None,
    connect: str = "",
) -> None:
    """Sign in as the target's administrator; TargetError when the CRM refuses the credentials.

    ``connect``: a Playwright browser server's address; its browser is used instead of a local one.
    """
    from playwright.sync_api import sync_playwright

    if project_root is not None and str(project_root) not in sys.path:
        sys.path.insert(0, str(project_root))
    credentials = target.admin
    # Decided before Playwright starts here: finding Playwright's own build starts one of its own,
    # and two cannot run in one thread.
    choice = None if connect else browsers.resolve(browser_name, executable)
    with sync_playwright() as playwright:
        browser_type = getattr(playwright, browser_name)
        if connect:
            # As pytest-playwright does: the server launches the browser with these options.
            options = browsers.server_launch_options(
                browsers.launch_args(browser_name, executable) if executable else {}
            )
            browser = browser_type.connect(connect, headers={"x-playwright-launch-options": json.dumps(options)})
        else:
            assert choice is not None
            browser = browser_type.launch(**choice.launch_args)
        try:
            context = browser.new_context(base_url=target.base_url, locale="en-GB")
            crm = importlib.import_module(f"pages.{target.kind}").create_crm(context.new_page(), target)
            crm.session.sign_in(credentials)
            signed_in = crm.session.is_signed_in()
        finally:
            browser.close()
    if not signed_in:
        raise TargetError(f"wrong credentials: user '{credentials.username}' cannot sign in to {target.base_url}")
