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
is failed for the kind.

Verdict: the run passes when every threshold of the ``[ux]`` plan section holds - axe violations per
impact (a rule failing on a page kind counts once for that kind), the overall accessibility score,
each page kind's score, each task's action and time budget, LCP and CLS - and no other UX check of
impact ``fail_on_check`` or worse failed. Each failure is one reason, naming what and where.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from signoff.ux.accessibility import (
    AccessibilityResult,
    RuleOutcome,
    Violation,
    accessibility_score,
    rule_weight,
)
from signoff.ux.plan import IMPACTS, UxSection
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

    @property
    def kind(self) -> str:
        return route_of(self.url)


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
    score: float
    #: Axe-only score (None when axe did not run on this kind).
    accessibility_score: float | None
    #: Failed axe rules by impact.
    violations_by_impact: dict[str, int]
    violations: list[Violation]
    checks: list[Check]
    speed: PageSpeed | None
    #: Base64 PNG with offending elements outlined ("" when none).
    screenshot_png: str = ""


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
    overall_score: float
    accessibility_score: float
    pages: list[PageScore]
    tasks: list[TaskScore]
    consistency: ConsistencyReport | None
    verdict: Verdict
    #: The ``[ux]`` section the verdict applied.
    thresholds: dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def _check(name: str, passed: bool, detail: str, threshold: str = "") -> Check:
    return Check(check=name, impact=CHECK_IMPACTS[name], passed=passed, detail=detail, threshold=threshold)


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
        checks.append(
            _check(
                "touch-target-size",
                not small.small_targets,
                f"all touch targets at least {small.min_target}px (or spaced)"
                if not small.small_targets
                else f"{len(small.small_targets)} touch targets under {small.min_target}px: "
                + _names([f"{t.description} {t.width:g}x{t.height:g}" for t in small.small_targets]),
            )
        )
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
        if speed.lcp_ms is not None:
            limit_ms = section.max_lcp_seconds * 1000
            checks.append(
                _check(
                    "lcp",
                    speed.lcp_ms <= limit_ms,
                    f"LCP {speed.lcp_ms / 1000:.2f} s (limit {section.max_lcp_seconds:g} s)",
                    threshold="max_lcp_seconds",
                )
            )
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


def weighted_score(rules: Iterable[RuleOutcome], checks: Iterable[Check]) -> float:
    """Lighthouse-style score over axe rules and UX checks together."""
    outcomes = list(rules)
    outcomes += [RuleOutcome(c.check, c.impact, rule_weight(c.impact), c.passed) for c in checks]
    return accessibility_score(outcomes)


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------


def _merge_rules(results: Sequence[AccessibilityResult]) -> list[RuleOutcome]:
    # A rule failed on any URL of the kind fails for the kind.
    merged: dict[str, RuleOutcome] = {}
    for result in results:
        for rule in result.rules:
            known = merged.get(rule.rule_id)
            if known is None or (known.passed and not rule.passed):
                merged[rule.rule_id] = rule
    return sorted(merged.values(), key=lambda r: r.rule_id)


def _merge_violations(results: Sequence[AccessibilityResult]) -> list[Violation]:
    merged: dict[str, Violation] = {}
    for result in results:
        for violation in result.violations:
            if violation.rule_id in merged:
                merged[violation.rule_id].nodes.extend(violation.nodes)
            else:
                merged[violation.rule_id] = dataclasses.replace(violation, nodes=list(violation.nodes))
    return sorted(merged.values(), key=lambda v: (_rank(v.impact), v.rule_id))


def _rank(impact: str) -> int:
    return IMPACTS.index(impact) if impact in IMPACTS else len(IMPACTS)


def score_page_kind(kind: str, audits: Sequence[PageAudit], section: UxSection) -> PageScore:
    """Score one page kind from its audits (usually one URL)."""
    a11y = [a.accessibility for a in audits if a.accessibility is not None]
    rules = _merge_rules(a11y)
    violations = _merge_violations(a11y)
    checks = [check for audit in audits for check in page_checks(audit, section)]
    counts = dict.fromkeys(IMPACTS, 0)
    for violation in violations:
        counts[violation.impact] = counts.get(violation.impact, 0) + 1
    speeds = [a.speed for a in audits if a.speed is not None]
    return PageScore(
        kind=kind,
        urls=sorted({a.url for a in audits}),
        score=weighted_score(rules, checks),
        accessibility_score=accessibility_score(rules) if a11y else None,
        violations_by_impact=counts,
        violations=violations,
        checks=checks,
        # The slowest LCP is what a user met at worst.
        speed=max(speeds, key=lambda s: s.lcp_ms or 0.0) if speeds else None,
        screenshot_png=next((r.screenshot_png for r in a11y if r.screenshot_png), ""),
    )


def score_task(task: TaskAudit, section: UxSection) -> TaskScore:
    checks = task_checks(task, section)
    return TaskScore(
        name=task.name,
        score=weighted_score([], checks),
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
    page_scores.sort(key=lambda p: (p.score, p.kind))
    task_scores.sort(key=lambda t: (t.score, t.name))
    if consistency is None:
        actions = [a for audits in by_kind.values() for audit in audits for a in audit.primary_actions]
        if actions:
            consistency = consistency_report(actions, section.glossary)
    a11y_pages = [p for p in page_scores if p.accessibility_score is not None]
    a11y_score = (
        round(sum(p.accessibility_score or 0.0 for p in a11y_pages) / len(a11y_pages), 1) if a11y_pages else 100.0
    )
    scores = [p.score for p in page_scores] + [t.score for t in task_scores]
    if not scores:
        overall = 100.0
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
    )
    card.verdict = evaluate(card, section)
    return card


def evaluate(card: Scorecard, section: UxSection) -> Verdict:
    """The pass/fail verdict of a scorecard against ``section``, one reason per broken threshold."""
    reasons: list[str] = []
    for impact, limit in (("critical", section.max_critical), ("serious", section.max_serious)):
        found = [f"{v.rule_id} on {page.kind}" for page in card.pages for v in page.violations if v.impact == impact]
        if len(found) > limit:
            reasons.append(f"{len(found)} {impact} accessibility violations (max {limit}): {_names(found)}")
    if card.accessibility_score < section.min_accessibility_score:
        reasons.append(f"accessibility score {card.accessibility_score:g} is below {section.min_accessibility_score:g}")
    for page in card.pages:
        if page.score < section.min_page_score:
            reasons.append(f"page {page.kind} scores {page.score:g}, below {section.min_page_score:g}")
    gate = IMPACTS.index(section.fail_on_check) if section.fail_on_check in IMPACTS else -1
    subjects: list[tuple[str, list[Check]]] = [(f"page {p.kind}", p.checks) for p in card.pages]
    subjects += [(f"task '{t.name}'", t.checks) for t in card.tasks]
    for subject, checks in subjects:
        for check in checks:
            if check.passed:
                continue
            if check.threshold or (gate >= 0 and _rank(check.impact) <= gate):
                reasons.append(f"{subject}: {check.check}: {check.detail}")
    if card.consistency is not None and gate >= _rank(CHECK_IMPACTS["consistency"]):
        for issue in card.consistency.issues:
            reasons.append(f"consistency: {issue.message}")
    return Verdict(passed=not reasons, reasons=reasons)


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def scorecard_dict(card: Scorecard) -> dict[str, Any]:
    """The scorecard as JSON-ready data."""
    return dataclasses.asdict(card)


def write_scorecard(card: Scorecard, folder: str | Path) -> tuple[Path, Path]:
    """Write ``ux-scorecard.json`` and ``ux-scorecard.html`` into ``folder``; returns both paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / JSON_NAME
    html_path = out / HTML_NAME
    json_path.write_text(json.dumps(scorecard_dict(card), ensure_ascii=False, indent=2), encoding="utf-8")
    html_path.write_text(render_html(card), encoding="utf-8")
    return json_path, html_path


_CSS = """
body{font:15px/1.5 system-ui,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6em;margin:0 0 8px} h2{margin-top:32px;border-bottom:2px solid #d8dbe0;padding-bottom:4px}
.verdict{display:inline-block;padding:6px 14px;border-radius:6px;font-weight:700;color:#fff}
.pass{background:#17692f} .fail{background:#b3261e}
.cards{display:flex;gap:16px;flex-wrap:wrap;margin:16px 0}
.card{background:#fff;border:1px solid #d8dbe0;border-radius:8px;padding:12px 16px;min-width:180px}
.card b{display:block;font-size:1.8em}
table{border-collapse:collapse;width:100%;background:#fff;margin:8px 0}
th,td{border:1px solid #d8dbe0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#eef0f3}
.bar{background:#e4e6ea;border-radius:4px;width:120px;height:10px;display:inline-block;vertical-align:middle;margin-left:6px}
.bar i{display:block;height:100%;border-radius:4px}
.good{background:#17692f} .avg{background:#a15c00} .poor{background:#b3261e}
.critical{color:#b3261e;font-weight:700} .serious{color:#a14400;font-weight:700}
.moderate{color:#7a5c00} .minor{color:#1e5fb3}
.ok{color:#17692f} .no{color:#b3261e;font-weight:600}
details{background:#fff;border:1px solid #d8dbe0;border-radius:8px;margin:8px 0;padding:8px 12px}
summary{cursor:pointer;font-weight:600}
code{background:#eef0f3;padding:1px 4px;border-radius:3px;font-size:.9em;word-break:break-all}
code.rule{white-space:nowrap;word-break:normal}
img.shot{max-width:100%;border:1px solid #d8dbe0;margin-top:8px}
ul.reasons li{margin:2px 0}
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _bar(score: float) -> str:
    grade = "good" if score >= 90 else "avg" if score >= 50 else "poor"
    return f'{score:g}<span class="bar"><i class="{grade}" style="width:{max(0.0, min(100.0, score)):.0f}%"></i></span>'


def _nonzero(impact: str, counts: dict[str, int]) -> str:
    # Colour a count only when there is something to see.
    return f' class="{impact}"' if counts.get(impact, 0) else ""


def _checks_html(checks: Sequence[Check]) -> str:
    if not checks:
        return "<p>—</p>"
    rows = "".join(
        f'<tr><td class="{"ok" if c.passed else "no"}">{"✔" if c.passed else "✘"}</td>'
        f'<td>{_esc(c.check)}</td><td class="{_esc(c.impact)}">{_esc(c.impact)}</td><td>{_esc(c.detail)}</td></tr>'
        for c in sorted(checks, key=lambda c: (c.passed, _rank(c.impact)))
    )
    return f"<table><tr><th></th><th>检查 Check</th><th>影响 Impact</th><th>详情 Detail</th></tr>{rows}</table>"


def render_html(card: Scorecard) -> str:
    """A self-contained HTML page (inline CSS, screenshots as data URIs, no scripts)."""
    verdict_class = "pass" if card.verdict.passed else "fail"
    verdict_text = "通过 PASS" if card.verdict.passed else "未通过 FAIL"
    parts: list[str] = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>UX scorecard · 用户体验评分卡</title><style>{_CSS}</style></head><body><main>",
        "<h1>用户体验验收 · User-experience acceptance</h1>",
        f"<p>Generated {_esc(card.generated_at)}</p>",
        f'<p><span class="verdict {verdict_class}">{verdict_text}</span></p>',
        '<div class="cards">',
        f'<div class="card">总分 Overall<b>{card.overall_score:g}</b></div>',
        f'<div class="card">无障碍 Accessibility<b>{card.accessibility_score:g}</b></div>',
        f'<div class="card">页面类型 Page kinds<b>{len(card.pages)}</b></div>',
        f'<div class="card">任务 Tasks<b>{len(card.tasks)}</b></div>',
        "</div>",
        "<h2>结论 · Verdict</h2>",
    ]
    if card.verdict.reasons:
        parts.append('<ul class="reasons">' + "".join(f"<li>{_esc(r)}</li>" for r in card.verdict.reasons) + "</ul>")
    else:
        parts.append("<p>Every threshold holds. 所有阈值均满足。</p>")

    parts.append("<h2>页面 · Pages <small>(worst first)</small></h2>")
    if card.pages:
        rows = []
        for page in card.pages:
            counts = page.violations_by_impact
            failed = sum(1 for c in page.checks if not c.passed)
            a11y = "—" if page.accessibility_score is None else _bar(page.accessibility_score)
            rows.append(
                f"<tr><td><code>{_esc(page.kind)}</code></td><td>{_bar(page.score)}</td><td>{a11y}</td>"
                f"<td{_nonzero('critical', counts)}>{counts.get('critical', 0)}</td>"
                f"<td{_nonzero('serious', counts)}>{counts.get('serious', 0)}</td>"
                f"<td>{counts.get('moderate', 0) + counts.get('minor', 0)}</td><td>{failed}</td></tr>"
            )
        parts.append(
            "<table><tr><th>页面类型 Page kind</th><th>得分 Score</th><th>无障碍 Accessibility</th>"
            "<th>严重 Critical</th><th>重要 Serious</th><th>其他 Other</th><th>未通过检查 Failed checks</th></tr>"
            + "".join(rows)
            + "</table>"
        )
        for page in card.pages:
            parts.append(f"<details><summary><code>{_esc(page.kind)}</code> — {page.score:g}</summary>")
            parts.append("<p>" + "<br>".join(_esc(u) for u in page.urls) + "</p>")
            if page.speed is not None:
                s = page.speed
                lcp = "—" if s.lcp_ms is None else f"{s.lcp_ms / 1000:.2f} s"
                parts.append(
                    f"<p>速度 Speed: TTFB {_esc(s.ttfb_ms)} ms · DOMContentLoaded {_esc(s.dom_content_loaded_ms)} ms · "
                    f"load {_esc(s.load_ms)} ms · LCP {lcp} ({_esc(s.lcp_element)}) · CLS {s.cls:.3f}</p>"
                )
            parts.append(_checks_html(page.checks))
            if page.violations:
                rows = []
                for v in page.violations:
                    nodes = "<br>".join(
                        f"<code>{_esc(' | '.join(n.selectors))}</code> {_esc(n.html[:200])}" for n in v.nodes[:10]
                    )
                    more = f"<br>… {len(v.nodes) - 10} more" if len(v.nodes) > 10 else ""
                    rows.append(
                        f'<tr><td class="{_esc(v.impact)}">{_esc(v.impact)}</td>'
                        f'<td><code class="rule">{_esc(v.rule_id)}</code></td>'
                        f'<td>{_esc(v.help)}<br><a href="{_esc(v.help_url)}">{_esc(v.help_url)}</a></td>'
                        f"<td>{nodes}{more}</td></tr>"
                    )
                parts.append(
                    "<table><tr><th>影响 Impact</th><th>规则 Rule</th><th>帮助 Help</th><th>元素 Elements</th></tr>"
                    + "".join(rows)
                    + "</table>"
                )
            if page.screenshot_png:
                # Validate before embedding: only real base64 goes into the data URI.
                data = base64.b64encode(base64.b64decode(page.screenshot_png)).decode("ascii")
                parts.append(
                    f'<img class="shot" alt="Annotated screenshot of {_esc(page.kind)}" '
                    f'src="data:image/png;base64,{data}">'
                )
            parts.append("</details>")
    else:
        parts.append("<p>—</p>")

    parts.append("<h2>任务 · Tasks <small>(worst first)</small></h2>")
    if card.tasks:
        rows = [
            f"<tr><td>{_esc(t.name)}</td><td>{_bar(t.score)}</td>"
            f'<td class="{"ok" if t.actions <= t.max_actions else "no"}">{t.actions} / {t.max_actions}</td>'
            f"<td>{t.pages_visited}</td><td>{t.seconds:.1f} s</td></tr>"
            for t in card.tasks
        ]
        parts.append(
            "<table><tr><th>任务 Task</th><th>得分 Score</th><th>操作 Actions / max</th><th>页面 Pages</th>"
            "<th>用时 Time</th></tr>" + "".join(rows) + "</table>"
        )
        for t in card.tasks:
            parts.append(f"<details><summary>{_esc(t.name)} — {t.score:g}</summary>")
            parts.append(_checks_html(t.checks))
            if t.steps:
                parts.append("<ol>" + "".join(f"<li>{_esc(s)}</li>" for s in t.steps) + "</ol>")
            parts.append("</details>")
    else:
        parts.append("<p>—</p>")

    parts.append("<h2>一致性 · Consistency</h2>")
    if card.consistency is None:
        parts.append("<p>—</p>")
    elif not card.consistency.issues:
        parts.append(f'<p class="ok">{card.consistency.forms} forms, consistent. 一致。</p>')
    else:
        parts.append("<ul>" + "".join(f"<li>{_esc(i.message)}</li>" for i in card.consistency.issues) + "</ul>")

    parts.append("<h2>阈值 · Thresholds <small>[ux]</small></h2><table>")
    parts.extend(
        f"<tr><th>{_esc(k)}</th><td><code>{_esc(json.dumps(v, ensure_ascii=False))}</code></td></tr>"
        for k, v in card.thresholds.items()
    )
    parts.append("</table></main></body></html>")
    return "\n".join(parts)
