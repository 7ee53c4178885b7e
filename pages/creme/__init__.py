"""Page objects for Creme CRM, and the adapter that implements the CRM-neutral interface with them."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.creme.adapter import CremeCRM
from signoff.crm import CRM
from signoff.targets.base import Target


def create_crm(page: Page, target: Target) -> CRM:
    # Typed as the neutral interface: mypy checks here that CremeCRM offers every area of it.
    return CremeCRM(page)


__all__ = ["CremeCRM", "create_crm"]
