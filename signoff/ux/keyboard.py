"""Keyboard use of a form: reach every control with Tab, no trap, visible focus.

:func:`check_keyboard_reach` presses Tab from the top of the page with real key events and records
the focus order; it reports controls never reached, keyboard traps (stuck or cycling focus) and
controls whose focused look does not differ from their unfocused look.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from playwright.sync_api import Page

from signoff.ux._pagejs import js

_KB_ATTR = "data-signoff-kb"
_KB_ID_ATTR = "data-signoff-kbid"
_KB_START_ATTR = "data-signoff-kb-start"

# Style properties a focus indicator can change; the element's and its parent's (:focus-within).
_FOCUS_STYLE = r"""
const __focusStyle = (el) => {
  const pick = (e) => {
    if (!e || e.nodeType !== 1) return {};
    const s = getComputedStyle(e);
    const visibleOutline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 &&
      !/rgba\(.*,\s*0\)$/.test(s.outlineColor) && s.outlineColor !== 'transparent';
    return {
      outline: visibleOutline ? [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset].join(' ') : 'none',
      boxShadow: s.boxShadow, border: s.borderTopColor + s.borderRightColor + s.borderBottomColor + s.borderLeftColor +
        s.borderTopWidth + s.borderBottomWidth + s.borderLeftWidth + s.borderRightWidth,
      background: s.backgroundColor + s.backgroundImage, color: s.color, decoration: s.textDecorationLine,
    };
  };
  return {self: pick(el), parent: pick(el.parentElement)};
};
"""

_KB_PREPARE = js(
    r"""([formSelector, attr, idAttr, startAttr]) => {
  /*HELPERS*/
  /*FOCUS*/
  const form = document.querySelector(formSelector);
  if (!form) return null;
  // iframes are left out: Tab moves inside them while activeElement stays the iframe.
  const CONTROL = 'input:not([type=hidden]), select, textarea, button, a[href], [tabindex], summary, ' +
    '[contenteditable=""], [contenteditable="true"]';
  const controls = [];
  for (const el of form.querySelectorAll(CONTROL)) {
    // Controls a user is meant to reach: visible, enabled, not taken out of the tab order.
    if (!__visible(el) || el.disabled || el.closest('fieldset[disabled]') || el.closest('[inert]')) continue;
    const native = el.matches('input, select, textarea, button, a[href]');
    if (el.getAttribute('tabindex') !== null && el.tabIndex < 0 && !native) continue;
    // A control hidden from assistive technology *and* taken out of the tab order is a proxy
    // (select2 and similar widgets keep the real <select> that way and show a focusable stand-in,
    // which this list checks instead). A native control with tabindex=-1 alone stays: that is the
    // defect of a control a keyboard user cannot reach.
    if (el.tabIndex < 0 && el.closest('[aria-hidden="true"]')) continue;
    el.setAttribute(attr, String(controls.length));
    controls.push({index: controls.length, description: __describe(el), style: __focusStyle(el)});
  }
  const focusables = document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex], iframe, summary, [contenteditable]').length;
  // Start from the top: a focusable sentinel first in <body>; the first Tab goes to the page's first control.
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  const start = document.createElement('span');
  start.setAttribute('tabindex', '-1');
  start.setAttribute(startAttr, '');
  document.body.prepend(start);
  start.focus();
  return {controls, focusables};
}"""
).replace("/*FOCUS*/", _FOCUS_STYLE)

_KB_CURRENT = js(
    r"""([attr, idAttr, startAttr, counter]) => {
  /*HELPERS*/
  /*FOCUS*/
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement || el.hasAttribute(startAttr)) {
    return {outside: true};
  }
  // Finish focus transitions so that the computed style is the resting focused style.
  try { for (const a of el.getAnimations()) { try { a.finish(); } catch (e) {} } } catch (e) {}
  if (!el.hasAttribute(idAttr)) el.setAttribute(idAttr, String(counter));
  const index = el.getAttribute(attr);
  return {outside: false, id: el.getAttribute(idAttr), index: index === null ? null : Number(index),
          frame: el.tagName === 'IFRAME', description: __describe(el), style: __focusStyle(el)};
}"""
).replace("/*FOCUS*/", _FOCUS_STYLE)

_KB_CLEANUP = r"""([attr, idAttr, startAttr]) => {
  for (const name of [attr, idAttr]) {
    for (const el of document.querySelectorAll('[' + name + ']')) el.removeAttribute(name);
  }
  for (const el of document.querySelectorAll('[' + startAttr + ']')) el.remove();
}"""


@dataclasses.dataclass
class KeyboardResult:
    """Keyboard use of one form: what Tab reaches, traps, and visible focus."""

    url: str
    form: str
    found: bool
    #: The form's visible, enabled controls.
    controls: list[str]
    #: Descriptions of the focused elements, Tab by Tab (``<outside>`` when focus left the page).
    focus_order: list[str]
    unreached: list[str]
    trapped: bool
    #: Where focus got stuck (one element) or the elements it cycled among.
    trap: list[str]
    #: Reached controls whose focused look does not differ from their unfocused look.
    invisible_focus: list[str]
    tabs_pressed: int
    passed: bool


def focus_is_visible(unfocused: Mapping[str, Mapping[str, str]], focused: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether a control's focused style differs visibly from its unfocused style.

    Compares outline (only a visible one: style not ``none``, width > 0, colour not transparent),
    box-shadow, border, background, text colour and decoration of the element and of its parent
    (indicators drawn with ``:focus-within``). A visible outline counts even if unfocused had the
    same, which happens when the page always shows outlines.
    """
    if focused.get("self", {}).get("outline", "none") != "none":
        return True
    for part in ("self", "parent"):
        before = unfocused.get(part, {})
        after = focused.get(part, {})
        for key in ("outline", "boxShadow", "border", "background", "color", "decoration"):
            if after.get(key) != before.get(key):
                return True
    return False


def check_keyboard_reach(
    page: Page,
    form_selector: str = "form",
    *,
    max_tabs: int | None = None,
    stuck_after: int = 3,
) -> KeyboardResult:
    """Press Tab from the top of the page and check every control of the form gets focus, visibly.

    * reach: each visible, enabled control of the form must receive focus (a control both
      ``aria-hidden`` and out of the tab order is a widget's hidden proxy, e.g. the ``<select>``
      behind select2, and is left out: its focusable stand-in is checked instead);
    * trap: focus stays on one element for ``stuck_after`` Tabs, or comes back to an element already
      visited without leaving the page first (a cycle), while controls remain unreached;
    * visible focus: see :func:`focus_is_visible`.

    Stops when every control was reached, at a trap, after two passes through the whole page, or
    after ``max_tabs`` (default: twice the page's focusable elements plus ten).
    """
    attrs = [_KB_ATTR, _KB_ID_ATTR, _KB_START_ATTR]
    prepared = page.evaluate(_KB_PREPARE, [form_selector, *attrs])
    if prepared is None:
        return KeyboardResult(page.url, form_selector, False, [], [], [], False, [], [], 0, passed=False)
    controls: list[dict[str, Any]] = prepared["controls"]
    limit = max_tabs if max_tabs is not None else 2 * int(prepared["focusables"]) + 10
    reached: dict[int, dict[str, Any]] = {}
    order: list[str] = []
    trap: list[str] = []
    lap_seen: list[str] = []
    names: dict[str, str] = {}
    same = 0
    last_id: str | None = None
    outside_passes = 0
    tabs = 0
    try:
        while tabs < limit and len(reached) < len(controls):
            page.keyboard.press("Tab")
            tabs += 1
            current = page.evaluate(_KB_CURRENT, [*attrs, tabs])
            if current["outside"]:
                order.append("<outside>")
                outside_passes += 1
                lap_seen, last_id, same = [], None, 0
                if outside_passes >= 2:
                    break
                continue
            order.append(current["description"])
            names[current["id"]] = current["description"]
            if current["frame"]:
                # Focus moves through the iframe's own controls while the iframe stays active.
                last_id, same = None, 0
                continue
            if current["index"] is not None and current["index"] not in reached:
                reached[current["index"]] = current
            if current["id"] == last_id:
                same += 1
                if same >= stuck_after - 1 and len(reached) < len(controls):
                    trap = [current["description"]]
                    break
                continue
            if current["id"] in lap_seen and len(reached) < len(controls):
                # Back at an element of this lap without focus ever leaving the page: a cycle.
                trap = [names[i] for i in lap_seen[lap_seen.index(current["id"]) :]]
                break
            lap_seen.append(current["id"])
            last_id, same = current["id"], 0
    finally:
        page.evaluate(_KB_CLEANUP, attrs)
    unreached = [c["description"] for c in controls if c["index"] not in reached]
    invisible = [
        c["description"]
        for c in controls
        if c["index"] in reached and not focus_is_visible(c["style"], reached[c["index"]]["style"])
    ]
    trapped = bool(trap)
    return KeyboardResult(
        url=page.url,
        form=form_selector,
        found=True,
        controls=[c["description"] for c in controls],
        focus_order=order,
        unreached=unreached,
        trapped=trapped,
        trap=trap,
        invisible_focus=invisible,
        tabs_pressed=tabs,
        passed=not unreached and not trapped and not invisible,
    )
