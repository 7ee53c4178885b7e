"""One call to run every page audit in a safe order: :func:`audit_page`.

Order matters because audits touch the page: speed is read first (Largest Contentful Paint stops
recording at the first user input), then the read-only audits (axe, texts, primary actions), then
the small-screen audit (resizes and restores the viewport), and the keyboard audit last (it moves
focus with real Tab presses).

A part that raises (a browser error, a script error, axe applying no rule) does not end the audit:
it is recorded as an :class:`~signoff.ux.scorecard.IncompleteAudit` with its error - "could not
check" on the scorecard, which fails the verdict - and the other parts still run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from playwright.sync_api import Page

from signoff.ux.accessibility import audit_accessibility
from signoff.ux.plan import UxSection
from signoff.ux.routes import PageKindRegistry
from signoff.ux.scorecard import IncompleteAudit, PageAudit
from signoff.ux.usability import (
    check_keyboard_reach,
    check_small_screen,
    check_text_rendering,
    collect_primary_actions,
    measure_page_speed,
)


def error_text(error: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


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
    audited is skipped and ``None`` returned. Parts that fail are in :attr:`PageAudit.incomplete`.
    """
    section = section or UxSection()
    if registry is not None and not registry.claim(page.url):
        return None
    audit = PageAudit(url=page.url)

    def part(name: str, run: Callable[[], None]) -> None:
        # Exception, not only Playwright's Error: a script or programming error leaves the part
        # just as unchecked, and it must show as such rather than end the run's other audits.
        try:
            run()
        except Exception as error:
            audit.incomplete.append(IncompleteAudit(part=name, url=audit.url, error=error_text(error)))

    def run_speed() -> None:
        audit.speed = measure_page_speed(page)

    def run_accessibility() -> None:
        audit.accessibility = audit_accessibility(
            page, section.wcag_tags, screenshot=section.screenshots == "violations"
        )

    def run_text() -> None:
        audit.text = check_text_rendering(page, texts)

    def run_primary_actions() -> None:
        audit.primary_actions = collect_primary_actions(page)

    def run_small_screen() -> None:
        audit.small_screen = check_small_screen(page, section.phone_size, min_target=section.min_touch_target)

    if speed:
        part("speed", run_speed)
    part("accessibility", run_accessibility)
    if texts:
        part("text", run_text)
    part("primary-actions", run_primary_actions)
    if small_screen:
        part("small-screen", run_small_screen)
    for selector in forms:

        def run_keyboard(form: str = selector) -> None:
            audit.keyboard.append(check_keyboard_reach(page, form))

        part(f"keyboard {selector}", run_keyboard)
    return audit
