"""The stored-XSS check in a real browser: a payload that runs is found (dialog seen, screenshot
taken), an escaped one - shown as text, its markup in the page - is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from signoff.security.checks import CheckContext, run_check
from signoff.security.checks.xss import check_stored_xss
from signoff.security.plan import SecuritySection
from tests.unit.security.fixtures.adapter import FixtureSecurity
from tests.unit.security.fixtures.app import serve

pytestmark = pytest.mark.browser


def test_a_saved_script_that_runs_in_the_record_page_is_found(context: BrowserContext, tmp_path: Path) -> None:
    with serve("stored-xss") as (url, _state):
        checks = CheckContext(FixtureSecurity(url), SecuritySection(), evidence_dir=tmp_path / "evidence")
        result = run_check("stored xss", lambda c: check_stored_xss(c, context), checks)
    assert [(f.key, f.severity, f.details["cwe"]) for f in result.findings] == [
        ("stored-xss:record name:detail", "high", "CWE-79")
    ]
    (found,) = result.findings
    screenshots = [item for item in found.evidence if item.endswith(".png")]
    assert screenshots and (tmp_path / screenshots[0].split("/", 1)[1]).is_file()


def test_escaped_payloads_pass_though_the_page_shows_their_text(context: BrowserContext) -> None:
    with serve(None) as (url, _state):
        result = run_check(
            "stored xss", lambda c: check_stored_xss(c, context), CheckContext(FixtureSecurity(url), SecuritySection())
        )
        # The clean app shows the payloads as text: string matching would call this a finding.
        page = context.new_page()
        page.goto(url + "/records")
        assert "onerror=alert(" in page.inner_text("body")
    assert result.findings == ()
