"""Page objects for Creme CRM, and the adapter that implements the CRM-neutral interface with them."""

from __future__ import annotations

from playwright.sync_api import Page

from pages.creme.adapter import CremeCRM
from signoff.crm import CRM
from signoff.targets.base import Target
from signoff.targets.creme import EmbeddedCreme


def create_crm(page: Page, target: Target) -> CRM:
    # Typed as the neutral interface: mypy checks here that CremeCRM offers every area of it.
    # The kit owns an embedded Creme: it may wake the job manager instead of waiting for it.
    nudge = target.nudge_job_manager if isinstance(target, EmbeddedCreme) else None
    return CremeCRM(page, nudge_job_manager=nudge, base_url=target.base_url, admin=target.admin)


__all__ = ["CremeCRM", "create_crm"]
