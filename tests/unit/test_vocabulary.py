"""Business phrasings: quoted values in both quote styles, numbers, whole-text matching."""

from __future__ import annotations

from signoff.vocabulary import Phrase


def test_quoted_value_accepts_straight_and_chinese_quotes() -> None:
    phrase = Phrase('我新增公司"{name}"')
    assert phrase.parse_arguments('我新增公司"华东物流"') == {"name": "华东物流"}
    assert phrase.parse_arguments("我新增公司“华东物流”") == {"name": "华东物流"}
    assert phrase.parse_arguments("我新增公司「华东物流」") == {"name": "华东物流"}


def test_apostrophes_stay_inside_values() -> None:
    phrase = Phrase('I add an organisation "{name}"')
    assert phrase.parse_arguments('I add an organisation "Société d\'Ærø"') == {"name": "Société d'Ærø"}


def test_empty_value_is_allowed() -> None:
    assert Phrase('with the password "{password}"').parse_arguments('with the password ""') == {"password": ""}


def test_numbers_are_converted() -> None:
    phrase = Phrase("adding a customer takes at most {count:d} actions")
    assert phrase.parse_arguments("adding a customer takes at most 8 actions") == {"count": 8}
    assert not phrase.is_matching("adding a customer takes at most eight actions")


def test_the_whole_text_must_match() -> None:
    phrase = Phrase('the organisation "{name}" exists')
    assert phrase.is_matching('the organisation "Acme" exists')
    assert not phrase.is_matching('the organisation "Acme" exists with exactly that name')
    assert not phrase.is_matching('not the organisation "Acme" exists')


def test_literal_regex_characters_are_literal() -> None:
    phrase = Phrase("the score is (at least) {count:d}.")
    assert phrase.is_matching("the score is (at least) 90.")
    assert not phrase.is_matching("the score is at least 90x")
