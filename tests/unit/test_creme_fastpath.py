"""Creme's fast path reads a form as a browser would submit it, and its refusals as the CRM wrote them."""

from __future__ import annotations

from pages.creme.fastpath import form_errors, form_fields

FORM = """
<form method="get" action="/search"><input name="q" value="ignored"></form>
<form method="post" action="/persons/organisation/add">
  <input type="hidden" name="csrfmiddlewaretoken" value="t0k3n">
  <select name="user"><option value="">---</option><option value="1" selected>root</option></select>
  <select name="sector"><option value="3">Food</option><option value="4">Industry</option></select>
  <select name="tags" multiple><option value="a" selected>A</option><option value="b">B</option><option value="c" selected>C</option></select>
  <select name="plain"><option>Text value</option></select>
  <input name="name" value="">
  <input type="checkbox" name="subject_to_vat" checked>
  <input type="checkbox" name="newsletter">
  <input type="radio" name="kind" value="x"><input type="radio" name="kind" value="y" checked>
  <textarea name="description">
Line one &amp; two</textarea>
  <input type="submit" name="save" value="Save the organisation">
  <input type="file" name="image">
</form>
<form method="post"><input name="second_form" value="no"></form>
"""

ANSWERED_AGAIN = """
<form method="post">
  <ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>
  <input name="name" value="">
  <ul class="errorlist nonfield"><li>Something about the whole form.</li></ul>
</form>
"""


def test_the_first_post_form_is_read_with_what_a_browser_submits() -> None:
    assert form_fields(FORM) == [
        ("csrfmiddlewaretoken", "t0k3n"),
        ("user", "1"),
        ("sector", "3"),  # a single select without a choice submits its first option
        ("tags", "a"),
        ("tags", "c"),
        ("plain", "Text value"),  # an option without a value submits its text
        ("name", ""),
        ("subject_to_vat", "on"),
        ("kind", "y"),
        ("description", "Line one & two"),
    ]


def test_a_form_answered_again_gives_its_errors_by_field() -> None:
    assert form_errors(ANSWERED_AGAIN) == {"name": "This field is required.", "": "Something about the whole form."}


def test_a_saved_form_has_no_errors() -> None:
    assert form_errors(FORM) == {}
