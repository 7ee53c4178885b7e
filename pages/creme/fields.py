"""Creme's own fields for the kit's canonical field keys (:mod:`signoff.crm.fields`), per record type.

The one map from a business field ("phone", "postcode", "job title") to where Creme keeps it: the
name of its form field (``#id_<name>``, also the key a posted form uses), the column of its list
views (``td[name=...]``, ``#id_search-...``) where the default list shows one, and how the value is
entered (typed text, a choice of a ``<select>`` by its label). A canonical key that is not in the
map of a record type is a field this adapter does not support for that record type: the
:func:`supported` keys are what it says it supports. Data import may reuse the same map.

Creme facts behind the choices (2.8): a contact's "Position" is a choice from a configurable list,
its free-text job title is "Detailed position" (``full_position``); an address is the billing
address (``billing_address-*`` in the forms); a person's employer is a relation, not a form field,
and is handled by the customers adapter; an opportunity's target and an activity's participants are
entity pickers, handled by the sales and activities adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from signoff.crm.fields import RECORD_FIELDS, RecordType

Entry = Literal["text", "select", "date", "record", "moment", "kind"]


@dataclass(frozen=True)
class CremeField:
    """Where Creme keeps one business field of one record type."""

    #: The form field's name (``#id_<form>`` on the page, the key of a posted form).
    form: str
    #: How a value is entered: typed, chosen from a ``<select>`` by its label, or a link to another
    #: record (an employer, a target) that the customers and sales adapters set when they create it.
    entry: Entry = "text"
    #: The list view column that shows it by default (``regular_field-...``), if any.
    column: str | None = None
    #: The list view column a view of the user's own can show (Creme's "Create a custom view"),
    #: when the default list does not show it.
    cell: str | None = None


#: The activity form's own widgets: start and end (date and time boxes), the other participants.
START = "cform_extra-activities_start"
END = "cform_extra-activities_end"
PARTICIPANTS = "cform_extra-activities_others_participants"

#: The relations Creme lists as columns: a contact's employer, an opportunity's target.
EMPLOYER = "relation-persons-subject_employed_by"
TARGET = "relation-opportunities-subject_targets_orga"

_ADDRESS: Final[dict[str, CremeField]] = {
    "address": CremeField("billing_address-address", cell="regular_field-billing_address__address"),
    "city": CremeField("billing_address-city", cell="regular_field-billing_address__city"),
    "postcode": CremeField("billing_address-zipcode", cell="regular_field-billing_address__zipcode"),
    "country": CremeField("billing_address-country", cell="regular_field-billing_address__country"),
}

FIELDS: Final[dict[RecordType, dict[str, CremeField]]] = {
    "organisation": {
        "name": CremeField("name", column="regular_field-name"),
        "phone": CremeField("phone", column="regular_field-phone"),
        "fax": CremeField("fax", cell="regular_field-fax"),
        "email": CremeField("email", cell="regular_field-email"),
        "website": CremeField("url_site", cell="regular_field-url_site"),
        **_ADDRESS,
        "description": CremeField("description"),
        "owner": CremeField("user", "select", column="regular_field-user"),
    },
    "contact": {
        "first_name": CremeField("first_name", column="regular_field-first_name"),
        "last_name": CremeField("last_name", column="regular_field-last_name"),
        "job_title": CremeField("full_position", cell="regular_field-full_position"),
        "organisation": CremeField(EMPLOYER, "record", column=EMPLOYER),
        "phone": CremeField("phone", column="regular_field-phone"),
        "mobile": CremeField("mobile", cell="regular_field-mobile"),
        "fax": CremeField("fax", cell="regular_field-fax"),
        "email": CremeField("email", column="regular_field-email"),
        "website": CremeField("url_site", cell="regular_field-url_site"),
        **_ADDRESS,
        "description": CremeField("description"),
        "birthday": CremeField("birthday", "date"),
        "owner": CremeField("user", "select", column="regular_field-user"),
    },
    "opportunity": {
        "name": CremeField("name", column="regular_field-name"),
        "target": CremeField("cform_extra-opportunities_target", "record", column=TARGET),
        "sales_phase": CremeField("sales_phase", "select", column="regular_field-sales_phase"),
        "estimated_sales": CremeField("estimated_sales"),
        "made_sales": CremeField("made_sales"),
        "probability": CremeField("chance_to_win"),
        "closing_date": CremeField("expected_closing_date", "date"),
        "description": CremeField("description"),
        "owner": CremeField("user", "select", column="regular_field-user"),
    },
    "activity": {
        "title": CremeField("title", column="regular_field-title"),
        # The kind is the form Creme opens (a task's, a meeting's); start, end and participants
        # are the activity form's own widgets, handled with the activities adapter.
        "activity_type": CremeField("type", "kind", column="regular_field-type"),
        "start": CremeField(START, "moment", column="regular_field-start"),
        "end": CremeField(END, "moment", column="regular_field-end"),
        "place": CremeField("place", cell="regular_field-place"),
        "participants": CremeField(PARTICIPANTS, "record"),
        "description": CremeField("description"),
    },
}

#: The list column of a record's name, by record type (contacts: first and last name).
NAME_COLUMNS: Final[dict[RecordType, tuple[str, ...]]] = {
    "organisation": ("regular_field-name",),
    "contact": ("regular_field-first_name", "regular_field-last_name"),
    "opportunity": ("regular_field-name",),
    "activity": ("regular_field-title",),
}

#: The list page of each record type.
LIST_PATHS: Final[dict[RecordType, str]] = {
    "organisation": "/persons/organisations",
    "contact": "/persons/contacts",
    "opportunity": "/opportunities/opportunities",
    "activity": "/activities/activities",
}


def supported(record_type: RecordType) -> tuple[str, ...]:
    """The canonical keys this adapter can enter and read for ``record_type``, in the vocabulary's order."""
    mapped = FIELDS[record_type]
    return tuple(key for key in RECORD_FIELDS[record_type] if key in mapped)


def creme_field(record_type: RecordType, key: str) -> CremeField:
    """Where Creme keeps ``key`` of ``record_type``; ``LookupError`` naming what is supported."""
    try:
        return FIELDS[record_type][key]
    except KeyError:
        raise LookupError(
            f"the Creme adapter does not support the {key.replace('_', ' ')} of "
            f"{'an' if record_type[0] in 'aeiou' else 'a'} {record_type}; "
            f"it supports: {', '.join(k.replace('_', ' ') for k in supported(record_type))}"
        ) from None


def business_key(record_type: RecordType, form_name: str) -> str:
    """The canonical key of a Creme form field name (a refusal names the form field); itself when unmapped."""
    for key, field in FIELDS[record_type].items():
        if field.form == form_name:
            return key
    return form_name
