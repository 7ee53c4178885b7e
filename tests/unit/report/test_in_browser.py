"""The sign-off report and the user manual in a real browser: opened from file://, every section
there, no serious or critical axe violation, and PDFs with page numbers and Chinese glyphs.

The browser is pytest-playwright's (launched with Signoff's options); the PDFs are printed with it.
Run under the shared lock: ``flock /tmp/signoff-crm.lock .venv/bin/pytest tests/unit/report``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from signoff.plan import load_plan
from signoff.report.manual import build_manual
from signoff.report.signoff_report import build_signoff
from signoff.ux.accessibility import audit_accessibility
from tests.unit.report.test_rendering import SECTIONS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def drawn_glyphs(reader: PdfReader) -> int:
    """Glyphs drawn as outlines by the Type3 fonts Chromium embeds for the CJK font collection
    (the Latin text uses DejaVu); an empty box (no CJK font installed) would be a few bytes only."""
    count = 0
    for page in reader.pages:
        resources: Any = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") != "/Type3":
                continue
            for glyph in (font.get("/CharProcs") or {}).values():
                count += len(glyph.get_object().get_data()) > 200
    return count


def text_of(reader: PdfReader, number: int) -> str:
    # NFKC: the embedded fonts map some glyphs to ligatures ("ﬀ") and Kangxi radicals ("⽤" for "用").
    return unicodedata.normalize("NFKC", reader.pages[number].extract_text())


def serious(browser: Browser, html: Path) -> list[str]:
    """The serious and critical axe violations of a page opened from file://."""
    page = browser.new_page()
    try:
        page.goto(html.as_uri())
        result = audit_accessibility(page, screenshot=False)
        return [f"{v.rule_id} ({v.impact})" for v in result.violations if v.impact in ("serious", "critical")]
    finally:
        page.close()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_signoff_report_in_chromium_and_as_pdf(
    report_dir: Path, tmp_path: Path, browser: Browser, language: str
) -> None:
    plan_file = tmp_path / "acceptance.toml"
    plan_file.write_text(
        f'[run]\nreport_dir = "{report_dir}"\n[project]\ncustomer = "甲公司 Acme"\ncontract = "HT-2026-014"\n'
    )
    plan = load_plan(plan_file)
    outputs = build_signoff(plan, language=language, pdf=True, today=dt.date(2026, 12, 6), browser=browser)

    page = browser.new_page()
    try:
        page.goto(outputs.html.as_uri())
        for section in SECTIONS:
            assert page.locator(f"section#{section} h2").is_visible()
        assert page.locator("svg[role=img]").count() == 2
        heading = "验收不通过" if language == "zh" else "Not accepted"
        assert page.locator(".verdict").inner_text() == heading
    finally:
        page.close()
    assert serious(browser, outputs.html) == []

    assert outputs.pdf is not None
    reader = PdfReader(outputs.pdf)
    assert len(reader.pages) >= 3
    first = text_of(reader, 0)
    assert ("验收报告" if language == "zh" else "Sign-off report") in first
    assert f"1 / {len(reader.pages)}" in first  # the page-number footer
    assert "甲公司" in first
    assert drawn_glyphs(reader) >= 3  # 甲公司, at least


def test_manual_in_chromium_and_as_pdf(allure_results: Path, tmp_path: Path, browser: Browser) -> None:
    html, pdf = build_manual(
        allure_results, tmp_path / "manual", language="zh", modules_of={"FP-CUS-001": "客户信息"}, browser=browser
    )
    page = browser.new_page()
    try:
        page.goto(html.as_uri())
        images = page.locator("figure img")
        assert images.count() == 6
        # Every screenshot loaded from beside the manual (a broken image has no natural width).
        assert all(page.evaluate("(img) => img.naturalWidth", handle) > 0 for handle in images.element_handles())
        assert page.locator("section.task h3").all_inner_texts() == ["1.1 Add an organisation", "2.1 新增联系人"]
    finally:
        page.close()
    assert serious(browser, html) == []
    assert pdf is not None
    reader = PdfReader(pdf)
    text = "".join(text_of(reader, number) for number in range(len(reader.pages)))
    assert "用户手册" in text and "我新增联系人" in text
    assert drawn_glyphs(reader) >= 4  # 用户手册, at least
