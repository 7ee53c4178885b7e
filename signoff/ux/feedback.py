"""Feedback: does the user learn that a save worked, and what is wrong with bad input?

What counts as feedback after a save (:func:`check_save_feedback`) - any one of:

* **a message**: a visible element that is a message by its role (``alert``, ``status``,
  ``alertdialog``, a live region, ``<output>``) or by the class names CRMs and UI kits give flash
  messages and notifications (``.alert``, ``.messages``, ``.toast``, ``[class*=notif]`` ...), with
  words in it, that was not already on screen before the save (the ``baseline``);
* **words saying it was saved**: visible text such as "Contact was saved", "created successfully",
  "已保存", "创建成功", "a été enregistré", "wurde gespeichert" - a sentence, not a lone column
  header like "Created" - that was not on screen before;
* **a new state naming the record**: one of the values the user saved (``expected_text``: the
  record's name or another typed value) shown as text on the page the save led to, outside form
  fields.

Nothing else is feedback. In particular a redirect is not: the post/redirect/get pattern only
changes the URL, and a silent redirect to a page that does not name the record - a list without
the new row, a record page that does not say which record, the empty form again - leaves the user
guessing whether the save happened. Reaching a record's page is kept as evidence
(``detail_page``) but does not pass the check by itself.

:func:`check_error_feedback` looks for a message tied to a bad field (aria-errormessage /
aria-describedby, the same form row, or within N px) and whether it says what is wrong.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Sequence
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

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

#: Sentences that say a save happened (JavaScript regular expression, case-insensitive, Unicode).
#: Each needs a verb form or "successfully": "Created" alone is a column header, not a confirmation.
SAVED_TEXT_PATTERN = "|".join(
    [
        r"\b(?:has|have|was|were|been|is|are)\s+(?:been\s+|now\s+|successfully\s+)?"
        r"(?:saved|created|added|updated|recorded|stored|registered)\b",
        r"\b(?:saved|created|added|updated|recorded|stored)\s+successfully\b",
        r"\bsuccessfully\s+(?:saved|created|added|updated)\b",
        r"^\W*(?:saved|all changes saved|changes saved)\W*$",
        r"已保存|保存成功|已创建|创建成功|已新增|新增成功|已添加|添加成功|已更新|更新成功|修改成功|已提交|提交成功",
        r"\b(?:a|ont)\s+été\s+(?:enregistr|cré|ajouté|mis\s+à\s+jour)",
        r"\b(?:enregistré|créé|ajouté)e?s?\s+avec\s+succès",
        r"\b(?:wurden?|ist)\s+(?:erfolgreich\s+)?(?:gespeichert|erstellt|angelegt|hinzugefügt|aktualisiert)\b",
        r"\berfolgreich\s+(?:gespeichert|erstellt|angelegt)",
    ]
)

# Returns null while there is no feedback (so that page.wait_for_function keeps waiting), else what
# was found. Runs on every animation frame of the wait: the costly search for the element naming the
# record runs only once the cheap whole-page text test has matched.
_SAVE_FEEDBACK_SCRIPT = js(r"""([selector, baseline, expected, savedPattern]) => {
  /*HELPERS*/
  if (!document.body) return null;
  const norm = (text) => (text || '').replace(/\s+/g, ' ').trim().toLowerCase();
  const seen = new Set(baseline.map(norm));
  const OUTSIDE = 'script, style, noscript, template, textarea, select, option, [contenteditable=""], [contenteditable="true"]';
  const messages = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!__visible(el)) continue;
    const text = __text(el);
    // Two letters at least: a lone icon or counter badge is not a confirmation.
    if (!/\p{L}.*\p{L}|\p{Script=Han}/u.test(text) || seen.has(norm(text))) continue;
    // Nested matches (a .messages list with role=status items) would repeat one message.
    if (messages.some((m) => m.el.contains(el) || el.contains(m.el))) continue;
    const how = el.getAttribute('role') || (el.hasAttribute('aria-live') ? 'aria-live' : 'class');
    messages.push({el, text: text.slice(0, 300), how, selector: __path(el)});
  }
  const saved = new RegExp(savedPattern, 'iu');
  const savedTexts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || !saved.test(node.data.replace(/\s+/g, ' ').trim()) || parent.closest(OUTSIDE)) continue;
    if (!__visible(parent)) continue;
    const block = parent.closest('p, li, div, section, td, dd, h1, h2, h3, h4, h5, h6, span') || parent;
    const text = __text(block);
    if (seen.has(norm(text)) || messages.some((m) => m.el.contains(parent))) continue;
    if (!savedTexts.includes(text.slice(0, 300))) savedTexts.push(text.slice(0, 300));
  }
  let named = '';
  const shown = norm(document.body.innerText);
  for (const value of expected) {
    const wanted = norm(value);
    if (!wanted || !shown.includes(wanted)) continue;
    // innerText also holds the options of a <select> and the like: find an element that shows it.
    for (const el of document.body.querySelectorAll('*')) {
      if (el.closest(OUTSIDE) || !norm(el.innerText).includes(wanted) || !__visible(el)) continue;
      if (Array.from(el.children).some((c) => !c.closest(OUTSIDE) && norm(c.innerText).includes(wanted))) continue;
      named = value;
      break;
    }
    if (named) break;
  }
  if (!messages.length && !savedTexts.length && !named) return null;
  return {messages: messages.map(({el, ...rest}) => rest), savedTexts, named};
}""")

_MESSAGE_TEXTS_SCRIPT = js(r"""(selector) => {
  /*HELPERS*/
  return Array.from(document.querySelectorAll(selector)).filter(__visible).map(__text).filter(Boolean);
}""")

#: Last path segments that mean "still a form", not a detail page.
_FORM_WORDS = frozenset({"edit", "new", "add", "create", "update", "delete", "clone", "duplicate"})


@dataclasses.dataclass
class SaveFeedbackResult:
    """What the user is shown after saving (see the module docstring for what counts)."""

    url_before: str
    url_after: str
    #: Found signals: ``message`` (a new message element), ``saved-text`` (new words saying it was
    #: saved), ``record-named`` (a saved value shown on the resulting page). Any one passes.
    signals: list[str]
    #: Texts of the new messages and of the words saying it was saved.
    messages: list[str]
    #: Milliseconds from the call until the first signal (or the whole wait when none).
    waited_ms: float
    passed: bool
    #: The saved value the resulting page shows (``record-named``), else empty.
    named: str = ""
    #: The save led to another URL that is a record's page (``/contacts/{id}``): evidence only, a
    #: page that does not name the record tells the user nothing.
    detail_page: bool = False


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
    expected_text: str | Sequence[str] | None = None,
    baseline: Sequence[str] = (),
    timeout_ms: float = 3000,
) -> SaveFeedbackResult:
    """After a save was triggered: was the user told, or shown the record they saved?

    Waits up to ``timeout_ms`` (saves may be asynchronous, a redirect may still be loading) for one
    of the signals of the module docstring: a visible message element, or words saying it was saved,
    whose text is not in ``baseline`` (the :func:`message_texts` from before the save, so that a
    message already on screen does not count); or one of ``expected_text`` (the record's name, the
    values typed into the form) shown on the page outside form fields. A redirect, even to a record's
    page, is not feedback by itself.
    """
    start = time.monotonic()
    expected = [expected_text] if isinstance(expected_text, str) else list(expected_text or ())
    arg = [MESSAGE_SELECTOR, list(baseline), [e for e in expected if e.strip()], SAVED_TEXT_PATTERN]
    # Feedback already on screen is judged at once, however short the wait allowed (on a busy
    # machine one round trip to the page can take longer than a short timeout).
    found: dict[str, Any] = evaluate_settled(page, _SAVE_FEEDBACK_SCRIPT, arg) or {}
    if not found:
        try:
            # The page's own frames drive the wait (requestAnimationFrame); a navigation under it
            # makes Playwright run the predicate again in the new document.
            handle = page.wait_for_function(_SAVE_FEEDBACK_SCRIPT, arg=arg, timeout=timeout_ms)
            found = handle.json_value() or {}
            handle.dispose()
        except PlaywrightTimeoutError:
            found = {}
        except PlaywrightError as error:
            # The predicate's document went away as it answered: ask the new one once, now.
            if "Execution context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            found = evaluate_settled(page, _SAVE_FEEDBACK_SCRIPT, arg) or {}
    waited_ms = round((time.monotonic() - start) * 1000, 1)
    url = page.url
    messages = [m["text"] for m in found.get("messages", [])]
    saved_texts = [t for t in found.get("savedTexts", []) if t not in messages]
    named = str(found.get("named") or "")
    signals: list[str] = []
    if messages:
        signals.append("message")
    if saved_texts:
        signals.append("saved-text")
    if named:
        signals.append("record-named")
    return SaveFeedbackResult(
        url_before=before_url,
        url_after=url,
        signals=signals,
        messages=messages + saved_texts,
        waited_ms=waited_ms,
        passed=bool(signals),
        named=named,
        detail_page=not _same_document(url, before_url) and is_detail_route(route_of(url)),
    )


def _same_document(a: str, b: str) -> bool:
    return a.split("#", 1)[0] == b.split("#", 1)[0]


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
