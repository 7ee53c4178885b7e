"""The ``[performance]`` section of the acceptance plan: profiles, thresholds, baseline, safety.

Example ``acceptance.toml``::

    [performance]
    smoke_users = 5            # smoke: a few users, short; part of the default run
    smoke_hold = 20
    load_steps = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]
    load_hold = 60             # seconds each load step is held
    stress_users = 1000        # stress: all at once, held
    stress_hold = 120
    spawn_rate = 50            # users started per second
    think_min = 1.0            # seconds a simulated user waits between two actions
    think_max = 3.0
    request_timeout = 30       # seconds; a request not answered by then failed
    max_p95_seconds = 2.0      # at the top step
    max_error_percent = 1.0    # at the top step
    generators = 1             # locust worker processes beside the master
    remote_generators = 0      # workers on other machines the master waits for
    master_bind = "127.0.0.1"  # where the master listens (another machine's workers: an address they reach)
    master_port = 0            # 0: a free port
    crm_users = 20             # real CRM accounts created for the run
    gunicorn_workers = 2       # the embedded Creme's server processes
    baseline = "reports/performance/baseline.json"
    max_regression_percent = 20
    allow_hosts = []           # hosts other than loopback (a remote target's too)
    time_limit = 1800          # seconds: every run stops by itself

The defaults are the issue's: p95 under 2 s and errors under 1 % at the top step.
"""

from __future__ import annotations

import dataclasses

from signoff.errors import PlanError
from signoff.plan import register_section

PROFILES: tuple[str, ...] = ("smoke", "load", "stress")

#: 100, 200, ... 1000 users.
DEFAULT_LOAD_STEPS: tuple[int, ...] = tuple(range(100, 1001, 100))


@dataclasses.dataclass(frozen=True)
class Step:
    """One level of load: this many users, held this many seconds once they have all started."""

    users: int
    hold: float


@register_section("performance")
@dataclasses.dataclass(frozen=True)
class PerformanceSection:
    """How the CRM is loaded and what it must hold."""

    smoke_users: int = 5
    smoke_hold: float = 20.0
    load_steps: tuple[int, ...] = DEFAULT_LOAD_STEPS
    load_hold: float = 60.0
    stress_users: int = 1000
    stress_hold: float = 120.0
    #: Users started per second while a step ramps up.
    spawn_rate: float = 50.0
    #: A simulated user's pause between two actions: uniformly between these (seconds).
    think_min: float = 1.0
    think_max: float = 3.0
    #: Seconds a request may wait for an answer before it counts as failed (a timeout): without it,
    #: a request the server never answers would count nowhere.
    request_timeout: float = 30.0
    #: The 95th percentile of response times allowed at the top step (seconds).
    max_p95_seconds: float = 2.0
    #: The share of failed requests allowed at the top step (percent).
    max_error_percent: float = 1.0
    #: The generator's CPU (percent of one core, averaged over a step) above which it is saturated.
    max_generator_cpu: float = 90.0
    #: locust worker processes beside the master (distributed mode on this machine).
    generators: int = 1
    #: Workers on other machines the master also waits for (they join with the printed command).
    remote_generators: int = 0
    #: Address the master listens on for workers: loopback unless workers on other machines join.
    master_bind: str = "127.0.0.1"
    #: Port the master listens on; 0: a free port.
    master_port: int = 0
    #: Real CRM accounts created for the run; simulated users take turns signing in with them.
    crm_users: int = 20
    #: The embedded CRM's server worker processes (gunicorn ``-w``).
    gunicorn_workers: int = 2
    #: A saved earlier run to compare with; empty: no baseline check.
    baseline: str = "reports/performance/baseline.json"
    #: How much worse (percent) a page's p50 or p95 may get against the baseline.
    max_regression_percent: float = 20.0
    #: Pages whose baseline p50/p95 is below this (ms) are compared as if it were this: a few ms
    #: of noise on a 5 ms page is no regression.
    regression_floor_ms: float = 50.0
    #: Hosts that may be loaded besides loopback addresses (a remote target's host too).
    allow_hosts: tuple[str, ...] = ()
    #: Seconds after which any run stops by itself, whatever the profile says.
    time_limit: float = 1800.0
    #: Open the key pages in a real browser at each step (navigation timing, LCP).
    browser_probe: bool = True
    #: Where ``performance.{html,json}``, the CSV series and ``summary.json`` go.
    output_dir: str = "reports/performance"

    def __post_init__(self) -> None:
        if not self.load_steps or any(users <= 0 for users in self.load_steps):
            raise PlanError("[performance] load_steps must be a list of positive user counts")
        if list(self.load_steps) != sorted(self.load_steps):
            raise PlanError("[performance] load_steps must rise: 100, 200, ...")
        for key in ("smoke_users", "stress_users", "generators", "crm_users", "gunicorn_workers"):
            if getattr(self, key) < 1:
                raise PlanError(f"[performance] {key} must be at least 1")
        if self.spawn_rate <= 0:
            raise PlanError("[performance] spawn_rate must be positive")
        if self.think_max < self.think_min:
            raise PlanError("[performance] think_max must not be below think_min")
        if self.request_timeout <= 0:
            raise PlanError("[performance] request_timeout must be positive")
        if self.time_limit <= 0:
            raise PlanError("[performance] time_limit must be positive")

    def steps(self, profile: str) -> tuple[Step, ...]:
        """The steps of profile ``smoke``, ``load`` or ``stress``."""
        if profile == "smoke":
            return (Step(self.smoke_users, self.smoke_hold),)
        if profile == "load":
            return tuple(Step(users, self.load_hold) for users in self.load_steps)
        if profile == "stress":
            return (Step(self.stress_users, self.stress_hold),)
        raise PlanError(f"unknown performance profile {profile!r}; profiles: {', '.join(PROFILES)}")
