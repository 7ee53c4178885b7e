"""The performance analysis on recorded data: percentiles merged across workers, the knee, where
errors start, each threshold's verdict, baseline regressions, the saturated generator, safety."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from signoff.errors import PlanError
from signoff.performance import analysis
from signoff.performance.engine import HostNotAllowed, Probe, RunRecord, check_host, judge
from signoff.performance.plan import PerformanceSection, Step
from signoff.performance.report import write_report
from signoff.plan import parse_sections


def entry(name: str, hist: dict[int, int], failures: int = 0) -> dict[str, Any]:
    """A locust entry as a worker reports it (histogram keys are strings once in JSON)."""
    return {
        "name": name,
        "method": "GET",
        "num_requests": sum(hist.values()),
        "num_failures": failures,
        "max_response_time": max(hist),
        "response_times": {str(k): v for k, v in hist.items()},
    }


def step(
    users: int,
    workers: dict[str, list[dict[str, Any]]],
    seconds: float = 10.0,
    errors: list[dict[str, Any]] | None = None,
    **changes: Any,
) -> analysis.StepResult:
    data = {"index": 0, "users": users, "reached_users": users, "seconds": seconds, "complete": True}
    data["workers"] = workers
    data["errors"] = errors or []
    result = analysis.step_from_data(json.loads(json.dumps(data)))
    import dataclasses

    return dataclasses.replace(result, **changes)


def simple(users: int, requests: int, ms: int, failures: int = 0, **changes: Any) -> analysis.StepResult:
    return step(users, {"w1": [entry("list · contact list", {ms: requests}, failures)]}, **changes)


# ----------------------------------------------------------------------------- percentiles


def test_percentiles_across_workers_come_from_the_merged_histogram_not_the_mean_of_percentiles() -> None:
    fast = entry("list · contact list", {50: 100})
    slow_tail = entry("list · contact list", {50: 80, 2000: 20})
    merged = step(10, {"worker-a": [fast], "worker-b": [slow_tail]})
    own_p95 = [analysis.percentile(analysis.histogram(e["response_times"]), 0.95) for e in (fast, slow_tail)]
    assert own_p95 == [50.0, 2000.0]
    # The mean of the workers' p95s (1025 ms) describes no request at all: 20 of 200 took 2 s.
    assert merged.total.requests == 200
    assert merged.total.p(0.95) == 2000.0
    assert merged.total.p(0.50) == 50.0
    assert merged.pages[0].requests == 200


def test_percentile_of_an_empty_histogram_is_none() -> None:
    assert analysis.percentile({}, 0.95) is None
    assert analysis.percentile({10: 1, 20: 1, 30: 2}, 0.5) == 20.0


# ----------------------------------------------------------------------------- knee, errors


def test_knee_is_where_p95_crosses_the_limit() -> None:
    steps = [simple(100, 1000, 300), simple(200, 2000, 900), simple(300, 3000, 2500)]
    knee = analysis.find_knee(steps, max_p95_ms=2000)
    assert knee is not None and knee.users == 300 and "p95" in knee.reason


def test_knee_is_where_throughput_stops_growing_with_the_users() -> None:
    steps = [simple(100, 1000, 300), simple(200, 2000, 400), simple(300, 2100, 600)]
    knee = analysis.find_knee(steps, max_p95_ms=2000)
    assert knee is not None and knee.users == 300 and "throughput" in knee.reason


def test_no_knee_while_throughput_follows_the_users_under_the_limit() -> None:
    steps = [simple(100, 1000, 300), simple(200, 1950, 350), simple(300, 2900, 400)]
    assert analysis.find_knee(steps, max_p95_ms=2000) is None


def test_errors_start_at_the_first_step_with_a_failed_request() -> None:
    steps = [simple(100, 1000, 300), simple(200, 2000, 300, failures=3), simple(300, 3000, 300, failures=50)]
    first = analysis.errors_start(steps)
    assert first is not None and first.users == 200
    assert analysis.errors_start(steps[:1]) is None


# ----------------------------------------------------------------------------- verdicts


def record(steps: list[analysis.StepResult], **changes: Any) -> RunRecord:
    values: dict[str, Any] = {
        "profile": "load",
        "base_url": "http://127.0.0.1:1",
        "steps_planned": tuple(Step(s.users, 10.0) for s in steps),
        "generators": 1,
        "accounts": 5,
        "raw": {"started_at": 0.0, "series": []},
        "steps": steps,
        "samples": [],
        "probes": [Probe(i, s.users, "contact list", 10.0, 100.0, 120.0) for i, s in enumerate(steps)],
        "server_sampled": True,
        "stopped": "completed",
        "message": "",
        "wall_seconds": 30.0,
    }
    values.update(changes)
    return RunRecord(**values)


SECTION = PerformanceSection()


def test_a_clean_run_passes() -> None:
    judged = judge(record([simple(100, 1000, 300), simple(200, 2000, 400)]), SECTION, None)
    assert judged.result.verdict == "passed", judged.result.findings
    assert judged.result.figures["p95_ms"] == 400.0


def test_p95_above_the_limit_at_the_top_step_fails() -> None:
    judged = judge(record([simple(100, 1000, 300), simple(200, 2000, 2500)]), SECTION, None)
    assert judged.result.verdict == "failed"
    assert [f.key for f in judged.result.findings if f.status == "failed"] == ["p95-above-limit"]


def test_errors_at_or_above_the_limit_at_the_top_step_fail_with_their_kinds() -> None:
    errors = [{"name": "list · contact list", "error": "got the sign-in page", "occurrences": 30}]
    top = step(200, {"w1": [entry("list · contact list", {300: 2000}, failures=30)]}, errors=errors)
    judged = judge(record([simple(100, 1000, 300), top]), SECTION, None)
    failed = [f for f in judged.result.findings if f.status == "failed"]
    assert [f.key for f in failed] == ["errors-above-limit"]
    assert "sign-in page" in failed[0].actual
    # Below the limit (0.5 % < 1 %): a figure, not a failure.
    below = simple(200, 2000, 300, failures=10)
    assert judge(record([below]), SECTION, None).result.verdict == "passed"


def test_a_run_that_measured_nothing_is_could_not_check_never_a_pass() -> None:
    empty = step(100, {})
    judged = judge(record([empty], probes=[]), SECTION, None)
    assert judged.result.verdict == "could-not-check"


def test_an_interrupted_run_is_not_a_pass_even_when_its_figures_are_good() -> None:
    steps = [simple(100, 1000, 300)]
    interrupted = record(steps, steps_planned=(Step(100, 10), Step(200, 10)), stopped="interrupted")
    judged = judge(interrupted, SECTION, None)
    assert judged.result.verdict == "could-not-check"
    assert "run-incomplete" in [f.key for f in judged.result.findings]


def test_a_remote_target_server_figures_are_could_not_check() -> None:
    judged = judge(record([simple(100, 1000, 300)], server_sampled=False), SECTION, None)
    assert judged.result.verdict == "could-not-check"
    assert [f.key for f in judged.result.findings] == ["server-not-sampled"]


# ----------------------------------------------------------------------------- generator, baseline


def test_a_saturated_generator_is_flagged_and_its_figures_are_not_a_pass() -> None:
    busy = simple(200, 2000, 300, generator_cpu=97.0)
    calm = simple(100, 1000, 300, generator_cpu=40.0)
    assert analysis.saturated_generator(busy, 90.0) and not analysis.saturated_generator(calm, 90.0)
    judged = judge(record([calm, busy]), SECTION, None)
    assert judged.saturated_steps == (200,)
    assert judged.result.verdict == "could-not-check"
    assert [f.key for f in judged.result.findings] == ["generator-saturated"]


def pages_step(contact_ms: int, org_ms: int) -> analysis.StepResult:
    return step(
        100,
        {"w1": [entry("browse · contact list", {contact_ms: 100}), entry("browse · organisation list", {org_ms: 100})]},
    )


def test_a_page_slower_than_the_baseline_allows_is_a_regression_and_its_clean_twin_is_not() -> None:
    baseline = analysis.baseline_data(pages_step(200, 200), "smoke")
    slower = analysis.regressions(pages_step(200, 400), baseline, max_percent=20, floor_ms=50)
    assert [(r.page, r.percentile) for r in slower] == [
        ("browse · organisation list", "p50"),
        ("browse · organisation list", "p95"),
    ]
    assert analysis.regressions(pages_step(220, 230), baseline, max_percent=20, floor_ms=50) == []
    judged = judge(record([pages_step(200, 400)], profile="smoke"), SECTION, baseline)
    assert judged.result.verdict == "failed"
    assert {f.key for f in judged.result.findings} == {
        "regression:browse · organisation list:p50",
        "regression:browse · organisation list:p95",
    }


def test_the_regression_floor_keeps_a_few_ms_of_noise_on_a_fast_page_from_counting() -> None:
    baseline = analysis.baseline_data(pages_step(5, 5), "smoke")
    assert analysis.regressions(pages_step(12, 9), baseline, max_percent=20, floor_ms=50) == []
    assert analysis.regressions(pages_step(12, 9), baseline, max_percent=20, floor_ms=0) != []


def test_a_baseline_of_another_profile_is_not_compared_and_says_so() -> None:
    baseline = analysis.baseline_data(pages_step(200, 200), "stress")
    judged = judge(record([pages_step(200, 900)], profile="smoke"), SECTION, baseline)
    assert [f.key for f in judged.result.findings] == ["baseline-mismatch"]
    assert judged.result.verdict == "could-not-check"


# ----------------------------------------------------------------------------- plan, safety, report


def test_profiles_and_plan_values() -> None:
    section = parse_sections({"performance": {"load_steps": [10, 20], "load_hold": 5, "stress_users": 50}})[
        "performance"
    ]
    assert section.steps("load") == (Step(10, 5.0), Step(20, 5.0))
    assert section.steps("stress") == (Step(50, 120.0),)
    assert PerformanceSection().steps("load")[-1] == Step(1000, 60.0)
    with pytest.raises(PlanError, match="rise"):
        parse_sections({"performance": {"load_steps": [20, 10]}})
    with pytest.raises(PlanError, match="think_max"):
        parse_sections({"performance": {"think_min": 3, "think_max": 1}})


def test_only_loopback_and_named_hosts_may_be_loaded() -> None:
    check_host("http://127.0.0.1:8000", [])
    check_host("http://localhost:8000", [])
    check_host("http://[::1]:8000", [])
    with pytest.raises(HostNotAllowed, match=r"--allow-host crm\.example\.com"):
        check_host("https://crm.example.com/", [])
    check_host("https://crm.example.com/", ["crm.example.com"])


def test_the_report_is_one_offline_html_file_with_charts_and_a_summary(tmp_path: Path) -> None:
    steps = [simple(100, 1000, 300), simple(200, 1200, 2500)]
    run = record(steps)
    run.raw["series"] = [
        {"t": t, "users": 100, "requests": 10, "failures": 0, "response_times": {"300": 10}} for t in range(5)
    ]
    judged = judge(run, SECTION, None)
    written = write_report(run, judged, SECTION, tmp_path / "performance", tmp_path)
    html = (tmp_path / "performance" / "performance.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3
    # Nothing is fetched: no script, style or image from elsewhere (pygal's inline config stays).
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "◀ knee" in html
    summary = json.loads((tmp_path / "performance" / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "failed" and summary["area"] == "performance"
    assert (tmp_path / "performance" / "series.csv").read_text().startswith("t,users,")
    assert len(written) == 6


def test_requests_still_unanswered_when_the_run_ends_are_said_and_not_a_pass() -> None:
    waiting = simple(1000, 1000, 300, in_flight_at_end=900)
    judged = judge(record([waiting]), SECTION, None)
    assert [f.key for f in judged.result.findings] == ["unanswered-at-end"]
    assert judged.result.verdict == "could-not-check"
    # Some users are always mid-request: a few of them, or a minority, is no gap in the figures.
    assert judge(record([simple(1000, 1000, 300, in_flight_at_end=3)]), SECTION, None).result.verdict == "passed"
    assert judge(record([simple(5, 48, 300, in_flight_at_end=1)]), SECTION, None).result.verdict == "passed"


def test_the_same_error_on_two_connections_is_one_kind() -> None:
    # Seen in the stress run on Creme: urllib3 names each connection object by its address.
    def timeout(address: str) -> dict[str, Any]:
        text = f"ConnectTimeoutError(<HTTPConnection(host='127.0.0.1', port=8000) at {address}>, 'timed out')"
        return {"name": "sign in · sign-in page", "error": text, "occurrences": 1}

    errors = [timeout("0x7fcfd56adb90"), timeout("0x7fcfce53dd90")]
    grouped = step(10, {"w1": [entry("sign in · sign-in page", {30000: 2}, 2)]}, errors=errors)
    assert list(grouped.errors.values()) == [2]
    assert "at 0x…>" in next(iter(grouped.errors))
    # Different errors stay apart.
    other = {"name": "sign in · sign-in page", "error": "ReadTimeout('read timed out')", "occurrences": 3}
    assert len(step(10, {}, errors=[*errors, other]).errors) == 2


def test_the_advice_on_unanswered_requests_fits_the_hold() -> None:
    short = judge(record([simple(1000, 1000, 300, in_flight_at_end=900, seconds=20.0)]), SECTION, None)
    held = judge(record([simple(1000, 1000, 300, in_flight_at_end=900, seconds=120.0)]), SECTION, None)
    assert "hold the top step longer" in short.result.findings[0].actual
    assert "not answering most of its users" in held.result.findings[0].actual


def test_a_step_the_browser_could_not_reach_is_said() -> None:
    steps = [simple(100, 1000, 300), simple(200, 1000, 300), simple(300, 1000, 300)]
    probes = [Probe(0, 100, "contact list", 10.0, 100.0, 120.0), Probe(2, 300, "contact list", 10.0, 100.0, 120.0)]
    judged = judge(record(steps, probes=probes), SECTION, None)
    assert [f.key for f in judged.result.findings] == ["browser-probe"]
    assert "no browser measurement at 200 users" in judged.result.findings[0].actual
    assert judge(record(steps), SECTION, None).result.verdict == "passed"


def test_a_browser_that_could_not_sign_in_before_the_load_says_so_on_every_key_page() -> None:
    import types

    from signoff.performance.engine import probe_pages

    pages = types.SimpleNamespace(KEY_PAGES=(("contact list", "/c"), ("opportunity list", "/o")))
    probes = probe_pages(None, "http://127.0.0.1:1", "could not sign in: refused", pages, 2, 300)  # type: ignore[arg-type]
    assert [(p.step, p.users, p.page, p.problem) for p in probes] == [
        (2, 300, "contact list", "could not sign in: refused"),
        (2, 300, "opportunity list", "could not sign in: refused"),
    ]


def test_the_server_disk_is_charted_over_time_when_the_server_was_sampled(tmp_path: Path) -> None:
    from signoff.performance.monitor import Sample

    series = [{"t": t, "users": 10, "requests": 10, "failures": 0, "response_times": {"300": 10}} for t in range(4)]
    sampled = record(
        [simple(10, 100, 300)],
        samples=[Sample(at=t, server_read_mb=5.0, server_write_mb=100.0 + 3 * t) for t in range(4)],
    )
    sampled.raw["series"] = series
    write_report(sampled, judge(sampled, SECTION, None), SECTION, tmp_path / "a", tmp_path)
    html = (tmp_path / "a" / "performance.html").read_text(encoding="utf-8")
    assert "Server disk: MB read and written during the run" in html
    remote = record([simple(10, 100, 300)], server_sampled=False)
    remote.raw["series"] = series
    write_report(remote, judge(remote, SECTION, None), SECTION, tmp_path / "b", tmp_path)
    assert "Server disk" not in (tmp_path / "b" / "performance.html").read_text(encoding="utf-8")
