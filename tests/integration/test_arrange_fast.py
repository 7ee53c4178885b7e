"""The fast path for Given steps on the real Creme: same records, same server-side refusals.

These tests use the kit's own fixtures (the embedded Creme of the plan, a signed-in browser
context, the ``crm`` adapter), as a scenario's steps do.
"""

from __future__ import annotations

import pytest

from signoff.crm import CRM, FormRejected

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
