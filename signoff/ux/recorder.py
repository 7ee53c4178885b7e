"""What one scenario did, from the user's side: effort, feedback, the pages it showed - and their audits.

A :class:`ScenarioRecorder` is attached to a scenario's page before its first action and watches it
without ever acting on it while a step runs:

* an :class:`~signoff.ux.effort.ActionCounter` counts the user's actions; the scenario is a task,
  made of its ``When`` steps (``Given`` sets the stage, ``Then`` looks: neither is the user's task),
  and a step can mark a named task inside it (:meth:`ScenarioRecorder.task`);
* main-frame navigations give the pages the scenario showed, mid-step ones included;
* between steps, when the step just finished saved a form, the page shown after the save is checked
  for feedback, and when a form was refused, the refused field is checked for an error message
  (see :meth:`ScenarioRecorder.step_finished` for when this is certain enough to judge);
* at the end, :func:`audit_unseen_routes` opens the page kinds not audited yet in new pages of the
  same browser context and audits each (axe WCAG 2.1 A/AA and the page-level usability checks); an
  audit that breaks off is kept as an incomplete audit with its error, never dropped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Frame, Page, Request
from playwright.sync_api import Error as PlaywrightError

from signoff.ux._pagejs import evaluate_settled, js
from signoff.ux.audit import audit_page, error_text
from signoff.ux.effort import ActionCounter, EffortResult
from signoff.ux.feedback import ErrorFeedbackResult, SaveFeedbackResult, check_error_feedback, check_save_feedback
from signoff.ux.plan import UxSection
from signoff.ux.routes import PageKindRegistry, route_of
from signoff.ux.scorecard import IncompleteAudit, PageAudit, TaskAudit
from signoff.ux.speed import install_speed_observers

#: A route segment that means "a form that saves": ``add``, ``edit``, ``add_related``, ``new`` ...
_FORM_SEGMENT = re.compile(r"^(add|edit|new|create|update|clone|duplicate)([_-].*)?$", re.IGNORECASE)
#: Routes never re-opened for an audit: opening them would end the session the other audits use.
_SESSION_ENDING = re.compile(r"(log|sign)[_-]?(out|off)", re.IGNORECASE)
#: How long to wait for a confirmation after a save the recorder saw (the page has loaded by then).
SAVE_FEEDBACK_TIMEOUT_MS = 1000

# The first visible POST form with a field a user fills: the form a keyboard user must get through.
_MAIN_FORM = js(r"""() => {
  /*HELPERS*/
  const FIELD = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]), select, textarea';
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post' || !__visible(form)) continue;
    if (!Array.from(form.querySelectorAll(FIELD)).some(__visible)) continue;
    return __path(form) || 'form';
  }
  return null;
}""")

# Fields a form refused on the server's side: marked aria-invalid, or in the row of an error message.
_SERVER_REFUSED_FIELDS = js(r"""() => {
  /*HELPERS*/
  const FIELD = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=image]), select, textarea';
  const ERROR = '.errorlist, .errors, .error, .field-error, .invalid-feedback, .form-error, [role=alert]';
  const ROW = '.form-row, .form-group, .form-field, .field, .control-group, .fieldWrapper, tr, li, fieldset, p, dd';
  const found = [];
  for (const field of document.querySelectorAll('[aria-invalid="true"]')) {
    if (field.matches(FIELD) && !found.includes(field)) found.push(field);
  }
  for (const message of document.querySelectorAll(ERROR)) {
    if (!__visible(message) || !__text(message)) continue;
    const row = message.closest(ROW);
    const field = row && Array.from(row.querySelectorAll(FIELD)).find((f) => __visible(f) || f.type !== 'hidden');
    if (field && !found.includes(field)) found.push(field);
  }
  return found.map(__path);
}""")


def is_form_route(route: str) -> bool:
    """Whether a route is a form that saves something (``/persons/organisation/add``, ``.../edit/{id}``)."""
    return any(_FORM_SEGMENT.match(segment) for segment in route.split("/") if segment)


def same_document(a: str, b: str) -> bool:
    return a.split("#", 1)[0] == b.split("#", 1)[0]


@dataclasses.dataclass
class _Post:
    """A form submitted by a main-frame navigation (a classic, non-AJAX form post)."""

    at: float
    url: str
    request: Request


@dataclasses.dataclass
class _NamedTask:
    name: str
    aliases: tuple[str, ...]
    start: float
    end: float | None = None


@dataclasses.dataclass
class _Feedback:
    at: float
    save: SaveFeedbackResult | None = None
    error: ErrorFeedbackResult | None = None


class ScenarioRecorder:
    """Watches one scenario's page: effort, feedback and the pages shown (see the module docstring)."""

    def __init__(self, scenario: str, section: UxSection | None = None) -> None:
        self.scenario = scenario
        self.section = section or UxSection()
        self.page: Page | None = None
        self.counter: ActionCounter | None = None
        #: Main-frame URLs in the order first shown.
        self.visited: list[str] = []
        #: Measurements steps asked for, to be merged into the page audits of the run.
        self.step_audits: list[PageAudit] = []
        self.complete = True
        self._windows: list[tuple[float, float]] = []
        self._open_window: float | None = None
        self._step_started = 0.0
        self._navigations: list[tuple[float, str]] = []
        self._posts: list[_Post] = []
        self._feedback: list[_Feedback] = []
        self._named: list[_NamedTask] = []
        self._finished: list[TaskAudit] | None = None
        self._listeners: list[tuple[str, Callable[..., None]]] = []

    # -- attaching --------------------------------------------------------------------------------

    @property
    def attached(self) -> bool:
        return self.page is not None

    def attach(self, page: Page) -> None:
        """Start watching ``page`` (before the scenario acts on it); attaching again does nothing."""
        if self.page is not None:
            return
        self.page = page
        self.counter = ActionCounter(page, self.scenario).start()
        # One call per event: Playwright types each event's handler, which a loop would blur.
        page.on("framenavigated", self._on_navigated)
        page.on("request", self._on_request)
        self._listeners += [("framenavigated", self._on_navigated), ("request", self._on_request)]
        if page.url.startswith(("http:", "https:")):
            self._remember(page.url)

    def detach(self) -> None:
        """Stop watching (idempotent); the counted events stay for :meth:`effort`."""
        page = self.page
        if page is None:
            return
        for event, handler in self._listeners:
            with contextlib.suppress(Exception):
                page.remove_listener(event, handler)
        self._listeners.clear()
        if self.counter is not None and self.counter.result is None:
            with contextlib.suppress(PlaywrightError):
                self.counter.stop()

    def _on_navigated(self, frame: Frame) -> None:
        if self.page is None or frame != self.page.main_frame:
            return
        self._navigations.append((time.time(), frame.url))
        self._remember(frame.url)

    def _on_request(self, request: Request) -> None:
        try:
            if request.method != "POST" or not request.is_navigation_request():
                return
            if self.page is None or request.frame != self.page.main_frame:
                return
        except PlaywrightError:  # requests of service workers have no frame
            return
        self._posts.append(_Post(time.time(), request.url, request))

    def _remember(self, url: str) -> None:
        if url.startswith(("http:", "https:")) and not any(same_document(url, seen) for seen in self.visited):
            self.visited.append(url)

    # -- steps ------------------------------------------------------------------------------------

    def step_started(self, step_type: str) -> None:
        """A step is about to act: a ``When`` step opens a window of the scenario's task."""
        self._step_started = time.time()
        if step_type == "when" and self._open_window is None:
            self._open_window = self._step_started

    def step_finished(self, step_type: str, *, failed: bool = False) -> None:
        """A step ended: close its window and judge the feedback it got.

        Judged only when certain: a save is a main-frame POST from a form route (``add``, ``edit``
        ...) answered with a redirect (the post/redirect/get pattern), checked only while the page it
        led to is still shown; a server-side refusal is such a POST answered with the form again,
        whose fields carry an error; a browser-side refusal is the browser's ``invalid`` event on a
        field, checked only while that document is still shown. Saves made by AJAX in dialogs are
        not seen.
        """
        if self._open_window is not None:
            self._windows.append((self._open_window, time.time()))
            self._open_window = None
        if failed:
            if step_type == "when":
                self.complete = False
            return
        if self.page is None or self.page.is_closed():
            return
        try:
            self._judge_feedback(self._step_started)
        except PlaywrightError:
            # A page that went away under the check tells nothing about feedback.
            return

    def _judge_feedback(self, since: float) -> None:
        assert self.page is not None and self.counter is not None
        page = self.page
        self.counter.flush()
        posts = [p for p in self._posts if p.at >= since]
        if posts:
            post = posts[-1]
            landed = [(at, url) for at, url in self._navigations if at >= post.at]
            form_route = route_of(post.url)
            if len(landed) == 1 and same_document(landed[0][1], page.url) and is_form_route(form_route):
                if post.request.redirected_to is not None:
                    saved = check_save_feedback(
                        page,
                        post.url,
                        expected_text=self.counter.values_at_submit(post.at),
                        baseline=self.counter.messages_at_submit(post.at),
                        timeout_ms=SAVE_FEEDBACK_TIMEOUT_MS,
                    )
                    self._feedback.append(_Feedback(post.at, save=saved))
                elif route_of(page.url) == form_route:
                    fields: list[str] = evaluate_settled(page, _SERVER_REFUSED_FIELDS) or []
                    self._check_field(post.at, fields[:1])
        refused = self.counter.refused_fields(since)
        if refused:
            first = refused[0]
            shown_since = [url for at, url in self._navigations if at > float(first["at"])]
            if not shown_since and same_document(first["url"], page.url):
                self._check_field(float(first["at"]), [first["selector"]])

    def _check_field(self, at: float, selectors: Sequence[str]) -> None:
        assert self.page is not None
        for selector in selectors:
            field = self.page.locator(selector)
            if selector and field.count() == 1:
                self._feedback.append(_Feedback(at, error=check_error_feedback(self.page, field)))

    # -- tasks ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def task(self, name: str, *aliases: str) -> Iterator[None]:
        """Mark a named task inside the scenario (``with recorder.task("adding an organisation"): ...``)."""
        named = _NamedTask(name, tuple(aliases), time.time())
        self._named.append(named)
        try:
            yield
        except BaseException:
            # A task that broke off is not a measure of the task: it is dropped.
            self._named.remove(named)
            raise
        named.end = time.time()

    def tasks_done(self) -> list[str]:
        return [t.name for t in self._named if t.end is not None]

    def effort(self, task: str | None = None) -> EffortResult:
        """The effort of named task ``task`` (by name or alias), or of the scenario's ``When`` steps so far.

        Raises :class:`LookupError` when the scenario did no such named task.
        """
        if self.counter is None:
            raise LookupError("the scenario's page was never watched: nothing was counted")
        self.counter.flush()
        if task is None:
            windows = list(self._windows)
            if self._open_window is not None:
                windows.append((self._open_window, time.time()))
            return self.counter.effort(self.scenario, windows)
        named = self._named_task(task)
        return self.counter.effort(named.name, [(named.start, named.end or time.time())])

    def _named_task(self, task: str) -> _NamedTask:
        wanted = _norm(task)
        for named in reversed(self._named):
            if wanted in {_norm(n) for n in (named.name, *named.aliases)}:
                return named
        done = ", ".join(f'"{t.name}"' for t in self._named) or "none"
        raise LookupError(f'no task "{task}" was done in this scenario (tasks done: {done})')

    def save_feedback(self) -> list[SaveFeedbackResult]:
        """The save feedback judged so far, in order."""
        return [f.save for f in self._feedback if f.save is not None]

    def error_feedback(self) -> list[ErrorFeedbackResult]:
        """The error feedback judged so far, in order."""
        return [f.error for f in self._feedback if f.error is not None]

    # -- the end ----------------------------------------------------------------------------------

    def finish(self, task_name: str | None = None) -> list[TaskAudit]:
        """Stop watching and return the tasks: the scenario's (when it had ``When`` steps that all
        completed) and each named task. Idempotent."""
        if self._finished is not None:
            return self._finished
        if self._open_window is not None:
            self._windows.append((self._open_window, time.time()))
            self._open_window = None
        if self.counter is not None and self.counter.result is None:
            with contextlib.suppress(PlaywrightError):
                self.counter.flush()
        self.detach()
        tasks: list[TaskAudit] = []
        if self.counter is not None:
            if self._windows and self.complete:
                tasks.append(self._task(task_name or self.scenario, self._windows))
            for named in self._named:
                if named.end is not None:
                    tasks.append(self._task(named.name, [(named.start, named.end)]))
        self._finished = tasks
        return tasks

    def _task(self, name: str, windows: Sequence[tuple[float, float]]) -> TaskAudit:
        assert self.counter is not None
        inside = [f for f in self._feedback if any(a <= f.at <= b for a, b in windows)]
        saves = [f.save for f in inside if f.save is not None]
        return TaskAudit(
            name=name,
            effort=self.counter.effort(name, windows),
            # One save verdict per task: the first silent save if any, else the first save.
            save_feedback=next((s for s in saves if not s.passed), saves[0] if saves else None),
            error_feedback=[f.error for f in inside if f.error is not None],
        )


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


# ---------------------------------------------------------------------------------------------
# Auditing the page kinds a scenario showed
# ---------------------------------------------------------------------------------------------


def main_form(page: Page) -> str | None:
    """A CSS selector of the page's main form (first visible POST form with a field), or None."""
    selector: str | None = page.evaluate(_MAIN_FORM)
    return selector


def auditable(url: str, origin: str | None) -> bool:
    """Whether a URL a scenario showed may be re-opened for an audit: the CRM's own, not a sign-out."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or _SESSION_ENDING.search(parts.path):
        return False
    if origin:
        wanted = urlsplit(origin)
        return (parts.scheme, parts.netloc) == (wanted.scheme, wanted.netloc)
    return True


def audit_unseen_routes(
    context: BrowserContext,
    urls: Sequence[str],
    registry: PageKindRegistry,
    section: UxSection,
    *,
    origin: str | None = None,
    on_audit: Callable[[PageAudit, float], None] | None = None,
    on_problem: Callable[[str], None] | None = None,
) -> list[PageAudit]:
    """Audit each page kind among ``urls`` that no process audited yet, each in a new page of ``context``.

    The scenario's own page is left alone. A URL that no longer opens as itself (an error status,
    or a redirect to another kind of page - e.g. a record the scenario deleted, or the sign-in page)
    is skipped without claiming its kind, so that a later scenario can audit it. An audit that
    breaks off - the page does not open, the browser or a script fails - claims its kind and is
    returned (and passed to ``on_audit``) as a page audit whose :attr:`~PageAudit.incomplete` holds
    the error: it was attempted once, and it fails the verdict rather than vanish into a warning.
    Parts that fail inside a page that opened are recorded the same way by :func:`audit_page`.
    ``on_audit(audit, seconds)`` is called for each audit as it is done; ``on_problem(message)``
    for each audit that did not complete.
    """
    done: list[PageAudit] = []
    for url in urls:
        if not auditable(url, origin) or registry.seen(url):
            continue
        started = time.monotonic()
        claimed = False
        audit: PageAudit | None = None
        page: Page | None = None
        try:
            page = context.new_page()
            install_speed_observers(page)
            response = page.goto(url, wait_until="load")
            if response is None or not response.ok or route_of(page.url) != route_of(url):
                continue
            if not registry.claim(page.url):
                continue
            claimed = True
            form = main_form(page)
            audit = audit_page(page, section, forms=[form] if form else [])
        except Exception as error:
            # Claim the kind even when the page did not open: one attempt per kind and run, as
            # for an audit that succeeded, so that the failure is recorded once, not per scenario.
            if not claimed and not registry.claim(url):
                continue
            audit = PageAudit(url=url, incomplete=[IncompleteAudit(part="page", url=url, error=error_text(error))])
        finally:
            if page is not None:
                with contextlib.suppress(PlaywrightError):
                    page.close()
        if audit is None:
            continue
        done.append(audit)
        if on_problem is not None:
            for item in audit.incomplete:
                on_problem(f"{route_of(item.url)}: {item.part} audit did not complete: {item.error}")
        if on_audit is not None:
            on_audit(audit, time.monotonic() - started)
    return done
