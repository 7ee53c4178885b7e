"""Feedback: does the user learn that a save worked, and what is wrong with bad input?

:func:`check_save_feedback` waits for a visible confirmation (ARIA alert/status/live region or a
message element) or a new state (a detail page, the new item shown). :func:`check_error_feedback`
looks for a message tied to a bad field (aria-errormessage / aria-describedby, the same form row, or
within N px) and whether it says what is wrong.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Sequence
from typing import Any

from playwright.sync_api import Locator, Page

from signoff.ux._pagejs import evaluate_settled, js
from signoff.ux.routes import ID_PLACEHOLDER, route_of

#: Messages this generic do not say what is wrong (compared case-insensitively, punctuation dropped).
GENERIC_ERROR_WORDS: frozenset[str] = frozenset(
    {"error", "errors", "invalid", "wrong", "erreur", "fehler", "错误", "無效", "无效", "error occurred"}
)

#: Message elements: the ARIA ways first (they are announced by screen readers), then class names
# CRMs and UI kits use for flash messages.
MESSAGE_SELECTOR = (
    "[role=alert], [role=status], [role=alertdialog], [aria-live]:not([aria-live=off]), output, "
    ".alert, .message, .messages, .messagelist, .notification, .notice, .toast, .flash, .success, "
    ".snackbar, .callout, [class*=flash], [class*=toast], [class*=notif], [class*=alert-]"
)

_SAVE_FEEDBACK_SCRIPT = js(r"""([selector, baseline, expected]) => {
  /*HELPERS*/
  const messages = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!__visible(el)) continue;
    const text = __text(el);
    // Two letters at least: a lone icon or counter badge is not a confirmation.
    if (!/\p{L}.*\p{L}|\p{Script=Han}/u.test(text) || baseline.includes(text)) continue;
    // Nested matches (a .messages list with role=status items) would repeat one message.
    if (messages.some((m) => m.el.contains(el) || el.contains(m.el))) continue;
    const how = el.getAttribute('role') || (el.hasAttribute('aria-live') ? 'aria-live' : 'class');
    messages.push({el, text: text.slice(0, 300), how, selector: __path(el)});
  }
  let itemVisible = false;
  if (expected) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.data.includes(expected) && __visible(node.parentElement)) { itemVisible = true; break; }
    }
  }
  return {messages: messages.map(({el, ...rest}) => rest), itemVisible};
}""")

_MESSAGE_TEXTS_SCRIPT = js(r"""(selector) => {
  /*HELPERS*/
  return Array.from(document.querySelectorAll(selector)).filter(__visible).map(__text).filter(Boolean);
}""")

#: Last path segments that mean "still a form", not a detail page.
_FORM_WORDS = frozenset({"edit", "new", "add", "create", "update", "delete", "clone", "duplicate"})


@dataclasses.dataclass
class SaveFeedbackResult:
    """What the user is shown after saving."""

    url_before: str
    url_after: str
    #: Found signals: ``message`` (alert/status/live region/message element), ``detail-page`` (moved
    #: to a page of one record), ``item-visible`` (the saved item's text is on screen).
    signals: list[str]
    messages: list[str]
    #: Milliseconds from the call until the first signal (or the whole wait when none).
    waited_ms: float
    passed: bool


def message_texts(page: Page) -> list[str]:
    """Texts of the visible message elements now: the ``baseline`` for :func:`check_save_feedback`."""
    texts: list[str] = evaluate_settled(page, _MESSAGE_TEXTS_SCRIPT, MESSAGE_SELECTOR) or []
    return texts


def is_detail_route(route: str) -> bool:
    """A route of one record: has an ``{id}`` segment and does not end in an edit-like word."""
    segments = [s for s in route.split("/") if s]
    return ID_PLACEHOLDER in segments and segments[-1].lower() not in _FORM_WORDS


def check_save_feedback(
    page: Page,
    before_url: str,
    *,
    expected_text: str | None = None,
    baseline: Sequence[str] = (),
    timeout_ms: float = 3000,
) -> SaveFeedbackResult:
    """After a save was triggered: did the user get a confirmation or see a new state?

    Polls for up to ``timeout_ms`` (saves may be asynchronous) for: a visible message element whose
    text is not in ``baseline`` (the :func:`message_texts` from before the save, so a message already
    on screen does not count); a URL that changed to a detail route (``/contacts/{id}``); or
    ``expected_text`` (e.g. the new item's name) visible on the page outside form fields.
    """
    start = time.monotonic()
    deadline = start + timeout_ms / 1000
    base = list(baseline)
    while True:
        found = evaluate_settled(page, _SAVE_FEEDBACK_SCRIPT, [MESSAGE_SELECTOR, base, expected_text or ""])
        url = page.url
        signals: list[str] = []
        messages = [m["text"] for m in (found or {}).get("messages", [])]
        if messages:
            signals.append("message")
        if url.split("#", 1)[0] != before_url.split("#", 1)[0] and is_detail_route(route_of(url)):
            signals.append("detail-page")
        if expected_text and (found or {}).get("itemVisible"):
            signals.append("item-visible")
        now = time.monotonic()
        if signals or now >= deadline:
            return SaveFeedbackResult(
                url_before=before_url,
                url_after=url,
                signals=signals,
                messages=messages,
                waited_ms=round((now - start) * 1000, 1),
                passed=bool(signals),
            )
        page.wait_for_timeout(100)


_ERROR_FEEDBACK_SCRIPT = js(r"""(field, maxDistance) => {
  /*HELPERS*/
  const ERRORISH = /err|invalid|danger|warn|feedback|fehler|erreur/i;
  const ROW = '.form-row, .form-group, .form-field, .field, .control-group, .fieldWrapper, tr, li, fieldset, p, dd';
  const FIELDS = 'input:not([type=hidden]), select, textarea';
  const rect = field.getBoundingClientRect();
  const gap = (el) => {
    const r = el.getBoundingClientRect();
    const dx = Math.max(0, r.left - rect.right, rect.left - r.right);
    const dy = Math.max(0, r.top - rect.bottom, rect.top - r.bottom);
    return Math.round(Math.hypot(dx, dy));
  };
  const reddish = (el) => {
    const m = getComputedStyle(el).color.match(/\d+(\.\d+)?/g);
    if (!m) return false;
    const [r, g, b] = m.map(Number);
    return r >= 150 && g <= 90 && b <= 90;
  };
  const labels = new Set(Array.from(field.labels || []));
  const errorLike = (el) => {
    if (el === field || el.contains(field) || labels.has(el)) return false;
    const role = el.getAttribute('role');
    if (role === 'alert' || role === 'status' || el.hasAttribute('aria-live')) return true;
    const cls = (el.getAttribute('class') || '') + ' ' + (el.id || '');
    if (ERRORISH.test(cls)) return true;
    // Red text with no class is still how many forms say "wrong" - but only leaf-ish text.
    return el.children.length === 0 && reddish(el);
  };
  const found = [];
  const add = (el, how) => {
    if (!el || !__visible(el)) return;
    const text = __text(el);
    if (!text) return;
    if (found.some((f) => f.el === el)) { found.find((f) => f.el === el).how.add(how); return; }
    found.push({el, how: new Set([how]), text: text.slice(0, 300), distance: gap(el)});
  };
  for (const attr of ['aria-errormessage', 'aria-describedby']) {
    for (const id of (field.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) {
      add(document.getElementById(id), attr);
    }
  }
  const row = field.closest(ROW) ||
              (field.parentElement && field.parentElement.parentElement) || field.parentElement;
  if (row) for (const el of row.querySelectorAll('*')) if (errorLike(el)) add(el, 'same-row');
  // A message in another field's row, or described-by another field, belongs to that field.
  const othersMessage = (el) => {
    const other = el.closest(ROW);
    const fieldsThere = other ? Array.from(other.querySelectorAll(FIELDS)) : [];
    if (other && !other.contains(field) && fieldsThere.some((f) => f !== field)) return true;
    const refs = (f) => [f.getAttribute('aria-describedby'), f.getAttribute('aria-errormessage')]
      .join(' ').split(/\s+/);
    const fields = Array.from(document.querySelectorAll(FIELDS));
    return !!(el.id && fields.some((f) => f !== field && refs(f).includes(el.id)));
  };
  for (const el of document.querySelectorAll('body *')) {
    if (errorLike(el) && __visible(el) && gap(el) <= maxDistance && !othersMessage(el)) add(el, 'nearby');
  }
  // Keep the innermost of nested matches: its text is the message itself.
  const inner = found.filter((f) => !found.some((o) => o !== f && f.el.contains(o.el)));
  inner.sort((a, b) => a.distance - b.distance);
  return {
    ariaInvalid: field.getAttribute('aria-invalid') === 'true',
    nativeInvalid: !!(field.matches && field.matches(':invalid')),
    nativeMessage: field.validationMessage || '',
    field: __describe(field),
    found: inner.map((f) => ({how: Array.from(f.how), text: f.text, distance: f.distance, selector: __path(f.el)})),
  };
}""")


@dataclasses.dataclass
class ErrorFeedbackResult:
    """What the user is told about one field after bad input."""

    field: str
    #: The field says it is invalid to assistive technology (``aria-invalid="true"``).
    aria_invalid: bool
    has_message: bool
    message: str
    #: How the message was found: ``aria-errormessage``, ``aria-describedby``, ``same-row``,
    #: ``nearby`` (within ``max_distance_px``), ``native`` (the browser's validation bubble).
    how: list[str]
    distance_px: float | None
    #: The message says what is wrong: it has words, and not only a generic "error"/"invalid".
    names_problem: bool
    passed: bool


def names_problem(message: str) -> bool:
    """Whether an error message says what the problem is (not empty, not only a generic word)."""
    words = re.sub(r"[^\w\s]", " ", message).strip().casefold()
    if not re.search(r"[^\W\d_]", words):
        return False
    return " ".join(words.split()) not in GENERIC_ERROR_WORDS


def check_error_feedback(page: Page, field: Locator, *, max_distance_px: float = 100) -> ErrorFeedbackResult:
    """After bad input in ``field`` (and the submit): is there a message at the field naming the problem?

    A message counts when it is visible, has text, and is tied to the field: referenced by
    ``aria-errormessage``/``aria-describedby``, or an error-like element (ARIA alert/status/live,
    an error-ish class or id, or red leaf text) in the same form row, or one within
    ``max_distance_px`` of the field's box. Failing all that, the browser's own validation message
    (``validationMessage`` of an ``:invalid`` field) counts as ``native``. The nearest message wins.
    """
    del page  # the locator knows its page; the parameter keeps all feedback checks alike
    data: dict[str, Any] = field.evaluate(_ERROR_FEEDBACK_SCRIPT, max_distance_px)
    found: list[dict[str, Any]] = data["found"]
    how: list[str] = []
    message = ""
    distance: float | None = None
    if found:
        best = found[0]
        message = best["text"]
        distance = float(best["distance"])
        how = sorted({h for f in found if f["text"] == message for h in f["how"]})
    elif data["nativeInvalid"] and data["nativeMessage"]:
        message = data["nativeMessage"]
        how = ["native"]
    has_message = bool(message)
    specific = has_message and names_problem(message)
    return ErrorFeedbackResult(
        field=data["field"],
        aria_invalid=bool(data["ariaInvalid"]),
        has_message=has_message,
        message=message,
        how=how,
        distance_px=distance,
        names_problem=specific,
        passed=has_message and specific,
    )
