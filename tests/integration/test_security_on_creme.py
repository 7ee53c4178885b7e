"""The role matrix's delete and export on the real Creme, both ways, and a planted role caught.

Uses the kit's own fixtures (the embedded Creme of the plan, a signed-in browser context, the
``crm`` adapter). The clean run: a representative who may delete their own records and a manager
who may export, as the plan says; Creme must honour both ways and the adapter must be able to try
every action (no could-not-check). The planted run: the same plan, but the roles are made in Creme
with every permission and export rights - what the matrix refuses is now done, and must be found.
What the clean run finds on Creme beyond that is printed (``-s``): it is the security area's
finding, not a failure of this test.
"""

from __future__ import annotations

import dataclasses

import pytest

from pages.creme.security import CremeSecurity
from signoff.crm import CRM
from signoff.crm.users import ACTIONS, Role
from signoff.security.checks import CheckContext, run_check
from signoff.security.checks.access import check_role_matrix
from signoff.security.plan import SecuritySection

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]

MATRIX = SecuritySection(
    roles={
        "rep": {"scope": "own", "may": ("view", "change", "delete"), "configuration": False},
        "manager": {"scope": "all", "may": ("view", "change", "export"), "configuration": False},
    }
)
#: The same roles, refused delete and export by the plan.
STRICT = SecuritySection(
    roles={
        "rep": {"scope": "own", "may": ("view", "change"), "configuration": False},
        "manager": {"scope": "all", "may": ("view", "change"), "configuration": False},
    }
)


class EveryPermission(CremeSecurity):
    """Makes each role with every record permission and export rights, whatever the plan says."""

    def add_role(self, role: Role, *, export: bool = False) -> None:
        super().add_role(dataclasses.replace(role, actions=ACTIONS), export=True)


def _security(crm: CRM) -> CremeSecurity:
    security = crm.security
    assert isinstance(security, CremeSecurity)
    return security


def test_delete_and_export_are_tried_both_ways_on_creme(crm: CRM) -> None:
    result = run_check("roles", check_role_matrix, CheckContext(_security(crm), MATRIX))
    for item in result.findings:
        print(f"\nCreme role matrix: {item.status} {item.key}: {item.actual}")
    assert not [f for f in result.findings if f.status == "could-not-check"], result.findings
    # Creme honours delete and export as its roles say: nothing about them is found.
    about = [f.key for f in result.findings if any(word in f.key for word in ("delete", "export"))]
    assert about == [], about


def test_a_role_made_with_rights_the_plan_refuses_is_found_on_creme(crm: CRM) -> None:
    base = _security(crm)
    planted = EveryPermission(base.page, base.base_url, base.admin)
    result = run_check("roles", check_role_matrix, CheckContext(planted, STRICT))
    keys = {f.key for f in result.findings if f.status == "failed"}
    assert {
        "unauthorised-delete:rep:own",
        "unauthorised-export:rep",
        "unauthorised-delete:manager",
        "unauthorised-export:manager",
    } <= keys, result.findings
