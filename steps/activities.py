"""Steps about activities: tasks, meetings and phone calls, the calendar and a customer's page.

Dates are written ``2030-03-14`` and times ``09:30`` (24-hour clock), in the CRM user's time zone;
an activity spanning two days is written ``from 2030-03-14 23:00 to 2030-03-15 01:00``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from signoff.crm import CRM
from signoff.crm.activities import Activity, ActivityKind, CalendarEntry
from signoff.vocabulary import given, then, when
from steps._refusals import attempt, refusal

#: The kinds of activity by the words the scenarios use, English and Chinese.
KIND_WORDS: dict[str, ActivityKind] = {
    "task": "task",
    "任务": "task",
    "meeting": "meeting",
    "会议": "meeting",
    "phone call": "phone call",
    "电话": "phone call",
}


def on_day(day: str, start: str, end: str) -> tuple[datetime, datetime]:
    """``"2030-03-14", "10:00", "11:30"`` → the start and end of that day's activity."""
    parsed = date.fromisoformat(day.strip())
    return (
        datetime.combine(parsed, time.fromisoformat(start.strip())),
        datetime.combine(parsed, time.fromisoformat(end.strip())),
    )


def moment(text: str) -> datetime:
    """``"2030-03-14 23:00"`` → that date and time."""
    return datetime.fromisoformat(text.strip())


def _kind(word: str) -> ActivityKind:
    try:
        return KIND_WORDS[word.strip()]
    except KeyError:
        raise ValueError(f'unknown kind of activity "{word}"; known: {", ".join(KIND_WORDS)}') from None


def _find(crm: CRM, title: str) -> Activity:
    found = crm.activities.activity(title)
    assert found is not None, f'no activity "{title}" in the CRM'
    return found


def _try(
    scenario_context: dict[str, Any], crm: CRM, kind: ActivityKind, title: str, start: datetime, end: datetime
) -> None:
    scenario_context["activities_before"] = crm.activities.count()
    attempt(scenario_context, crm.activities.add, kind, title, start, end)


# ----------------------------------------------------------------------------- creating


@given(
    'the {kind} "{title}" for the organisation "{organisation}" on {day} from {start} to {end}',
    '已有公司"{organisation}"的{kind}"{title}"，时间为{day} {start}至{end}',
)
@when(
    'I create the {kind} "{title}" for the organisation "{organisation}" on {day} from {start} to {end}',
    '我为公司"{organisation}"新建{kind}"{title}"，时间为{day} {start}至{end}',
)
def activity_for_organisation(
    crm: CRM, kind: str, title: str, organisation: str, day: str, start: str, end: str
) -> None:
    begins, ends = on_day(day, start, end)
    crm.activities.add(_kind(kind), title, begins, ends, organisation=organisation)


@given(
    'the {kind} "{title}" for the contact "{contact}" on {day} from {start} to {end}',
    '已有联系人"{contact}"的{kind}"{title}"，时间为{day} {start}至{end}',
)
@when(
    'I create the {kind} "{title}" for the contact "{contact}" on {day} from {start} to {end}',
    '我为联系人"{contact}"新建{kind}"{title}"，时间为{day} {start}至{end}',
)
def activity_for_contact(crm: CRM, kind: str, title: str, contact: str, day: str, start: str, end: str) -> None:
    begins, ends = on_day(day, start, end)
    crm.activities.add(_kind(kind), title, begins, ends, contacts=[contact])


@given(
    'my own {kind} "{title}" on {day} from {start} to {end}',
    '已有我自己的{kind}"{title}"，时间为{day} {start}至{end}',
)
def activity_alone(crm: CRM, kind: str, title: str, day: str, start: str, end: str) -> None:
    begins, ends = on_day(day, start, end)
    crm.activities.add(_kind(kind), title, begins, ends)


@when(
    'I create the all-day task "{title}" for the organisation "{organisation}" on {day}',
    '我为公司"{organisation}"新建{day}全天的任务"{title}"',
)
def all_day_task(crm: CRM, title: str, organisation: str, day: str) -> None:
    crm.activities.add("task", title, date.fromisoformat(day.strip()), all_day=True, organisation=organisation)


@when(
    'I schedule the meeting "{title}" with the contacts "{first}" and "{second}" on {day} from {start} to {end}',
    '我安排与联系人"{first}"和"{second}"的会议"{title}"，时间为{day} {start}至{end}',
)
def schedule_meeting(crm: CRM, title: str, first: str, second: str, day: str, start: str, end: str) -> None:
    begins, ends = on_day(day, start, end)
    crm.activities.add("meeting", title, begins, ends, contacts=[first, second])


@when(
    'I schedule the meeting "{title}" with the contact "{contact}" from {start} to {end}',
    '我安排与联系人"{contact}"的会议"{title}"，时间从{start}到{end}',
)
def schedule_meeting_across_days(crm: CRM, title: str, contact: str, start: str, end: str) -> None:
    crm.activities.add("meeting", title, moment(start), moment(end), contacts=[contact])


@given(
    'the phone call "{title}" with the contact "{contact}" on {day} from {start} to {end}',
    '已有与联系人"{contact}"的电话"{title}"，时间为{day} {start}至{end}',
)
@when(
    'I log the phone call "{title}" with the contact "{contact}" on {day} from {start} to {end}',
    '我记录与联系人"{contact}"的电话"{title}"，时间为{day} {start}至{end}',
)
def log_phone_call(crm: CRM, title: str, contact: str, day: str, start: str, end: str) -> None:
    begins, ends = on_day(day, start, end)
    crm.activities.add("phone call", title, begins, ends, contacts=[contact])


@when(
    'I try to create the task "{title}" on {day} from {start} to {end}',
    '我尝试新建任务"{title}"，时间为{day} {start}至{end}',
)
def try_task(crm: CRM, scenario_context: dict[str, Any], title: str, day: str, start: str, end: str) -> None:
    begins, ends = on_day(day, start, end)
    _try(scenario_context, crm, "task", title, begins, ends)


@when(
    "I try to create a task without a title on {day} from {start} to {end}",
    "我尝试新建一个没有标题的任务，时间为{day} {start}至{end}",
)
def try_untitled_task(crm: CRM, scenario_context: dict[str, Any], day: str, start: str, end: str) -> None:
    begins, ends = on_day(day, start, end)
    _try(scenario_context, crm, "task", "", begins, ends)


# ----------------------------------------------------------------------------- the activity


@then(
    'the {kind} "{title}" is about the organisation "{organisation}"',
    '{kind}"{title}"关联公司"{organisation}"',
)
def is_about_organisation(crm: CRM, kind: str, title: str, organisation: str) -> None:
    found = _find(crm, title)
    assert found.kind == _kind(kind), f'"{title}" is a {found.kind}, not a {_kind(kind)}'
    assert organisation in found.subjects, f'"{title}" is about {list(found.subjects)}, not "{organisation}"'


@then(
    'the {kind} "{title}" has the participant "{contact}"',
    '{kind}"{title}"的参与者包括"{contact}"',
)
def has_participant(crm: CRM, kind: str, title: str, contact: str) -> None:
    _assert_participants(crm, kind, title, [contact])


@then(
    'the {kind} "{title}" has the participants "{first}" and "{second}"',
    '{kind}"{title}"的参与者包括"{first}"和"{second}"',
)
def has_participants(crm: CRM, kind: str, title: str, first: str, second: str) -> None:
    _assert_participants(crm, kind, title, [first, second])


def _assert_participants(crm: CRM, kind: str, title: str, contacts: list[str]) -> None:
    found = _find(crm, title)
    assert found.kind == _kind(kind), f'"{title}" is a {found.kind}, not a {_kind(kind)}'
    missing = [contact for contact in contacts if contact not in found.participants]
    assert not missing, f'"{title}" has the participants {list(found.participants)}, without {missing}'


@then(
    'the activity "{title}" runs from {start} to {end}',
    '活动"{title}"的时间从{start}到{end}',
)
def runs_from_to(crm: CRM, title: str, start: str, end: str) -> None:
    found = _find(crm, title)
    assert (found.start, found.end) == (moment(start), moment(end)), (
        f'"{title}" runs from {found.start} to {found.end}, not from {moment(start)} to {moment(end)}'
    )


@then(
    'the task "{title}" is an all-day activity on {day}',
    '任务"{title}"是{day}的全天活动',
)
def is_all_day(crm: CRM, title: str, day: str) -> None:
    found = _find(crm, title)
    expected = date.fromisoformat(day.strip())
    assert found.all_day, f'"{title}" is not marked as lasting all day'
    days = {moment.date() for moment in (found.start, found.end) if moment is not None}
    assert days == {expected}, f'"{title}" runs from {found.start} to {found.end}, not on {expected} only'


# ----------------------------------------------------------------------------- refusals


@then("I am told the end is before the start", "系统提示结束时间早于开始时间")
def told_end_before_start(scenario_context: dict[str, Any]) -> None:
    rejection = refusal(scenario_context)
    # Creme says it about the whole form; another CRM may say it at the end field.
    message = rejection.errors.get("end") or rejection.errors.get("")
    assert message, f"no error about the end or the whole form; errors: {rejection.errors}"


@then("I am told the title is required", "系统提示标题为必填项")
def told_title_required(scenario_context: dict[str, Any]) -> None:
    rejection = refusal(scenario_context)
    assert rejection.errors.get("title"), f"no error shown next to the title; errors: {rejection.errors}"


@then('no activity "{title}" was saved', '没有保存活动"{title}"')
def no_activity_titled(crm: CRM, title: str) -> None:
    assert crm.activities.activity(title) is None, f'an activity "{title}" was saved'


@then("no activity was saved", "没有保存任何活动")
def no_activity_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    assert crm.activities.count() == scenario_context["activities_before"], (
        "the number of activities changed although the form was refused"
    )


# ----------------------------------------------------------------------------- calendar


@when("I open my calendar on {day}", "我打开{day}的日历")
def open_calendar(crm: CRM, scenario_context: dict[str, Any], day: str) -> None:
    _calendar(crm, scenario_context, day)


def _calendar(crm: CRM, scenario_context: dict[str, Any], day: str) -> list[CalendarEntry]:
    """What the calendar shows on ``day``, read once per scenario and day."""
    seen: dict[date, list[CalendarEntry]] = scenario_context.setdefault("calendar", {})
    parsed = date.fromisoformat(day.strip())
    if parsed not in seen:
        seen[parsed] = crm.activities.calendar(parsed)
    return seen[parsed]


@then('my calendar shows "{title}" on {day}', '我的日历在{day}显示"{title}"')
def calendar_shows(crm: CRM, scenario_context: dict[str, Any], title: str, day: str) -> None:
    shown = [entry.title for entry in _calendar(crm, scenario_context, day)]
    assert title in shown, f'the calendar shows {shown} on {day}, without "{title}"'


@then('my calendar does not show "{title}" on {day}', '我的日历在{day}没有"{title}"')
def calendar_does_not_show(crm: CRM, scenario_context: dict[str, Any], title: str, day: str) -> None:
    shown = [entry.title for entry in _calendar(crm, scenario_context, day)]
    assert title not in shown, f'the calendar shows "{title}" on {day}: {shown}'


@then(
    'my calendar shows "{title}" as an all-day activity on {day}',
    '我的日历在{day}将"{title}"显示为全天活动',
)
def calendar_shows_all_day(crm: CRM, scenario_context: dict[str, Any], title: str, day: str) -> None:
    entries = [entry for entry in _calendar(crm, scenario_context, day) if entry.title == title]
    assert entries, f'the calendar does not show "{title}" on {day}'
    assert all(entry.all_day for entry in entries), f'the calendar shows "{title}" at a time of day, not all day'


# ----------------------------------------------------------------------------- customer pages


@then(
    'the page of the organisation "{name}" lists the activities "{first}" and "{second}"',
    '公司"{name}"的页面列出活动"{first}"和"{second}"',
)
def organisation_lists(crm: CRM, name: str, first: str, second: str) -> None:
    listed = crm.activities.of_organisation(name)
    missing = [title for title in (first, second) if title not in listed]
    assert not missing, f'the page of "{name}" lists {listed}, without {missing}'


@then(
    'the page of the organisation "{name}" does not list the activity "{title}"',
    '公司"{name}"的页面不列出活动"{title}"',
)
def organisation_does_not_list(crm: CRM, name: str, title: str) -> None:
    listed = crm.activities.of_organisation(name)
    assert title not in listed, f'the page of "{name}" lists "{title}": {listed}'


@then(
    'the page of the contact "{name}" lists the activity "{title}"',
    '联系人"{name}"的页面列出活动"{title}"',
)
def contact_lists(crm: CRM, name: str, title: str) -> None:
    listed = crm.activities.of_contact(name)
    assert title in listed, f'the page of "{name}" lists {listed}, without "{title}"'
