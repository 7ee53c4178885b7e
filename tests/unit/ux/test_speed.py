"""Speed checks that can fail: a vital the browser cannot report is "not measured", never a good 0."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from signoff.ux.scorecard import PageAudit, build_scorecard
from signoff.ux.speed import install_speed_observers, measure_page_speed

pytestmark = pytest.mark.browser


def test_a_browser_without_lcp_and_layout_shift_entries_measures_neither(ux_page: Page, ux_server: str) -> None:
    ux_page.goto(f"{ux_server}/no_web_vitals.html")
    speed = measure_page_speed(ux_page)
    assert speed.lcp_ms is None and speed.cls is None and speed.cls_sum is None
    assert speed.not_measured["lcp"].startswith("not measured in this browser")
    assert speed.not_measured["cls"].startswith("not measured in this browser")
    assert "layout-shift" in speed.not_measured["cls"]
    assert speed.load_ms is not None  # navigation timing still works

    card = build_scorecard([PageAudit(url=ux_page.url, speed=speed)])
    checks = {c.check: c for c in card.pages[0].checks}
    for name in ("lcp", "cls"):
        assert not checks[name].checked and not checks[name].passed
    assert card.could_not_check == 2
    assert not card.verdict.passed
    assert any("cls: could not check: CLS: not measured in this browser" in r for r in card.verdict.reasons)


def test_vitals_are_read_without_a_fixed_wait(ux_page: Page, ux_server: str) -> None:
    install_speed_observers(ux_page)
    ux_page.goto(f"{ux_server}/clean.html")
    speed = measure_page_speed(ux_page)
    assert speed.not_measured == {}
    assert speed.cls == 0.0 and speed.lcp_ms is not None


def test_speed_module_has_no_fixed_sleep() -> None:
    from pathlib import Path

    import signoff.ux.speed as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "wait_for_timeout" not in source and "setTimeout" not in source


def test_a_paint_after_load_is_waited_for_not_missed(ux_page: Page, ux_server: str) -> None:
    install_speed_observers(ux_page)
    ux_page.goto(f"{ux_server}/late_paint.html")
    speed = measure_page_speed(ux_page)
    assert speed.not_measured == {}
    assert speed.lcp_ms is not None and speed.load_ms is not None and speed.lcp_ms > speed.load_ms
    assert speed.lcp_element in ("h1", "p")
