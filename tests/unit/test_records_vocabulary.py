"""Records by business field: the name rule, field names, values, tables, inline fields and matching.

Pure unit tests: no CRM, no browser.
"""

from __future__ import annotations

import pytest

from pages.creme.fields import FIELDS as CREME_FIELDS
from pages.creme.fields import creme_field, supported
from pages.creme.widgets import person_named, person_shown
from signoff import lint
from signoff.crm import Contact, join_name, split_name
from signoff.crm.fields import (
    FIELDS,
    RECORD_FIELDS,
    field_named,
    records_from_table,
    same_value,
    values_from_table,
)
from signoff.crm.records import record_name, with_name_parts
from signoff.vocabulary import BadValue, field_values, matching, specificity

lint.load_step_definitions()


# ----------------------------------------------------------------------------- the name rule


@pytest.mark.parametrize(
    ("written", "first", "last"),
    [
        ("Ada Lovelace", "Ada", "Lovelace"),
        ("Jean Paul Sartre", "Jean", "Paul Sartre"),
        ("Lovelace", "", "Lovelace"),
        ("  Ada   Lovelace ", "Ada", "Lovelace"),
        ("李雷", "雷", "李"),  # family name first, as written in China
        ("李小明", "小明", "李"),
        ("欧阳 娜娜", "娜娜", "欧阳"),  # a compound family name takes a space after it
        ("欧阳娜娜", "阳娜娜", "欧"),  # without the space: the first character is the family name
        ("诸葛 亮", "亮", "诸葛"),
        ("静", "", "静"),
    ],
)
def test_one_rule_splits_every_full_name(written: str, first: str, last: str) -> None:
    assert split_name(written) == (first, last)


@pytest.mark.parametrize("written", ["Ada Lovelace", "李雷", "欧阳 娜娜", "诸葛 亮", "静", "Lovelace"])
def test_joining_the_parts_gives_back_the_name_as_written(written: str) -> None:
    assert join_name(*split_name(written)) == written
    assert Contact(*split_name(written)).full_name == written


def test_creme_shows_a_person_first_name_first_and_is_read_back_by_the_rule() -> None:
    assert person_shown("李雷") == "雷 李"
    assert person_shown("欧阳 娜娜") == "娜娜 欧阳"
    assert person_shown("Ada Lovelace") == "Ada Lovelace"
    for name in ("李雷", "欧阳 娜娜", "Ada Lovelace", "静"):
        assert person_named(person_shown(name)) == name


def test_explicit_name_columns_are_taken_as_written() -> None:
    [record] = records_from_table([["first name", "last name"], ["娜娜", "欧阳"]], "contact")
    assert record == {"first_name": "娜娜", "last_name": "欧阳"}
    assert record_name("contact", record) == "欧阳 娜娜"
    assert with_name_parts({"full_name": "李雷", "email": "a@b.cn"}) == {
        "first_name": "雷",
        "last_name": "李",
        "email": "a@b.cn",
    }


# ----------------------------------------------------------------------------- field names


@pytest.mark.parametrize(
    ("name", "record_type", "key"),
    [
        ("phone", "contact", "phone"),
        ("电话", "contact", "phone"),
        ("Phone Number", "contact", "phone"),
        ("手机号码", "contact", "mobile"),
        ("e-mail", "contact", "email"),
        ("邮编", "organisation", "postcode"),
        ("zip code", "organisation", "postcode"),
        ("job title", "contact", "job_title"),
        ("职位", "contact", "job_title"),
        ("预计销售额", "opportunity", "estimated_sales"),
        ("closing date", "opportunity", "closing_date"),
        ("employer", "contact", "organisation"),
    ],
)
def test_fields_are_known_by_english_chinese_and_other_names(name: str, record_type: str, key: str) -> None:
    assert field_named(name, record_type).key == key  # type: ignore[arg-type]


def test_an_unknown_field_lists_the_known_fields_of_that_record_type() -> None:
    with pytest.raises(ValueError, match=r'^an opportunity has no field "city"; known fields: name / 名称, target'):
        field_named("city", "opportunity")


def test_the_creme_adapter_says_which_fields_it_supports() -> None:
    for record_type, mapped in CREME_FIELDS.items():
        assert set(mapped) <= set(RECORD_FIELDS[record_type]), record_type
    assert "phone" in supported("contact") and "estimated_sales" in supported("opportunity")
    with pytest.raises(LookupError, match="does not support the status of an organisation; it supports: name, phone"):
        creme_field("organisation", "status")


# ----------------------------------------------------------------------------- values and tables


def test_values_compare_exactly_and_amounts_by_number() -> None:
    assert same_value(FIELDS["phone"], "0086-10-12345678", "0086-10-12345678")
    assert not same_value(FIELDS["phone"], "0086-10-12345678", "86-10-12345678")
    assert not same_value(FIELDS["email"], "Li.Lei@example.cn", "li.lei@example.cn")
    assert same_value(FIELDS["estimated_sales"], "12,500", "12500.00")
    assert not same_value(FIELDS["estimated_sales"], "12,500", "1250")
    assert same_value(FIELDS["probability"], "10%", "10")


def test_a_table_of_records_has_a_header_row_then_one_row_per_record() -> None:
    rows = [["名", "姓", "邮箱"], ["雷", "李", "li.lei@example.cn"], ["梅梅", "韩", ""]]
    assert records_from_table(rows, "contact") == [
        {"first_name": "雷", "last_name": "李", "email": "li.lei@example.cn"},
        {"first_name": "梅梅", "last_name": "韩"},
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["name"]], "needs a header row of field names and at least one row"),
        ([["name", "colour"], ["Acme", "red"]], 'an organisation has no field "colour"'),
        ([["name", "名称"], ["Acme", "Acme"]], "names the name twice"),
        ([["name", "email"], ["Acme", "acme"]], 'the email: "acme" is not an email address'),
        ([["name", "phone"], ["Acme"]], "row 2 of the table has 1 cells, the header 2"),
    ],
)
def test_a_bad_table_is_one_line(rows: list[list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        records_from_table(rows, "organisation")


def test_a_field_value_table_may_have_a_header_and_keeps_empty_values() -> None:
    rows = [["字段", "值"], ["网站", "https://acme.example"], ["城市", ""]]
    assert values_from_table(rows, "organisation") == {"website": "https://acme.example", "city": ""}
    with pytest.raises(ValueError, match="two columns, field and value"):
        values_from_table([["website", "a", "b"]], "organisation")
    with pytest.raises(ValueError, match='the closing date: "next week" is not a date'):
        values_from_table([["closing date", "next week"]], "opportunity")


# ----------------------------------------------------------------------------- inline fields and matching


def test_inline_fields_in_english_and_chinese() -> None:
    assert field_values('website is "https://acme.example", city is "深圳" and phone is "+86 755 1234"') == [
        ("website", "https://acme.example"),
        ("city", "深圳"),
        ("phone", "+86 755 1234"),
    ]
    assert field_values("网站为“https://acme.example”、城市为「深圳」") == [
        ("网站", "https://acme.example"),
        ("城市", "深圳"),
    ]
    with pytest.raises(BadValue):
        field_values("nothing quoted")


def _function(step_type: str, text: str) -> str:
    found = matching(step_type, text)
    assert len({p.function for p in found}) == 1, [p.text for p in found]
    return found[0].function.__name__


def test_the_general_steps_match_every_record_type() -> None:
    assert _function("then", 'the contact "李雷" has the phone "0086-10-12345678"') == "record_has"
    assert _function("then", '商机"扩容"的预计销售额是"12,500"') == "record_has"
    assert _function("when", 'I change the phone of the contact "李雷" to "+86 10 8765 4321"') == "change_field"
    assert _function("when", "I add these contacts:") == "add_records"
    assert _function("given", "以下联系人：".join(["已有", ""])) == "add_records"
    assert _function("then", "the organisation list shows 3 organisations") == "list_count"
    assert _function("then", "联系人列表显示2个联系人") == "list_count"
    assert _function("then", '我看到提示"已保存"') == "told"


def test_the_more_specific_phrasing_wins_over_the_general_one() -> None:
    assert _function("then", 'the organisation "Acme" has the opportunity "Fleet"') != "record_has"
    assert _function("when", 'I change the last name of the contact "Ada Byron" to "Lovelace"') != "change_field"
    assert specificity('the organisation "{organisation}" has the opportunity "{opportunity}"') > specificity(
        'the {record:record} "{name}" has the {field} "{value}"'
    )


def test_the_record_slot_takes_only_record_types() -> None:
    # "meeting" is no record type: the activity steps' own phrasing is the only one that fits.
    found = matching("then", 'the meeting "Kick-off" has the participants "Ada Lovelace"')
    assert {p.function.__name__ for p in found} == {"has_participants"}


SPECIFIC_CONFTEST = """
from signoff.vocabulary import then

pytest_plugins = ["signoff.pytest_plugin"]


@then('the gadget "{name}" has the {field} "{value}"')
def general(name, field, value):
    raise AssertionError("the general phrasing ran")


@then('the gadget "{name}" has the colour "{value}"')
def specific(name, value):
    assert value == "red"
"""


def test_a_run_takes_the_more_specific_phrasing_too(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SPECIFIC_CONFTEST)
    pytester.mkdir("features")
    (pytester.path / "features" / "g.feature").write_text(
        'Feature: G\n  Scenario: S\n    Then the gadget "x" has the colour "red"\n'
        '    And the gadget "x" has the weight "1"\n',
        encoding="utf-8",
    )
    result = pytester.runpytest_subprocess("features", "-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    # The specific step passed; the second step went to the general phrasing.
    result.stdout.fnmatch_lines(["*the general phrasing ran*", '*And the gadget "x" has the weight "1"*'])
