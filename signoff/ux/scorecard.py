"""The UX scorecard: page and task results -> scores, a verdict against ``[ux]``, JSON and HTML.

Scores reuse the Lighthouse accessibility formula (see :mod:`signoff.ux.accessibility`) for
everything: a page kind's score is the weighted share of passed audits, where the audits are the
axe rules that apply to the page *plus* the UX checks run on it, each UX check weighted like an axe
rule of the impact in :data:`CHECK_IMPACTS`::

    score = 100 * sum(weight of passed audits) / sum(weight of all audits)   (critical 10, serious 7,
                                                                               moderate 3, minor 1)

A task's score is the same formula over its checks (action budget, time budget, feedback). The
overall score is the mean of all page-kind and task scores (``overall_score = "worst"``: the lowest).
A page kind audited on several URLs keeps each URL's failures: a rule or check failed on any of them
is failed for the kind, with the worst impact seen and every distinct element it hit - the number of
affected elements per rule and page kind is on the scorecard, so that two runs can be compared even
when a rule that already failed fails on more elements.

A check that could not be made - an audit that crashed, axe applying no rule, a vital the browser
cannot report - is "could not check": shown and counted, left out of the score (nothing was
measured) and never a pass: it fails the verdict. So does a scorecard with nothing on it. What axe
could not decide ("needs review") is listed with its elements, neither passed nor failed.

Verdict: the run passes when every threshold of the ``[ux]`` plan section holds - axe violations per
impact (a rule failing on a page kind counts once for that kind), the overall accessibility score,
each page kind's score, each task's action and time budget, LCP and CLS - and no other UX check of
impact ``fail_on_check`` or worse failed, and every check was made. Each failure is one reason, naming
what and where.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as _dt
import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from signoff.files import write_atomically
from signoff.ux.accessibility import (
    AccessibilityResult,
    RuleOutcome,
    Violation,
    accessibility_score,
    merge_findings,
    merge_results,
    rule_weight,
)
from signoff.ux.plan import IMPACTS, UxSection, impact_rank
from signoff.ux.routes import route_of
from signoff.ux.usability import (
    ConsistencyReport,
    EffortResult,
    ErrorFeedbackResult,
    KeyboardResult,
    PageSpeed,
    PrimaryAction,
    SaveFeedbackResult,
    SmallScreenResult,
    TextRenderResult,
    consistency_report,
)

JSON_NAME = "ux-scorecard.json"
HTML_NAME = "ux-scorecard.html"
#: Jinja2 template of the HTML scorecard, shipped in ``signoff/ux/templates/``.
HTML_TEMPLATE = "scorecard.html"
#: Wording of a check that could not be made, in details, reasons and the HTML.
COULD_NOT_CHECK = "could not check"

#: Impact of each UX check, as if it were an axe rule: it sets the check's weight in the score and
#: whether ``fail_on_check`` makes it fail the verdict. Chosen from the WCAG criterion each check
#: stands for and how badly a failure blocks a person:
CHECK_IMPACTS: dict[str, str] = {
    # WCAG 2.1.1 Keyboard (A): a keyboard-only user cannot fill the form at all.
    "keyboard-reach": "critical",
    # WCAG 2.1.2 No Keyboard Trap (A): the user is stuck.
    "keyboard-trap": "critical",
    # WCAG 2.4.7 Focus Visible (AA): the user does not know where they are.
    "focus-visible": "serious",
    # WCAG 1.4.10 Reflow (AA): sideways scrolling on a phone.
    "no-horizontal-overflow": "serious",
    # WCAG 2.5.8 Target Size (Minimum) (AA); axe rates target-size "serious".
    "touch-target-size": "serious",
    # No meta viewport: phones render a zoomed-out desktop page.
    "viewport-meta": "moderate",
    # Core Web Vitals.
    "lcp": "serious",
    "cls": "moderate",
    # Names in the user's language must be readable.
    "text-rendering": "serious",
    # Nielsen's heuristic #1, visibility of system status: did the save work?
    "save-feedback": "serious",
    # WCAG 3.3.1 Error Identification (A) - and the message must say what is wrong (3.3.3, AA).
    "error-feedback": "serious",
    # Effort and time budgets of a task.
    "task-actions": "serious",
    "task-time": "moderate",
    # The same action or thing named or placed differently across the CRM.
    "consistency": "moderate",
    # A page audit (or part of it) that did not complete: everything it would have found is unknown.
    "audit": "critical",
}


@dataclasses.dataclass
class Check:
    """One pass/fail UX check on a page or task, scored like an axe rule of ``impact``."""

    #: Key of :data:`CHECK_IMPACTS`.
    check: str
    impact: str
    passed: bool
    detail: str
    #: The ``[ux]`` key this check enforces (always part of the verdict), or "" for checks that
    #: count in the verdict through ``fail_on_check``.
    threshold: str = ""
    #: False when the check could not be made ("could not check"; ``detail`` says why): then
    #: ``passed`` is False too, the check is left out of the score and fails the verdict.
    checked: bool = True

    @property
    def status(self) -> str:
        """``passed``, ``failed`` or ``could not check``."""
        return "passed" if self.passed else "failed" if self.checked else COULD_NOT_CHECK


@dataclasses.dataclass
class IncompleteAudit:
    """A page audit, or one part of it, that did not complete - recorded with its error."""

    #: What did not complete: ``page`` (the page could not be opened or audited at all), or one
    #: part - ``speed``, ``accessibility``, ``text``, ``primary-actions``, ``small-screen``,
    #: ``keyboard <form selector>``.
    part: str
    url: str
    #: The error, one line (exception type and message).
    error: str


@dataclasses.dataclass
class PageAudit:
    """Everything audited on one page (any field may be missing)."""

    url: str
    accessibility: AccessibilityResult | None = None
    small_screen: SmallScreenResult | None = None
    keyboard: list[KeyboardResult] = dataclasses.field(default_factory=list)
    speed: PageSpeed | None = None
    text: list[TextRenderResult] = dataclasses.field(default_factory=list)
    primary_actions: list[PrimaryAction] = dataclasses.field(default_factory=list)
    #: Parts of the audit that did not complete: each is "could not check" on the scorecard.
    incomplete: list[IncompleteAudit] = dataclasses.field(default_factory=list)
    #: The browser it was audited in: each page kind is audited in each browser of the run.
    browser: str = ""

    @property
    def kind(self) -> str:
        """The page kind, with the browser when known: ``/persons/contacts [firefox]``."""
        return f"{route_of(self.url)} [{self.browser}]" if self.browser else route_of(self.url)


@dataclasses.dataclass
class TaskAudit:
    """Everything measured on one user task."""

    name: str
    effort: EffortResult
    save_feedback: SaveFeedbackResult | None = None
    error_feedback: list[ErrorFeedbackResult] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class PageScore:
    """One page kind on the scorecard."""

    kind: str
    urls: list[str]
    #: None when nothing on this kind could be scored (every check "could not check").
    score: float | None
    #: Axe-only score (None when axe did not run on this kind, or applied no rule).
    accessibility_score: float | None
    #: Failed axe rules by impact.
    violations_by_impact: dict[str, int]
    violations: list[Violation]
    checks: list[Check]
    speed: PageSpeed | None
    #: Base64 PNG with offending elements outlined ("" when none).
    screenshot_png: str = ""
    #: Failed rule -> number of distinct elements it hit on this kind (compare runs with it: more
    #: elements failing an already failed rule changes neither score nor verdict, but this).
    elements_by_rule: dict[str, int] = dataclasses.field(default_factory=dict)
    #: What axe could not decide, with the elements ("needs review"; not scored, not failed).
    needs_review: list[Violation] = dataclasses.field(default_factory=list)
    #: Checks of this kind that could not be made.
    could_not_check: int = 0


@dataclasses.dataclass
class TaskScore:
    """One task on the scorecard."""

    name: str
    score: float
    actions: int
    max_actions: int
    pages_visited: int
    seconds: float
    checks: list[Check]
    steps: list[str]


@dataclasses.dataclass
class Verdict:
    passed: bool
    reasons: list[str]


@dataclasses.dataclass
class Scorecard:
    """The UX acceptance result: scores worst first, and the verdict."""

    generated_at: str
    #: None when nothing at all could be scored.
    overall_score: float | None
    #: Mean axe score of the page kinds axe scored; None when it scored none.
    accessibility_score: float | None
    pages: list[PageScore]
    tasks: list[TaskScore]
    consistency: ConsistencyReport | None
    verdict: Verdict
    #: The ``[ux]`` section the verdict applied.
    thresholds: dict[str, Any]
    #: Checks that could not be made, over all pages and tasks (each is a reason of the verdict).
    could_not_check: int = 0
    #: Elements hit by failed axe rules, summed over rules and page kinds.
    affected_elements: int = 0
    #: Elements axe could not decide, summed over rules and page kinds.
    needs_review: int = 0


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def _check(name: str, passed: bool, detail: str, threshold: str = "") -> Check:
    return Check(check=name, impact=CHECK_IMPACTS[name], passed=passed, detail=detail, threshold=threshold)


def _not_checked(name: str, why: str, threshold: str = "") -> Check:
    return Check(check=name, impact=CHECK_IMPACTS[name], passed=False, detail=why, threshold=threshold, checked=False)


def _names(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def page_checks(audit: PageAudit, section: UxSection) -> list[Check]:
    """The UX checks of one page audit, judged against ``section``."""
    checks: list[Check] = []
    for kb in audit.keyboard:
        where = kb.form
        if not kb.found:
            checks.append(_check("keyboard-reach", False, f"form {where} not found"))
            continue
        checks.append(
            _check(
                "keyboard-reach",
                not kb.unreached,
                f"{where}: Tab reaches all {len(kb.controls)} controls"
                if not kb.unreached
                else f"{where}: Tab never reaches {_names(kb.unreached)}",
            )
        )
        checks.append(
            _check(
                "keyboard-trap",
                not kb.trapped,
                f"{where}: no keyboard trap" if not kb.trapped else f"{where}: focus trapped at {_names(kb.trap)}",
            )
        )
        checks.append(
            _check(
                "focus-visible",
                not kb.invisible_focus,
                f"{where}: focus visible on every control"
                if not kb.invisible_focus
                else f"{where}: no visible focus on {_names(kb.invisible_focus)}",
            )
        )
    small = audit.small_screen
    if small is not None:
        size = f"{small.viewport[0]}x{small.viewport[1]}"
        checks.append(
            _check(
                "no-horizontal-overflow",
                not small.horizontal_overflow,
                f"no sideways scrolling at {size}"
                if not small.horizontal_overflow
                else f"page is {small.scroll_width}px wide at {size} ({small.viewport_width}px visible); sticking out: "
                + _names([o.description for o in small.overflowing]),
            )
        )
        undecided = [", ".join(n.selectors) for finding in small.targets_to_review for n in finding.nodes]
        if small.small_targets:
            targets = f"{len(small.small_targets)} touch targets under {small.min_target}px: " + _names(
                [f"{t.description} {t.width:g}x{t.height:g}" for t in small.small_targets]
            )
        elif undecided:
            # Claim only what axe measured: the undecided targets are listed for review.
            targets = f"no touch target measured under {small.min_target}px (or spaced)"
        else:
            targets = f"all touch targets at least {small.min_target}px (or spaced)"
        if undecided:
            targets += f"; {len(undecided)} not decided (needs review): {_names(undecided)}"
        checks.append(_check("touch-target-size", not small.small_targets, targets))
        checks.append(
            _check(
                "viewport-meta",
                small.viewport_meta is not None,
                f"meta viewport: {small.viewport_meta}"
                if small.viewport_meta is not None
                else "no <meta name=viewport>",
            )
        )
    speed = audit.speed
    if speed is not None:
        if speed.lcp_ms is None:
            why = speed.not_measured.get("lcp", "no Largest Contentful Paint was reported")
            checks.append(_not_checked("lcp", f"LCP: {why}", threshold="max_lcp_seconds"))
        else:
            limit_ms = section.max_lcp_seconds * 1000
            checks.append(
                _check(
                    "lcp",
                    speed.lcp_ms <= limit_ms,
                    f"LCP {speed.lcp_ms / 1000:.2f} s (limit {section.max_lcp_seconds:g} s)",
                    threshold="max_lcp_seconds",
                )
            )
        if speed.cls is None:
            why = speed.not_measured.get("cls", "layout shifts were not measured")
            checks.append(_not_checked("cls", f"CLS: {why}", threshold="max_cls"))
        else:
            checks.append(
                _check(
                    "cls",
                    speed.cls <= section.max_cls,
                    f"CLS {speed.cls:.3f} (limit {section.max_cls:g})",
                    threshold="max_cls",
                )
            )
    for text in audit.text:
        if text.passed:
            detail = f"'{text.text}' shown in full"
        elif not text.found:
            detail = f"'{text.text}' not on the page"
        elif not text.visible:
            detail = f"'{text.text}' is on the page but hidden"
        elif text.truncated:
            detail = f"'{text.text}' is cut off by {text.clipped_by}"
        else:
            detail = f"'{text.text}' has characters without glyphs: {' '.join(text.missing_glyphs)}"
        checks.append(_check("text-rendering", text.passed, detail))
    for item in audit.incomplete:
        checks.append(_not_checked("audit", f"{item.part} audit did not complete on {item.url}: {item.error}"))
    return checks


def task_checks(task: TaskAudit, section: UxSection) -> list[Check]:
    """The checks of one task: action and time budgets, save and error feedback."""
    checks: list[Check] = []
    limit = section.task_action_limit(task.name)
    checks.append(
        _check(
            "task-actions",
            task.effort.actions <= limit,
            f"{task.effort.actions} actions (limit {limit}) over {task.effort.pages_visited} pages",
            threshold="max_task_actions",
        )
    )
    if section.max_task_seconds > 0:
        checks.append(
            _check(
                "task-time",
                task.effort.seconds <= section.max_task_seconds,
                f"{task.effort.seconds:.1f} s (limit {section.max_task_seconds:g} s)",
                threshold="max_task_seconds",
            )
        )
    if task.save_feedback is not None:
        fb = task.save_feedback
        detail = (
            "after saving: " + ", ".join(fb.signals) + (f" ('{fb.messages[0]}')" if fb.messages else "")
            if fb.passed
            else f"no confirmation and no new state within {fb.waited_ms:.0f} ms after saving"
        )
        checks.append(_check("save-feedback", fb.passed, detail))
    for err in task.error_feedback:
        if err.passed:
            detail = f"{err.field}: '{err.message}' ({', '.join(err.how)})"
        elif not err.has_message:
            detail = f"{err.field}: no error message at the field" + (
                " (only aria-invalid)" if err.aria_invalid else ""
            )
        else:
            detail = f"{err.field}: message '{err.message}' does not say what is wrong"
        checks.append(_check("error-feedback", err.passed, detail))
    return checks


def weighted_score(rules: Iterable[RuleOutcome], checks: Iterable[Check]) -> float | None:
    """Lighthouse-style score over axe rules and the UX checks that were made; None for nothing."""
    outcomes = list(rules)
    outcomes += [RuleOutcome(c.check, c.impact, rule_weight(c.impact), c.passed) for c in checks if c.checked]
    if not outcomes:
        return None
    return accessibility_score(outcomes)


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------


def score_page_kind(kind: str, audits: Sequence[PageAudit], section: UxSection) -> PageScore:
    """Score one page kind from its audits (usually one URL)."""
    merged = merge_results([a.accessibility for a in audits if a.accessibility is not None])
    checks = [check for audit in audits for check in page_checks(audit, section)]
    rules: list[RuleOutcome] = []
    violations: list[Violation] = []
    review: list[Violation] = []
    if merged is not None:
        rules, violations, review = merged.rules, merged.violations, merged.needs_review
        if not rules:
            # Axe ran and judged nothing (e.g. records of a writer that did not refuse it).
            checks.append(_not_checked("audit", f"accessibility: axe applied no rule of {', '.join(merged.tags)}"))
    smalls = [a.small_screen.targets_to_review for a in audits if a.small_screen is not None]
    review = merge_findings([review, *smalls])
    counts = dict.fromkeys(IMPACTS, 0)
    for violation in violations:
        counts[violation.impact] = counts.get(violation.impact, 0) + 1
    speeds = [a.speed for a in audits if a.speed is not None]
    return PageScore(
        kind=kind,
        urls=sorted({a.url for a in audits}),
        score=weighted_score(rules, checks),
        accessibility_score=accessibility_score(rules) if rules else None,
        violations_by_impact=counts,
        violations=violations,
        checks=checks,
        # The slowest LCP is what a user met at worst.
        speed=max(speeds, key=lambda s: s.lcp_ms or 0.0) if speeds else None,
        screenshot_png=merged.screenshot_png if merged is not None else "",
        elements_by_rule={v.rule_id: len(v.nodes) for v in violations},
        needs_review=review,
        could_not_check=sum(1 for c in checks if not c.checked),
    )


def score_task(task: TaskAudit, section: UxSection) -> TaskScore:
    checks = task_checks(task, section)
    score = weighted_score([], checks)
    # task_checks always makes the action-budget check: a task always has a score.
    assert score is not None
    return TaskScore(
        name=task.name,
        score=score,
        actions=task.effort.actions,
        max_actions=section.task_action_limit(task.name),
        pages_visited=task.effort.pages_visited,
        seconds=task.effort.seconds,
        checks=checks,
        steps=[f"{s.kind}: {s.target}" for s in task.effort.steps],
    )


def build_scorecard(
    pages: Iterable[PageAudit],
    tasks: Iterable[TaskAudit] = (),
    section: UxSection | None = None,
    *,
    consistency: ConsistencyReport | None = None,
) -> Scorecard:
    """Aggregate page and task audits into a scorecard and judge it against ``section``.

    Without ``consistency``, one is made from the pages' primary actions (with the section's
    glossary) when any page collected them.
    """
    section = section or UxSection()
    by_kind: dict[str, list[PageAudit]] = {}
    for audit in pages:
        by_kind.setdefault(audit.kind, []).append(audit)
    page_scores = [score_page_kind(kind, audits, section) for kind, audits in by_kind.items()]
    task_scores = [score_task(task, section) for task in tasks]
    # Worst first; a kind that could not be scored at all is worse than any score.
    page_scores.sort(key=lambda p: (-1.0 if p.score is None else p.score, p.kind))
    task_scores.sort(key=lambda t: (t.score, t.name))
    if consistency is None:
        actions = [a for audits in by_kind.values() for audit in audits for a in audit.primary_actions]
        if actions:
            consistency = consistency_report(actions, section.glossary)
    a11y_scores = [p.accessibility_score for p in page_scores if p.accessibility_score is not None]
    a11y_score = round(sum(a11y_scores) / len(a11y_scores), 1) if a11y_scores else None
    scores = [p.score for p in page_scores if p.score is not None] + [t.score for t in task_scores]
    overall: float | None
    if not scores:
        overall = None
    elif section.overall_score == "worst":
        overall = min(scores)
    else:
        overall = round(sum(scores) / len(scores), 1)
    card = Scorecard(
        generated_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        overall_score=overall,
        accessibility_score=a11y_score,
        pages=page_scores,
        tasks=task_scores,
        consistency=consistency,
        verdict=Verdict(True, []),
        thresholds=dataclasses.asdict(section),
        could_not_check=sum(p.could_not_check for p in page_scores)
        + sum(1 for t in task_scores for c in t.checks if not c.checked),
        affected_elements=sum(sum(p.elements_by_rule.values()) for p in page_scores),
        needs_review=sum(len(v.nodes) for p in page_scores for v in p.needs_review),
    )
    card.verdict = evaluate(card, section)
    return card


def evaluate(card: Scorecard, section: UxSection) -> Verdict:
    """The pass/fail verdict of a scorecard against ``section``, one reason per broken threshold."""
    reasons: list[str] = []
    if not card.pages and not card.tasks:
        reasons.append("nothing was audited: no page and no task was recorded, so there is nothing to pass")
    for impact, limit in (("critical", section.max_critical), ("serious", section.max_serious)):
        found = [f"{v.rule_id} on {page.kind}" for page in card.pages for v in page.violations if v.impact == impact]
        if len(found) > limit:
            reasons.append(f"{len(found)} {impact} accessibility violations (max {limit}): {_names(found)}")
    if card.accessibility_score is not None and card.accessibility_score < section.min_accessibility_score:
        reasons.append(f"accessibility score {card.accessibility_score:g} is below {section.min_accessibility_score:g}")
    for page in card.pages:
        # An unscored kind fails through its "could not check" checks below.
        if page.score is not None and page.score < section.min_page_score:
            reasons.append(f"page {page.kind} scores {page.score:g}, below {section.min_page_score:g}")
    gate = impact_rank(section.fail_on_check) if section.fail_on_check in IMPACTS else -1
    subjects: list[tuple[str, list[Check]]] = [(f"page {p.kind}", p.checks) for p in card.pages]
    subjects += [(f"task '{t.name}'", t.checks) for t in card.tasks]
    for subject, checks in subjects:
        for check in checks:
            if check.passed:
                continue
            if not check.checked:
                # Whatever fail_on_check says: what was not checked cannot pass.
                reasons.append(f"{subject}: {check.check}: {COULD_NOT_CHECK}: {check.detail}")
            elif check.threshold or (gate >= 0 and impact_rank(check.impact) <= gate):
                reasons.append(f"{subject}: {check.check}: {check.detail}")
    if card.consistency is not None and gate >= impact_rank(CHECK_IMPACTS["consistency"]):
        for issue in card.consistency.issues:
            reasons.append(f"consistency: {issue.message}")
    return Verdict(passed=not reasons, reasons=reasons)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def scorecard_dict(card: Scorecard) -> dict[str, Any]:
    """The scorecard as JSON-ready data (each check with its ``status``)."""
    data = dataclasses.asdict(card)
    subjects = list(zip(card.pages, data["pages"], strict=True)) + list(zip(card.tasks, data["tasks"], strict=True))
    for subject, subject_data in subjects:
        for check, check_data in zip(subject.checks, subject_data["checks"], strict=True):
            check_data["status"] = check.status
    return data


def write_scorecard(card: Scorecard, folder: str | Path) -> tuple[Path, Path]:
    """Write ``ux-scorecard.json`` and ``ux-scorecard.html`` into ``folder``; returns both paths."""
    out = Path(folder)
    json_path = write_atomically(out / JSON_NAME, json.dumps(scorecard_dict(card), ensure_ascii=False, indent=2))
    html_path = write_atomically(out / HTML_NAME, render_html(card))
    return json_path, html_path


@functools.cache
def _environment() -> jinja2.Environment:
    # Autoescape everything: URLs, selectors, element HTML and messages all come from the CRM.
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("signoff.ux", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["grade"] = _grade
    environment.filters["number"] = _number
    environment.filters["png"] = _png
    environment.filters["tojson_text"] = lambda value: json.dumps(value, ensure_ascii=False)
    return environment


def _grade(score: float | None) -> str:
    if score is None:
        return "none"
    return "good" if score >= 90 else "avg" if score >= 50 else "poor"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _png(data: str) -> str:
    # Only real base64 goes into a data URI: a hostile value cannot close the attribute.
    try:
        return base64.b64encode(base64.b64decode(data, validate=True)).decode("ascii")
    except (binascii.Error, ValueError):
        return ""


def render_html(card: Scorecard) -> str:
    """A self-contained HTML page (inline CSS, screenshots as data URIs, no scripts)."""
    order = {"could not check": 0, "failed": 1, "passed": 2}

    def sorted_checks(checks: Sequence[Check]) -> list[Check]:
        return sorted(checks, key=lambda c: (order[c.status], impact_rank(c.impact)))

    return _environment().get_template(HTML_TEMPLATE).render(card=card, sorted_checks=sorted_checks, IMPACTS=IMPACTS)
