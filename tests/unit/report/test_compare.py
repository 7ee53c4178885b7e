"""Comparing two recorded runs: every change kind, figures side by side, regressions flagged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from signoff import cli
from signoff.errors import SignoffError
from signoff.report.compare import compare_runs, direction, load_comparison, pick_runs, render_text
from signoff.report.history import archive_run, list_runs, load_run
from tests.unit.report.conftest import RECORDED, RUN_A, RUN_B


def comparison():  # type: ignore[no-untyped-def]
    return compare_runs(load_run(RECORDED / "history" / RUN_A), load_run(RECORDED / "history" / RUN_B))


def test_each_scenario_change_kind() -> None:
    changes = {(c.kind, c.name) for c in comparison().scenarios}
    assert changes == {
        ("newly-failing", "Add an organisation"),
        ("newly-passing", "Win an opportunity by editing it"),
        ("still-failing", "Win an opportunity created as won"),
        ("added", "Add a contact"),
        ("removed", "Rename an organisation"),
    }
    worse = {c.name for c in comparison().scenarios if c.worse}
    assert worse == {"Add an organisation"}


def test_figures_side_by_side_with_what_got_worse() -> None:
    rows = {(f.area, f.name): f for f in comparison().figures}
    p95 = rows[("performance", "p95 ms /contacts")]
    assert (p95.before, p95.after, p95.worse) == (800, 950, True)
    assert rows[("ux", "UX score")].worse and rows[("functional", "coverage %")].worse
    assert not rows[("performance", "users")].worse  # its name does not say which way is better


def test_findings_new_fixed_and_more_elements() -> None:
    kinds = {(f.kind, f.title) for f in comparison().findings}
    assert ("new", "Accessibility: region (detail pages)") in kinds
    assert ("fixed", "Accessibility: label (form pages)") in kinds
    assert ("more-elements", "Accessibility: color-contrast (list pages)") in kinds
    assert all(f.kind != "new" or "waived" not in f.title for f in comparison().findings)


def test_a_run_compared_with_itself_has_no_regression() -> None:
    run = load_run(RECORDED / "history" / RUN_B)
    same = compare_runs(run, run)
    assert not same.regressed
    assert "no regression" in render_text(same)
    assert comparison().regressed


@pytest.mark.parametrize(
    ("name", "sign"), [("UX score", 1), ("coverage %", 1), ("p95 ms /x", -1), ("data mismatches", -1), ("users", 0)]
)
def test_direction_of_figures(name: str, sign: int) -> None:
    assert direction(name) == sign


def test_runs_are_picked_by_name_prefix_or_default_last_two(tmp_path: Path) -> None:
    report_dir = tmp_path / "reports"
    with pytest.raises(SignoffError, match="comparing needs two"):
        pick_runs(report_dir, None, None)
    (report_dir / "history").mkdir(parents=True)
    for run in (RUN_A, RUN_B):
        (report_dir / "history" / run / "areas").mkdir(parents=True)
    assert [p.name for p in pick_runs(report_dir, None, None)] == [RUN_A, RUN_B]
    assert [p.name for p in pick_runs(report_dir, "20261202", "20261201")] == [RUN_B, RUN_A]
    with pytest.raises(SignoffError, match="names 2 archived runs"):
        pick_runs(report_dir, "2026120", None)
    with pytest.raises(SignoffError, match="no archived run 'nope'"):
        pick_runs(report_dir, "nope", None)


def test_archive_keeps_the_plan_limit_and_reads_back(report_dir: Path, tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    results.mkdir()
    (results / "environment.xml").write_text(
        "<environment><parameter><key>CRM</key><value>Creme CRM</value></parameter>"
        "<parameter><key>CRM version</key><value>2.8.7</value></parameter></environment>"
    )
    plan = tmp_path / "acceptance.toml"
    plan.write_text("[history]\nkeep = 3\n")
    moment = dt.datetime(2026, 12, 6, 17, 0, tzinfo=dt.UTC)
    first = archive_run(report_dir, results, plan, 3, now=moment)
    second = archive_run(report_dir, results, plan, 3, now=moment)  # same second: a second folder
    assert first is not None and second is not None and first != second
    assert first.name == "20261206T170000Z-2.8.7"
    names = [p.name for p in list_runs(report_dir / "history")]
    assert len(names) == 3 and RUN_A not in names  # the oldest went
    run = load_run(second)
    assert set(run.areas) == {"functional", "ux", "performance", "security"}
    assert run.facts["CRM version"] == "2.8.7"
    assert run.scenarios and (second / "plan.toml").read_text() == plan.read_text()
    assert archive_run(report_dir, results, plan, 0) is None
    assert list_runs(report_dir / "history") == []


def test_compare_command_exits_1_on_regression_and_writes_html(
    report_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text(f'[run]\nreport_dir = "{report_dir}"\n')
    assert cli.main(["--plan", str(plan), "compare"]) == cli.EXIT_FAILED
    out = capsys.readouterr().out
    assert "scenarios newly-failing: 1" in out and "regressions: 8" in out
    html = (report_dir / "compare.html").read_text()
    assert "Add an organisation" in html and "(3 -&gt; 5 elements)" in html
    assert cli.main(["--plan", str(plan), "compare", RUN_B, RUN_B]) == cli.EXIT_OK
    assert cli.main(["--plan", str(plan), "compare", "nope"]) == cli.EXIT_USAGE
    assert "no archived run 'nope'" in capsys.readouterr().err


def test_comparison_loads_from_folder(report_dir: Path) -> None:
    assert load_comparison(report_dir).after.name == RUN_B
    assert json.loads((RECORDED / "history" / RUN_B / "scenarios.json").read_text())


STEPS_CSV = """users,name,requests,failures,throughput,error_percent,p50_ms,p90_ms,p95_ms,p99_ms,max_ms
5,all pages,60,0,2.5,0.0,100.0,800.0,{all},1000.0,1200.0
5,contact list,20,0,0.8,0.0,120.0,700.0,{contacts},900.0,1000.0
5,sign in · sign-in page,10,0,0.4,0.0,50.0,80.0,90.0,100.0,120.0
1,contact list,5,0,0.2,0.0,50.0,60.0,9999.0,70.0,80.0
"""


def archived(tmp_path: Path, name: str, *, contacts: float, seconds: float, refusals: int) -> Path:
    """A run archived from a report folder as the areas write it (performance with its steps.csv)."""
    from signoff.findings import AreaResult, write_area_result

    report_dir = tmp_path / name
    write_area_result(
        report_dir,
        AreaResult(
            area="performance",
            verdict="passed",
            summary="",
            figures={"p95_ms": 930.0, "users": 5},
            report="performance/performance.html",
        ),
    )
    (report_dir / "performance" / "steps.csv").write_text(STEPS_CSV.format(all=930.0, contacts=contacts))
    write_area_result(
        report_dir, AreaResult(area="security", verdict="passed", summary="", figures={"seconds": seconds})
    )
    write_area_result(
        report_dir, AreaResult(area="data", verdict="passed", summary="", figures={"unexpected refusals": refusals})
    )
    folder = archive_run(report_dir, tmp_path / "no-results", None, 5)
    assert folder is not None
    return folder


def test_p95_per_page_is_archived_and_compared_and_the_kits_own_time_is_not_a_regression(tmp_path: Path) -> None:
    before = load_run(archived(tmp_path, "a", contacts=700.0, seconds=180.0, refusals=0))
    after = load_run(archived(tmp_path, "b", contacts=1500.0, seconds=240.0, refusals=2))
    # The top step's pages (5 users), not the 1-user step's; "all pages" is the summary's own p95_ms.
    assert {k: v for k, v in before.areas["performance"].figures.items() if k.startswith("p95_ms ")} == {
        "p95_ms contact list": 700.0,
        "p95_ms sign in · sign-in page": 90.0,
    }
    rows = {(f.area, f.name): f for f in compare_runs(before, after).figures}
    assert rows[("performance", "p95_ms contact list")].worse
    assert not rows[("performance", "p95_ms sign in · sign-in page")].worse
    assert not rows[("security", "seconds")].worse  # the kit's wall time says nothing about the CRM
    assert rows[("data", "unexpected refusals")].worse
    text = render_text(compare_runs(before, after))
    assert "! performance p95_ms contact list: 700 -> 1500" in text and "regressions: 2" in text
    assert not compare_runs(before, before).regressed
