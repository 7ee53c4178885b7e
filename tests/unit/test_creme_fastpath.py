"""Creme's fast path reads a form as a browser would submit it, and its refusals as the CRM wrote them."""

from __future__ import annotations

import pytest

from pages.creme.addresses import KnownAddresses
from pages.creme.fastpath import EVERY, FIRST, chosen_values, form_errors, form_fields, form_options
from pages.creme.sales import become_buttons

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


CHOICES = """
<form method="post">
  <select name="user">
    <option value="">---------</option>
    <option value="1" selected>Fulbert C.</option>
    <optgroup label="Teams"><option value="7">Sales team</option></optgroup>
  </select>
  <select name="sales_phase"><option value="">---------</option><option value="3">In progress</option>
    <option value="1">Forthcoming</option></select>
  <select name="roles" multiple><option value="1">Regular user</option><option value="2">Manager</option></select>
  <div><label for="id_6-set_type_0"><input type="radio" name="6-set_type" value="1" checked> All entities</label></div>
  <div><label for="id_6-set_type_1"><input type="radio" name="6-set_type" value="2"> User&#x27;s own entities</label></div>
</form>
"""


def test_choices_are_read_with_the_labels_the_form_shows() -> None:
    options = form_options(CHOICES)
    assert options["user"] == [("", "---------"), ("1", "Fulbert C."), ("7", "Sales team")]
    assert options["6-set_type"] == [("1", "All entities"), ("2", "User's own entities")]
    assert chosen_values(options, "user", "Sales team") == ["7"]
    assert chosen_values(options, "6-set_type", "User's own entities") == ["2"]
    assert chosen_values(options, "roles", ["Manager", "Regular user"]) == ["2", "1"]
    # "Check all" and "the first real choice" skip Creme's empty placeholder.
    assert chosen_values(options, "roles", EVERY) == ["1", "2"]
    assert chosen_values(options, "sales_phase", FIRST) == ["3"]


def test_a_label_the_form_does_not_offer_is_refused_with_what_it_offers() -> None:
    with pytest.raises(LookupError) as refused:
        chosen_values(form_options(CHOICES), "user", "Nobody")
    assert '"Nobody" is not offered for user' in str(refused.value)
    assert "Sales team" in str(refused.value)


ORGANISATION_PAGE = """
<div class="buttons">
<a class="menu_button menu-button-icon" title="Transform" data-action="persons-hatmenubar-become">
    <img src="/relations.png" title="Relationship" alt="Relationship"/>
    Transform into a prospect
    <script type="application/json"><!-- { "data": { "organisations": [{"value":4,"label":"Our company"}],
      "subject_id": 8, "rtype_id": "persons-subject_prospect" } } --></script>
</a>
<a class="menu_button" data-action="persons-hatmenubar-become"> Transform into a suspect
    <script type="application/json"><!-- { "data": { "organisations": [], "subject_id": 8,
      "rtype_id": "persons-subject_suspect" } } --></script></a>
<a class="menu_button" data-action="something-else">Transform into a customer</a>
</div>
"""


def test_the_status_buttons_of_an_organisation_page_are_read_with_what_they_post() -> None:
    buttons = become_buttons(ORGANISATION_PAGE)
    assert set(buttons) == {"Transform into a prospect", "Transform into a suspect"}
    prospect = buttons["Transform into a prospect"]
    assert prospect["subject_id"] == 8
    assert prospect["rtype_id"] == "persons-subject_prospect"
    assert prospect["organisations"] == [{"value": 4, "label": "Our company"}]


def test_known_addresses_are_found_once_and_follow_renames_and_deletions() -> None:
    known = KnownAddresses()
    searches: list[str] = []

    def search() -> str | None:
        searches.append("list")
        return "http://127.0.0.1:8000/persons/organisation/12"

    assert known.find("organisation", "Acme", search) == "/persons/organisation/12"
    assert known.find("organisation", "Acme", search) == "/persons/organisation/12"
    assert searches == ["list"]  # the second lookup did not search the list
    known.rename("organisation", "Acme", "Acme Ltd")
    assert known.get("organisation", "Acme") is None
    assert known.get("organisation", "Acme Ltd") == "/persons/organisation/12"
    known.forget("organisation", "Acme Ltd")
    assert known.find("organisation", "Acme Ltd", lambda: None) is None
    known.remember("contact", ("Ada", "Lovelace"), "/persons/contact/3")
    assert known.get("contact", ("Ada", "Lovelace")) == "/persons/contact/3"
