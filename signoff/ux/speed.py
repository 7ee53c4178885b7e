"""Speed as felt: navigation timing, Largest Contentful Paint and Cumulative Layout Shift.

:func:`install_speed_observers` adds buffered PerformanceObservers as an init script before the
page loads; :func:`measure_page_speed` reads them with the Navigation Timing entry after ``load``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from playwright.sync_api import Page

from signoff.ux.routes import route_of

# Buffered observers from the first script of every document: LCP candidates and layout shifts are
# recorded as they happen, so nothing is lost to the timeline buffer's limits or late reading.
_SPEED_INIT = r"""
(() => {
  if (window.__signoffUxSpeed) return;
  const state = window.__signoffUxSpeed = {lcp: null, lcpElement: null, shifts: []};
  const describe = (el) => el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') : null;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { state.lcp = e.startTime; state.lcpElement = describe(e.element); }
    }).observe({type: 'largest-contentful-paint', buffered: true});
  } catch (e) { state.lcpError = String(e); }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) state.shifts.push({value: e.value, input: e.hadRecentInput, t: e.startTime});
    }).observe({type: 'layout-shift', buffered: true});
  } catch (e) { state.clsError = String(e); }
})();
"""

# Without the init script (observers not installed before navigation), buffered observers created
# now still receive the entries the browser kept; we wait one task for their callbacks.
_SPEED_READ = (
    _SPEED_INIT
    + r"""
;new Promise((resolve) => setTimeout(() => {
  const nav = performance.getEntriesByType('navigation')[0] || null;
  resolve({state: window.__signoffUxSpeed, nav: nav ? nav.toJSON() : null});
}, 50))
"""
)

_SPEED_FLAG = "() => !!window.__signoffUxSpeed"
_NEXT_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 0))))"


@dataclasses.dataclass
class PageSpeed:
    """How fast the page felt: timings in milliseconds from navigation start."""

    url: str
    kind: str
    ttfb_ms: float | None
    dom_content_loaded_ms: float | None
    load_ms: float | None
    lcp_ms: float | None
    lcp_element: str | None
    #: Cumulative Layout Shift as Web Vitals define it: the largest session window (shifts < 1 s
    #: apart, window at most 5 s) of shifts without recent input.
    cls: float
    #: Plain sum of all shifts without recent input.
    cls_sum: float
    shifts: int
    #: Whether the observers were installed before the page loaded (:func:`install_speed_observers`).
    observed_from_start: bool


def install_speed_observers(page: Page) -> Any:
    """Install the LCP and layout-shift observers for every later navigation of ``page``.

    Call before ``page.goto``; returns Playwright's disposable for the init script.
    """
    return page.add_init_script(_SPEED_INIT)


def cumulative_layout_shift(shifts: Iterable[Mapping[str, Any]]) -> tuple[float, float]:
    """(CLS, plain sum) of layout-shift entries ``{value, input, t}`` (``t`` in ms).

    CLS is the largest session window: consecutive shifts less than 1 s apart, the window no longer
    than 5 s - the Web Vitals definition since 2021. Shifts right after user input do not count.
    """
    best = 0.0
    total = 0.0
    window = 0.0
    first_t = last_t = None
    for shift in sorted((s for s in shifts if not s.get("input")), key=lambda s: float(s["t"])):
        t = float(shift["t"])
        value = float(shift["value"])
        total += value
        if first_t is not None and last_t is not None and t - last_t < 1000 and t - first_t < 5000:
            window += value
        else:
            window = value
            first_t = t
        last_t = t
        best = max(best, window)
    return round(best, 4), round(total, 4)


def measure_page_speed(page: Page, *, settle_ms: float = 500) -> PageSpeed:
    """Read navigation timing, LCP and CLS of the page's current document.

    Waits for the ``load`` event and then ``settle_ms`` more, because layout shifts after load
    (late banners, images without size) are what CLS is for. TTFB is ``responseStart``,
    DOMContentLoaded and load are the ends of their events, all relative to navigation start.
    """
    page.wait_for_load_state("load")
    if settle_ms > 0:
        page.wait_for_timeout(settle_ms)
    # Shifts are recorded when a frame is rendered: let a busy renderer catch up with the DOM
    # changes of the settle time before reading.
    page.evaluate(_NEXT_FRAMES)
    from_start = bool(page.evaluate(_SPEED_FLAG))
    data: dict[str, Any] = page.evaluate(_SPEED_READ)
    state = data.get("state") or {}
    nav = data.get("nav") or {}
    cls, cls_sum = cumulative_layout_shift(state.get("shifts", []))

    def timing(key: str) -> float | None:
        value = nav.get(key)
        return round(float(value), 1) if value else None

    url = page.url
    lcp = state.get("lcp")
    return PageSpeed(
        url=url,
        kind=route_of(url),
        ttfb_ms=timing("responseStart"),
        dom_content_loaded_ms=timing("domContentLoadedEventEnd"),
        load_ms=timing("loadEventEnd"),
        lcp_ms=round(float(lcp), 1) if lcp is not None else None,
        lcp_element=state.get("lcpElement"),
        cls=cls,
        cls_sum=cls_sum,
        shifts=len([s for s in state.get("shifts", []) if not s.get("input")]),
        observed_from_start=from_start,
    )
