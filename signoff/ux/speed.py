"""Speed as felt: navigation timing, Largest Contentful Paint and Cumulative Layout Shift.

:func:`install_speed_observers` adds buffered PerformanceObservers as an init script before the
page loads; :func:`measure_page_speed` reads them with the Navigation Timing entry after ``load``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from signoff.ux.routes import route_of

#: The entry types the two Web Vitals need; a browser without one cannot measure that vital.
LCP_ENTRY = "largest-contentful-paint"
CLS_ENTRY = "layout-shift"

# Buffered observers from the first script of every document: LCP candidates and layout shifts are
# recorded as they happen, so nothing is lost to the timeline buffer's limits. A browser that does
# not support an entry type gets no observer for it, and the reason is kept for the reader.
_SPEED_INIT = r"""
(() => {
  if (window.__signoffUxSpeed) return;
  const state = window.__signoffUxSpeed = {lcp: null, lcpElement: null, shifts: [], errors: {}, observers: {}};
  const describe = (el) => el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') : null;
  const handlers = {
    'largest-contentful-paint': (e) => { state.lcp = e.startTime; state.lcpElement = describe(e.element); },
    'layout-shift': (e) => state.shifts.push({value: e.value, input: e.hadRecentInput, t: e.startTime}),
  };
  const supported = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
  for (const [type, handle] of Object.entries(handlers)) {
    if (!supported.includes(type)) { state.errors[type] = 'unsupported'; continue; }
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(handle));
      observer.observe({type, buffered: true});
      state.observers[type] = {observer, handle};
    } catch (e) { state.errors[type] = String(e); }
  }
})();
"""

_SPEED_FLAG = "() => !!window.__signoffUxSpeed"

# True once the page has an LCP candidate - or will never have one (no observer for it). Pending
# entries are taken over with takeRecords(), so nothing depends on when callbacks are delivered.
_LCP_SEEN = r"""(lcpType) => {
  const state = window.__signoffUxSpeed;
  const entry = state && state.observers[lcpType];
  if (!entry) return true;
  entry.observer.takeRecords().forEach(entry.handle);
  return state.lcp !== null;
}"""

# Reads after two animation frames - layout shifts are recorded when a frame is rendered, so the
# DOM changes made so far are in - rather than after a fixed sleep.
_SPEED_READ = r"""async ([lcpType, clsType]) => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const state = window.__signoffUxSpeed;
  const supported = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
  const out = {supported: {}, errors: {}, lcp: null, lcpElement: null, shifts: null};
  for (const type of [lcpType, clsType]) {
    out.supported[type] = supported.includes(type);
    const entry = state.observers[type];
    if (entry) entry.observer.takeRecords().forEach(entry.handle);
    else out.errors[type] = state.errors[type] || 'not observed';
  }
  if (state.observers[lcpType]) { out.lcp = state.lcp; out.lcpElement = state.lcpElement; }
  if (state.observers[clsType]) out.shifts = state.shifts;
  const nav = performance.getEntriesByType('navigation')[0] || null;
  out.nav = nav ? nav.toJSON() : null;
  return out;
}"""

#: Longest wait for the first Largest Contentful Paint after ``load`` (ms). An upper bound, not a
#: sleep: the wait ends at the first animation frame that has an LCP entry - one frame on a normal
#: page; the whole bound only where none comes, which is then reported as not measured.
LCP_WAIT_MS = 3000


@dataclasses.dataclass
class PageSpeed:
    """How fast the page felt: timings in milliseconds from navigation start."""

    url: str
    kind: str
    ttfb_ms: float | None
    dom_content_loaded_ms: float | None
    load_ms: float | None
    #: None when not measured - see :attr:`not_measured`.
    lcp_ms: float | None
    lcp_element: str | None
    #: Cumulative Layout Shift as Web Vitals define it: the largest session window (shifts < 1 s
    #: apart, window at most 5 s) of shifts without recent input. None when not measured (a
    #: browser without layout-shift entries would otherwise report a perfect 0).
    cls: float | None
    #: Plain sum of all shifts without recent input (None when not measured).
    cls_sum: float | None
    shifts: int
    #: Whether the observers were installed before the page loaded (:func:`install_speed_observers`).
    observed_from_start: bool
    #: ``"lcp"`` / ``"cls"`` -> why that vital could not be measured (e.g. "not measured in this
    #: browser: ..."); a vital listed here is "could not check", never a pass.
    not_measured: dict[str, str] = dataclasses.field(default_factory=dict)


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


def measure_page_speed(page: Page) -> PageSpeed:
    """Read navigation timing, LCP and CLS of the page's current document.

    Waits for the ``load`` event, for the first LCP entry (at most :data:`LCP_WAIT_MS`, polled each
    animation frame), then for two animation frames inside the page so that the layout shifts of
    what the page has done so far are recorded; shifts the page makes later are not part of this
    measurement. TTFB is ``responseStart``, DOMContentLoaded and load are the ends of their
    events, all relative to navigation start. A vital the browser cannot report (no such entry type,
    or no entry at all) is None with its reason in :attr:`PageSpeed.not_measured`.
    """
    page.wait_for_load_state("load")
    from_start = bool(page.evaluate(_SPEED_FLAG))
    if not from_start:
        # Buffered observers made now still get the entries the browser kept since navigation.
        page.evaluate(_SPEED_INIT)
    lcp_timed_out = False
    try:
        page.wait_for_function(_LCP_SEEN, arg=LCP_ENTRY, polling="raf", timeout=LCP_WAIT_MS)
    except PlaywrightTimeoutError:
        lcp_timed_out = True
    data: dict[str, Any] = page.evaluate(_SPEED_READ, [LCP_ENTRY, CLS_ENTRY])
    nav = data.get("nav") or {}
    supported: dict[str, bool] = data.get("supported") or {}
    errors: dict[str, str] = data.get("errors") or {}
    not_measured: dict[str, str] = {}
    lcp = data.get("lcp")
    if lcp is None:
        not_measured["lcp"] = _why_not(LCP_ENTRY, supported, errors) or (
            f"no Largest Contentful Paint within {LCP_WAIT_MS} ms of load"
            + (" (nothing contentful painted, or the page was in the background)" if lcp_timed_out else "")
        )
    raw_shifts: list[dict[str, Any]] | None = data.get("shifts")
    cls: float | None = None
    cls_sum: float | None = None
    shifts = 0
    if raw_shifts is None:
        not_measured["cls"] = _why_not(CLS_ENTRY, supported, errors) or "layout shifts could not be read"
    else:
        cls, cls_sum = cumulative_layout_shift(raw_shifts)
        shifts = len([s for s in raw_shifts if not s.get("input")])

    def timing(key: str) -> float | None:
        value = nav.get(key)
        return round(float(value), 1) if value else None

    url = page.url
    return PageSpeed(
        url=url,
        kind=route_of(url),
        ttfb_ms=timing("responseStart"),
        dom_content_loaded_ms=timing("domContentLoadedEventEnd"),
        load_ms=timing("loadEventEnd"),
        lcp_ms=round(float(lcp), 1) if lcp is not None else None,
        lcp_element=data.get("lcpElement"),
        cls=cls,
        cls_sum=cls_sum,
        shifts=shifts,
        observed_from_start=from_start,
        not_measured=not_measured,
    )


def _why_not(entry_type: str, supported: dict[str, bool], errors: dict[str, str]) -> str:
    if not supported.get(entry_type, False) or errors.get(entry_type) == "unsupported":
        return f"not measured in this browser: it reports no {entry_type!r} performance entries"
    if entry_type in errors:
        return f"not measured in this browser: observing {entry_type!r} failed: {errors[entry_type]}"
    return ""
