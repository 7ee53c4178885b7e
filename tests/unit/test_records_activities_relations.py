"""Activities from a field table, relations as fields, list columns beyond the default view.

Pure unit tests: no CRM, no browser. The steps run against a CRM made of memory (only its
``records`` area), so that what a step hands the adapter, and what it concludes from what the
adapter shows, is checked; the Creme side of the same steps runs in
``tests/integration/test_vocabulary_on_creme.py`` and ``features/functional/records.feature``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from pages.creme.fields import LIST_PATHS, creme_field, supported
from signoff import lint
from signoff.crm.fields import (
    FIELDS,
    activity_kind,
    field_named,
    items,
    records_from_table,
    same_value,
    value_problem,
)
from signoff.vocabulary import matching
from steps import records as record_steps

lint.load_step_definitions()


class MemoryRecords:
    """The records area of a CRM kept in memory: it shows back what it was given, or ``shown``."""

    def __init__(self, shown: Mapping[str, str] | None = None) -> None:
        self.added: list[tuple[str, dict[str, str]]] = []
        self.changed: list[tuple[str, str, dict[str, str]]] = []
        self.shown = dict(shown or {})

    def supported(self, record_type: str) -> tuple[str, ...]:
        return tuple(FIELDS)

    def add(self, record_type: str, values: Mapping[str, str]) -> None:
        self.added.append((record_type, dict(values)))

    def change(self, record_type: str, name: str, changes: Mapping[str, str]) -> None:
        self.changed.append((record_type, name, dict(changes)))

    def values(self, record_type: str, name: str, keys: Sequence[str]) -> dict[str, str] | None:
        return {key: self.shown.get(key, "") for key in keys}


class MemoryCRM:
    def __init__(self, records: MemoryRecords) -> None:
        self.records = records


def _function(step_type: str, text: str) -> str:
    found = matching(step_type, text)
    assert len({p.function for p in found}) == 1, [p.text for p in found]
    return found[0].function.__name__


# ----------------------------------------------------------------------------- activities from a table


def test_a_meeting_is_added_with_the_activity_steps_phrasing_in_both_languages() -> None:
    assert _function("when", "I add a meeting with:") == "add_activities"
    assert _function("when", "我新增会议：") == "add_activities"
    assert _function("given", "these phone calls:") == "add_activities"
    assert _function("given", "已有以下任务：") == "add_activities"
    # The general record phrasing keeps its record types.
    assert _function("when", "I add a contact with:") == "add_records"


def test_a_field_value_table_gives_one_record_and_a_header_row_many() -> None:
    vertical = [
        ["title", "Kick-off"],
        ["start", "2030-03-12 14:00"],
        ["location", "Room 1"],
        ["participants", "Ada Lovelace, Alan Turing"],
    ]
    assert records_from_table(vertical, "activity") == [
        {
            "title": "Kick-off",
            "start": "2030-03-12 14:00",
            "place": "Room 1",
            "participants": "Ada Lovelace, Alan Turing",
        }
    ]
    assert records_from_table([["field", "value"], ["title", "Kick-off"], ["地点", ""]], "activity") == [
        {"title": "Kick-off"}
    ]
    # Two columns whose first row is all field names is a header row, not field | value.
    assert records_from_table([["title", "place"], ["Kick-off", "Room 1"]], "activity") == [
        {"title": "Kick-off", "place": "Room 1"}
    ]


def test_the_meeting_step_hands_the_adapter_the_kind_and_every_field() -> None:
    records = MemoryRecords()
    record_steps.add_activities(
        MemoryCRM(records),  # type: ignore[arg-type]
        "meeting",
        [["title", "评审会"], ["开始", "2030-03-12 14:00"], ["参与人", "李雷、韩梅梅"], ["地点", "会议室 3"]],
    )
    assert records.added == [
        (
            "activity",
            {
                "title": "评审会",
                "start": "2030-03-12 14:00",
                "participants": "李雷、韩梅梅",
                "place": "会议室 3",
                "activity_type": "meeting",
            },
        )
    ]


def test_activity_values_are_checked_before_running() -> None:
    kind = field_named("type", "activity")
    assert value_problem(kind, "会议") is None
    assert "not a kind of activity" in (value_problem(kind, "banana") or "")
    assert "date and time" in (value_problem(field_named("start", "activity"), "next Tuesday") or "")
    problems = record_steps._activity_table({"kind": "meeting"}, [["title", "X"], ["end", "tomorrow"]])
    assert problems and "end" in problems[0]


def test_activity_values_compare_as_moments_kinds_and_participants() -> None:
    start = FIELDS["start"]
    assert same_value(start, "2030-03-12 14:00", "2030-03-12 14:00")
    assert not same_value(start, "2030-03-12 14:00", "2030-03-12 14:30")
    assert same_value(FIELDS["closing_date"], "2030-03-14", "2030-03-14")
    assert not same_value(FIELDS["closing_date"], "2030-03-14", "2030-03-15")
    assert same_value(FIELDS["activity_type"], "会议", "meeting")
    assert not same_value(FIELDS["activity_type"], "phone call", "meeting")
    participants = FIELDS["participants"]
    # The CRM may add the user who saved the activity; every named participant must be there.
    assert same_value(participants, "李雷、韩梅梅", "韩梅梅, 李雷, Fulbert C")
    assert not same_value(participants, "李雷、韩梅梅", "李雷, Fulbert C")
    assert items("Ada Lovelace, Alan Turing；李雷") == ["Ada Lovelace", "Alan Turing", "李雷"]
    assert activity_kind("Phone  Call") == "phone call"


def test_a_wrong_activity_value_fails_with_expected_and_shown() -> None:
    records = MemoryRecords({"place": "Room 2", "participants": "Ada Lovelace, Fulbert C"})
    crm: Any = MemoryCRM(records)
    record_steps.record_shows(crm, "activity", "Kick-off", [["participants", "Ada Lovelace"]])
    with pytest.raises(AssertionError, match='the place is "Room 2", not "Room 1"'):
        record_steps.record_shows(crm, "activity", "Kick-off", [["place", "Room 1"]])


def test_creme_supports_the_activity_fields_from_a_table() -> None:
    assert set(supported("activity")) >= {"title", "activity_type", "start", "end", "place", "participants"}
    assert creme_field("activity", "place").form == "place"


# ----------------------------------------------------------------------------- relations as fields


@pytest.mark.parametrize(
    ("text", "record_type", "key"),
    [
        ('I change the organisation of the contact "Ada Lovelace" to "Acme"', "contact", "organisation"),
        ('I change the employer of the contact "Ada Lovelace" to "Acme"', "contact", "organisation"),
        ('我把联系人"李雷"的公司改为"华为"', "contact", "organisation"),
        ('I change the target of the opportunity "Fleet" to "Acme"', "opportunity", "target"),
    ],
)
def test_a_relation_is_changed_with_the_field_step(text: str, record_type: str, key: str) -> None:
    assert _function("when", text) == "change_field"
    arguments = matching("when", text)[0].phrase.parse_arguments(text) or {}
    records = MemoryRecords()
    record_steps.change_field(MemoryCRM(records), **arguments)  # type: ignore[arg-type]
    assert records.changed[0][0] == record_type
    assert list(records.changed[0][2]) == [key]


def test_a_relation_is_read_back_with_the_field_step() -> None:
    assert _function("then", 'the contact "Ada Lovelace" has the organisation "Acme"') == "record_has"
    crm: Any = MemoryCRM(MemoryRecords({"organisation": "Acme"}))
    record_steps.record_has(crm, "contact", "Ada Lovelace", "organisation", "Acme")
    with pytest.raises(AssertionError, match='the organisation is "Acme", not "Beta"'):
        record_steps.record_has(crm, "contact", "Ada Lovelace", "organisation", "Beta")


# ----------------------------------------------------------------------------- list columns


def test_a_list_is_filtered_by_a_column_a_view_of_ones_own_can_show() -> None:
    assert _function("when", 'I filter the contact list by city "深圳"') == "search_list"
    city = creme_field("contact", "city")
    # Not in Creme's default contact view: a custom view shows the billing address's city.
    assert city.column is None
    assert city.cell == "regular_field-billing_address__city"
    assert creme_field("organisation", "email").cell == "regular_field-email"
    assert set(LIST_PATHS) == {"organisation", "contact", "opportunity", "activity"}
