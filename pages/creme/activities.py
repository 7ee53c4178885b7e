"""Creme's activity pages: the creation form, the activity's page, the calendar, customers' bricks.

Creme links an activity to an organisation as a *subject* and to contacts as *participants*; the
user who creates it takes part by default, which is what puts it on their own calendar. The form
is opened from the organisation ("create a related activity") when there is one, as a user does
from the customer's page, so that the organisation is already chosen as the subject.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, expect

from pages.creme.addresses import KnownAddresses
from pages.creme.customers import ORGANISATIONS, find_contact
from pages.creme.fastpath import Arrangement, FormPoster
from pages.creme.widgets import (
    NAME,
    DjangoForm,
    EntityChooser,
    ListView,
    form_errors,
    person_named,
    person_shown,
    require,
    type_and_leave,
)
from signoff.crm import FormRejected, split_name
from signoff.crm.activities import Activity, ActivityKind, CalendarEntry

ACTIVITIES = "/activities/activities"
CALENDAR = "/activities/calendar/user"
ACTIVITY_DETAIL = re.compile(r"/activities/activity/\d+$")
TITLE = "regular_field-title"

#: Creme's activity types: the name in its creation URLs and the uuid its "related" form takes.
TYPES: dict[str, tuple[str, str]] = {
    "task": ("task", "7fda7c3f-f0e8-47f9-9d90-7931293fdff9"),
    "meeting": ("meeting", "5943b787-441f-453d-a96a-ff436fd37f2f"),
    "phone call": ("phonecall", "86934e63-1ba5-4b19-b2a5-43f9412fddc3"),
}

START = "cform_extra-activities_start"
END = "cform_extra-activities_end"
PARTICIPANTS = "cform_extra-activities_others_participants"
#: Creme's form field names → the business names of :class:`signoff.crm.activities.Activities`.
BUSINESS_FIELDS = {"title": "title", START: "start", f"{START}_0": "start", END: "end", f"{END}_0": "end", "": ""}


class ActivityForm(DjangoForm):
    """Creation form of a task, meeting or phone call."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, "Save the activity")
        self.participants = self.form.locator(f"#id_{PARTICIPANTS}")

    def open_new(self, kind: ActivityKind, organisation_url: str | None = None) -> None:
        url_name, type_uuid = TYPES[kind]
        if organisation_url:
            organisation_id = organisation_url.rstrip("/").rsplit("/", 1)[-1]
            self.page.goto(f"/activities/activity/add_related/{organisation_id}?activity_type={type_uuid}")
        else:
            self.page.goto(f"/activities/activity/add/{url_name}")
        expect(self.field("title")).to_be_visible()

    def set_moment(self, which: str, day: date, at: time | None) -> None:
        """Fill the date box and, when given, the hour and minute boxes of ``start`` or ``end``."""
        field = START if which == "start" else END
        self.field(f"{field}_0").fill(day.isoformat())
        if at is None:
            return
        picker = self.form.locator(f"#id_{field}_1_timepicker")
        hour = picker.locator("li.hour input")
        minute = picker.locator("li.minute input")
        # The time picker copies hour and minute into the submitted field on their "change".
        for box, value in ((hour, at.hour), (minute, at.minute)):
            type_and_leave(box, f"{value:02d}")
        expect(self.field(f"{field}_1")).to_have_value(f"{at.hour:02d}:{at.minute:02d}")

    def set_all_day(self) -> None:
        self.field("is_all_day").check()

    def add_participant(self, chooser: EntityChooser, full_name: str) -> None:
        chooser.choose_contact(self.participants.get_by_role("button", name="Select", exact=True), full_name)
        expect(self.participants.locator(".selectors")).to_contain_text(person_shown(full_name))

    def save(self) -> None:
        try:
            self.submit(ACTIVITY_DETAIL)
        except FormRejected as rejection:
            raise FormRejected(
                {BUSINESS_FIELDS.get(name, name): message for name, message in rejection.errors.items()}
            ) from None

    def _server_errors(self, errors: Locator) -> dict[str, str]:
        return form_errors(self.form) or {"": "the form was refused"}


class ActivityPage:
    """An activity's own page: its card tells type, dates, participants and subjects."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.card = page.locator("#brick-hat-activities-activity_card")

    def open(self, url: str) -> None:
        self.page.goto(url)
        expect(self.card).to_be_visible()

    def read(self) -> Activity:
        card = self.card
        # "Activity - Phone call - Outgoing": the type is the middle part.
        card_type = card.locator(".card-type").inner_text().split(" - ")
        kind = card_type[1].strip().lower() if len(card_type) > 1 else ""
        title = card.locator(".card-name").evaluate(
            "el => Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('')"
        )
        return Activity(
            title=title.strip(),
            kind=kind,
            start=self._moment(card.locator(".activity-info-start")),
            end=self._moment(card.locator(".activity-info-end")),
            all_day=card.locator(".activities-business-card-all_day-indicator").count() > 0,
            participants=tuple(
                person_named(t) for t in card.locator(".activity-info-participants a").all_inner_texts()
            ),
            subjects=tuple(t.strip() for t in card.locator(".activity-info-subjects a").all_inner_texts()),
        )

    @staticmethod
    def _moment(field: Locator) -> datetime | None:
        day = field.locator(".activities-card-date")
        if not day.count():
            return None
        # Creme's English DATE_FORMAT: "March 14, 2030"; the time only for timed activities.
        parsed = datetime.strptime(day.inner_text().strip(), "%B %d, %Y")
        at = field.locator(".activities-card-time")
        if at.count():
            hour, minute = at.inner_text().strip().split(":")
            parsed = parsed.replace(hour=int(hour), minute=int(minute))
        return parsed


class CalendarPage:
    """The user's calendar (FullCalendar), in its week view."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.view = page.locator(".fc-view-harness")

    def open_week_of(self, day: date) -> None:
        # The calendar keeps its view and date in the address' fragment, so a bookmark of that
        # week opens it. From the calendar itself, going to the bookmark only changes the
        # fragment and the calendar does not fetch that week: load the page afresh instead.
        url = f"{CALENDAR}#view=week&date={day.isoformat()}"
        already_here = urlsplit(self.page.url).path == CALENDAR
        with self.page.expect_response(lambda r: "/activities/calendar/activities" in r.url and r.ok) as answer:
            if already_here:
                self.page.goto(url)
                self.page.reload()
            else:
                self.page.goto(url)
        expect(self.page.locator(f'.fc-timegrid-col[data-date="{day.isoformat()}"]')).to_be_visible()
        # The week's activities arrive in one answer and are drawn afterwards: wait until each
        # one the CRM sent is on screen before reading the calendar.
        events: list[dict[str, Any]] = answer.value.json()
        for title in {str(event.get("title", "")) for event in events}:
            expect(self.view.locator(".fc-event-title").filter(has_text=title).first).to_be_visible()

    def entries(self, day: date) -> list[CalendarEntry]:
        stamp = day.isoformat()
        timed = self.page.locator(f'.fc-timegrid-col[data-date="{stamp}"] .fc-event-title')
        all_day = self.page.locator(f'.fc-daygrid-day[data-date="{stamp}"] .fc-event-title')
        return [CalendarEntry(title=t.strip(), day=day, all_day=False) for t in timed.all_inner_texts()] + [
            CalendarEntry(title=t.strip(), day=day, all_day=True) for t in all_day.all_inner_texts()
        ]


class CustomerActivities:
    """The "future" and "past" activity bricks of an organisation's or a contact's page."""

    BRICKS = ("#brick-regular-activities-future_activities", "#brick-regular-activities-past_activities")

    def __init__(self, page: Page) -> None:
        self.page = page

    def titles(self, url: str) -> list[str]:
        self.page.goto(url)
        titles: list[str] = []
        for brick_id in self.BRICKS:
            brick = self.page.locator(brick_id)
            expect(brick).to_be_visible()
            titles.extend(t.strip() for t in brick.locator(".activity-title a").all_inner_texts())
        return titles


class CremeActivities:
    """Activities in Creme, behind :class:`signoff.crm.activities.Activities`."""

    def __init__(self, page: Page, arrangement: Arrangement | None = None, known: KnownAddresses | None = None) -> None:
        self.page = page
        self.arrangement = arrangement or Arrangement()
        # Detail pages already saved or found, shared with the other areas: a record keeps its
        # address, and the list search is the slowest part of every step.
        self.known = known or KnownAddresses()

    def add(
        self,
        kind: ActivityKind,
        title: str,
        start: datetime | date,
        end: datetime | None = None,
        *,
        all_day: bool = False,
        organisation: str | None = None,
        contacts: Sequence[str] = (),
    ) -> None:
        organisation_url = (
            require(self._organisation_url(organisation), "organisation", organisation) if organisation else None
        )
        if self.arrangement.fast:
            path = self._add_over_http(kind, title, start, end, all_day, organisation_url, contacts)
            self.known.remember("activity", title, path)
            return
        form = ActivityForm(self.page)
        form.open_new(kind, organisation_url)
        form.fill(title=title)
        if isinstance(start, datetime):
            form.set_moment("start", start.date(), start.time())
        else:
            form.set_moment("start", start, None)
        if end is not None:
            form.set_moment("end", end.date(), end.time())
        if all_day:
            form.set_all_day()
        chooser = EntityChooser(self.page)
        for contact in contacts:
            form.add_participant(chooser, contact)
        form.save()
        self.known.remember("activity", title, self.page.url)

    def _add_over_http(
        self,
        kind: ActivityKind,
        title: str,
        start: datetime | date,
        end: datetime | None,
        all_day: bool,
        organisation_url: str | None,
        contacts: Sequence[str],
    ) -> str:
        # The same form the screens open (from the organisation when there is one), with the
        # date and "HH:MM" boxes the time picker fills, and the participants' ids as Creme's
        # entity selector posts them.
        url_name, type_uuid = TYPES[kind]
        if organisation_url:
            path = f"/activities/activity/add_related/{_id_of(organisation_url)}?activity_type={type_uuid}"
        else:
            path = f"/activities/activity/add/{url_name}"
        values: dict[str, str] = {"title": title}
        for field, moment in ((START, start), (END, end)):
            if moment is None:
                continue
            day = moment.date() if isinstance(moment, datetime) else moment
            values[f"{field}_0"] = day.isoformat()
            if isinstance(moment, datetime):
                values[f"{field}_1"] = f"{moment.hour:02d}:{moment.minute:02d}"
        if all_day:
            values["is_all_day"] = "on"
        if contacts:
            ids = [int(_id_of(require(self._contact_url(contact), "contact", contact))) for contact in contacts]
            values[PARTICIPANTS] = json.dumps(ids)
        return FormPoster(self.page, BUSINESS_FIELDS).submit(path, values)

    def activity(self, title: str) -> Activity | None:
        url = self._activity_url(title)
        if url is None:
            return None
        page = ActivityPage(self.page)
        page.open(url)
        return page.read()

    def count(self) -> int:
        listing = ListView(self.page, ACTIVITIES)
        listing.open()
        return listing.total()

    def calendar(self, day: date) -> list[CalendarEntry]:
        page = CalendarPage(self.page)
        page.open_week_of(day)
        return page.entries(day)

    def of_organisation(self, name: str) -> list[str]:
        url = require(self._organisation_url(name), "organisation", name)
        return CustomerActivities(self.page).titles(url)

    def of_contact(self, full_name: str) -> list[str]:
        url = require(self._contact_url(full_name), "contact", full_name)
        return CustomerActivities(self.page).titles(url)

    # -- helpers

    def _activity_url(self, title: str) -> str | None:
        return self.known.find("activity", title, lambda: ListView(self.page, ACTIVITIES).find(TITLE, title))

    def _organisation_url(self, name: str) -> str | None:
        return self.known.find("organisation", name, lambda: ListView(self.page, ORGANISATIONS).find(NAME, name))

    def _contact_url(self, full_name: str) -> str | None:
        return self.known.find(
            "contact", split_name(full_name), lambda: (find_contact(self.page, full_name) or {}).get("url")
        )


def _id_of(url: str) -> str:
    """The record id at the end of a Creme detail-page address."""
    return url.rstrip("/").rsplit("/", 1)[-1]
