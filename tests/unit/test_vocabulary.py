"""Business phrasings: quote styles, typed slots, lists, closed sets, whole-text matching, and
matching whatever the keyword (the keyword written decides between two meanings of the same words)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from signoff import vocabulary
from signoff.vocabulary import BadValue, Phrase, closed_set, list_items, matching, quote_problems


@pytest.fixture(autouse=True)
def _registry_restored() -> Iterator[None]:
    """Phrasings and slot types registered by a test do not outlive it (the catalogue reads them)."""
    phrasings, slot_types = list(vocabulary._REGISTRY), dict(vocabulary._SLOT_TYPES)
    yield
    vocabulary._REGISTRY[:] = phrasings
    vocabulary._SLOT_TYPES.clear()
    vocabulary._SLOT_TYPES.update(slot_types)


def test_quoted_value_accepts_straight_and_chinese_quotes() -> None:
    phrase = Phrase('我新增公司"{name}"')
    assert phrase.parse_arguments('我新增公司"华东物流"') == {"name": "华东物流"}
    assert phrase.parse_arguments("我新增公司“华东物流”") == {"name": "华东物流"}
    assert phrase.parse_arguments("我新增公司「华东物流」") == {"name": "华东物流"}


def test_a_value_is_closed_by_the_quote_style_that_opened_it() -> None:
    phrase = Phrase('我新增公司"{name}"')
    assert not phrase.is_matching('我新增公司“华东物流"')
    assert not phrase.is_matching("我新增公司「华东物流”")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('我新增公司“华东物流"', '“华东物流" is opened with “ and closed with "'),
        ("I add an organisation ‘Acme’", "‘ is not a quote mark that opens a value"),
        ("I add an organisation «Acme»", "« is not a quote mark that opens a value"),
        ('I add an organisation "Acme', 'the value "Acme is never closed'),
        ("I add an organisation Acme”", "” is not a quote mark that opens a value"),
    ],
)
def test_mismatched_or_unknown_quotes_are_a_problem(text: str, problem: str) -> None:
    problems = quote_problems(text)
    assert problems and problem in problems[0]
    assert problems[-1].endswith('quote values with "…", “…” or 「…」')


@pytest.mark.parametrize(
    "text",
    [
        'I add an organisation "Acme"',
        "我新增公司“华东”",
        "我新增公司「华东」",
        "a role that sees its users' own records",
    ],
)
def test_accepted_quotes_and_apostrophes_are_no_problem(text: str) -> None:
    assert quote_problems(text) == []


def test_apostrophes_stay_inside_values() -> None:
    phrase = Phrase('I add an organisation "{name}"')
    assert phrase.parse_arguments('I add an organisation "Société d\'Ærø"') == {"name": "Société d'Ærø"}


def test_empty_value_is_allowed() -> None:
    assert Phrase('with the password "{password}"').parse_arguments('with the password ""') == {"password": ""}


def test_numbers_are_converted_and_words_are_a_bad_value() -> None:
    phrase = Phrase("adding a customer takes at most {count:d} actions")
    assert phrase.parse_arguments("adding a customer takes at most 8 actions") == {"count": 8}
    # The shape fits, so check reports the value instead of an undefined step.
    assert phrase.problems("adding a customer takes at most eight actions") == [
        '"eight" is not a whole number (write it in digits, like 3)'
    ]
    with pytest.raises(BadValue):
        phrase.parse_arguments("adding a customer takes at most eight actions")


def test_the_whole_text_must_match() -> None:
    phrase = Phrase('the organisation "{name}" exists')
    assert phrase.is_matching('the organisation "Acme" exists')
    assert not phrase.is_matching('the organisation "Acme" exists with exactly that name')
    assert not phrase.is_matching('not the organisation "Acme" exists')


def test_literal_regex_characters_are_literal() -> None:
    phrase = Phrase("the score is (at least) {count:d}.")
    assert phrase.is_matching("the score is (at least) 90.")
    assert not phrase.is_matching("the score is at least 90x")


# ----------------------------------------------------------------------------- typed slots


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("amount", "12,500", Decimal("12500")),
        ("amount", "1,234.56", Decimal("1234.56")),
        ("amount", "-1,000", Decimal("-1000")),
        ("amount", "1，000", Decimal("1000")),
        ("amount", "1000000000", Decimal("1000000000")),
        ("percent", "10%", Decimal("10")),
        ("percent", "12.5％", Decimal("12.5")),
        ("d", "3", 3),
        ("date", "2030-03-14", date(2030, 3, 14)),
        ("time", "09:30", time(9, 30)),
        ("datetime", "2030-03-14 23:00", datetime(2030, 3, 14, 23, 0)),
        ("email", "li.lei@example.cn", "li.lei@example.cn"),
    ],
)
def test_typed_values_are_converted(kind: str, text: str, value: object) -> None:
    assert vocabulary.slot_type(kind).convert(text) == value


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("amount", "banana", '"banana" is not an amount'),
        ("amount", "1,23", '"1,23" is not an amount'),
        ("percent", "10", '"10" is not a percentage'),
        ("d", "three", '"three" is not a whole number'),
        ("date", "next Tuesday-ish", '"next Tuesday-ish" is not a date (write it like 2030-03-14)'),
        ("date", "2030-02-30", '"2030-02-30" is not a date'),
        ("time", "25:00", '"25:00" is not a time'),
        ("time", "9.30", '"9.30" is not a time'),
        ("datetime", "2030-03-14", '"2030-03-14" is not a date and time'),
        ("email", "li.lei@example", '"li.lei@example" is not an email address'),
        ("email", "li.lei.example.cn", '"li.lei.example.cn" is not an email address'),
    ],
)
def test_bad_typed_values_are_one_clear_line(kind: str, text: str, message: str) -> None:
    with pytest.raises(BadValue) as raised:
        vocabulary.slot_type(kind).convert(text)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_a_slot_never_swallows_the_rest_of_the_line() -> None:
    phrase = Phrase('I add an opportunity "{name}" with estimated sales of {amount:amount}')
    assert phrase.parse_arguments('I add an opportunity "Big" with estimated sales of 12,500') == {
        "name": "Big",
        "amount": Decimal("12500"),
    }
    assert not phrase.is_matching('I add an opportunity "Big" with estimated sales of 50, a probability of 10%')
    assert not phrase.is_matching('I add an opportunity "Big" with estimated sales of 50 and "more"')
    chinese = Phrase('我为"{organisation}"新增商机"{name}"，预计销售额为{amount:amount}')
    assert not chinese.is_matching('我为"甲"新增商机"乙"，预计销售额为50，赢单概率为10%')


def test_a_free_text_slot_holds_no_quote_and_no_separator() -> None:
    phrase = Phrase("the {kind} is done")
    assert phrase.parse_arguments("the phone call is done") == {"kind": "phone call"}
    assert not phrase.is_matching('the "call" is done')
    assert not phrase.is_matching("the call, the task is done")


def test_a_bad_value_in_its_shape_is_reported_by_problems() -> None:
    phrase = Phrase("on {day:date} from {start:time} to {end:time}")
    assert phrase.is_matching("on next Tuesday-ish from 10:00 to 11:00")
    assert phrase.problems("on next Tuesday-ish from 10:00 to 25:00") == [
        '"next Tuesday-ish" is not a date (write it like 2030-03-14)',
        '"25:00" is not a time (write it like 09:30, on the 24-hour clock)',
    ]
    assert phrase.problems("on 2030-03-14 from 10:00 to 11:00") == []


def test_a_quoted_typed_slot_checks_the_value_inside_the_quotes() -> None:
    phrase = Phrase('with the email address "{address:email}"')
    assert phrase.parse_arguments("with the email address 「a@b.cn」") == {"address": "a@b.cn"}
    assert phrase.problems('with the email address "a-at-b"') == [
        '"a-at-b" is not an email address (write it like li.lei@example.cn)'
    ]


def test_an_unknown_slot_type_is_a_mistake_of_the_step_module() -> None:
    with pytest.raises(TypeError, match="unknown slot type 'colour'"):
        Phrase("a {shade:colour} car")


# ----------------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ('"A"', ["A"]),
        ('"A" and "B"', ["A", "B"]),
        ('"A", "B" and "C"', ["A", "B", "C"]),
        ('"A", "B", and "C"', ["A", "B", "C"]),
        ('"A", "B", "C", "D" and "E"', ["A", "B", "C", "D", "E"]),
        ('"甲"、"乙"和"丙"', ["甲", "乙", "丙"]),
        ("“甲”，「乙」和“丙”", ["甲", "乙", "丙"]),
        ('"Smith and Sons", "A, B"', ["Smith and Sons", "A, B"]),
        ("view, change and delete", ["view", "change", "delete"]),
        ("查看、修改和删除", ["查看", "修改", "删除"]),
        ("view", ["view"]),
    ],
)
def test_any_number_of_items_is_a_list(text: str, items: list[str]) -> None:
    assert list_items(text) == items


@pytest.mark.parametrize("text", ["view, , delete", "、删除", '"A" "B"'])
def test_a_list_with_a_missing_item_is_a_bad_value(text: str) -> None:
    with pytest.raises(BadValue):
        list_items(text)


def test_a_list_slot_gives_the_step_a_list() -> None:
    english = Phrase('the team "{name}" has the members {members:list}')
    assert english.parse_arguments('the team "north" has the members "alice", "bob" and "carol"') == {
        "name": "north",
        "members": ["alice", "bob", "carol"],
    }
    chinese = Phrase('团队"{name}"的成员为{members:list}')
    assert chinese.parse_arguments('团队"华北"的成员为"甲"、"乙"和"丙"') == {
        "name": "华北",
        "members": ["甲", "乙", "丙"],
    }
    assert not english.is_matching('the team "north" has the members alice and bob')


# ----------------------------------------------------------------------------- closed sets


def test_a_closed_set_gives_the_canonical_value_and_lists_the_valid_ones() -> None:
    closed_set("test_colour", {"red": "R", "blue": "B", "红色": "R", "蓝色": "B"})
    phrase = Phrase("a {colour:test_colour} car")
    assert phrase.parse_arguments("a Red car") == {"colour": "R"}
    assert phrase.parse_arguments("a the  blue car") == {"colour": "B"}
    assert phrase.problems("a green car") == ['unknown test colour "green"; valid test colours: red, blue']
    assert Phrase("{colour:test_colour}的车").problems("绿色的车") == [
        'unknown test colour "绿色"; valid test colours: 红色, 蓝色'
    ]


def test_a_closed_set_of_many_takes_a_list() -> None:
    closed_set("test_move", {"up": "up", "down": "down", "上": "up"}, many=True)
    phrase = Phrase("I go {moves:test_move}")
    assert phrase.parse_arguments("I go up, down and up") == {"moves": ["up", "down", "up"]}
    assert phrase.problems("I go up and sideways") == ['unknown test move "sideways"; valid test moves: up, down']


# ----------------------------------------------------------------------------- keywords


def test_a_phrasing_is_found_whatever_the_keyword() -> None:
    vocabulary.given("test: there is a kettle")(lambda: None)
    for step_type in ("given", "when", "then"):
        [found] = matching(step_type, "test: there is a kettle")
        assert found.type == "given"


def test_the_keyword_written_decides_between_two_meanings_of_the_same_words() -> None:
    def forget() -> None: ...

    def check() -> None: ...

    vocabulary.given("test: I am a visitor")(forget)
    vocabulary.then("test: I am a visitor")(check)
    assert [p.function for p in matching("given", "test: I am a visitor")] == [forget]
    assert [p.function for p in matching("then", "test: I am a visitor")] == [check]
    # After When, neither was declared for it: both fit, which check reports as ambiguous.
    assert {p.function for p in matching("when", "test: I am a visitor")} == {forget, check}


def test_each_phrasing_is_registered_with_pytest_bdd_for_all_three_types() -> None:
    from pytest_bdd.steps import step_function_context_registry

    def boil() -> None: ...

    vocabulary.when("test: I boil the water")(boil)
    contexts = [c for c in step_function_context_registry.values() if c.step_func is boil]
    assert sorted(str(c.type) for c in contexts) == ["given", "then", "when"]
    assert all(c.parser.is_matching("test: I boil the water") for c in contexts)


def test_a_step_declared_for_its_own_keyword_hides_the_others_from_pytest_bdd() -> None:
    from pytest_bdd.steps import step_function_context_registry

    def arrange() -> None: ...

    def verify() -> None: ...

    vocabulary.given("test: the lid is on")(arrange)
    vocabulary.then("test: the lid is on")(verify)
    for function, own_type in ((arrange, "given"), (verify, "then")):
        contexts = [c for c in step_function_context_registry.values() if c.step_func is function]
        matching_types = {str(c.type) for c in contexts if c.parser.is_matching("test: the lid is on")}
        # Its own type, and "when", where neither was declared (ambiguous, reported by check).
        assert matching_types == {own_type, "when"}
