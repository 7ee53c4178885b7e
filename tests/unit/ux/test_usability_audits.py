"""Each usability audit on a fixture page with its defect, and on the clean page."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from signoff import browsers
from signoff.plan import Plan
from signoff.ux.usability import (
    ActionCounter,
    SaveFeedbackResult,
    check_error_feedback,
    check_keyboard_reach,
    check_save_feedback,
    check_small_screen,
    check_text_rendering,
    collect_primary_actions,
    consistency_report,
    install_speed_observers,
    measure_page_speed,
    message_texts,
)

pytestmark = pytest.mark.browser

Open = Callable[[str], Page]

# ---------------------------------------------------------------------------------------------
# Effort
# ---------------------------------------------------------------------------------------------


def fill_contact(page: Page) -> None:
    page.locator("#last").press_sequentially("Wang")  # 4 keystrokes: one action
    page.locator("#first").click()  # click into a field and type: one action
    page.keyboard.type("Wei")
    page.locator("#org").select_option(index=1)
    page.locator("#vip-label").click()  # the label toggles the checkbox: one action


def test_action_counter_counts_user_actions(open_page: Open) -> None:
    page = open_page("clean.html")
    with ActionCounter(page, "create contact") as counter:
        fill_contact(page)
        page.get_by_role("button", name="Save").click()  # the click and its submit: one action
    result = counter.result
    assert result is not None
    assert result.actions == 5
    assert [s.kind for s in result.steps] == ["edit", "edit", "edit", "edit", "click"]
    assert "#last" in result.steps[0].target and "#vip" in result.steps[3].target
    assert result.pages_visited == 1
    assert result.seconds > 0
    assert [s.at for s in result.steps] == sorted(s.at for s in result.steps)


def test_action_counter_follows_navigations(open_page: Open) -> None:
    page = open_page("clean.html?redirect")
    with ActionCounter(page, "create contact") as counter:
        fill_contact(page)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url("**/contacts/42")
        page.get_by_role("heading").click()  # counted on the new document too
    result = counter.result
    assert result is not None
    assert result.pages_visited == 2
    assert result.pages[-1].endswith("/contacts/42")
    assert result.actions == 6


def test_enter_in_a_field_is_an_action_and_stop_ends_counting(open_page: Open) -> None:
    page = open_page("clean.html")
    counter = ActionCounter(page, "quick save").start()
    page.locator("#last").fill("Li")
    page.locator("#last").press("Enter")
    counter.add_action("typed the URL")
    result = counter.stop()
    assert result.actions == 3
    page.locator("#first").fill("Na")  # after stop: not counted
    assert counter.stop().actions == 3


# ---------------------------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------------------------


def test_confirmation_message_is_feedback(open_page: Open) -> None:
    page = open_page("clean.html")
    before, baseline = page.url, message_texts(page)
    page.locator("#last").fill("Wang")
    page.get_by_role("button", name="Save").click()
    result = check_save_feedback(page, before, baseline=baseline)
    assert result.passed
    assert result.signals == ["message"]
    assert result.messages == ["已保存联系人 Wang。Contact saved."]


def test_opening_a_page_that_names_the_record_is_feedback(open_page: Open) -> None:
    page = open_page("clean.html?redirect")
    before = page.url
    page.locator("#last").fill("张伟")
    page.get_by_role("button", name="Save").click()
    result = check_save_feedback(page, before, expected_text="张伟")
    assert result.passed
    assert result.signals == ["record-named"] and result.named == "张伟"
    assert result.detail_page and result.url_after.endswith("/contacts/42")


def test_a_redirect_alone_is_not_feedback(open_page: Open) -> None:
    # The same redirect to the record's page, but nothing says which record was saved.
    page = open_page("clean.html?redirect")
    before = page.url
    page.locator("#last").fill("Zhang")
    page.get_by_role("button", name="Save").click()
    result = check_save_feedback(page, before, expected_text="Zhang", timeout_ms=500)
    assert not result.passed and result.signals == []
    assert result.detail_page  # kept as evidence, not counted


def _save_through_a_redirect(page: Page, name: str) -> tuple[SaveFeedbackResult, ActionCounter]:
    """Type ``name``, save (a real POST answered 303), and judge the page the redirect led to."""
    before, baseline = page.url, message_texts(page)
    with ActionCounter(page, "save a record") as counter:
        page.locator("#name").fill(name)
        page.locator("#secret").fill("hunter22")
        with page.expect_event("framenavigated", lambda frame: frame == page.main_frame):
            page.get_by_role("button", name="Save").click()
        page.wait_for_load_state("load")
    typed = counter.values_at_submit(time.time())
    result = check_save_feedback(
        page, before, expected_text=typed, baseline=baseline or counter.messages_at_submit(time.time()), timeout_ms=500
    )
    return result, counter


def test_a_silent_redirect_to_a_page_not_naming_the_record_fails(open_page: Open) -> None:
    page = open_page("save_redirect_silent.html")
    result, counter = _save_through_a_redirect(page, "北京星辰科技有限公司")
    # What the user typed is what the page after the save must show; the password is never kept,
    # nor the prefilled country the user did not touch.
    assert counter.values_at_submit(time.time()) == ["北京星辰科技有限公司"]
    assert result.url_after.endswith("/companies/7") and result.detail_page
    assert not result.passed, result
    assert result.signals == [] and result.messages == [] and result.named == ""
    assert result.waited_ms >= 500


def test_a_redirect_to_a_page_naming_the_record_passes(open_page: Open) -> None:
    page = open_page("save_redirect_named.html")
    result, _counter = _save_through_a_redirect(page, "张伟")
    assert result.url_after.endswith("/contacts/42")
    assert result.passed, result
    assert result.signals == ["record-named"] and result.named == "张伟"


@pytest.mark.parametrize(
    ("body", "signals"),
    [
        ("<p>The organisation was created.</p>", ["saved-text"]),
        ("<p>组织已保存。</p>", ["saved-text"]),
        ("<div>Fiche enregistrée avec succès</div>", ["saved-text"]),
        ("<p>Saved</p>", ["saved-text"]),
        # A column header or a field label says nothing about this save.
        ("<table><tr><th>Created</th><th>Saved searches</th></tr></table>", []),
        ("<label>Notes <textarea>The order was saved.</textarea></label>", []),
        ('<p style="display:none">The organisation was created.</p>', []),
    ],
)
def test_words_saying_it_was_saved_are_feedback(page: Page, body: str, signals: list[str]) -> None:
    page.set_content(f"<main>{body}</main>")
    result = check_save_feedback(page, "about:blank#form", timeout_ms=200)
    assert result.signals == signals
    assert result.passed == bool(signals)


def test_words_already_shown_before_the_save_do_not_count(page: Page) -> None:
    page.set_content("<main><p>Your profile was updated yesterday.</p></main>")
    result = check_save_feedback(page, page.url, baseline=["Your profile was updated yesterday."], timeout_ms=200)
    assert not result.passed


def test_silent_save_is_found(open_page: Open) -> None:
    page = open_page("save_no_feedback.html")
    before = page.url
    page.locator("#last").fill("Wang")
    page.get_by_role("button", name="Save").click()
    result = check_save_feedback(page, before, timeout_ms=800)
    assert not result.passed
    assert result.signals == [] and result.messages == []
    assert result.waited_ms >= 800


def test_old_messages_do_not_count_as_new_feedback(open_page: Open) -> None:
    page = open_page("clean.html")
    page.locator("#last").fill("Wang")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").wait_for()
    # A second, silent "save": the message on screen is the first save's, already in the baseline.
    result = check_save_feedback(page, page.url, baseline=message_texts(page), timeout_ms=300)
    assert not result.passed


def test_error_messages_next_to_fields_pass(open_page: Open) -> None:
    page = open_page("clean.html")
    page.locator("#email").fill("not-an-address")
    page.get_by_role("button", name="Save").click()
    last = check_error_feedback(page, page.locator("#last"))
    email = check_error_feedback(page, page.locator("#email"))
    assert last.passed and email.passed
    assert last.message == "请填写姓。Last name is required."
    assert "aria-describedby" in email.how and "same-row" in email.how
    assert email.aria_invalid
    assert email.distance_px is not None and email.distance_px <= 20


def test_red_border_only_and_vague_error_are_found(open_page: Open) -> None:
    page = open_page("error_no_message.html")
    page.get_by_role("button", name="Save").click()
    email = check_error_feedback(page, page.locator("#email"))
    assert not email.passed
    assert not email.has_message  # the phone row's "Error" is not taken for the email's message
    assert email.aria_invalid
    phone = check_error_feedback(page, page.locator("#phone"))
    assert phone.has_message and phone.message == "Error"
    assert not phone.names_problem and not phone.passed


def test_native_validation_message_counts(page: Page) -> None:
    page.set_content(
        '<form><label for="e">Email</label><input id="e" type="email" required><button>Save</button></form>'
    )
    page.get_by_role("button", name="Save").click()
    result = check_error_feedback(page, page.locator("#e"))
    assert result.how == ["native"]
    assert result.passed


# ---------------------------------------------------------------------------------------------
# Keyboard
# ---------------------------------------------------------------------------------------------


def test_clean_form_is_fully_keyboard_usable(open_page: Open) -> None:
    page = open_page("clean.html")
    result = check_keyboard_reach(page, "#contact")
    assert result.passed, result
    assert len(result.controls) == 6
    # Tab order: the search form first, then the contact form top to bottom.
    assert result.focus_order[:3] == [
        "input#q[name=q][type=search]",
        'button "搜索 Search"',
        "input#last[name=last_name]",
    ]
    assert result.focus_order[-1] == 'button "保存 Save"'
    # The audit leaves nothing behind in the page.
    assert (
        page.evaluate(
            "document.querySelectorAll('[data-signoff-kb], [data-signoff-kbid], [data-signoff-kb-start]').length"
        )
        == 0
    )


def test_keyboard_trap_is_found(open_page: Open) -> None:
    page = open_page("keyboard_trap.html")
    result = check_keyboard_reach(page, "#note")
    assert result.trapped
    assert result.trap == ["div#editor"]
    assert result.unreached == ["input#tags[name=tags]", 'button "Save"']
    assert not result.passed


def test_focus_loop_is_a_trap(open_page: Open) -> None:
    page = open_page("keyboard_loop.html")
    result = check_keyboard_reach(page, "#address")
    assert result.trapped
    assert result.trap == ["input#street[name=street]", "input#number[name=number]"]
    assert "input#city[name=city]" in result.unreached


def test_unreachable_button_and_invisible_focus_are_found(open_page: Open) -> None:
    page = open_page("keyboard_unreachable.html")
    result = check_keyboard_reach(page, "#task")
    assert not result.trapped
    assert result.unreached == ['button "Save"']
    assert result.invisible_focus == ["input#subject[name=subject]", "input#due[name=due]"]
    assert result.focus_order.count("<outside>") == 2  # went round the page twice, never found it


def test_focus_shown_by_box_shadow_counts_as_visible(page: Page) -> None:
    page.set_content(
        "<style>input{outline:none;border:1px solid #555} input:focus{box-shadow:0 0 0 3px #1a5fb4}</style>"
        '<form id="f"><label>Name <input id="n"></label></form>'
    )
    result = check_keyboard_reach(page, "#f")
    assert result.passed, result


def test_missing_form(page: Page) -> None:
    page.set_content("<p>nothing</p>")
    result = check_keyboard_reach(page, "#nope")
    assert not result.found and not result.passed


# ---------------------------------------------------------------------------------------------
# Small screens
# ---------------------------------------------------------------------------------------------


def test_overflow_and_tiny_targets_are_found(open_page: Open) -> None:
    page = open_page("overflow_targets.html")
    result = check_small_screen(page, (375, 667))
    assert result.horizontal_overflow
    assert result.scroll_width == 800 and result.viewport_width == 375
    # Only the table: the wide block inside the scroll container does not widen the page.
    assert [o.selector for o in result.overflowing] == ["#wide"]
    assert sorted(t.description for t in result.small_targets) == ['button "Copy"', 'button "Delete"', 'button "Edit"']
    assert all(t.width == 16 and t.height == 16 for t in result.small_targets)
    assert not result.passed
    # The original viewport is back.
    assert page.viewport_size == {"width": 1280, "height": 800}


def test_clean_page_fits_a_phone(open_page: Open) -> None:
    page = open_page("clean.html")
    result = check_small_screen(page, (375, 667))
    assert result.passed, result
    assert result.viewport_meta == "width=device-width, initial-scale=1"


def test_touch_target_minimum_is_configurable(open_page: Open) -> None:
    page = open_page("overflow_targets.html")
    # The 16 px buttons meet a 16 px minimum (and their centres are 16 px apart).
    result = check_small_screen(page, (375, 667), min_target=16)
    assert result.small_targets == []
    assert result.min_target == 16


# ---------------------------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------------------------


def test_inconsistent_primary_actions_are_flagged(open_page: Open) -> None:
    page = open_page("inconsistent_forms.html")
    actions = collect_primary_actions(page)
    assert [(a.form, a.label, a.placement) for a in actions] == [
        ("#organisation", "Save", "right"),
        ("#address", "Submit", "left"),
    ]
    texts = {"/inconsistent_forms.html": page.inner_text("body")}
    report = consistency_report(actions, {"Organisation": ["Company"]}, texts)
    assert sorted(i.kind for i in report.issues) == ["label", "placement", "terminology"]
    assert not report.passed


def test_search_and_edit_forms_are_compared_separately(open_page: Open) -> None:
    page = open_page("clean.html")
    actions = collect_primary_actions(page)
    assert [(a.purpose, a.label) for a in actions] == [("search", "搜索 Search"), ("edit", "保存 Save")]
    assert consistency_report(actions).passed


# ---------------------------------------------------------------------------------------------
# Speed as felt
# ---------------------------------------------------------------------------------------------


def test_layout_shift_is_measured(page: Page, ux_server: str) -> None:
    install_speed_observers(page)
    page.goto(f"{ux_server}/layout_shift.html")
    # The banner comes 100 ms after load; on a busy machine timers run late, so wait for it.
    page.locator("#banner-slot div").wait_for()
    result = measure_page_speed(page)
    assert result.observed_from_start
    assert result.cls is not None and result.cls > 0.1  # the banner pushes the page well past "good"
    assert result.shifts == 1
    assert result.lcp_ms is not None and result.lcp_ms > 0
    assert result.ttfb_ms is not None and result.load_ms is not None
    assert 0 < result.ttfb_ms <= result.load_ms


def test_stable_page_has_no_shift(page: Page, ux_server: str) -> None:
    install_speed_observers(page)
    page.goto(f"{ux_server}/clean.html")
    result = measure_page_speed(page)
    assert result.cls == 0.0
    assert result.lcp_ms is not None and result.lcp_ms < 2500
    assert result.lcp_element is not None


def test_speed_without_early_observers_still_reads_buffered_entries(page: Page, ux_server: str) -> None:
    page.goto(f"{ux_server}/layout_shift.html")
    page.locator("#banner-slot div").wait_for()
    result = measure_page_speed(page)
    assert not result.observed_from_start
    assert result.cls is not None and result.cls > 0.1


# ---------------------------------------------------------------------------------------------
# Language
# ---------------------------------------------------------------------------------------------


def test_truncated_and_tofu_texts_are_found(open_page: Open) -> None:
    page = open_page("text_rendering.html")
    company, person, broken, absent = check_text_rendering(
        page, ["北京星辰科技有限公司", "张伟", "王\ue000明", "不存在的客户"]
    )
    assert company.found and company.truncated and not company.passed
    assert company.clipped_by is not None and company.clipped_by.startswith("td")
    assert person.passed
    assert broken.found and not broken.truncated
    assert broken.missing_glyphs == ["\ue000"]
    assert not broken.passed
    assert not absent.found and not absent.passed


def test_chinese_names_render_on_the_clean_page(open_page: Open) -> None:
    page = open_page("clean.html")
    results = check_text_rendering(page, ["张伟", "北京星辰科技有限公司", "李娜"])
    assert all(r.passed for r in results), results
    assert "Noto Sans CJK SC" in results[0].font_family


def test_text_in_a_narrow_field_value_is_truncated(page: Page) -> None:
    page.set_content(
        '<label>Company <input id="c" style="width:40px" value="北京星辰科技有限公司"></label>'
        '<label>Short <input id="s" style="width:200px" value="李娜"></label>'
    )
    long_value, short_value = check_text_rendering(page, ["北京星辰科技有限公司", "李娜"])
    assert long_value.found and long_value.truncated
    assert short_value.found and short_value.passed


def test_hidden_text_is_not_rendered(page: Page) -> None:
    page.set_content('<p>visible</p><p style="display:none">张伟</p>')
    [result] = check_text_rendering(page, ["张伟"])
    assert result.found and not result.visible and not result.passed


def test_browser_is_pytest_playwrights_launched_as_signoff_resolves_it(
    browser: Browser, browser_name: str, browser_type_launch_args: dict[str, Any], signoff_plan: Plan
) -> None:
    assert browser.browser_type.name == browser_name == "chromium"
    own = browser.browser_type.executable_path
    choice = browsers.resolve(
        browser_name, signoff_plan.browsers.executable, own_executable=own if Path(own).exists() else None
    )
    # Signoff's own fixture made these options (no hard-coded path in the tests).
    for key, value in choice.launch_args.items():
        assert browser_type_launch_args[key] == value
