"""Effort of a task: user actions, pages visited and time on task.

:class:`ActionCounter` listens in the page - an init script installed in the current and every later
document reports clicks, field edits and form submissions through an exposed binding - and
:func:`group_actions` turns those events into *user actions*: all keystrokes and changes in one field
in a row are one action, a click that submits a form is not counted again as a submit. Main-frame
navigations give the pages visited; a monotonic clock gives time on task.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page

from signoff.ux._pagejs import evaluate_settled, js
from signoff.ux.feedback import MESSAGE_SELECTOR

# Installed in every document of the page. Clicks on form fields, and input/change events, are
# reported as "edit" of a field key so that Python can merge a run of edits of one field into one
# action (a person clicks a field and types: one step). Submissions report their submitter so that
# "click Save" and the submit it causes count once.
_COUNTER_SCRIPT = r"""
(() => {
  const binding = "__BINDING__";
  const flag = "__signoffUxCounter_" + binding;
  if (window[flag]) return;
  window[flag] = true;
  /*HELPERS*/
  // Playwright does not promise the delivery order of binding calls, so each event carries its page
  // time (epoch ms, comparable across documents) for Python to sort by. A binding call's promise
  // settles once Python's handler has returned: the calls still pending are what flush() awaits.
  const doc = Math.random().toString(36).slice(2);
  const pending = new Set();
  window[flag + '_settled'] = () => Promise.allSettled(Array.from(pending)).then(() => true);
  const send = (event) => {
    try {
      const fn = window[binding];
      if (typeof fn !== 'function') return;
      const call = fn({...event, doc, time: performance.timeOrigin + performance.now()});
      if (call && typeof call.then === 'function') {
        pending.add(call);
        const done = () => pending.delete(call);
        call.then(done, done);
      }
    } catch (e) { /* the counter was stopped: nothing to report to */ }
  };
  const FIELD = 'input:not([type=button]):not([type=submit]):not([type=reset]):not([type=image]),' +
    'select, textarea, [contenteditable=""], [contenteditable="true"]';
  const formKey = (form) => form ? (form.id || form.getAttribute('name') || form.getAttribute('action') || 'form') : '';
  const fieldKey = (el) => 'field|' + formKey(el.form || (el.closest && el.closest('form'))) + '|' +
    (el.getAttribute('name') || el.id || __path(el));
  const editOf = (el) => ({type: 'edit', key: fieldKey(el), target: __describe(el)});
  document.addEventListener('click', (event) => {
    let el = event.target;
    if (!el || el.nodeType !== 1) return;
    // A click on a label acts on its control: same key as the control's own click/change.
    const label = el.closest('label');
    if (label && label.control && !el.closest('a, button')) el = label.control;
    if (el.matches(FIELD)) { send(editOf(el)); return; }
    const target = el.closest('a, button, input, summary, [role], [onclick], [tabindex]') || el;
    send({type: 'click', key: 'click|' + __path(target), target: __describe(target)});
  }, true);
  // A text field's "change" fires on blur, after whatever the user did next: its keystrokes were
  // already counted through "input", so only choice-like fields report "change".
  const TEXTLIKE = 'textarea, [contenteditable], input:not([type=checkbox]):not([type=radio]):not([type=file])' +
    ':not([type=color]):not([type=range]):not([type=date]):not([type=time]):not([type=datetime-local])';
  for (const type of ['input', 'change']) {
    document.addEventListener(type, (event) => {
      const el = event.composedPath ? event.composedPath()[0] : event.target;
      if (!el || el.nodeType !== 1) return;
      if (type === 'change' && el.matches(TEXTLIKE)) return;
      send(editOf(el));
    }, true);
  }
  // The browser refusing a form (required, pattern, type=email ...) fires "invalid" on each bad
  // field: not a user action, but how a refused form can be told from a silent one.
  document.addEventListener('invalid', (event) => {
    const el = event.target;
    if (!el || el.nodeType !== 1) return;
    send({type: 'invalid', key: 'invalid|' + fieldKey(el), target: __describe(el), selector: __path(el)});
  }, true);
  // The messages on screen when a form is sent: what was already there is no confirmation of
  // the save (a notification counter, a standing banner), so feedback checks leave it out.
  const shownMessages = () => Array.from(document.querySelectorAll(__MESSAGES__)).filter(__visible)
    .map(__text).filter(Boolean).slice(0, 50);
  // What the user typed into the form being sent (changed from the page's own value, with words
  // in it): the record's name a page after the save may show as feedback. Passwords never.
  const TYPED = 'input:not([type]), input[type=text], input[type=search], input[type=email], input[type=tel], ' +
    'input[type=url], textarea';
  const typedValues = (form) => Array.from((form && form.elements) || [])
    .filter((el) => el.matches && el.matches(TYPED) && el.value !== el.defaultValue)
    .map((el) => el.value.replace(/\s+/g, ' ').trim())
    .filter((value) => /\p{L}.*\p{L}|\p{Script=Han}/u.test(value))
    .map((value) => value.slice(0, 200)).slice(0, 20);
  document.addEventListener('submit', (event) => {
    const form = event.target;
    const submitter = event.submitter;
    send({type: 'submit', key: 'submit|' + formKey(form), target: __describe(form),
          submitter: submitter ? 'click|' + __path(submitter) : null, messages: shownMessages(),
          values: typedValues(form)});
  }, true);
})();
"""


@dataclasses.dataclass
class UserAction:
    """One counted user action."""

    #: ``click``, ``edit`` (one field, however many keystrokes), ``submit`` (a submit no click
    #: caused) or ``manual`` (added with :meth:`ActionCounter.add_action`).
    kind: str
    target: str
    url: str
    #: Seconds since the task started.
    at: float


@dataclasses.dataclass
class EffortResult:
    """Effort of one task: how many actions, pages and seconds it took."""

    task: str
    actions: int
    #: Pages seen: the start page plus each main-frame navigation to a different URL.
    pages_visited: int
    #: Time on task, from start() to stop(), by the monotonic clock.
    seconds: float
    steps: list[UserAction]
    #: URLs in the order visited (the start page first).
    pages: list[str]


def group_actions(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Merge raw page events into user actions (pure function; :class:`ActionCounter` uses it).

    Rules, in the order the events happened in the page:

    * ``edit`` events with the same field key as the previous action are the same action
      (keystrokes in one field, a click into a field then typing, a checkbox's click/input/change);
      going back to a field later is a new action;
    * every ``click`` is an action;
    * a ``submit`` whose submitter is the element of the previous click is part of that click;
      a submit without such a click is an action. Enter in a field of a form with a submit button
      makes the browser click that button, so it counts once, as a click;
    * ``manual`` events (added by the test) are always actions.
    """
    actions: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("type")
        last = actions[-1] if actions else None
        if kind == "edit" and last is not None and last["type"] == "edit" and last["key"] == event.get("key"):
            continue
        if (
            kind == "submit"
            and last is not None
            and last["type"] == "click"
            and event.get("submitter") is not None
            and last["key"] == event.get("submitter")
        ):
            continue
        if kind in ("edit", "click", "submit", "manual"):
            actions.append(dict(event))
    return actions


class ActionCounter:
    """Counts the user actions, pages visited and time of one task on a page.

    Use as a context manager around the task (or :meth:`start` / :meth:`stop`)::

        with ActionCounter(page, "create contact") as counter:
            ...  # drive the UI as a person would
        counter.result.actions

    Method: an exposed binding (unique per counter) receives events from an init script installed in
    the current and every later document; :func:`group_actions` turns them into actions. Navigations
    are counted from ``framenavigated`` of the main frame, once per change of URL (fragment ignored,
    so a reload or an in-page anchor is not a new page). A URL typed by the test (``page.goto``) is
    not a user action the page can see: add it with :meth:`add_action` when the task includes it.
    """

    def __init__(self, page: Page, task: str = "task") -> None:
        self.page = page
        self.task = task
        self.result: EffortResult | None = None
        self._binding = "__signoffUx_" + uuid.uuid4().hex[:12]
        self._events: list[dict[str, Any]] = []
        self._pages: list[str] = []
        #: Wall-clock time (``time.time()``) each entry of ``_pages`` was reached.
        self._page_times: list[float] = []
        self._active = False
        self._started = 0.0
        self._started_wall = 0.0
        self._disposables: list[Any] = []

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> ActionCounter:
        """Begin counting (installs the listeners into the current and future documents)."""
        script = (
            js(_COUNTER_SCRIPT)
            .replace("__BINDING__", self._binding)
            .replace("__MESSAGES__", json.dumps(MESSAGE_SELECTOR))
        )
        self._disposables.append(self.page.expose_binding(self._binding, self._on_event))
        self._disposables.append(self.page.add_init_script(script))
        self.page.on("framenavigated", self._on_navigated)
        evaluate_settled(self.page, script)
        self._started = time.monotonic()
        self._started_wall = time.time()
        self._pages = [self.page.url] if self.page.url != "about:blank" else []
        self._page_times = [self._started_wall] if self._pages else []
        self._events = []
        self._active = True
        return self

    def stop(self) -> EffortResult:
        """Stop counting and return the effort of the task."""
        if self.result is not None:
            return self.result
        seconds = time.monotonic() - self._started
        self._wait_for_stragglers()
        self._active = False
        self.page.remove_listener("framenavigated", self._on_navigated)
        for disposable in self._disposables:
            close = getattr(disposable, "close", None)
            if close is not None:
                try:
                    close()
                except PlaywrightError:
                    pass
        self._disposables.clear()
        steps = [
            UserAction(kind=a["type"], target=str(a.get("target", "")), url=str(a.get("url", "")), at=a["at"])
            for a in group_actions(self._ordered())
        ]
        self.result = EffortResult(
            task=self.task,
            actions=len(steps),
            pages_visited=len(self._pages),
            seconds=round(seconds, 3),
            steps=steps,
            pages=list(self._pages),
        )
        return self.result

    def flush(self) -> None:
        """Wait until every event the current document reported has arrived (call between steps)."""
        if self._active:
            self._wait_for_stragglers()

    def effort(self, task: str, windows: Sequence[tuple[float, float]]) -> EffortResult:
        """The effort of the parts of the counted time in ``windows`` only.

        ``windows`` are ``(start, end)`` wall-clock times (``time.time()``) - e.g. the ``When``
        steps of a scenario, or one named task inside it. Actions are the events that happened
        inside a window (grouped as in :meth:`stop`); pages are the page shown when each window
        opens plus the navigations inside it; time is the sum of the windows. Works during and
        after counting.
        """
        spans = sorted((float(a), float(b)) for a, b in windows if b >= a)

        def inside(wall: float) -> bool:
            return any(a <= wall <= b for a, b in spans)

        events = [e for e in self._ordered() if inside(float(e.get("time", 0.0)) / 1000)]
        pages: list[str] = []

        def visit(url: str) -> None:
            if not pages or url.split("#", 1)[0] != pages[-1].split("#", 1)[0]:
                pages.append(url)

        for start, end in spans:
            shown = [url for url, at in zip(self._pages, self._page_times, strict=True) if at <= start]
            if shown:
                visit(shown[-1])
            for url, at in zip(self._pages, self._page_times, strict=True):
                if start < at <= end:
                    visit(url)
        steps = [
            UserAction(kind=a["type"], target=str(a.get("target", "")), url=str(a.get("url", "")), at=a["at"])
            for a in group_actions(events)
        ]
        return EffortResult(
            task=task,
            actions=len(steps),
            pages_visited=len(pages),
            seconds=round(sum(b - a for a, b in spans), 3),
            steps=steps,
            pages=pages,
        )

    def refused_fields(self, since: float, until: float | None = None) -> list[dict[str, str]]:
        """Fields the browser refused (``invalid`` events) between two wall-clock times, in order.

        Each entry has ``target`` (a description), ``selector`` (a unique CSS path in its
        document), ``url`` (of that document) and ``at`` (wall-clock seconds, as text), once per
        field - the last time it was refused.
        """
        found: dict[str, dict[str, str]] = {}
        for event in self._ordered():
            wall = float(event.get("time", 0.0)) / 1000
            if event.get("type") != "invalid" or wall < since or (until is not None and wall > until):
                continue
            key = str(event.get("key"))
            found.pop(key, None)
            found[key] = {
                "target": str(event.get("target", "")),
                "selector": str(event.get("selector", "")),
                "url": str(event.get("url", "")),
                "at": repr(wall),
            }
        return list(found.values())

    def messages_at_submit(self, before: float) -> list[str]:
        """The message texts on screen when the last form was sent before wall-clock time ``before``.

        The ``baseline`` for :func:`~signoff.ux.feedback.check_save_feedback` after a save that
        navigated away (the form's page cannot be asked any more).
        """
        sent = [e for e in self._ordered() if e.get("type") == "submit" and float(e.get("time", 0.0)) / 1000 <= before]
        return [str(text) for text in sent[-1].get("messages", [])] if sent else []

    def values_at_submit(self, before: float) -> list[str]:
        """What the user typed into the last form sent before wall-clock time ``before``.

        The ``expected_text`` for :func:`~signoff.ux.feedback.check_save_feedback`: a page after the
        save that shows one of them names the record saved. Only fields whose value the user changed,
        with letters in it; never passwords. Kept in memory only, like the other events.
        """
        sent = [e for e in self._ordered() if e.get("type") == "submit" and float(e.get("time", 0.0)) / 1000 <= before]
        return [str(value) for value in sent[-1].get("values", [])] if sent else []

    def __enter__(self) -> ActionCounter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- counting ---------------------------------------------------------------------------------

    @property
    def actions(self) -> int:
        """Actions so far."""
        return len(group_actions(self._ordered()))

    def add_action(self, description: str) -> None:
        """Count an action the page cannot see (typing a URL, a keyboard shortcut ...)."""
        self._events.append(
            {
                "type": "manual",
                "key": f"manual|{len(self._events)}",
                "target": description,
                "url": self.page.url,
                "time": time.time() * 1000,
            }
        )

    def _on_event(self, source: Mapping[str, Any], event: Mapping[str, Any]) -> None:
        if not self._active or not isinstance(event, Mapping):
            return
        frame = source.get("frame")
        url = frame.url if isinstance(frame, Frame) else self.page.url
        self._events.append({**event, "url": url})

    def _ordered(self) -> list[dict[str, Any]]:
        # Page time orders events; the browser and Python share the machine's clock, so "at" is
        # seconds since start() on one time line.
        events = sorted(self._events, key=lambda e: float(e.get("time", 0.0)))
        return [{**e, "at": round(max(0.0, float(e.get("time", 0.0)) / 1000 - self._started_wall), 3)} for e in events]

    def _wait_for_stragglers(self) -> None:
        """Wait until Python has handled every event the current document reported.

        The page awaits the promises of its binding calls still pending; each settles when this
        process's handler has run, and Playwright delivers them while this ``evaluate`` waits.
        """
        settled = "__signoffUxCounter_" + self._binding + "_settled"
        try:
            self.page.evaluate("(name) => (typeof window[name] === 'function' ? window[name]() : null)", settled)
        except PlaywrightError:
            return  # the page is gone or navigating: nothing more can arrive from it

    def _on_navigated(self, frame: Frame) -> None:
        if not self._active or frame != self.page.main_frame:
            return
        url = frame.url
        if not self._pages or url.split("#", 1)[0] != self._pages[-1].split("#", 1)[0]:
            self._pages.append(url)
            self._page_times.append(time.time())
