"""Page-side JavaScript shared by the UX audits, and a navigation-tolerant ``evaluate``.

Audit scripts embed :data:`JS_HELPERS` where they say ``/*HELPERS*/`` (via :func:`js`), so each
``page.evaluate`` call is self-contained: nothing is left installed in the page between audits.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

# ---------------------------------------------------------------------------------------------

#: Visibility, text, a unique CSS path and a short description of an element.
JS_HELPERS = r"""
const __visible = (el) => {
  if (!el || el.nodeType !== 1 || !el.isConnected) return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 0 || r.height <= 0) return false;
  if (el.checkVisibility) {
    return el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  }
  const s = getComputedStyle(el);
  return s.visibility !== 'hidden' && s.display !== 'none' && parseFloat(s.opacity || '1') > 0;
};
const __text = (el) => ((el && (el.innerText || el.textContent)) || '').replace(/\s+/g, ' ').trim();
const __path = (el) => {
  if (!el || el.nodeType !== 1) return '';
  const parts = [];
  while (el && el.nodeType === 1 && el !== document.documentElement) {
    let part = el.tagName.toLowerCase();
    if (el.id && document.querySelectorAll('#' + CSS.escape(el.id)).length === 1) {
      parts.unshift('#' + CSS.escape(el.id));
      break;
    }
    const parent = el.parentElement;
    if (parent) {
      const same = Array.from(parent.children).filter((c) => c.tagName === el.tagName);
      if (same.length > 1) part += ':nth-of-type(' + (same.indexOf(el) + 1) + ')';
    }
    parts.unshift(part);
    el = parent;
  }
  return parts.join(' > ');
};
const __describe = (el) => {
  if (!el || el.nodeType !== 1) return String(el);
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  const name = el.getAttribute('name');
  if (name) d += '[name=' + name + ']';
  const type = el.getAttribute('type');
  if (type && el.tagName === 'INPUT') d += '[type=' + type + ']';
  // Field values are what the user typed: left out (noise, and possibly personal data).
  const buttonValue = el.tagName === 'INPUT' && /^(submit|button|reset|image)$/i.test(el.type || '') ? el.value : '';
  const label = (el.getAttribute('aria-label') || (el.tagName === 'INPUT' ? '' : __text(el)) || buttonValue || '')
    .toString().slice(0, 40);
  if (label && el.tagName !== 'SELECT' && el.tagName !== 'TEXTAREA' && el.tagName !== 'FORM') d += ' "' + label + '"';
  return d;
};
"""


def js(source: str) -> str:
    """``source`` with the helpers pasted where it says ``/*HELPERS*/``."""
    return source.replace("/*HELPERS*/", JS_HELPERS)


def evaluate_settled(page: Page, script: str, arg: Any = None, *, attempts: int = 20) -> Any:
    """``page.evaluate`` that retries while a navigation replaces the document under it."""
    for attempt in range(attempts):
        try:
            return page.evaluate(script, arg)
        except PlaywrightError as error:
            # Only "the page is navigating" errors are worth a retry; anything else is a bug.
            if "Execution context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            if attempt == attempts - 1:
                raise
            try:
                page.wait_for_load_state("domcontentloaded", timeout=2000)
            except PlaywrightError:
                pass
    return None
