"""One call to run every page audit in a safe order: :func:`audit_page`.

Order matters because audits touch the page: speed is read first (Largest Contentful Paint stops
recording at the first user input), then the read-only audits (axe, texts, primary actions), then
the small-screen audit (resizes and restores the viewport), and the keyboard audit last (it moves
focus with real Tab presses).
"""

from __future__ import annotations

from collections.abc import Sequence

from playwright.sync_api import Page

from signoff.ux.accessibility import audit_accessibility
from signoff.ux.plan import UxSection
from signoff.ux.routes import PageKindRegistry
from signoff.ux.scorecard import PageAudit
from signoff.ux.usability import (
    check_keyboard_reach,
    check_small_screen,
    check_text_rendering,
    collect_primary_actions,
    measure_page_speed,
)


def audit_page(
    page: Page,
    section: UxSection | None = None,
    *,
    forms: Sequence[str] = (),
    texts: Sequence[str] = (),
    speed: bool = True,
    small_screen: bool = True,
    registry: PageKindRegistry | None = None,
) -> PageAudit | None:
    """Audit the page as it is now with the thresholds of ``section``.

    ``forms`` are selectors of forms to check with the keyboard; ``texts`` the texts that must render
    (e.g. the Chinese names the scenario created). With a ``registry``, a page whose kind was already
    audited is skipped and ``None`` returned.
    """
    section = section or UxSection()
    if registry is not None and not registry.claim(page.url):
        return None
    audit = PageAudit(url=page.url)
    if speed:
        audit.speed = measure_page_speed(page)
    audit.accessibility = audit_accessibility(page, section.wcag_tags, screenshot=section.screenshots == "violations")
    if texts:
        audit.text = check_text_rendering(page, texts)
    audit.primary_actions = collect_primary_actions(page)
    if small_screen:
        audit.small_screen = check_small_screen(page, section.phone_size, min_target=section.min_touch_target)
    audit.keyboard = [check_keyboard_reach(page, selector) for selector in forms]
    return audit
