"""Page objects for Creme CRM, and the adapter that implements the CRM-neutral interface with them."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.creme.adapter import CremeCRM
from signoff.targets.base import Target


def create_crm(page: Page, target: Target) -> CremeCRM:
    return CremeCRM(page)


__all__ = ["CremeCRM", "create_crm"]
