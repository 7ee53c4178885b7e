"""Consistency across forms: the primary action's label and placement, and one name per thing.

:func:`collect_primary_actions` reads each form's default submit button (label, left/center/right
placement); :func:`consistency_report` compares them across forms of the same purpose and checks a
glossary of synonyms against labels and page texts.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from playwright.sync_api import Page

from signoff.ux._pagejs import js
from signoff.ux.routes import route_of

_PRIMARY_ACTIONS_SCRIPT = js(r"""(formSelector) => {
  /*HELPERS*/
  const out = [];
  for (const form of document.querySelectorAll(formSelector)) {
    if (form.tagName !== 'FORM' || !__visible(form)) continue;
    // form.elements includes buttons outside the form tied to it with form="id".
    const submits = Array.from(form.elements).filter((el) =>
      (el.tagName === 'BUTTON' && el.type === 'submit') ||
      (el.tagName === 'INPUT' && (el.type === 'submit' || el.type === 'image')));
    const visibleSubmits = submits.filter(__visible);
    // The first submit button is the form's default button (Enter triggers it): its primary action.
    const button = visibleSubmits[0];
    if (!button) continue;
    const f = form.getBoundingClientRect();
    const b = button.getBoundingClientRect();
    const centre = (b.left + b.width / 2 - f.left) / Math.max(1, f.width);
    let placement = centre < 0.4 ? 'left' : centre > 0.6 ? 'right' : 'center';
    if (b.width >= 0.8 * f.width) placement = 'full-width';
    const method = (form.getAttribute('method') || 'get').toLowerCase();
    const search = form.getAttribute('role') === 'search' || method === 'get' ||
      !!form.querySelector('input[type=search]');
    const label = (button.getAttribute('aria-label') || __text(button) || button.value || button.alt ||
                   button.title || '').trim();
    const action = form.getAttribute('action');
    out.push({form: form.id ? '#' + form.id : __describe(form) + (action ? ' action=' + action : ''),
              purpose: search ? 'search' : 'edit', label, placement,
              x: Math.round(b.left - f.left), y: Math.round(b.top - f.top), form_width: Math.round(f.width),
              submit_buttons: visibleSubmits.length});
  }
  return out;
}""")


@dataclasses.dataclass
class PrimaryAction:
    """The primary (default submit) action of one form."""

    url: str
    kind: str
    form: str
    #: ``edit`` (POST forms) or ``search`` (GET forms, role=search, search inputs).
    purpose: str
    label: str
    #: ``left`` / ``center`` / ``right`` third of the form's width, or ``full-width``.
    placement: str
    x: float
    y: float
    form_width: float
    submit_buttons: int


@dataclasses.dataclass
class ConsistencyIssue:
    """One inconsistency across forms or pages."""

    #: ``label``, ``placement`` or ``terminology``.
    kind: str
    message: str
    #: Variant -> where it occurs (page kind and form).
    variants: dict[str, list[str]]


@dataclasses.dataclass
class ConsistencyReport:
    """Inconsistencies among primary actions and terms."""

    forms: int
    issues: list[ConsistencyIssue]
    passed: bool


def collect_primary_actions(page: Page, form_selector: str = "form") -> list[PrimaryAction]:
    """The primary action (first visible submit button) of each visible form on the page."""
    url = page.url
    kind = route_of(url)
    found: list[dict[str, Any]] = page.evaluate(_PRIMARY_ACTIONS_SCRIPT, form_selector)
    return [PrimaryAction(url=url, kind=kind, **item) for item in found]


def normalise_label(label: str) -> str:
    """Label for comparison: case-folded, punctuation and symbols dropped, spaces collapsed."""
    return " ".join(re.sub(r"[^\w\s]", " ", label).casefold().split())


def _term_pattern(term: str) -> re.Pattern[str]:
    # Scripts written without spaces (Chinese, Japanese) have no word boundaries: match anywhere.
    if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", term):
        return re.compile(re.escape(term), re.IGNORECASE)
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)


def consistency_report(
    samples: Iterable[PrimaryAction],
    glossary: Mapping[str, Sequence[str]] | None = None,
    texts: Mapping[str, str] | None = None,
) -> ConsistencyReport:
    """Flag inconsistencies among the primary actions of forms (and in page texts).

    * ``label``: forms of the same purpose whose primary action is named differently ("Save" here,
      "Submit" there); the most common label is taken as the convention;
    * ``placement``: the primary action sits on different sides (left / right / center) of forms of
      the same purpose;
    * ``terminology``: two names of one glossary entry (canonical term -> synonyms) both occur,
      in primary-action labels or in ``texts`` (where -> visible text, e.g. page kind -> body text).
    """
    actions = list(samples)
    issues: list[ConsistencyIssue] = []
    by_purpose: dict[str, list[PrimaryAction]] = {}
    for action in actions:
        by_purpose.setdefault(action.purpose, []).append(action)
    for purpose, group in sorted(by_purpose.items()):
        labels: dict[str, list[str]] = {}
        shown: dict[str, str] = {}
        for action in group:
            key = normalise_label(action.label)
            shown.setdefault(key, action.label)
            labels.setdefault(key, []).append(f"{action.kind} {action.form}")
        if len(labels) > 1:
            ranked = sorted(labels, key=lambda k: (-len(labels[k]), k))
            issues.append(
                ConsistencyIssue(
                    kind="label",
                    message=f"{purpose} forms name their primary action differently: "
                    + ", ".join(f"'{shown[k]}' ({len(labels[k])})" for k in ranked),
                    variants={shown[k]: labels[k] for k in ranked},
                )
            )
        places: dict[str, list[str]] = {}
        for action in group:
            places.setdefault(action.placement, []).append(f"{action.kind} {action.form}")
        sided = {p for p in places if p != "full-width"}
        if len(sided) > 1:
            ranked_places = sorted(places, key=lambda k: (-len(places[k]), k))
            issues.append(
                ConsistencyIssue(
                    kind="placement",
                    message=f"{purpose} forms place their primary action differently: "
                    + ", ".join(f"{p} ({len(places[p])})" for p in ranked_places),
                    variants={p: places[p] for p in ranked_places},
                )
            )
    sources: list[tuple[str, str]] = [(f"{a.kind} {a.form} button", a.label) for a in actions]
    sources += list((texts or {}).items())
    for canonical, synonyms in (glossary or {}).items():
        used: dict[str, list[str]] = {}
        for term in [canonical, *synonyms]:
            pattern = _term_pattern(term)
            where = [place for place, text in sources if pattern.search(text)]
            if where:
                used[term] = where
        if len(used) > 1:
            issues.append(
                ConsistencyIssue(
                    kind="terminology",
                    message=f"'{canonical}' is also called " + ", ".join(f"'{t}'" for t in used if t != canonical),
                    variants=used,
                )
            )
    return ConsistencyReport(forms=len(actions), issues=issues, passed=not issues)
