"""Steps about activities: tasks, meetings and phone calls, the calendar and a customer's page.

Dates are written ``2030-03-14`` and times ``09:30`` (24-hour clock), in the CRM user's time zone;
an activity spanning two days is written ``from 2030-03-14 23:00 to 2030-03-15 01:00``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from signoff.crm import CRM
from signoff.crm.activities import Activity, ActivityKind, CalendarEntry
from signoff.crm.fields import ACTIVITY_KINDS
from signoff.vocabulary import closed_set, given, then, when
from steps._refusals import attempt, refusal

#: The kinds of activity by the words the scenarios use, English and Chinese (one list: the fields').
KIND_WORDS: dict[str, ActivityKind] = dict(ACTIVITY_KINDS)


closed_set("activity_kind", KIND_WORDS, meaning="a kind of activity")


def on_day(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """2030-03-14, 10:00, 11:30 → the start and end of that day's activity."""
    return datetime.combine(day, start), datetime.combine(day, end)


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
    'the {kind:activity_kind} "{title}" for the organisation "{organisation}" on {day:date} from {start:time} to {end:time}',
    '已有公司"{organisation}"的{kind:activity_kind}"{title}"，时间为{day:date} {start:time}至{end:time}',
)
@when(
    'I create the {kind:activity_kind} "{title}" for the organisation "{organisation}" on {day:date} from {start:time} to {end:time}',
    '我为公司"{organisation}"新建{kind:activity_kind}"{title}"，时间为{day:date} {start:time}至{end:time}',
)
def activity_for_organisation(
    crm: CRM, kind: ActivityKind, title: str, organisation: str, day: date, start: time, end: time
) -> None:
    """Create a task, meeting or phone call about an organisation, on one day."""
    begins, ends = on_day(day, start, end)
    crm.activities.add(kind, title, begins, ends, organisation=organisation)


@given(
    'the {kind:activity_kind} "{title}" for the contact "{contact}" on {day:date} from {start:time} to {end:time}',
    '已有联系人"{contact}"的{kind:activity_kind}"{title}"，时间为{day:date} {start:time}至{end:time}',
)
@when(
    'I create the {kind:activity_kind} "{title}" for the contact "{contact}" on {day:date} from {start:time} to {end:time}',
    '我为联系人"{contact}"新建{kind:activity_kind}"{title}"，时间为{day:date} {start:time}至{end:time}',
)
def activity_for_contact(
    crm: CRM, kind: ActivityKind, title: str, contact: str, day: date, start: time, end: time
) -> None:
    """Create a task, meeting or phone call with a contact taking part, on one day."""
    begins, ends = on_day(day, start, end)
    crm.activities.add(kind, title, begins, ends, contacts=[contact])


@given(
    'my own {kind:activity_kind} "{title}" on {day:date} from {start:time} to {end:time}',
    '已有我自己的{kind:activity_kind}"{title}"，时间为{day:date} {start:time}至{end:time}',
)
def activity_alone(crm: CRM, kind: ActivityKind, title: str, day: date, start: time, end: time) -> None:
    """An activity of my own, linked to no customer."""
    begins, ends = on_day(day, start, end)
    crm.activities.add(kind, title, begins, ends)


@when(
    'I create the all-day task "{title}" for the organisation "{organisation}" on {day:date}',
    '我为公司"{organisation}"新建{day:date}全天的任务"{title}"',
)
def all_day_task(crm: CRM, title: str, organisation: str, day: date) -> None:
    """Create a task that lasts the whole day, about an organisation."""
    crm.activities.add("task", title, day, all_day=True, organisation=organisation)


@when(
    'I schedule the meeting "{title}" with the contacts {contacts:list} on {day:date} from {start:time} to {end:time}',
    '我安排与联系人{contacts:list}的会议"{title}"，时间为{day:date} {start:time}至{end:time}',
)
def schedule_meeting(crm: CRM, title: str, contacts: list[str], day: date, start: time, end: time) -> None:
    """Schedule a meeting with these contacts as participants."""
    begins, ends = on_day(day, start, end)
    crm.activities.add("meeting", title, begins, ends, contacts=contacts)


@when(
    'I schedule the meeting "{title}" with the contact "{contact}" from {start:datetime} to {end:datetime}',
    '我安排与联系人"{contact}"的会议"{title}"，时间从{start:datetime}到{end:datetime}',
)
def schedule_meeting_across_days(crm: CRM, title: str, contact: str, start: datetime, end: datetime) -> None:
    """Schedule a meeting with one contact from one date and time to another (it may span days)."""
    crm.activities.add("meeting", title, start, end, contacts=[contact])


@given(
    'the phone call "{title}" with the contact "{contact}" on {day:date} from {start:time} to {end:time}',
    '已有与联系人"{contact}"的电话"{title}"，时间为{day:date} {start:time}至{end:time}',
)
@when(
    'I log the phone call "{title}" with the contact "{contact}" on {day:date} from {start:time} to {end:time}',
    '我记录与联系人"{contact}"的电话"{title}"，时间为{day:date} {start:time}至{end:time}',
)
def log_phone_call(crm: CRM, title: str, contact: str, day: date, start: time, end: time) -> None:
    """Log a phone call with a contact."""
    begins, ends = on_day(day, start, end)
    crm.activities.add("phone call", title, begins, ends, contacts=[contact])


@when(
    'I try to create the task "{title}" on {day:date} from {start:time} to {end:time}',
    '我尝试新建任务"{title}"，时间为{day:date} {start:time}至{end:time}',
)
def try_task(crm: CRM, scenario_context: dict[str, Any], title: str, day: date, start: time, end: time) -> None:
    """Try to save a task the CRM may refuse (for instance one that ends before it starts)."""
    begins, ends = on_day(day, start, end)
    _try(scenario_context, crm, "task", title, begins, ends)


@when(
    "I try to create a task without a title on {day:date} from {start:time} to {end:time}",
    "我尝试新建一个没有标题的任务，时间为{day:date} {start:time}至{end:time}",
)
def try_untitled_task(crm: CRM, scenario_context: dict[str, Any], day: date, start: time, end: time) -> None:
    """Try to save a task without a title."""
    begins, ends = on_day(day, start, end)
    _try(scenario_context, crm, "task", "", begins, ends)


# ----------------------------------------------------------------------------- the activity


@then(
    'the {kind:activity_kind} "{title}" is about the organisation "{organisation}"',
    '{kind:activity_kind}"{title}"关联公司"{organisation}"',
)
def is_about_organisation(crm: CRM, kind: ActivityKind, title: str, organisation: str) -> None:
    """The activity is of that kind and about that organisation."""
    found = _find(crm, title)
    assert found.kind == kind, f'"{title}" is a {found.kind}, not a {kind}'
    assert organisation in found.subjects, f'"{title}" is about {list(found.subjects)}, not "{organisation}"'


@then(
    'the {kind:activity_kind} "{title}" has the participant {contacts:list}',
    'the {kind:activity_kind} "{title}" has the participants {contacts:list}',
    '{kind:activity_kind}"{title}"的参与者包括{contacts:list}',
)
def has_participants(crm: CRM, kind: ActivityKind, title: str, contacts: list[str]) -> None:
    """The activity has these contacts among its participants."""
    found = _find(crm, title)
    assert found.kind == kind, f'"{title}" is a {found.kind}, not a {kind}'
    missing = [contact for contact in contacts if contact not in found.participants]
    assert not missing, f'"{title}" has the participants {list(found.participants)}, without {missing}'


@then(
    'the activity "{title}" runs from {start:datetime} to {end:datetime}',
    '活动"{title}"的时间从{start:datetime}到{end:datetime}',
)
def runs_from_to(crm: CRM, title: str, start: datetime, end: datetime) -> None:
    """The activity's page shows that start and end, date and time."""
    found = _find(crm, title)
    assert (found.start, found.end) == (start, end), (
        f'"{title}" runs from {found.start} to {found.end}, not from {start} to {end}'
    )


@then(
    'the task "{title}" is an all-day activity on {day:date}',
    '任务"{title}"是{day:date}的全天活动',
)
def is_all_day(crm: CRM, title: str, day: date) -> None:
    """The task is marked as lasting all day, on that day only."""
    found = _find(crm, title)
    expected = day
    assert found.all_day, f'"{title}" is not marked as lasting all day'
    days = {moment.date() for moment in (found.start, found.end) if moment is not None}
    assert days == {expected}, f'"{title}" runs from {found.start} to {found.end}, not on {expected} only'


# ----------------------------------------------------------------------------- refusals


@then("I am told the end is before the start", "系统提示结束时间早于开始时间")
def told_end_before_start(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the activity because it ends before it starts."""
    rejection = refusal(scenario_context)
    # Creme says it about the whole form; another CRM may say it at the end field.
    message = rejection.errors.get("end") or rejection.errors.get("")
    assert message, f"no error about the end or the whole form; errors: {rejection.errors}"


@then("I am told the title is required", "系统提示标题为必填项")
def told_title_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the title."""
    rejection = refusal(scenario_context)
    assert rejection.errors.get("title"), f"no error shown next to the title; errors: {rejection.errors}"


@then('no activity "{title}" was saved', '没有保存活动"{title}"')
def no_activity_titled(crm: CRM, title: str) -> None:
    """No activity of that title was saved."""
    assert crm.activities.activity(title) is None, f'an activity "{title}" was saved'


@then("no activity was saved", "没有保存任何活动")
def no_activity_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The number of activities did not change (the refused form saved nothing)."""
    assert crm.activities.count() == scenario_context["activities_before"], (
        "the number of activities changed although the form was refused"
    )


# ----------------------------------------------------------------------------- calendar


@when("I open my calendar on {day:date}", "我打开{day:date}的日历")
def open_calendar(crm: CRM, scenario_context: dict[str, Any], day: date) -> None:
    """Open my calendar on a day."""
    _calendar(crm, scenario_context, day)


def _calendar(crm: CRM, scenario_context: dict[str, Any], day: date) -> list[CalendarEntry]:
    """What the calendar shows on ``day``, read once per scenario and day."""
    seen: dict[date, list[CalendarEntry]] = scenario_context.setdefault("calendar", {})
    if day not in seen:
        seen[day] = crm.activities.calendar(day)
    return seen[day]


@then('my calendar shows "{title}" on {day:date}', '我的日历在{day:date}显示"{title}"')
def calendar_shows(crm: CRM, scenario_context: dict[str, Any], title: str, day: date) -> None:
    """My calendar shows the activity on that day."""
    shown = [entry.title for entry in _calendar(crm, scenario_context, day)]
    assert title in shown, f'the calendar shows {shown} on {day:date}, without "{title}"'


@then('my calendar does not show "{title}" on {day:date}', '我的日历在{day:date}没有"{title}"')
def calendar_does_not_show(crm: CRM, scenario_context: dict[str, Any], title: str, day: date) -> None:
    """My calendar does not show the activity on that day."""
    shown = [entry.title for entry in _calendar(crm, scenario_context, day)]
    assert title not in shown, f'the calendar shows "{title}" on {day:date}: {shown}'


@then(
    'my calendar shows "{title}" as an all-day activity on {day:date}',
    '我的日历在{day:date}将"{title}"显示为全天活动',
)
def calendar_shows_all_day(crm: CRM, scenario_context: dict[str, Any], title: str, day: date) -> None:
    """My calendar shows the activity on that day as lasting all day."""
    entries = [entry for entry in _calendar(crm, scenario_context, day) if entry.title == title]
    assert entries, f'the calendar does not show "{title}" on {day:date}'
    assert all(entry.all_day for entry in entries), f'the calendar shows "{title}" at a time of day, not all day'


# ----------------------------------------------------------------------------- customer pages


@then(
    'the page of the organisation "{name}" lists the activities {titles:list}',
    '公司"{name}"的页面列出活动{titles:list}',
)
def organisation_lists(crm: CRM, name: str, titles: list[str]) -> None:
    """The organisation's page lists these activities (others may be listed too)."""
    listed = crm.activities.of_organisation(name)
    missing = [title for title in titles if title not in listed]
    assert not missing, f'the page of "{name}" lists {listed}, without {missing}'


@then(
    'the page of the organisation "{name}" does not list the activity "{title}"',
    '公司"{name}"的页面不列出活动"{title}"',
)
def organisation_does_not_list(crm: CRM, name: str, title: str) -> None:
    """The organisation's page does not list the activity."""
    listed = crm.activities.of_organisation(name)
    assert title not in listed, f'the page of "{name}" lists "{title}": {listed}'


@then(
    'the page of the contact "{name}" lists the activity "{title}"',
    '联系人"{name}"的页面列出活动"{title}"',
)
def contact_lists(crm: CRM, name: str, title: str) -> None:
    """The contact's page lists the activity."""
    listed = crm.activities.of_contact(name)
    assert title in listed, f'the page of "{name}" lists {listed}, without "{title}"'
