"""Usability audits, one import: effort, feedback, keyboard, small screens, consistency, speed, language.

Each audit looks at a Playwright page (sync API) as it is and returns a dataclass; none asserts.
The audits live one per module; this module gathers their public names:

* **Effort** (:mod:`signoff.ux.effort`) - :class:`ActionCounter` counts user actions (all keystrokes
  and changes in one field in a row are one action; a click that submits is not counted again),
  pages visited (main-frame navigations) and time on task (monotonic clock).
* **Feedback** (:mod:`signoff.ux.feedback`) - :func:`check_save_feedback`: after saving, a new
  message, words saying it was saved, or the resulting page naming the saved record (a redirect
  alone is not feedback); :func:`check_error_feedback`: a message at a bad field that says what is
  wrong.
* **Keyboard** (:mod:`signoff.ux.keyboard`) - :func:`check_keyboard_reach`: Tab from the top reaches
  every control of a form, without a trap, with visible focus.
* **Small screens** (:mod:`signoff.ux.small_screen`) - :func:`check_small_screen`: no sideways
  scrolling on a phone viewport, touch targets of at least the minimum (axe ``target-size``).
* **Consistency** (:mod:`signoff.ux.consistency`) - :func:`collect_primary_actions` and
  :func:`consistency_report`: one label and one placement for the primary action, one name per thing.
* **Speed as felt** (:mod:`signoff.ux.speed`) - :func:`install_speed_observers` and
  :func:`measure_page_speed`: TTFB, DOMContentLoaded, load, LCP and CLS.
* **Language** (:mod:`signoff.ux.language`) - :func:`check_text_rendering`: expected texts present,
  not clipped, drawn with real glyphs.
"""

from __future__ import annotations

from signoff.ux.consistency import (
    ConsistencyIssue,
    ConsistencyReport,
    PrimaryAction,
    collect_primary_actions,
    consistency_report,
    normalise_label,
)
from signoff.ux.effort import ActionCounter, EffortResult, UserAction, group_actions
from signoff.ux.feedback import (
    ErrorFeedbackResult,
    SaveFeedbackResult,
    check_error_feedback,
    check_save_feedback,
    is_detail_route,
    message_texts,
    names_problem,
)
from signoff.ux.keyboard import KeyboardResult, check_keyboard_reach, focus_is_visible
from signoff.ux.language import TextRenderResult, check_text_rendering
from signoff.ux.small_screen import OverflowElement, SmallScreenResult, TouchTarget, check_small_screen
from signoff.ux.speed import PageSpeed, cumulative_layout_shift, install_speed_observers, measure_page_speed

__all__ = [
    "ActionCounter",
    "ConsistencyIssue",
    "ConsistencyReport",
    "EffortResult",
    "ErrorFeedbackResult",
    "KeyboardResult",
    "OverflowElement",
    "PageSpeed",
    "PrimaryAction",
    "SaveFeedbackResult",
    "SmallScreenResult",
    "TextRenderResult",
    "TouchTarget",
    "UserAction",
    "check_error_feedback",
    "check_keyboard_reach",
    "check_save_feedback",
    "check_small_screen",
    "check_text_rendering",
    "collect_primary_actions",
    "consistency_report",
    "cumulative_layout_shift",
    "focus_is_visible",
    "group_actions",
    "install_speed_observers",
    "is_detail_route",
    "measure_page_speed",
    "message_texts",
    "names_problem",
    "normalise_label",
]
