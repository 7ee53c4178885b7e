"""The axe audit on fixture pages: defects found with their details, the clean page clean."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from signoff.ux.accessibility import audit_accessibility, ensure_axe

pytestmark = pytest.mark.browser

Open = Callable[[str], Page]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_missing_labels_and_low_contrast_are_found(open_page: Open) -> None:
    page = open_page("a11y_defects.html")
    result = audit_accessibility(page)
    by_rule = {v.rule_id: v for v in result.violations}
    assert set(by_rule) == {"label", "color-contrast"}
    label = by_rule["label"]
    assert label.impact == "critical"
    assert label.help_url.startswith("https://dequeuniversity.com/rules/axe/")
    assert sorted(n.selectors[0] for n in label.nodes) == ["#first", "#last"]
    assert 'id="last"' in label.nodes[0].html or 'id="last"' in label.nodes[1].html
    assert by_rule["color-contrast"].impact == "serious"
    assert "contrast" in by_rule["color-contrast"].nodes[0].summary
    assert result.impact_counts() == {"critical": 1, "serious": 1, "moderate": 0, "minor": 0}
    assert result.kind == "/a11y_defects.html"
    # Both failed rules are in the score with their declared weight.
    failed = {r.rule_id: r.weight for r in result.rules if not r.passed}
    assert failed == {"label": 10, "color-contrast": 7}
    assert 0 < result.score < 90


def test_annotated_screenshot_is_taken_and_outlines_are_removed(open_page: Open) -> None:
    page = open_page("a11y_defects.html")
    result = audit_accessibility(page)
    width, height = png_size(result.screenshot_bytes())
    assert width == 1280 and height >= 100
    # The outline style and marks are gone again: the page is as it was.
    assert page.evaluate("document.querySelectorAll('[data-signoff-a11y]').length") == 0
    assert page.evaluate("document.getElementById('signoff-a11y-outline')") is None


def test_outline_is_visible_in_the_screenshot(open_page: Open) -> None:
    page = open_page("a11y_defects.html")
    plain = page.screenshot(full_page=True)
    result = audit_accessibility(page)
    # The annotated picture differs from a plain one only by the outlines drawn on it.
    assert result.screenshot_bytes() != plain


def test_clean_page_passes(open_page: Open) -> None:
    page = open_page("clean.html")
    result = audit_accessibility(page)
    assert result.violations == []
    assert result.score == 100.0
    assert result.screenshot_png == ""  # nothing to annotate
    assert len(result.rules) >= 10  # a real set of applicable rules, all passed
    assert all(r.passed for r in result.rules)


def test_tags_limit_the_rules(open_page: Open) -> None:
    page = open_page("a11y_defects.html")
    # color-contrast is a wcag2aa rule: with A only, just the label problem remains.
    result = audit_accessibility(page, ["wcag2a"], screenshot=False)
    assert [v.rule_id for v in result.violations] == ["label"]
    assert result.screenshot_png == ""


def test_axe_is_injected_once_per_document(open_page: Open) -> None:
    page = open_page("clean.html")
    version = ensure_axe(page)
    assert version.count(".") == 2
    page.evaluate("window.axe.__signoffMarker = 1")
    ensure_axe(page)
    assert page.evaluate("window.axe.__signoffMarker") == 1
