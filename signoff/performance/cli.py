"""``signoff perf --profile smoke|load|stress``: one performance profile on its own.

Starts the embedded Creme (label ``perf``, with the plan's gunicorn worker count) or uses the
plan's remote target, launches the plan's first browser for the user-perceived timings, runs the
profile, writes the report and exits 0 (passed), 1 (failed or could not check), 3 (the CRM or its
accounts cannot be had), 130 (interrupted: the report of what ran is written first).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from playwright.sync_api import Browser, sync_playwright

from signoff.errors import SignoffError
from signoff.performance.area import accept_performance
from signoff.performance.engine import check_host
from signoff.performance.plan import PerformanceSection
from signoff.plan import Plan
from signoff.targets import home_for, make_target
from signoff.targets.base import Target

#: The embedded CRM instance of ``signoff perf``: its own, so it never disturbs an acceptance run.
LABEL = "perf"


def _say(message: str) -> None:
    print(f"signoff: perf: {message}", file=sys.stderr, flush=True)


def perf_target(plan: Plan, workers: int, label: str = LABEL) -> Target:
    """The plan's target; the embedded Creme with ``workers`` server processes."""
    if plan.target.kind == "creme":
        from signoff.targets.creme import EmbeddedCreme

        return EmbeddedCreme(home_for(plan), label=label, start_timeout=plan.target.start_timeout, workers=workers)
    return make_target(plan, label=label)


@contextlib.contextmanager
def launched_browser(plan: Plan, wanted: bool) -> Iterator[Browser | None]:
    """The plan's first browser, or None when not wanted or not to be had (then: could not check)."""
    if not wanted:
        yield None
        return
    from signoff import browsers

    name = plan.browsers.names[0] if plan.browsers.names else "chromium"
    try:
        # Before Playwright starts here: resolving may ask Playwright for its own build itself.
        choice = browsers.resolve(name, plan.browsers.executable)
    except SignoffError as error:
        _say(f"no browser for the user-perceived timings: {error}")
        yield None
        return
    with sync_playwright() as playwright:
        try:
            browser = getattr(playwright, name).launch(headless=True, **choice.launch_args)
        except Exception as error:  # the load still runs; the report says the browser could not measure
            _say(f"no browser for the user-perceived timings: {str(error).splitlines()[0]}")
            yield None
            return
        try:
            yield browser
        finally:
            browser.close()


def run_perf(plan: Plan, profile: str, *, allow_hosts: list[str], save_baseline: bool, browser: bool) -> int:
    section = plan.section("performance", PerformanceSection)
    if plan.target.kind == "remote":
        # Refused before anything starts: no account is created on a host nobody allowed.
        check_host(plan.target.url, [*section.allow_hosts, *allow_hosts])
    target = perf_target(plan, section.gunicorn_workers)
    try:
        target.provision()
        target.start(pristine=True)
        with launched_browser(plan, browser and section.browser_probe) as chosen:
            try:
                outcome = accept_performance(
                    plan,
                    target,
                    profile,
                    browser=chosen,
                    allowed_hosts=allow_hosts,
                    save_as_baseline=save_baseline,
                    results_dir=plan.resolve(plan.run.results_dir),
                    progress=_say,
                    gunicorn_workers=section.gunicorn_workers if plan.target.kind == "creme" else None,
                    browser_probe=browser,
                )
            except KeyboardInterrupt:
                _say(f"interrupted; the report of what ran: {plan.resolve(section.output_dir) / 'performance.html'}")
                raise
    finally:
        target.stop()
    result = outcome.judgement.result
    _say(f"verdict: {result.verdict}: {result.summary}")
    _say(f"report: {outcome.written[-2] if len(outcome.written) > 1 else outcome.written[0]}")
    if outcome.baseline_saved is not None:
        _say(f"baseline saved: {outcome.baseline_saved}")
    return 0 if result.verdict == "passed" else 1
