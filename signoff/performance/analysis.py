"""What a load run measured, and what it means: percentiles, steps, the knee, the verdict, regressions.

Pure functions over the runner's recorded data (:mod:`signoff.performance.runner` writes it as
JSON): no locust, no network, so every rule is tested on recorded figures.

Response times are kept as locust keeps them, a histogram ``{rounded milliseconds: count}``.
Percentiles across generator processes are read from the *sum* of their histograms: averaging
each worker's p95 would hide a slow worker's tail (the p95 of two halves is not the mean of their
p95s).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Histogram = dict[int, int]

#: The percentiles every report shows.
PERCENTILES: tuple[float, ...] = (0.50, 0.90, 0.95, 0.99)

#: Throughput "stops growing" when it rises by less than this share of the users' rise
#: (users +100 %, throughput +40 %: 0.4 < 0.5, the server no longer keeps up).
KNEE_EFFICIENCY = 0.5


#: A Python object's memory address in an error's text (``<HTTPConnection(...) at 0x7fcf…>``):
#: every failed connection has its own, and each would be an error kind of its own.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def error_kind(name: str, error: str) -> str:
    """The kind of an error as the report groups them: the request's name and the error, addresses left out."""
    return f"{name}: {_ADDRESS.sub(' at 0x…', error)}"


def histogram(data: Mapping[Any, Any]) -> Histogram:
    """A histogram read back from JSON (keys are strings there)."""
    return {int(float(key)): int(count) for key, count in data.items() if int(count)}


def merge_histograms(histograms: Iterable[Mapping[int, int]]) -> Histogram:
    """The histogram of all the requests of ``histograms`` together (counts added per bucket)."""
    merged: Histogram = {}
    for one in histograms:
        for bucket, count in one.items():
            merged[bucket] = merged.get(bucket, 0) + count
    return merged


def percentile(hist: Mapping[int, int], fraction: float) -> float | None:
    """The response time (ms) at or under which ``fraction`` of the requests answered.

    The smallest bucket whose cumulative count reaches ``fraction`` of the total, as locust
    computes it; None for an empty histogram.
    """
    total = sum(hist.values())
    if total <= 0:
        return None
    wanted = fraction * total
    seen = 0
    for bucket in sorted(hist):
        seen += hist[bucket]
        if seen >= wanted:
            return float(bucket)
    return float(max(hist))


@dataclasses.dataclass(frozen=True)
class Figures:
    """Requests, failures and response times of one page, journey or of everything."""

    name: str
    requests: int
    failures: int
    seconds: float
    hist: Histogram
    max_ms: float

    @property
    def throughput(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_percent(self) -> float:
        return 100.0 * self.failures / self.requests if self.requests else 0.0

    def p(self, fraction: float) -> float | None:
        return percentile(self.hist, fraction)

    def to_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "requests": self.requests,
            "failures": self.failures,
            "throughput": round(self.throughput, 2),
            "error_percent": round(self.error_percent, 3),
            **{f"p{round(q * 100)}_ms": self.p(q) for q in PERCENTILES},
            "max_ms": self.max_ms,
        }


def combine(name: str, parts: Sequence[Mapping[str, Any]], seconds: float) -> Figures:
    """One :class:`Figures` from locust entries (of several workers, several pages, or both)."""
    return Figures(
        name=name,
        requests=sum(int(part.get("num_requests", 0)) for part in parts),
        failures=sum(int(part.get("num_failures", 0)) for part in parts),
        seconds=seconds,
        hist=merge_histograms(histogram(part.get("response_times", {})) for part in parts),
        max_ms=max((float(part.get("max_response_time") or 0) for part in parts), default=0.0),
    )


@dataclasses.dataclass(frozen=True)
class StepResult:
    """One step of a profile: the users it held and what they got."""

    index: int
    users: int
    #: Users actually running when the step ended (fewer when the generator could not start them).
    reached_users: int
    seconds: float
    total: Figures
    #: Per page (locust entry name, e.g. ``contact list``), worst p95 first.
    pages: tuple[Figures, ...]
    #: Error kind -> occurrences.
    errors: dict[str, int]
    #: Whether the step ran its whole hold time (an interrupted or timed-out step did not).
    complete: bool
    #: Highest CPU (percent of one core) of any generator process, averaged over the step.
    generator_cpu: float | None = None
    #: The target's figures over the step; None = could not be measured.
    target: Mapping[str, float] | None = None
    #: Requests still waiting for an answer when the run stopped its users (in no other figure).
    in_flight_at_end: int = 0


def step_from_data(data: Mapping[str, Any]) -> StepResult:
    """A step of the runner's ``results.json``: worker entries merged page by page."""
    seconds = max(float(data.get("seconds", 0.0)), 0.0)
    by_page: dict[str, list[Mapping[str, Any]]] = {}
    for worker in dict(data.get("workers", {})).values():
        for entry in worker:
            by_page.setdefault(str(entry["name"]), []).append(entry)
    pages = [combine(name, entries, seconds) for name, entries in by_page.items()]
    pages.sort(key=lambda page: -(page.p(0.95) or 0.0))
    every = [entry for entries in by_page.values() for entry in entries]
    errors: dict[str, int] = {}
    for error in data.get("errors", ()):
        kind = error_kind(str(error.get("name", "?")), str(error.get("error", "?")))
        errors[kind] = errors.get(kind, 0) + int(error.get("occurrences", 1))
    return StepResult(
        index=int(data.get("index", 0)),
        users=int(data["users"]),
        reached_users=int(data.get("reached_users", data["users"])),
        seconds=seconds,
        total=combine("all pages", every, seconds),
        pages=tuple(pages),
        errors=errors,
        complete=bool(data.get("complete", False)),
        in_flight_at_end=int(data.get("in_flight_at_end", 0)),
    )


@dataclasses.dataclass(frozen=True)
class Knee:
    """Where the CRM stops keeping up: the user count and why."""

    users: int
    reason: str


def find_knee(steps: Sequence[StepResult], max_p95_ms: float) -> Knee | None:
    """The first step where p95 crosses the limit, or throughput stops growing with the users.

    Throughput stops growing when, from one step to the next, it rises by less than
    :data:`KNEE_EFFICIENCY` of the users' relative rise (and so, past the knee, users wait longer
    instead of getting more done). Steps without requests are skipped.
    """
    previous: StepResult | None = None
    for step in steps:
        if not step.total.requests:
            continue
        p95 = step.total.p(0.95)
        if p95 is not None and p95 > max_p95_ms:
            return Knee(step.users, f"p95 {p95 / 1000:.2f} s is above the {max_p95_ms / 1000:g} s limit")
        if previous is not None and step.users > previous.users and previous.total.throughput > 0:
            user_rise = step.users / previous.users - 1
            throughput_rise = step.total.throughput / previous.total.throughput - 1
            if throughput_rise < KNEE_EFFICIENCY * user_rise:
                return Knee(
                    step.users,
                    f"throughput grew {throughput_rise:+.0%} while the users grew {user_rise:+.0%} "
                    f"({previous.total.throughput:.1f} → {step.total.throughput:.1f} requests/s)",
                )
        previous = step
    return None


def errors_start(steps: Sequence[StepResult]) -> StepResult | None:
    """The first step in which any request failed."""
    return next((step for step in steps if step.total.failures), None)


def saturated_generator(step: StepResult, max_cpu: float) -> bool:
    """Whether a generator process was busier than ``max_cpu`` percent of a core during the step:
    its own delays then add to the response times it records, so its figures are not the CRM's."""
    return step.generator_cpu is not None and step.generator_cpu > max_cpu


@dataclasses.dataclass(frozen=True)
class Regression:
    """A page that got slower than the baseline allows."""

    page: str
    percentile: str
    baseline_ms: float
    current_ms: float
    allowed_ms: float


def baseline_data(step: StepResult, profile: str) -> dict[str, Any]:
    """What a baseline keeps of a run: its profile, the top step's users and every page's p50/p95."""
    return {
        "profile": profile,
        "users": step.users,
        "pages": {page.name: {"p50_ms": page.p(0.5), "p95_ms": page.p(0.95)} for page in step.pages},
    }


def regressions(step: StepResult, baseline: Mapping[str, Any], max_percent: float, floor_ms: float) -> list[Regression]:
    """Every page whose p50 or p95 is worse than the baseline's by more than ``max_percent``.

    A baseline value under ``floor_ms`` counts as ``floor_ms``: the noise of a very fast page is
    not a regression. Pages the baseline does not have are new, not regressions.
    """
    found: list[Regression] = []
    base_pages: Mapping[str, Mapping[str, Any]] = baseline.get("pages", {})
    for page in step.pages:
        base = base_pages.get(page.name)
        if base is None:
            continue
        for label, fraction in (("p50", 0.5), ("p95", 0.95)):
            then = base.get(f"{label}_ms")
            now = page.p(fraction)
            if then is None or now is None:
                continue
            allowed = max(float(then), floor_ms) * (1 + max_percent / 100)
            if now > allowed:
                found.append(Regression(page.name, label, float(then), now, allowed))
    return found
