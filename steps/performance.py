"""Steps about performance under load: many users at once, response times, failed requests.

The load itself is the ``performance`` fixture's (:class:`signoff.performance.pytest_plugin.LoadProbe`):
real CRM users signed in over HTTP, working through the CRM's journeys with think times, while a
real browser opens the key pages. The thresholds a step asserts are the ones its words say.
"""

from __future__ import annotations

from decimal import Decimal

from signoff.performance.pytest_plugin import LoadProbe
from signoff.vocabulary import closed_set, then, when

closed_set(
    "time_unit",
    {"seconds": 1, "second": 1, "minutes": 60, "minute": 60, "秒": 1, "秒钟": 1, "分钟": 60},
    meaning="seconds or minutes (秒 / 分钟)",
)


@when(
    "{users:d} users work in the CRM at the same time for {duration:d} {unit:time_unit}",
    "{users:d} 个用户同时使用 CRM {duration:d} {unit:time_unit}",
)
def users_work_at_once(performance: LoadProbe, users: int, duration: int, unit: int) -> None:
    """That many real CRM users sign in and work through the CRM's journeys at once, for that long."""
    outcome = performance.run(users, float(duration * unit))
    measured = [step for step in outcome.record.steps if step.total.requests]
    assert measured, f"could not check: the load made no request ({outcome.record.stopped} {outcome.record.message})"


@then(
    "{share:percent} of pages answer within {limit:amount} seconds",
    "{share:percent} 的页面在 {limit:amount} 秒内响应",
)
def pages_answer_within(performance: LoadProbe, share: Decimal, limit: Decimal) -> None:
    """That share of all page requests answered within that many seconds (at the top load)."""
    top = [step for step in performance.last().record.steps if step.total.requests][-1]
    answered_ms = top.total.p(float(share) / 100)
    slowest = ", ".join(f"{page.name} {(page.p(float(share) / 100) or 0) / 1000:.2f} s" for page in top.pages[:3])
    assert answered_ms is not None and answered_ms <= float(limit) * 1000, (
        f"{share}% of pages answered within {(answered_ms or 0) / 1000:.2f} s at {top.users} users, "
        f"not within {limit} s; slowest pages: {slowest}"
    )


@then("fewer than {share:percent} of requests fail", "失败的请求少于 {share:percent}")
def fewer_requests_fail(performance: LoadProbe, share: Decimal) -> None:
    """Less than that share of all requests failed (errors, or a page that was not the signed-in one)."""
    top = [step for step in performance.last().record.steps if step.total.requests][-1]
    kinds = "; ".join(f"{kind} ×{n}" for kind, n in sorted(top.errors.items(), key=lambda item: -item[1])[:3])
    assert top.total.error_percent < float(share), (
        f"{top.total.error_percent:.2f}% of requests failed at {top.users} users "
        f"({top.total.failures} of {top.total.requests}): {kinds}"
    )
