"""The fast paths for Given steps on the real Creme: the same records, the same refusals as the screens.

These tests use the kit's own fixtures (the embedded Creme of the plan, a signed-in browser
context, the ``crm`` adapter), as a scenario's steps do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from signoff.crm import CRM, ActionRefused, FormRejected
from signoff.crm.sales import Opportunity
from signoff.crm.users import Role, Team, User

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]


def test_records_made_over_http_are_the_ones_the_screens_show(crm: CRM) -> None:
    crm.arrange(True)
    crm.customers.add_organisation("Fastpath Holdings 快速")
    crm.customers.add_contact("Ada", "Fastpath", organisation="Fastpath Holdings 快速")
    crm.arrange(False)

    found = crm.customers.organisation("Fastpath Holdings 快速")
    assert found is not None and found.name == "Fastpath Holdings 快速"
    contact = crm.customers.contact("Ada Fastpath")
    assert contact is not None
    assert contact.organisation == "Fastpath Holdings 快速"


def test_a_form_creme_refuses_is_refused_over_http_too(crm: CRM) -> None:
    crm.arrange(True)
    too_long = "x" * (crm.customers.organisation_name_limit + 1)
    with pytest.raises(FormRejected) as refused:
        crm.customers.add_organisation(too_long)
    assert "name" in refused.value.errors, refused.value.errors
    assert "200" in refused.value.errors["name"], refused.value.errors
    crm.arrange(False)
    assert crm.customers.organisation(too_long) is None


def test_preconditions_made_over_http_are_the_ones_the_screens_show(crm: CRM) -> None:
    # Every fast path of a Given at once: statuses, opportunities, activities, roles, users,
    # teams and owned records, then read back through the screens as a Then step reads them.
    crm.arrange(True)
    crm.customers.add_organisation("Fast Prospect 潜在")
    crm.sales.mark_as("Fast Prospect 潜在", "prospect")
    crm.sales.add_opportunity(
        "Fast deal", "Fast Prospect 潜在", phase="Under negotiation", estimated_sales=Decimal(5000)
    )
    crm.customers.add_contact("Pat", "Fastcall")
    start = datetime(2030, 3, 20, 15, 0)
    crm.activities.add("phone call", "Fast call", start, start + timedelta(minutes=10), contacts=["Pat Fastcall"])
    crm.users.add_role(Role("Fast role", scope="own", actions=("view", "change")))
    crm.users.add_user(User("fastrep", "Fast", "Rep", "fastrep@example.com", "Blue-Harbour-42!", ("Fast role",)))
    crm.users.add_team(Team("fastteam", ("fastrep",)))
    crm.users.add_record("organisation", "Fast Owned", "fastteam")
    crm.arrange(False)

    assert crm.sales.statuses("Fast Prospect 潜在") == ["prospect"]
    assert crm.sales.opportunity("Fast deal") == Opportunity(
        name="Fast deal",
        target="Fast Prospect 潜在",
        phase="Under negotiation",
        owner="Fulbert C.",
        estimated_sales=Decimal(5000),
    )
    call = crm.activities.activity("Fast call")
    assert call is not None
    assert (call.kind, call.start, call.end) == ("phone call", start, start + timedelta(minutes=10))
    assert "Pat Fastcall" in call.participants
    assert crm.users.role("Fast role") == Role(
        "Fast role", scope="own", actions=("view", "change"), modules=("contacts", "organisations")
    )
    account = crm.users.user("fastrep")
    assert account is not None and account.roles == ("Fast role",) and account.active
    assert crm.users.team("fastteam") == Team("fastteam", ("fastrep",))
    # Creme shows a team owner as "<name> (team)".
    assert crm.users.owner("organisation", "Fast Owned") == "fastteam (team)"


def test_what_the_screens_refuse_is_refused_over_http_too(crm: CRM) -> None:
    crm.arrange(True)
    crm.customers.add_organisation("Fast Twice")
    crm.sales.mark_as("Fast Twice", "customer")
    # Creme offers no "Transform into a customer" button to a customer: refused, as on screen.
    with pytest.raises(ActionRefused):
        crm.sales.mark_as("Fast Twice", "customer")
    with pytest.raises(FormRejected) as too_large:
        crm.sales.add_opportunity("Fast too large", "Fast Twice", estimated_sales=Decimal(crm.sales.amount_limit) + 1)
    assert "estimated_sales" in too_large.value.errors, too_large.value.errors
    with pytest.raises(LookupError, match="not offered"):
        crm.users.add_record("organisation", "Fast Nobody's", "no-such-user")
    crm.arrange(False)
    assert crm.sales.statuses("Fast Twice") == ["customer"]
    assert crm.sales.opportunity("Fast too large") is None
