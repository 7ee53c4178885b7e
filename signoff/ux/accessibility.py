"""Accessibility audit: axe-core against WCAG 2.1 A/AA, with a Lighthouse-style score.

Axe-core (bundled offline by ``axe-playwright-python``) does the checking; this module only runs it,
keeps what a reader needs (impact, rule, help and help URL, affected elements) and scores the page.

Scoring follows Lighthouse's accessibility score: every axe rule that applies to the page is a
pass/fail audit - a rule with one failing element fails as a whole, there is no partial credit - and
the score is the weighted share of passed rules::

    score = 100 * sum(weight of passed rules) / sum(weight of applicable rules)

where applicable = passed + failed; rules axe found inapplicable, and rules that are only
"incomplete" (needs a human review), are left out of the score - their elements are kept as
:attr:`AccessibilityResult.needs_review` for a person to look at. Since Lighthouse 5.2 (GoogleChrome/lighthouse
PR #8823, "update scoring weights based on severity") the weights come from axe's user-impact rating
of each rule; we apply the same idea directly to axe's impact:

    critical 10, serious 7, moderate 3, minor 1

A rule's weight comes from the impact axe *declares* for the rule (the worst impact it can report),
not from the impact of the elements that failed, so the same rule weighs the same whether it passes
or fails - otherwise passing would change the denominator. A page on which no rule applied was not
checked at all: :func:`audit_accessibility` raises :class:`NothingChecked` rather than scoring it 100.
Across pages the overall score is the plain mean of page scores (:func:`overall_accessibility_score`),
so that every kind of page counts the same however many elements it has.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

from signoff.ux.plan import DEFAULT_WCAG_TAGS, IMPACTS, impact_rank, worst_impact
from signoff.ux.routes import route_of

#: Axe impact -> weight in the score (Lighthouse's scale of 10 / 7 / 3 / 1, see module docstring).
IMPACT_WEIGHTS: dict[str, int] = {"critical": 10, "serious": 7, "moderate": 3, "minor": 1}
#: Weight for a rule whose impact axe does not tell (never seen with axe 4.x, kept for safety).
UNKNOWN_IMPACT = "moderate"

#: Outline colours of the annotated screenshot, by impact (red, orange, amber, blue).
OUTLINE_COLOURS: dict[str, str] = {
    "critical": "#d00000",
    "serious": "#ff6a00",
    "moderate": "#e0a800",
    "minor": "#1e6fd9",
}

_AXE = Axe()
_MARK = "data-signoff-a11y"
_STYLE_ID = "signoff-a11y-outline"

# Injects axe once per document: re-evaluating axe.min.js merges into the existing global and costs
# a parse of ~500 kB each time.
_ENSURE_AXE = "(version) => typeof window.axe === 'object' && window.axe.version === version"

# Runs axe with optional temporary configuration; axe.reset() afterwards so that one audit's check
# options (e.g. a custom target size) never leak into the next audit on the same document.
_RUN_AXE = """async ([context, options, configure]) => {
  if (configure) window.axe.configure(configure);
  try {
    return await window.axe.run(context || document, options);
  } finally {
    if (configure) window.axe.reset();
  }
}"""

# The impact axe declares for each rule. ``axe._audit`` is axe's internal registry, but it is the
# only place the declared impact lives at run time; when it is missing we fall back (see below).
_RULE_IMPACTS = """() => {
  const out = {};
  const rules = (window.axe && window.axe._audit && window.axe._audit.rules) || [];
  for (const rule of rules) out[rule.id] = rule.impact || null;
  return out;
}"""

_ANNOTATE = """([mark, styleId, colours, marks]) => {
  const style = document.createElement('style');
  style.id = styleId;
  style.textContent = Object.entries(colours).map(([impact, colour]) =>
    `[${mark}="${impact}"] { outline: 3px solid ${colour} !important; outline-offset: 2px !important; }`
  ).join('\\n');
  document.head.appendChild(style);
  let marked = 0;
  for (const [selector, impact] of marks) {
    let found = [];
    try { found = document.querySelectorAll(selector); } catch (e) { continue; }
    for (const el of found) {
      // Keep the most severe impact when several rules hit one element.
      if (!el.hasAttribute(mark)) { el.setAttribute(mark, impact); marked++; }
    }
  }
  return marked;
}"""

_UNANNOTATE = """([mark, styleId]) => {
  document.getElementById(styleId)?.remove();
  for (const el of document.querySelectorAll(`[${mark}]`)) el.removeAttribute(mark);
}"""


class NothingChecked(RuntimeError):
    """Axe applied no rule to the page: an audit that checked nothing, not a clean page."""


@dataclasses.dataclass
class ViolationNode:
    """One element that fails a rule (or, in ``needs_review``, that axe could not decide)."""

    #: Axe's selector path; for elements in iframes or shadow roots, one selector per level.
    selectors: list[str]
    html: str
    #: Axe's "Fix any of the following ..." text.
    summary: str


@dataclasses.dataclass
class Violation:
    """An axe rule that fails on the page - or, in ``needs_review``, that axe could not decide."""

    rule_id: str
    impact: str
    help: str
    help_url: str
    description: str
    #: The WCAG tags of the rule (``wcag2aa``, ``wcag143`` ...).
    wcag: list[str]
    nodes: list[ViolationNode]


@dataclasses.dataclass
class RuleOutcome:
    """One applicable axe rule as scored: its declared impact, weight and whether it passed."""

    rule_id: str
    impact: str
    weight: int
    passed: bool


@dataclasses.dataclass
class AccessibilityResult:
    """The accessibility audit of one page."""

    url: str
    kind: str
    axe_version: str
    tags: list[str]
    violations: list[Violation]
    #: Applicable rules (passed and failed) - the basis of :attr:`score`.
    rules: list[RuleOutcome]
    #: Rules and elements axe could not decide ("needs review", axe's "incomplete"); not scored,
    #: listed for a person to look at.
    needs_review: list[Violation]
    score: float
    #: Base64 PNG of the page with offending elements outlined; "" when not taken.
    screenshot_png: str = ""

    def impact_counts(self) -> dict[str, int]:
        """Failed rules per impact (``critical``, ``serious``, ``moderate``, ``minor``)."""
        counts = dict.fromkeys(IMPACTS, 0)
        for violation in self.violations:
            counts[violation.impact] = counts.get(violation.impact, 0) + 1
        return counts

    def screenshot_bytes(self) -> bytes:
        """The annotated screenshot as PNG bytes (empty when none was taken)."""
        return base64.b64decode(self.screenshot_png) if self.screenshot_png else b""


def rule_weight(impact: str | None) -> int:
    """The score weight of a rule of axe impact ``impact``."""
    return IMPACT_WEIGHTS.get(impact or UNKNOWN_IMPACT, IMPACT_WEIGHTS[UNKNOWN_IMPACT])


def accessibility_score(rules: Iterable[RuleOutcome]) -> float:
    """``100 * passed weight / applicable weight``, rounded to 0.1; 100 when nothing applies."""
    total = 0
    passed = 0
    for rule in rules:
        total += rule.weight
        if rule.passed:
            passed += rule.weight
    if total == 0:
        return 100.0
    return round(100.0 * passed / total, 1)


def overall_accessibility_score(results: Iterable[AccessibilityResult]) -> float:
    """Mean of the page scores (each page kind counts once and the same); 100 for no pages."""
    scores = [result.score for result in results]
    if not scores:
        return 100.0
    return round(sum(scores) / len(scores), 1)


def ensure_axe(page: Page) -> str:
    """Inject axe-core into the page's current document unless it is there; returns axe's version."""
    version = _axe_version()
    if not page.evaluate(_ENSURE_AXE, version):
        page.evaluate(_AXE.axe_script)
    return version


def run_axe(
    page: Page,
    options: dict[str, Any],
    *,
    context: str | dict[str, Any] | None = None,
    configure: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run axe on the page and return its raw result object.

    ``options`` are ``axe.run`` options (``runOnly``, ``resultTypes`` ...), ``context`` what to
    include/exclude, ``configure`` a temporary ``axe.configure`` spec (reset after the run).
    Arguments go through Playwright's serialiser rather than string formatting, so selectors with
    quotes are safe.
    """
    ensure_axe(page)
    result: dict[str, Any] = page.evaluate(_RUN_AXE, [context, options, configure])
    return result


def audit_accessibility(
    page: Page,
    tags: Sequence[str] = DEFAULT_WCAG_TAGS,
    *,
    screenshot: bool = True,
    context: str | dict[str, Any] | None = None,
) -> AccessibilityResult:
    """Run axe with the WCAG ``tags`` on the page as it is now and score it.

    With ``screenshot`` and at least one violation, the result carries a full-page PNG with the
    offending elements outlined in the colour of their impact.
    """
    raw = run_axe(
        page,
        {
            "runOnly": {"type": "tag", "values": list(tags)},
            # Node details only for violations and "needs review": passes/inapplicable still list
            # every rule (all the score needs) but axe skips serialising thousands of passing elements.
            "resultTypes": ["violations", "incomplete"],
        },
        context=context,
    )
    declared: dict[str, str | None] = page.evaluate(_RULE_IMPACTS)
    violations = [finding_from_axe(item) for item in raw.get("violations", [])]
    rules = score_rules(raw, declared)
    url = page.url
    if not rules:
        raise NothingChecked(f"axe applied no rule of the tags {', '.join(tags)} to {url}: nothing was checked")
    result = AccessibilityResult(
        url=url,
        kind=route_of(url),
        axe_version=str(raw.get("testEngine", {}).get("version", _axe_version())),
        tags=list(tags),
        violations=sorted(violations, key=_finding_order),
        rules=rules,
        # Every undecided element, also of rules that passed or failed elsewhere on the page: a
        # rule's verdict says nothing about the elements axe could not judge.
        needs_review=sorted((finding_from_axe(item) for item in raw.get("incomplete", [])), key=_finding_order),
        score=accessibility_score(rules),
    )
    if screenshot and violations:
        result.screenshot_png = base64.b64encode(annotated_screenshot(page, violations)).decode("ascii")
    return result


def score_rules(raw: Mapping[str, Any], declared: Mapping[str, str | None] | None = None) -> list[RuleOutcome]:
    """The applicable rules of an axe result, each with its weight and pass/fail.

    A rule listed under ``violations`` failed (even if other elements passed it); one under
    ``passes`` and not ``violations`` passed. Rules only in ``incomplete`` or ``inapplicable`` are
    not applicable for the score. ``declared`` maps rule id -> the impact axe declares for the rule;
    without it, a failed rule weighs by its reported impact and a passed one as "moderate".
    """
    declared = declared or {}
    outcomes: dict[str, RuleOutcome] = {}
    for item in raw.get("violations", []):
        impact = declared.get(item["id"]) or item.get("impact") or UNKNOWN_IMPACT
        outcomes[item["id"]] = RuleOutcome(item["id"], impact, rule_weight(impact), passed=False)
    for item in raw.get("passes", []):
        if item["id"] in outcomes:
            continue
        impact = declared.get(item["id"]) or item.get("impact") or UNKNOWN_IMPACT
        outcomes[item["id"]] = RuleOutcome(item["id"], impact, rule_weight(impact), passed=True)
    return sorted(outcomes.values(), key=lambda r: r.rule_id)


def annotated_screenshot(page: Page, violations: Sequence[Violation], *, full_page: bool = True) -> bytes:
    """PNG of the page with each offending element outlined by impact colour; outlines removed after."""
    marks: list[list[str]] = []
    for violation in sorted(violations, key=_finding_order):
        for node in violation.nodes:
            # Elements inside iframes/shadow roots have multi-level selectors a top-level
            # querySelector cannot reach; they stay listed in the result, just not outlined.
            if len(node.selectors) == 1:
                marks.append([node.selectors[0], violation.impact])
    try:
        page.evaluate(_ANNOTATE, [_MARK, _STYLE_ID, OUTLINE_COLOURS, marks])
        return page.screenshot(full_page=full_page, type="png")
    finally:
        page.evaluate(_UNANNOTATE, [_MARK, _STYLE_ID])


def finding_from_axe(item: Mapping[str, Any]) -> Violation:
    """One rule of an axe result (``violations`` or ``incomplete`` list) with its elements."""
    nodes = []
    for node in item.get("nodes", []):
        nodes.append(
            ViolationNode(
                selectors=[_selector_text(part) for part in node.get("target", [])],
                html=str(node.get("html", "")),
                summary=str(node.get("failureSummary", "")),
            )
        )
    return Violation(
        rule_id=item["id"],
        impact=item.get("impact") or UNKNOWN_IMPACT,
        help=item.get("help", ""),
        help_url=item.get("helpUrl", ""),
        description=item.get("description", ""),
        wcag=[tag for tag in item.get("tags", []) if tag.startswith("wcag")],
        nodes=nodes,
    )


def _selector_text(part: Any) -> str:
    # Axe gives a string per frame level, or a list of strings for levels of shadow DOM.
    if isinstance(part, list):
        return " >>> ".join(str(p) for p in part)
    return str(part)


def _finding_order(finding: Violation) -> tuple[int, str]:
    return (impact_rank(finding.impact), finding.rule_id)


def merge_findings(groups: Iterable[Sequence[Violation]]) -> list[Violation]:
    """Findings of several audits of one page kind as one list: one per rule, worst first.

    A rule keeps the worst impact any audit reported for it (critical on one URL, serious on
    another is critical), and each element once (by its selector path), so that the element count of
    a rule is the number of distinct elements it hit across the kind's URLs.
    """
    merged: dict[str, Violation] = {}
    for group in groups:
        for finding in group:
            kept = merged.get(finding.rule_id)
            if kept is None:
                merged[finding.rule_id] = dataclasses.replace(finding, nodes=[], wcag=list(finding.wcag))
                kept = merged[finding.rule_id]
            else:
                kept.impact = worst_impact([kept.impact, finding.impact])
            known = {tuple(node.selectors) for node in kept.nodes}
            for node in finding.nodes:
                if tuple(node.selectors) not in known:
                    known.add(tuple(node.selectors))
                    kept.nodes.append(ViolationNode(list(node.selectors), node.html, node.summary))
    return sorted(merged.values(), key=_finding_order)


def merge_results(results: Sequence[AccessibilityResult]) -> AccessibilityResult | None:
    """Several axe results of one page kind as one: failed anywhere is failed, elements once each.

    The first result gives URL, kind and version; the score is recomputed from the merged rules.
    """
    if not results:
        return None
    if len(results) == 1:
        return results[0]
    first = results[0]
    rules: dict[str, RuleOutcome] = {}
    for result in results:
        for rule in result.rules:
            known = rules.get(rule.rule_id)
            if known is None or (known.passed and not rule.passed):
                rules[rule.rule_id] = rule
    rule_list = sorted(rules.values(), key=lambda r: r.rule_id)
    return AccessibilityResult(
        url=first.url,
        kind=first.kind,
        axe_version=first.axe_version,
        tags=list(first.tags),
        violations=merge_findings(r.violations for r in results),
        rules=rule_list,
        needs_review=merge_findings(r.needs_review for r in results),
        score=accessibility_score(rule_list),
        screenshot_png=next((r.screenshot_png for r in results if r.screenshot_png), ""),
    )


def _axe_version() -> str:
    # "/*! axe v4.12.1" heads the bundled script; knowing it lets ensure_axe skip re-injection.
    head = str(_AXE.axe_script[:64])
    marker = "axe v"
    start = head.find(marker)
    if start < 0:
        return ""
    return head[start + len(marker) :].split()[0]
