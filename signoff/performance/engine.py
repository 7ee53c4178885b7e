"""One performance run, from accounts to verdict: the CRM-neutral engine.

:func:`run_profile` creates the run's CRM accounts with the target's page objects
(``pages/<kind>/load_accounts.py``), starts the load generator - a locust master and N workers,
each a process of its own running :mod:`signoff.performance.runner` with the target's journeys
(``pages/<kind>/load.py``) - samples the server and the generator with psutil, opens the key pages
in a real browser at each step, and, whatever happened (the end, the time limit, Ctrl-C, a crash),
stops every process it started and judges what ran (:func:`judge`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import ipaddress
import json
import os
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from signoff.errors import SignoffError
from signoff.findings import AreaResult, Finding, verdict_of
from signoff.performance import analysis
from signoff.performance.analysis import StepResult
from signoff.performance.monitor import Monitor, Sample, generator_cpu, server_figures, window
from signoff.performance.plan import PerformanceSection, Step
from signoff.targets.base import Credentials
from signoff.targets.processes import ManagedProcess, free_port, spawn

#: Seconds past the plan's time limit before the engine kills a generator that did not stop itself.
KILL_GRACE = 30.0
#: Seconds a master that has written its final results gets to exit by itself.
EXIT_GRACE = 30.0


class HostNotAllowed(SignoffError):
    """Load aimed at a host nobody allowed (exit status 2: bad input)."""


def _loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(url: str, allowed: Sequence[str]) -> None:
    """Refuse to load ``url`` unless its host is loopback or named in ``allowed``."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if _loopback(host) or host in allowed:
        return
    raise HostNotAllowed(
        f"refusing to load {host or url!r}: only loopback addresses may be loaded by default; "
        f"name the host with --allow-host {host} or [performance] allow_hosts to load it"
    )


@dataclasses.dataclass(frozen=True)
class Probe:
    """What a real browser measured on one key page at one step (milliseconds)."""

    step: int
    users: int
    page: str
    ttfb_ms: float | None = None
    load_ms: float | None = None
    lcp_ms: float | None = None
    problem: str = ""


@dataclasses.dataclass
class RunRecord:
    """Everything one run measured, before judging."""

    profile: str
    base_url: str
    steps_planned: tuple[Step, ...]
    generators: int
    accounts: int
    raw: dict[str, Any]
    steps: list[StepResult]
    samples: list[Sample]
    probes: list[Probe]
    server_sampled: bool
    stopped: str
    message: str
    wall_seconds: float
    gunicorn_workers: int | None = None


def _project_root() -> Path:
    # The page objects live beside the plan in a project folder that is on sys.path.
    for entry in sys.path:
        candidate = Path(entry or ".").resolve()
        if (candidate / "pages").is_dir():
            return candidate
    return Path.cwd().resolve()


def _journeys(kind: str, module: str | None = None) -> Any:
    """The target's load module: ``pages/<kind>/load_accounts.py`` (or ``module`` when given)."""
    name = module or f"pages.{kind}.load_accounts"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        raise SignoffError(f"the page objects 'pages/{kind}' have no load journeys ({name})") from None


def run_profile(
    *,
    profile: str,
    section: PerformanceSection,
    base_url: str,
    kind: str,
    admin: Credentials,
    server_pids: Sequence[int] | None,
    work_dir: Path,
    browser: Browser | None = None,
    allowed_hosts: Sequence[str] = (),
    steps: Sequence[Step] | None = None,
    progress: Callable[[str], None] | None = None,
    accounts_module_name: str | None = None,
) -> RunRecord:
    """Run ``profile`` (or explicit ``steps``) against ``base_url``; return what was measured.

    ``accounts_module_name`` replaces the target's ``pages.<kind>.load_accounts`` (a fixture app's
    own journeys in tests). KeyboardInterrupt is re-raised only after every process stopped and the record of what ran is
    complete: the caller writes its report first (see :attr:`RunRecord.stopped`).
    """
    say = progress or (lambda message: None)
    check_host(base_url, [*section.allow_hosts, *allowed_hosts])
    planned = tuple(steps) if steps is not None else section.steps(profile)
    top_users = max(step.users for step in planned)
    # "1000 users at once": the stress profile starts every user in the first second.
    spawn_rate = float(top_users) if profile == "stress" else section.spawn_rate
    accounts_module = _journeys(kind, accounts_module_name)
    count = min(section.crm_users, top_users)
    say(f"creating {count} CRM users for the run")
    accounts: list[Credentials] = accounts_module.create_accounts(base_url, admin, count)
    # The browser signs in once, before the load: under load a sign-in alone can outlast a step,
    # and that step's pages would then never be opened.
    session = (
        browser_session(accounts_module, base_url, accounts[0]) if browser is not None and section.browser_probe else []
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    config_path = work_dir / "run.json"
    results_path = work_dir / "results.json"
    results_path.unlink(missing_ok=True)
    config = {
        "profile": profile,
        "host": base_url,
        "journeys": accounts_module.JOURNEYS,
        "steps": [[step.users, step.hold] for step in planned],
        "spawn_rate": spawn_rate,
        "think_min": section.think_min,
        "think_max": section.think_max,
        "request_timeout": section.request_timeout,
        "accounts": [[a.username, a.password] for a in accounts],
        "generators": section.generators + section.remote_generators,
        "time_limit": section.time_limit,
    }
    config_path.write_text(json.dumps(config), encoding="utf-8")
    root = _project_root()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    port = section.master_port or free_port()
    module = [sys.executable, "-m", "signoff.performance.runner"]
    processes: dict[str, ManagedProcess] = {}
    probes: list[Probe] = []
    interrupted = False
    started = time.time()
    say(f"load generator: 1 master and {section.generators} workers, {len(planned)} steps up to {top_users} users")
    server_port = urllib.parse.urlsplit(base_url).port if server_pids else None

    def generators() -> dict[str, int]:
        return {name: process.pid for name, process in processes.items() if process.alive()}

    with Monitor(server_pids, generators, server_port=server_port) as monitor:
        try:
            processes["master"] = spawn(
                "load master",
                [
                    *module,
                    "master",
                    "--config",
                    str(config_path),
                    "--results",
                    str(results_path),
                    "--master-port",
                    str(port),
                    "--bind",
                    section.master_bind,
                ],
                log_path=work_dir / "master.log",
                cwd=root,
                env=env,
            )
            for number in range(1, section.generators + 1):
                processes[f"worker {number}"] = spawn(
                    f"load worker {number}",
                    [*module, "worker", "--config", str(config_path), "--master-port", str(port)],
                    log_path=work_dir / f"worker-{number}.log",
                    cwd=root,
                    env=env,
                )
            if section.remote_generators:
                say(
                    f"waiting for {section.remote_generators} workers on other machines: copy {config_path} there "
                    f"and run: python -m signoff.performance.runner worker --config run.json "
                    f"--master-host <this machine> --master-port {port}"
                )
            probed: set[int] = set()
            deadline = started + section.time_limit + KILL_GRACE
            master = processes["master"]
            finished_at: float | None = None
            while master.alive():
                if time.time() > deadline:
                    say("the generator passed its time limit; stopping it")
                    break
                current = _read(results_path)
                # The master has written its last results: it gets a short while to exit by
                # itself (its workers may be slow to quit under load), not the whole time limit.
                if current.get("stopped", "running") != "running":
                    finished_at = finished_at or time.time()
                    if time.time() - finished_at > EXIT_GRACE:
                        say("the generator wrote its results but did not exit; stopping it")
                        break
                steps_so_far = current.get("steps", [])
                step = steps_so_far[-1] if steps_so_far else None
                # Only the step running now: a probe slowed down by the load is not filed under a
                # step that has ended meanwhile (that step then has no browser figures).
                if step is not None and step.get("spawned") is not None and int(step["index"]) not in probed:
                    index = int(step["index"])
                    probed.add(index)
                    say(f"step {index + 1}: {step['users']} users")
                    if browser is not None and section.browser_probe:
                        probes += probe_pages(
                            browser,
                            base_url,
                            session,
                            accounts_module,
                            index,
                            step["users"],
                            timeout=section.request_timeout,
                        )
                time.sleep(0.5)
        except KeyboardInterrupt:
            interrupted = True
            say("interrupted: stopping the load generator")
        finally:
            # SIGTERM lets the master write what ran; the workers quit with it or are stopped here.
            for process in processes.values():
                process.stop(timeout=15)
    raw = _read(results_path)
    stopped = "interrupted" if interrupted else str(raw.get("stopped", "error"))
    if stopped == "running":
        stopped = "time-limit"
    record = RunRecord(
        profile=profile,
        base_url=base_url,
        steps_planned=planned,
        generators=section.generators,
        accounts=len(accounts),
        raw=raw,
        steps=[],
        samples=list(monitor.samples),
        probes=probes,
        server_sampled=bool(server_pids),
        stopped=stopped,
        message=str(raw.get("message", "")) or (_tail(work_dir / "master.log") if stopped == "error" else ""),
        wall_seconds=round(time.time() - started, 1),
    )
    record.steps = attach_resources(raw, record.samples)
    if interrupted:
        raise RunInterrupted(record)
    return record


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run: carries what ran, so that its report is still written."""

    def __init__(self, record: RunRecord) -> None:
        super().__init__("interrupted")
        self.record = record


def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def _tail(path: Path, lines: int = 5) -> str:
    with contextlib.suppress(OSError):
        return " | ".join(path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-lines:])
    return ""


def attach_resources(raw: dict[str, Any], samples: Sequence[Sample]) -> list[StepResult]:
    """The runner's steps, each with the server's and the generator's figures over its time."""
    started = float(raw.get("started_at", 0.0))
    steps: list[StepResult] = []
    for data in raw.get("steps", ()):
        step = analysis.step_from_data(data)
        begin = started + float(data.get("start", 0.0))
        during = window(samples, begin, begin + step.seconds)
        steps.append(dataclasses.replace(step, generator_cpu=generator_cpu(during), target=server_figures(during)))
    return steps


def browser_session(accounts_module: Any, base_url: str, account: Credentials) -> list[Any] | str:
    """The session cookies of ``account`` for the browser, or why it could not sign in."""
    try:
        # Playwright's cookie dicts (its SetCookieParam), from the target's page objects.
        cookies: list[Any] = accounts_module.session_cookies(base_url, account)
    except SignoffError as error:
        return f"could not sign in: {error}"
    return cookies


def probe_pages(
    browser: Browser,
    base_url: str,
    session: list[Any] | str,
    accounts_module: Any,
    step: int,
    users: int,
    *,
    timeout: float = 30.0,
) -> list[Probe]:
    """Open the target's key pages in a fresh browser context with ``session`` (its cookies, from
    :func:`browser_session`; a text: why there are none); navigation timing and LCP.

    A page that has not loaded after ``timeout`` seconds (the plan's request timeout, as for the
    simulated users) is recorded as not measured, with the reason.
    """
    from signoff.ux.speed import install_speed_observers, measure_page_speed

    results: list[Probe] = []
    if isinstance(session, str):
        return [Probe(step, users, name, problem=session) for name, _ in accounts_module.KEY_PAGES]
    cookies = session
    context = browser.new_context(base_url=base_url, locale="en-GB", timezone_id="UTC")
    try:
        context.add_cookies(cookies)
        for name, path in accounts_module.KEY_PAGES:
            page = context.new_page()
            try:
                install_speed_observers(page)
                page.goto(path, timeout=timeout * 1000)
                speed = measure_page_speed(page)
                problem = "; ".join(speed.not_measured.values())
                if "/creme_login" in page.url or "login" in urllib.parse.urlsplit(page.url).path:
                    problem = "the browser got the sign-in page"
                results.append(Probe(step, users, name, speed.ttfb_ms, speed.load_ms, speed.lcp_ms, problem))
            except Exception as error:  # a page that does not load under load is a measurement, not a crash
                results.append(Probe(step, users, name, problem=f"{type(error).__name__}: {str(error)[:200]}"))
            finally:
                page.close()
    finally:
        context.close()
    return results


# ----------------------------------------------------------------------------- judging


@dataclasses.dataclass(frozen=True)
class Judgement:
    """The verdict of a run and the analysis behind it."""

    result: AreaResult
    knee: analysis.Knee | None
    errors_from: int | None
    regressions: tuple[analysis.Regression, ...]
    saturated_steps: tuple[int, ...]
    baseline_note: str


def judge(record: RunRecord, section: PerformanceSection, baseline: dict[str, Any] | None) -> Judgement:
    """Findings and verdict: thresholds at the top step, baseline regressions, what could not be checked."""
    findings: list[Finding] = []
    max_p95_ms = section.max_p95_seconds * 1000
    measured = [step for step in record.steps if step.total.requests]
    top = measured[-1] if measured else None
    knee = analysis.find_knee(measured, max_p95_ms)
    first_errors = analysis.errors_start(measured)
    saturated = tuple(s.users for s in measured if analysis.saturated_generator(s, section.max_generator_cpu))
    regressions: list[analysis.Regression] = []
    baseline_note = "no baseline"
    if top is None:
        findings.append(
            Finding(
                key="no-requests",
                title="The load run made no request: nothing was measured",
                severity="high",
                status="could-not-check",
                actual=record.message or record.stopped,
            )
        )
    else:
        p95 = top.total.p(0.95) or 0.0
        where = f"{top.users} concurrent users, all pages"
        if p95 > max_p95_ms:
            findings.append(
                Finding(
                    key="p95-above-limit",
                    title=f"95% of pages do not answer within {section.max_p95_seconds:g} s at {top.users} users",
                    severity="high",
                    where=where,
                    expected=f"p95 ≤ {section.max_p95_seconds:g} s",
                    actual=f"p95 {p95 / 1000:.2f} s",
                    fix="Profile the slowest pages below; add server workers or caching; check database locks.",
                    evidence=("performance/performance.html",),
                )
            )
        if top.total.error_percent >= section.max_error_percent and top.total.failures:
            kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(top.errors.items(), key=lambda i: -i[1])[:3])
            findings.append(
                Finding(
                    key="errors-above-limit",
                    title=f"{top.total.error_percent:.1f}% of requests fail at {top.users} users",
                    severity="high",
                    where=where,
                    expected=f"fewer than {section.max_error_percent:g}% failed requests",
                    actual=f"{top.total.failures} of {top.total.requests} failed: {kinds}",
                    evidence=("performance/performance.html",),
                )
            )
        if top.users != record.steps_planned[-1].users or not top.complete:
            findings.append(
                Finding(
                    key="run-incomplete",
                    title="The load run did not finish its profile: the top step was not held",
                    severity="medium",
                    status="could-not-check",
                    expected=f"{record.steps_planned[-1].users} users held {record.steps_planned[-1].hold:g} s",
                    actual=f"stopped at {top.users} users ({record.stopped}{': ' + record.message if record.message else ''})",
                )
            )
        # Some users are always mid-request; it is a gap in the figures when most of them were
        # still waiting (a saturated server) and those requests weigh in the error threshold.
        waiting = top.in_flight_at_end
        if waiting * 2 > max(top.reached_users, 1) and waiting * 100 >= section.max_error_percent * top.total.requests:
            findings.append(
                Finding(
                    key="unanswered-at-end",
                    title=f"{top.in_flight_at_end} requests were still waiting for an answer when the run ended",
                    severity="medium",
                    status="could-not-check",
                    where=f"{top.users} concurrent users",
                    expected="every request answered or timed out within the run",
                    actual=f"{top.in_flight_at_end} unanswered against {top.total.requests} measured: "
                    + (
                        "their times are in no figure; hold the top step longer than the request timeout"
                        if top.seconds <= section.request_timeout
                        else "their times are in no figure; the server was not answering most of its users"
                    ),
                )
            )
        if top.reached_users < top.users:
            findings.append(
                Finding(
                    key="users-not-reached",
                    title=f"The generator reached only {top.reached_users} of {top.users} users",
                    severity="medium",
                    status="could-not-check",
                )
            )
        if baseline:
            if baseline.get("profile") != record.profile or baseline.get("users") != top.users:
                baseline_note = (
                    f"baseline is of profile {baseline.get('profile')} at {baseline.get('users')} users, "
                    f"not {record.profile} at {top.users}: not compared"
                )
                findings.append(
                    Finding(
                        key="baseline-mismatch",
                        title="The baseline is of another profile: regressions could not be checked",
                        severity="low",
                        status="could-not-check",
                        actual=baseline_note,
                    )
                )
            else:
                baseline_note = f"compared with the baseline ({section.max_regression_percent:g}% allowed)"
                regressions = analysis.regressions(
                    top, baseline, section.max_regression_percent, section.regression_floor_ms
                )
        for regression in regressions:
            findings.append(
                Finding(
                    key=f"regression:{regression.page}:{regression.percentile}",
                    title=f"The page '{regression.page}' got slower than the baseline ({regression.percentile})",
                    severity="medium",
                    where=regression.page,
                    expected=f"{regression.percentile} ≤ {regression.allowed_ms:.0f} ms (baseline {regression.baseline_ms:.0f} ms)",
                    actual=f"{regression.percentile} {regression.current_ms:.0f} ms",
                )
            )
    if saturated:
        findings.append(
            Finding(
                key="generator-saturated",
                title="The load generator was saturated: its response times include its own delays",
                severity="medium",
                status="could-not-check",
                where=", ".join(f"{users} users" for users in saturated),
                expected=f"generator CPU ≤ {section.max_generator_cpu:g}% of a core",
                fix="Add generator processes ([performance] generators) or workers on another machine.",
            )
        )
    if not record.server_sampled:
        findings.append(
            Finding(
                key="server-not-sampled",
                title="The server's CPU, memory, disk and connections could not be measured (a remote target)",
                severity="low",
                status="could-not-check",
            )
        )
    if section.browser_probe and measured:
        unmeasured = [p for p in record.probes if p.lcp_ms is None and p.load_ms is None]
        # The browser opens the pages of the step running when it is free: while the load makes
        # each page wait up to the request timeout, a short step can end before its turn.
        probed = {p.users for p in record.probes}
        missed = [s.users for s in measured if s.users not in probed]
        if not record.probes or unmeasured or missed:
            said = [f"{p.page} at {p.users} users: {p.problem}" for p in unmeasured[:5]]
            if missed and record.probes:
                said.append(
                    f"no browser measurement at {', '.join(map(str, missed))} users "
                    "(the browser was still opening the pages of an earlier step)"
                )
            findings.append(
                Finding(
                    key="browser-probe",
                    title="What users feel under load could not be measured on every key page",
                    severity="low",
                    status="could-not-check",
                    actual="; ".join(said) or "no browser measurement",
                )
            )
    verdict = verdict_of(findings, checked_anything=top is not None)
    figures: dict[str, float | int | str] = {"profile": record.profile, "steps": len(record.steps)}
    if top is not None:
        figures.update(
            {
                "users": top.users,
                "requests": top.total.requests,
                "throughput_rps": round(top.total.throughput, 2),
                "error_percent": round(top.total.error_percent, 3),
                "p50_ms": top.total.p(0.5) or 0,
                "p95_ms": top.total.p(0.95) or 0,
                "p99_ms": top.total.p(0.99) or 0,
                "knee_users": knee.users if knee else "none",
                "errors_start_users": first_errors.users if first_errors else "none",
            }
        )
        if top.target is not None:
            figures["server_cpu_mean"] = top.target["cpu_mean"]
            figures["server_rss_max_mb"] = top.target["rss_max_mb"]
        else:
            figures["server_cpu_mean"] = "could not check"
    summary = _summary(verdict, top, knee, findings)
    result = AreaResult(
        area="performance",
        verdict=verdict,
        summary=summary,
        figures=figures,
        findings=tuple(findings),
        report="performance/performance.html",
        complete=record.stopped == "completed",
    )
    return Judgement(
        result=result,
        knee=knee,
        errors_from=first_errors.users if first_errors else None,
        regressions=tuple(regressions),
        saturated_steps=saturated,
        baseline_note=baseline_note,
    )


def _summary(verdict: str, top: StepResult | None, knee: analysis.Knee | None, findings: list[Finding]) -> str:
    if top is None:
        return "Nothing was measured: the load run made no request."
    p95 = (top.total.p(0.95) or 0) / 1000
    text = (
        f"At {top.users} concurrent users: p95 {p95:.2f} s, {top.total.error_percent:.2f}% failed, "
        f"{top.total.throughput:.1f} requests/s"
    )
    if knee is not None:
        text += f"; the knee is at {knee.users} users ({knee.reason})"
    failed = [f.title for f in findings if f.status == "failed"]
    unchecked = [f.title for f in findings if f.status == "could-not-check"]
    if failed:
        text += ". Failed: " + "; ".join(failed)
    if unchecked:
        text += ". Could not check: " + "; ".join(unchecked)
    return text + "."


def default_work_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="signoff-perf-"))
