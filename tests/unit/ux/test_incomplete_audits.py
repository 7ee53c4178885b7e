"""Audits that did not complete, rules that never applied, findings axe could not decide: none is a pass."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from signoff.ux.accessibility import NothingChecked, audit_accessibility
from signoff.ux.audit import audit_page
from signoff.ux.plan import UxSection
from signoff.ux.recorder import audit_unseen_routes
from signoff.ux.routes import PageKindRegistry
from signoff.ux.scorecard import build_scorecard, render_html, scorecard_dict, write_scorecard

pytestmark = pytest.mark.browser

Open = Callable[[str], Page]


def test_a_part_that_crashes_is_recorded_and_fails_the_verdict(open_page: Open, tmp_path: Path) -> None:
    page = open_page("breaks_audit.html")
    audit = audit_page(page)
    assert audit is not None
    assert [item.part for item in audit.incomplete] == ["speed", "small-screen"]
    assert all("requestAnimationFrame broken by the page" in item.error for item in audit.incomplete)
    assert audit.accessibility is not None  # the other parts still ran

    card = build_scorecard([audit])
    assert not card.verdict.passed
    assert card.could_not_check == 2
    assert any(
        r.startswith("page /breaks_audit.html: audit: could not check: speed audit did not complete")
        for r in card.verdict.reasons
    )
    json_path, html_path = write_scorecard(card, tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    unchecked = [c for c in data["pages"][0]["checks"] if c["status"] == "could not check"]
    assert len(unchecked) == 2 and all(c["checked"] is False and c["passed"] is False for c in unchecked)
    assert "requestAnimationFrame broken by the page" in unchecked[0]["detail"]
    text = html_path.read_text(encoding="utf-8")
    assert "could not check" in text and "requestAnimationFrame broken by the page" in text


def test_a_page_that_does_not_open_is_an_incomplete_audit_of_its_kind(ux_page: Page, tmp_path: Path) -> None:
    registry = PageKindRegistry(tmp_path / "kinds")
    problems: list[str] = []
    recorded: list[object] = []
    # A loopback port nothing listens on (taken and released): the navigation fails in the browser.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/persons/contact/12"
    audits = audit_unseen_routes(
        ux_page.context,
        [url],
        registry,
        UxSection(),
        on_audit=lambda audit, seconds: recorded.append(audit),
        on_problem=problems.append,
    )
    [audit] = audits
    assert recorded == [audit]
    [item] = audit.incomplete
    assert item.part == "page" and item.url == url and "ERR_CONNECTION_REFUSED" in item.error
    assert problems and "page audit did not complete" in problems[0]
    # Attempted once per run: the kind is claimed, a later scenario does not record it again.
    assert registry.seen(url)
    assert audit_unseen_routes(ux_page.context, [url], registry, UxSection()) == []
    card = build_scorecard(audits)
    assert not card.verdict.passed
    assert card.pages[0].score is None  # nothing on the kind could be scored
    assert "ERR_CONNECTION_REFUSED" in render_html(card)


def test_axe_applying_no_rule_is_not_a_clean_page(open_page: Open) -> None:
    page = open_page("clean.html")
    # Only media rules: the page has no video or audio, so no rule applies.
    with pytest.raises(NothingChecked, match="no rule"):
        audit_accessibility(page, ["cat.time-and-media"])
    audit = audit_page(page, UxSection(wcag_tags=("cat.time-and-media",)), speed=False, small_screen=False)
    assert audit is not None and audit.accessibility is None
    assert [item.part for item in audit.incomplete] == ["accessibility"]
    card = build_scorecard([audit], section=UxSection(wcag_tags=("cat.time-and-media",)))
    assert not card.verdict.passed
    assert card.pages[0].accessibility_score is None and card.accessibility_score is None


def test_what_axe_could_not_decide_is_listed_for_review(open_page: Open) -> None:
    page = open_page("needs_review.html")
    result = audit_accessibility(page, screenshot=False)
    review = {finding.rule_id: finding for finding in result.needs_review}
    assert "color-contrast" in review
    assert [n.selectors for n in review["color-contrast"].nodes] == [["#on-gradient"]]
    assert review["color-contrast"].nodes[0].html.startswith("<p")

    card = build_scorecard([audit_page(page, speed=False, small_screen=False) or pytest.fail("no audit")])
    page_data = json.loads(json.dumps(scorecard_dict(card)))["pages"][0]
    assert any(f["rule_id"] == "color-contrast" for f in page_data["needs_review"])
    assert card.needs_review >= 1
    text = render_html(card)
    assert "Needs review" in text and "#on-gradient" in text
