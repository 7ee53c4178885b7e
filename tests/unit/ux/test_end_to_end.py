"""From fixture pages to a scorecard: the defects become reasons, the clean page passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from signoff.ux.audit import audit_page
from signoff.ux.plan import UxSection
from signoff.ux.routes import PageKindRegistry
from signoff.ux.scorecard import TaskAudit, build_scorecard, write_scorecard
from signoff.ux.usability import ActionCounter, check_error_feedback, check_save_feedback, message_texts

pytestmark = pytest.mark.browser


def test_clean_page_and_task_pass(page: Page, ux_server: str, tmp_path: Path) -> None:
    registry = PageKindRegistry(tmp_path / "audited")
    page.goto(f"{ux_server}/clean.html")
    audit = audit_page(page, forms=["#contact"], texts=["张伟", "北京星辰科技有限公司"], registry=registry)
    assert audit is not None
    # Same page kind again (another query string): skipped.
    page.goto(f"{ux_server}/clean.html?again=1")
    assert audit_page(page, registry=registry) is None

    before, baseline = page.url, message_texts(page)
    with ActionCounter(page, "create contact") as counter:
        page.locator("#last").fill("王")
        page.locator("#email").fill("wang@example.com")
        page.get_by_role("button", name="Save").click()
    saved = check_save_feedback(page, before, baseline=baseline)
    assert counter.result is not None
    task = TaskAudit("create contact", counter.result, saved)

    card = build_scorecard([audit], [task], UxSection())
    assert card.verdict.passed, card.verdict.reasons
    assert card.pages[0].score == 100.0
    assert card.tasks[0].actions == 3


def test_defects_become_reasons(page: Page, ux_server: str, tmp_path: Path) -> None:
    audits = []
    for name, forms in [
        ("a11y_defects.html", []),
        ("keyboard_trap.html", ["#note"]),
        ("overflow_targets.html", []),
        ("text_rendering.html", []),
    ]:
        page.goto(f"{ux_server}/{name}")
        texts = ["北京星辰科技有限公司"] if name == "text_rendering.html" else []
        audit = audit_page(page, forms=forms, texts=texts)
        assert audit is not None
        audits.append(audit)

    page.goto(f"{ux_server}/save_no_feedback.html")
    before = page.url
    with ActionCounter(page, "create contact") as counter:
        for _ in range(9):  # a long way round: over the budget of 8
            page.get_by_role("heading").click()
        page.get_by_role("button", name="Save").click()
    silent = check_save_feedback(page, before, timeout_ms=500)
    page.goto(f"{ux_server}/error_no_message.html")
    page.get_by_role("button", name="Save").click()
    vague = check_error_feedback(page, page.locator("#phone"))
    assert counter.result is not None
    task = TaskAudit("create contact", counter.result, silent, [vague])

    card = build_scorecard(audits, [task], UxSection())
    reasons = "\n".join(card.verdict.reasons)
    assert not card.verdict.passed
    for expected in [
        "critical accessibility violations (max 0): label on /a11y_defects.html",
        "serious accessibility violations",
        "page /keyboard_trap.html: keyboard-trap: #note: focus trapped at div#editor",
        "page /overflow_targets.html: no-horizontal-overflow: page is 800px wide at 375x667",
        "page /overflow_targets.html: touch-target-size: 3 touch targets under 24px",
        "page /text_rendering.html: text-rendering: '北京星辰科技有限公司' is cut off by td",
        "task 'create contact': task-actions: 10 actions (limit 8)",
        "task 'create contact': save-feedback: no confirmation and no new state",
        "task 'create contact': error-feedback: input#phone[name=phone]: message 'Error' does not say what is wrong",
    ]:
        assert expected in reasons
    # Worst first.
    scores = [p.score for p in card.pages]
    assert None not in scores, "every page kind was audited in full"
    assert scores == sorted(score for score in scores if score is not None)

    json_path, html_path = write_scorecard(card, tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["pages"][0]["kind"] == card.pages[0].kind
    html = html_path.read_text(encoding="utf-8")
    assert "keyboard-trap" in html and "data:image/png;base64," in html
