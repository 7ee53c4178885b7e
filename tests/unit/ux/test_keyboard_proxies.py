"""Keyboard reach and widget proxies: the hidden <select> behind a select2-like widget is not a control to reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from signoff.ux.keyboard import check_keyboard_reach

pytestmark = pytest.mark.browser

STYLE = "<style>:focus{outline:2px solid #1a5fb4} .hidden{position:absolute;clip:rect(0 0 0 0);height:1px}</style>"


def test_a_widget_proxy_is_left_out_and_its_stand_in_is_checked(page: Page) -> None:
    page.set_content(
        STYLE + '<form id="f"><label for="s">Sector</label>'
        '<select id="s" name="s" class="hidden" tabindex="-1" aria-hidden="true"><option>a</option></select>'
        '<span role="combobox" tabindex="0" aria-label="Sector">a</span>'
        '<button type="submit">Save</button></form>'
    )
    result = check_keyboard_reach(page, "#f")
    assert result.controls == ['span "Sector"', 'button "Save"']
    assert result.passed, result


def test_a_native_control_only_out_of_the_tab_order_is_still_unreached(page: Page) -> None:
    page.set_content(
        STYLE + '<form id="f"><label for="s">Sector</label>'
        '<select id="s" name="s" tabindex="-1"><option>a</option></select>'
        '<button type="submit">Save</button></form>'
    )
    result = check_keyboard_reach(page, "#f")
    assert result.unreached == ["select#s[name=s]"]
    assert not result.passed
