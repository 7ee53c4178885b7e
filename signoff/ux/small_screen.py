"""Small screens: horizontal overflow and touch-target size on a phone viewport.

:func:`check_small_screen` resizes the page to a phone viewport and reports sideways scrolling (with
the elements sticking out) and touch targets under the minimum - axe's WCAG 2.2 ``target-size`` rule,
which knows the criterion's spacing and inline-link exceptions. Targets axe could not decide (one
covered by another element, say) are kept as "needs review", with their elements: they are neither
passed nor failed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from playwright.sync_api import Page

from signoff.ux._pagejs import js
from signoff.ux.accessibility import Violation, finding_from_axe, run_axe
from signoff.ux.plan import DEFAULT_MIN_TOUCH_TARGET, DEFAULT_PHONE_VIEWPORT
from signoff.ux.routes import route_of

_OVERFLOW_SCRIPT = js(r"""() => {
  /*HELPERS*/
  const root = document.scrollingElement || document.documentElement;
  // clientWidth, not innerWidth: innerWidth includes a classic vertical scrollbar and would hide
  // up to its width of overflow; clientWidth is exactly what a horizontal scrollbar appears past.
  const viewport = document.documentElement.clientWidth;
  const scrollWidth = root.scrollWidth;
  const offenders = [];
  if (scrollWidth > viewport + 1) {
    const clips = (el) => {
      for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      const right = r.right + window.scrollX;
      const left = r.left + window.scrollX;
      if ((right <= viewport + 1 && left >= -1) || r.width === 0 || !__visible(el) || clips(el)) continue;
      // Report the outermost element sticking out; its children stick out because of it.
      if (offenders.some((o) => o.el.contains(el))) continue;
      offenders.push({el, selector: __path(el), description: __describe(el),
                      left: Math.round(left), right: Math.round(right), width: Math.round(r.width)});
      if (offenders.length >= 25) break;
    }
  }
  const meta = document.querySelector('meta[name=viewport]');
  return {viewport, innerWidth: window.innerWidth, scrollWidth,
          meta: meta ? meta.getAttribute('content') : null,
          offenders: offenders.map(({el, ...rest}) => rest)};
}""")

_TARGET_BOXES = js(r"""(selectors) => {
  /*HELPERS*/
  return selectors.map((s) => {
    let el = null;
    try { el = document.querySelector(s); } catch (e) {}
    if (!el) return {selector: s, description: s, width: 0, height: 0};
    const r = el.getBoundingClientRect();
    const round = (v) => Math.round(v * 10) / 10;
    return {selector: s, description: __describe(el), width: round(r.width), height: round(r.height)};
  });
}""")

_NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))"


@dataclasses.dataclass
class OverflowElement:
    """An element that sticks out of the viewport horizontally."""

    selector: str
    description: str
    left: float
    right: float
    width: float


@dataclasses.dataclass
class TouchTarget:
    """An interactive element smaller than the minimum touch target."""

    selector: str
    description: str
    width: float
    height: float


@dataclasses.dataclass
class SmallScreenResult:
    """The page on a phone-sized viewport."""

    url: str
    kind: str
    viewport: list[int]
    viewport_width: int
    scroll_width: int
    horizontal_overflow: bool
    overflowing: list[OverflowElement]
    min_target: int
    small_targets: list[TouchTarget]
    #: Targets axe could not decide (e.g. overlapped), as axe's "needs review" findings of
    #: ``target-size`` at this viewport with their elements; for a person to look at, not failed.
    targets_to_review: list[Violation]
    #: The page's ``<meta name=viewport>`` content; None when missing (phones then render it at
    #: desktop width, zoomed out).
    viewport_meta: str | None
    passed: bool


def check_small_screen(
    page: Page,
    viewport: Sequence[int] = DEFAULT_PHONE_VIEWPORT,
    *,
    min_target: int = DEFAULT_MIN_TOUCH_TARGET,
    reload: bool = False,
) -> SmallScreenResult:
    """Resize the page to ``viewport`` (width, height) and check horizontal overflow and touch targets.

    Overflow: the document scrolls sideways (``scrollingElement.scrollWidth`` greater than the
    viewport's client width) and the outermost visible elements extending past it (elements inside
    a scroll or clip container do not widen the page and are skipped).

    Touch targets: axe's ``target-size`` rule (WCAG 2.2 SC 2.5.8, AA) with ``minSize`` and
    ``minOffset`` set to ``min_target``: a target fails when it is smaller than ``min_target`` CSS px
    *and* a circle of that diameter on it would touch another target; inline links in text are
    exempt - the criterion's own exceptions, which a hand-made size check would miss.

    The original viewport size is restored afterwards. ``reload`` reloads at the phone size first,
    for pages that lay themselves out only once at load.
    """
    width, height = int(viewport[0]), int(viewport[1])
    original = page.viewport_size
    try:
        page.set_viewport_size({"width": width, "height": height})
        if reload:
            page.reload(wait_until="load")
        page.evaluate(_NEXT_FRAME)
        overflow: dict[str, Any] = page.evaluate(_OVERFLOW_SCRIPT)
        raw = run_axe(
            page,
            {"runOnly": {"type": "rule", "values": ["target-size"]}, "resultTypes": ["violations", "incomplete"]},
            configure={
                "checks": [
                    {"id": "target-size", "options": {"minSize": min_target}},
                    {"id": "target-offset", "options": {"minOffset": min_target}},
                ]
            },
        )
        failing = [_single_selector(n) for v in raw.get("violations", []) for n in v.get("nodes", [])]
        # Named after the viewport: the same rule at desktop size (wcag22aa) is another finding.
        review = [
            dataclasses.replace(finding_from_axe(item), rule_id=f"{item['id']} ({width}x{height})")
            for item in raw.get("incomplete", [])
            if item.get("nodes")
        ]
        boxes = page.evaluate(_TARGET_BOXES, failing)
    finally:
        if original is not None:
            page.set_viewport_size(original)
    small = [TouchTarget(b["selector"], b["description"], b["width"], b["height"]) for b in boxes]
    overflowing = [OverflowElement(**o) for o in overflow["offenders"]]
    scroll_width = int(overflow["scrollWidth"])
    viewport_width = int(overflow["viewport"])
    has_overflow = scroll_width > viewport_width + 1
    url = page.url
    return SmallScreenResult(
        url=url,
        kind=route_of(url),
        viewport=[width, height],
        viewport_width=viewport_width,
        scroll_width=scroll_width,
        horizontal_overflow=has_overflow,
        overflowing=overflowing,
        min_target=min_target,
        small_targets=small,
        targets_to_review=review,
        viewport_meta=overflow["meta"],
        passed=not has_overflow and not small,
    )


def _single_selector(node: Mapping[str, Any]) -> str:
    target = node.get("target", [])
    parts = [" >>> ".join(p) if isinstance(p, list) else str(p) for p in target]
    return " ".join(parts)
