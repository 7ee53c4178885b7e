"""Creme's widgets (pages/creme/widgets.py) on stand-in pages, in a real browser, never a CRM.

The stand-ins use the jQuery and jQuery UI that Creme itself ships (found in the embedded Creme's
environment; the tests are skipped without it) and answer the browser's requests the way Creme
answers a dialog's form: the form again (with its errors) when refused, no form when saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route

from pages.creme.widgets import (
    NAME,
    Dialog,
    DjangoForm,
    EntityChooser,
    EntryNotTaken,
    ListView,
    replace_text,
    type_and_leave,
)
from signoff import browsers
from signoff.coverage.outcomes import COULD_NOT_CHECK, failure_kind
from signoff.crm import FormRejected

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
_STATIC = "lib/python*/site-packages/creme/creme_core/static/creme_core/js/jquery"


def _creme_script(pattern: str) -> str:
    found = sorted((ROOT / ".signoff").glob(f"*/venv/{_STATIC}/{pattern}"))
    if not found:
        pytest.skip("Creme's jQuery is not installed here (no embedded Creme environment under .signoff/)")
    return found[-1].read_text(encoding="utf-8")


FORM = (
    '<form><input id="id_name" name="name" required>'
    '<div id="id_members"><button type="button">Select</button><span class="selectors"></span></div></form>'
)
REFUSED_FORM = (
    '<form><ul class="errorlist" id="id_name_error"><li>Name taken.</li></ul><input id="id_name" name="name">'
    '<ul class="errorlist nonfield"><li>Whole form bad.</li></ul></form>'
)
POPUP = (
    '<form class="ui-creme-listview" onsubmit="return false"><input id="id_search-regular_field-last_name"><table><tbody>'
    '<tr class="lv-row"><td name="regular_field-first_name"><span class="lv-cell-value">Ada</span></td>'
    '<td name="regular_field-last_name"><span class="lv-cell-value">Lovelace</span></td>'
    '<td><input type="checkbox" name="select_one"></td></tr></tbody></table></form>'
)
SCRIPT = """
function openDialog(html, buttons) {
  var d = $('<div><div class="ui-creme-dialog-frame">' + html + '</div></div>');
  d.dialog({buttons: buttons, width: 600});
  return d;
}
function tickable(p) {
  p.find('input[name=select_one]').on('change', function() { $(this).closest('tr').addClass('selected'); });
}
function redraw(names) {
  $('body > form.ui-creme-listview table').replaceWith('<table><tbody>' + names.map(n =>
    '<tr class="lv-row"><td name="regular_field-name"><span class="lv-cell-value">' + n + '</span></td></tr>').join('') +
    '</tbody></table>');
}
$('#open').on('click', function(e) {
  e.preventDefault();
  var d = openDialog(FORM, [{text: 'Save the thing', click: function() {
    $.ajax({url: '/save', method: 'POST', data: {name: d.find('#id_name').val()}}).done(function(text) {
      if (/<form[^>]*>/.test(text)) d.find('.ui-creme-dialog-frame').html(text); else d.dialog('destroy').remove();
    });
  }}]);
  d.find('#id_members button').on('click', function() {
    var p = openDialog(POPUP, [{text: 'Validate the selection', click: function() {
      d.find('.selectors').text('Ada Lovelace'); p.dialog('destroy').remove(); }}]);
    tickable(p);
    p.find('#id_search-regular_field-last_name').on('keypress', function(e) {
      if (e.key === 'Enter') { var t = p.find('table'); t.replaceWith(t.clone().removeAttr('data-signoff-stale')); tickable(p); }
    });
  });
});
$('#id_search-regular_field-name').on('keypress', function(e) {
  if (e.key === 'Enter') setTimeout(() => redraw(this.value ? ['Acme', 'Acme Two'] : ['A', 'B', 'C']), 200);
});
$('.list-filters-selector').on('change', function() {
  setTimeout(() => redraw(this.value === 'Mine' ? ['M'] : ['A', 'B', 'C']), 200);
});
$('#delete').on('click', function(e) {
  e.preventDefault();
  var c = $('<div>Really?</div>').dialog({buttons: [{text: 'Ok', click: function() {
    c.dialog('destroy').remove();
    $('<div><div class="ui-creme-dialog-frame"><p class="ui-creme-dialog-warn">Still   linked to "Deal".</p></div></div>')
      .dialog({buttons: [{text: 'Close', click: function() { $(this).dialog('destroy').remove(); }}]});
  }}]});
});
"""
BODY = """
<a id="open" href="#">New</a> <a id="delete" href="#">Delete</a>
<form class="ui-creme-listview" onsubmit="return false">
  <select class="list-filters-selector"><option>All</option><option>Mine</option></select>
  <input id="id_search-regular_field-name" value="old">
  <table><tbody><tr class="lv-row"><td name="regular_field-name"><span class="lv-cell-value">A</span></td></tr></tbody></table>
</form>
<form method="post" action="/done/1"><input id="id_title" name="title"><button>Save the page</button></form>
"""


@pytest.fixture
def creme_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A stand-in Creme page, and the answers its dialog's form gets, in order (then the form again)."""
    jquery, jquery_ui = _creme_script("3.x/jquery-3*.js"), _creme_script("ui/jquery-ui-1*.js")
    page_html = (
        f"<html><head><script>{jquery}</script><script>{jquery_ui}</script></head><body>{BODY}"
        f"<script>var FORM = {FORM!r}, POPUP = {POPUP!r};{SCRIPT}</script></body></html>"
    )
    answers: list[str] = []

    def answer(route: Route) -> None:
        url = route.request.url
        if url.endswith("/save"):
            route.fulfill(status=200, content_type="text/html", body=answers.pop(0) if answers else FORM)
        elif "/done/" in url:
            route.fulfill(status=200, content_type="text/html", body="<html><body>saved</body></html>")
        else:
            route.fulfill(status=200, content_type="text/html", body=page_html)

    context = browser.new_context(base_url="http://creme.invalid")
    context.set_default_timeout(5_000)
    page = context.new_page()
    page.route("**/*", answer)
    page.goto("/list")
    try:
        yield page, answers
    finally:
        context.close()


def test_a_dialog_form_reports_the_crm_refusal_by_business_name(creme_page: tuple[Page, list[str]]) -> None:
    page, answers = creme_page
    answers.append(REFUSED_FORM)
    dialog = Dialog.opened_by(page.locator("#open"), {"name": "title"})
    dialog.fill(name="taken")
    with pytest.raises(FormRejected) as refused:
        dialog.save("Save the thing")
    assert refused.value.errors == {"title": "Name taken.", "": "Whole form bad."}


def test_a_dialog_form_reports_what_the_browser_refuses(creme_page: tuple[Page, list[str]]) -> None:
    page, _ = creme_page
    dialog = Dialog.opened_by(page.locator("#open"))
    with pytest.raises(FormRejected) as refused:
        dialog.save("Save the thing")
    assert set(refused.value.errors) == {"name"}


def test_a_list_popup_on_top_of_a_dialog_chooses_a_record_then_the_dialog_saves(
    creme_page: tuple[Page, list[str]],
) -> None:
    page, answers = creme_page
    dialog = Dialog.opened_by(page.locator("#open"))
    EntityChooser(page).choose_contact(dialog.field("members").get_by_role("button", name="Select"), "Ada Lovelace")
    assert dialog.field("members").locator(".selectors").inner_text() == "Ada Lovelace"
    dialog.fill(name="new")
    answers.append("")
    dialog.save("Save the thing")
    assert page.locator(Dialog.VISIBLE).count() == 0


def test_confirmation_then_error_box(creme_page: tuple[Page, list[str]]) -> None:
    page, _ = creme_page
    page.locator("#delete").click()
    Dialog.on_top(page).confirm()
    error = Dialog.on_top(page, holding=".ui-creme-dialog-warn")
    assert error.message() == 'Still linked to "Deal".'
    error.press("Close")
    error.wait_closed()


def test_a_list_view_searches_and_filters(creme_page: tuple[Page, list[str]]) -> None:
    page, _ = creme_page
    listing = ListView(page, "/list")
    listing.open_unsearched()
    assert page.locator(f"#id_search-{NAME}").input_value() == ""
    assert listing.names([NAME]) == ["A", "B", "C"]
    listing.quick_search(NAME, "Acme")
    assert listing.cells(NAME) == ["Acme", "Acme Two"]
    listing.choose("Mine")
    assert (listing.chosen(), listing.names([NAME])) == ("Mine", ["M"])
    listing.choose(ListView.ALL)
    assert listing.names([NAME]) == ["A", "B", "C"]


def test_a_django_form_waits_for_the_page_it_leads_to(creme_page: tuple[Page, list[str]]) -> None:
    page, _ = creme_page
    form = DjangoForm(page, "Save the page")
    form.fill(title="Signoff")
    form.submit(re.compile(r"/done/\d+$"))
    assert page.url.endswith("/done/1")


ENTRY_BOXES = """
<input id="plain" value="old"><input id="short" maxlength="5"><textarea id="notes"></textarea>
<input id="unsigned" value="5000" oninput="this.value = this.value.replace('-', '')">
"""


def test_what_the_kit_types_is_read_back_and_a_box_that_changed_it_is_could_not_check(page: Page) -> None:
    page.set_content(ENTRY_BOXES)
    replace_text(page.locator("#plain"), "new")  # the old value is replaced, not appended to
    assert page.locator("#plain").input_value() == "new"
    with pytest.raises(EntryNotTaken, match=r"typed '-1000' into unsigned, but the box holds '1000'") as caught:
        replace_text(page.locator("#unsigned"), "-1000")
    assert failure_kind(caught.value) == COULD_NOT_CHECK  # the kit's problem, never a CRM defect


def test_the_browsers_own_rules_for_typed_text_are_not_a_kit_problem(page: Page) -> None:
    page.set_content(ENTRY_BOXES)
    type_and_leave(page.locator("#short"), "abcdefgh")  # typing stops at maxlength, as for a user
    assert page.locator("#short").input_value() == "abcde"
    replace_text(page.locator("#notes"), "first\r\nsecond")  # a text area keeps line breaks as LF
    assert page.locator("#notes").input_value() == "first\nsecond"


@pytest.mark.parametrize("text", ["Star", "华星"])
def test_a_box_left_after_typing_tells_the_page_it_changed_in_firefox_too(playwright: Playwright, text: str) -> None:
    """Creme's filter condition stores its value on "change". Firefox over WebDriver BiDi fires none
    for Chinese text (Playwright inserts what no key types): the condition was saved empty."""
    if browsers.system_executable("firefox") is None and browsers.playwright_executable("firefox") is None:
        pytest.skip("no Firefox on this machine (./run tests installs firefox-esr)")
    firefox = playwright.firefox.launch(**browsers.resolve("firefox", own_executable=None).launch_args)
    try:
        page = firefox.new_page()
        page.set_content('<input id="value" onchange="window.stored = this.value"><input id="next">')
        type_and_leave(page.locator("#value"), text)
        assert page.evaluate("window.stored") == text
        assert page.evaluate("document.activeElement.id") == "next"  # left as a user leaves it: Tab
    finally:
        firefox.close()
