"""The ``ux`` fixture's object: user-experience measurements a step asks for, on the scenario's page.

Steps never touch Playwright: they ask ``ux`` to measure the screen the scenario shows (which
``crm.screens`` opened) and assert on the result. Every measurement is also kept as evidence - an
Allure attachment on the step, and a page audit that joins the run's scorecard - so that what a step
judged and what the scorecard says never disagree.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator

import allure
from playwright.sync_api import Page

from signoff.ux.accessibility import AccessibilityResult, audit_accessibility
from signoff.ux.effort import EffortResult
from signoff.ux.feedback import ErrorFeedbackResult, SaveFeedbackResult
from signoff.ux.keyboard import KeyboardResult, check_keyboard_reach
from signoff.ux.language import TextRenderResult, check_text_rendering, texts_in_script
from signoff.ux.plan import UxSection
from signoff.ux.recorder import ScenarioRecorder
from signoff.ux.records import to_data
from signoff.ux.scorecard import PageAudit
from signoff.ux.small_screen import SmallScreenResult, check_small_screen


class UxProbe:
    """Measurements of the scenario's current screen, and the effort and feedback of its tasks."""

    def __init__(self, page: Page, recorder: ScenarioRecorder, section: UxSection) -> None:
        self._page = page
        self.recorder = recorder
        self.section = section

    # -- the screen shown now ---------------------------------------------------------------------

    def accessibility(self) -> AccessibilityResult:
        """Axe with the plan's WCAG tags (2.1 A and AA by default) on the screen as it is now."""
        result = audit_accessibility(
            self._page, self.section.wcag_tags, screenshot=self.section.screenshots == "violations"
        )
        self._keep(PageAudit(url=self._page.url, accessibility=result))
        lines = [f"{v.impact} {v.rule_id}: {v.help} ({len(v.nodes)} elements)" for v in result.violations]
        _attach_text("accessibility (axe)", f"score {result.score:g}\n" + "\n".join(lines))
        if result.screenshot_png:
            _attach_png("accessibility: annotated screenshot", result.screenshot_bytes())
        return result

    def keyboard(self, form: str) -> KeyboardResult:
        """Tab from the top of the screen through the form (handle from ``crm.screens.form``)."""
        result = check_keyboard_reach(self._page, form)
        self._keep(PageAudit(url=self._page.url, keyboard=[result]))
        _attach_json("keyboard", to_data(result))
        return result

    def small_screen(self) -> SmallScreenResult:
        """The screen reloaded at the plan's phone size: sideways scrolling and touch targets."""
        result = check_small_screen(
            self._page, self.section.phone_size, min_target=self.section.min_touch_target, reload=True
        )
        self._keep(PageAudit(url=self._page.url, small_screen=result))
        _attach_json("phone screen", to_data(result))
        return result

    def chinese_texts(self) -> list[str]:
        """The visible texts of the screen that contain Chinese characters."""
        return texts_in_script(self._page)

    def text_rendering(self, texts: Iterable[str]) -> list[TextRenderResult]:
        """Whether each text shows in full and with real glyphs."""
        results = check_text_rendering(self._page, list(texts))
        self._keep(PageAudit(url=self._page.url, text=results))
        _attach_json("text rendering", [to_data(r) for r in results])
        return results

    # -- tasks ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def task(self, name: str, *aliases: str) -> Iterator[None]:
        """Count what happens inside as the named task ``name`` (also found by its ``aliases``)."""
        with self.recorder.task(name, *aliases):
            yield

    def effort(self, task: str | None = None) -> EffortResult:
        """Effort of a named task done in this scenario, or of the scenario's ``When`` steps so far."""
        result = self.recorder.effort(task)
        _attach_text(
            f"effort: {result.task}",
            f"{result.actions} actions, {result.pages_visited} pages, {result.seconds:.1f} s\n"
            + "\n".join(f"{s.kind}: {s.target}" for s in result.steps),
        )
        return result

    def save_feedback(self) -> list[SaveFeedbackResult]:
        """What the user was shown after each save of this scenario so far."""
        return self.recorder.save_feedback()

    def error_feedback(self) -> list[ErrorFeedbackResult]:
        """What the user was told at each refused field of this scenario so far."""
        return self.recorder.error_feedback()

    def _keep(self, audit: PageAudit) -> None:
        self.recorder.step_audits.append(audit)


def _attach_text(name: str, text: str) -> None:
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def _attach_json(name: str, data: object) -> None:
    allure.attach(
        json.dumps(data, ensure_ascii=False, indent=2), name=name, attachment_type=allure.attachment_type.JSON
    )


def _attach_png(name: str, png: bytes) -> None:
    allure.attach(png, name=name, attachment_type=allure.attachment_type.PNG)
