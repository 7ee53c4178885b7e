"""The Creme adapter implements the CRM-neutral interface, area by area.

Two checks, because they catch different slips: mypy --strict proves that the adapter
*structurally* satisfies :class:`signoff.crm.CRM` (every area, every method signature, every
returned type), and a runtime check names each protocol member the adapter class lacks.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from pages.creme import CremeCRM
from pages.creme.activities import CremeActivities
from pages.creme.adapter import CremeCustomers, CremeSession
from pages.creme.campaigns import CremeCampaigns
from pages.creme.customers_more import CremeCustomersMore
from pages.creme.data import CremeData
from pages.creme.records import CremeRecords
from pages.creme.sales import CremeSales
from pages.creme.screens import CremeScreens
from pages.creme.security import CremeSecurity
from pages.creme.users import CremeUsers
from signoff.crm import AREAS, CRM, Customers, Session
from signoff.crm.activities import Activities
from signoff.crm.campaigns import Campaigns
from signoff.crm.customers_more import CustomersMore
from signoff.crm.data import DataExchange
from signoff.crm.records import Records
from signoff.crm.sales import Sales
from signoff.crm.screens import Screens
from signoff.crm.security import Security
from signoff.crm.users import Users

ROOT = Path(__file__).resolve().parents[2]

#: Each area of the interface and the Creme class behind it.
IMPLEMENTATIONS: dict[str, tuple[type[Any], type[Any]]] = {
    "session": (Session, CremeSession),
    "customers": (Customers, CremeCustomers),
    "customers_more": (CustomersMore, CremeCustomersMore),
    "sales": (Sales, CremeSales),
    "campaigns": (Campaigns, CremeCampaigns),
    "activities": (Activities, CremeActivities),
    "users": (Users, CremeUsers),
    "screens": (Screens, CremeScreens),
    "security": (Security, CremeSecurity),
    "records": (Records, CremeRecords),
    "data": (DataExchange, CremeData),
}


def conforms(page: Page) -> CRM:
    """Never called: mypy --strict checks that a CremeCRM may stand where a CRM is wanted."""
    crm: CRM = CremeCRM(page)
    return crm


def protocol_members(protocol: type[Any]) -> set[str]:
    """The attributes and methods a protocol asks for (its own and its bases')."""
    members: set[str] = set()
    for klass in protocol.__mro__:
        if klass in (object,) or klass.__name__ in ("Protocol", "Generic"):
            continue
        members.update(name for name in getattr(klass, "__annotations__", {}) if not name.startswith("_"))
        members.update(name for name in vars(klass) if not name.startswith("_"))
    return members


def test_every_area_of_the_interface_is_listed() -> None:
    # Besides its areas, the interface has one switch: arranging preconditions fast.
    assert protocol_members(CRM) - {"arrange"} == set(AREAS) == set(IMPLEMENTATIONS)


def test_the_creme_adapter_can_arrange_fast() -> None:
    assert callable(getattr(CremeCRM, "arrange", None))


def test_the_creme_adapter_offers_every_area() -> None:
    missing = [area for area in AREAS if not hasattr(CremeCRM, area)]
    assert not missing, f"CremeCRM lacks the areas {missing}"
    assert "__getattr__" not in vars(CremeCRM), "areas must be typed attributes, not looked up by name"


@pytest.mark.parametrize("area", AREAS)
def test_each_creme_area_has_every_member_of_its_protocol(area: str) -> None:
    protocol, implementation = IMPLEMENTATIONS[area]
    # The adapter's property for the area returns the class listed here.
    built = inspect.signature(getattr(CremeCRM, area).func).return_annotation
    assert built in (implementation.__name__, implementation), (
        f"CremeCRM.{area} builds {built}, not {implementation.__name__}"
    )
    missing = sorted(name for name in protocol_members(protocol) if not hasattr(implementation, name))
    assert not missing, f"{implementation.__name__} lacks {missing} of {protocol.__name__}"
    for name in protocol_members(protocol):
        wanted = getattr(protocol, name, None)
        if callable(wanted):
            assert callable(getattr(implementation, name)), f"{implementation.__name__}.{name} is not a method"


def test_mypy_strict_accepts_the_adapter_as_the_interface() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--follow-imports=silent", __file__],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPY_FORCE_COLOR": "0"},
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _sources(*folders: str) -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
    }


def test_the_neutral_layer_never_touches_the_browser() -> None:
    offending = [
        path
        for path, text in _sources("steps", "signoff/crm").items()
        if re.search(r"\.page\b|playwright|type: ignore|getattr\(crm", text)
    ]
    assert not offending, f"steps and signoff/crm talk to the CRM interface only: {offending}"


def test_pages_wait_on_what_the_user_sees() -> None:
    sources = _sources("pages")
    timed = [
        path for path, text in sources.items() if re.search(r"wait_for_timeout|time\.sleep|expect_navigation", text)
    ]
    assert not timed, f"fixed waits or the deprecated expect_navigation in {timed}"
    dialogs = [path for path, text in sources.items() if ".ui-dialog" in text and not path.endswith("widgets.py")]
    assert not dialogs, f"jQuery dialogs are handled by pages/creme/widgets.py's Dialog only, not in {dialogs}"
