"""Browser matrix, shards and merging, on pytester projects whose steps need no browser or CRM.

Signoff's plugin makes pytest-playwright run every scenario once per browser of ``--browser``
(here without launching one: no step needs a page); a step fails in one browser only where the
project says so. The merged outcome of a sharded run must equal the unsharded one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from signoff.browsers import resolve, select
from signoff.cli import main
from signoff.coverage.catalogue import load_catalogue
from signoff.coverage.report import (
    ScenarioResult,
    browser_differences,
    compute_coverage,
    render_html,
    render_markdown,
    render_summary,
)
from signoff.errors import BrowserError, SignoffError
from signoff.findings import write_area_result
from signoff.merge import merge_runs
from signoff.plan import load_plan
from signoff.shards import Shard, assign, parse_shard

CONFTEST = """
import os

import pytest

from signoff.vocabulary import given, then

pytest_plugins = ["signoff.pytest_plugin", "signoff.coverage.pytest_plugin", "signoff.progress"]


@given("a number {value:d}", target_fixture="number")
def number(value: int) -> int:
    return value


@then("it is even")
def even(number: int) -> None:
    assert number % 2 == 0, f"{number} is odd"


@then("it works in this browser")
def works(browser_name: str) -> None:
    broken = os.environ.get("BROKEN_IN", "")
    assert browser_name != broken, f"broken in {browser_name}"
"""

CATALOGUE = """id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
FP-CUS-001,Customers,客户,One,一,high,,
FP-CUS-002,Customers,客户,Two,二,high,,
FP-CUS-003,Customers,客户,Three,三,high,,
FP-CUS-004,Customers,客户,Four,四,medium,,
FP-CUS-005,Customers,客户,Five,五,low,,
"""

FEATURES = {
    "a.feature": """Feature: A
  @FP-CUS-001
  Scenario: Two is even
    Given a number 2
    Then it is even

  @FP-CUS-002
  Scenario: It works everywhere
    Given a number 4
    Then it works in this browser
""",
    "b.feature": """Feature: B
  @FP-CUS-003
  Scenario: Six is even
    Given a number 6
    Then it is even
""",
    "c.feature": """Feature: C
  @FP-CUS-004
  Scenario: Eight is even
    Given a number 8
    Then it is even

  @FP-CUS-005
  Scenario: Ten is even
    Given a number 10
    Then it is even

  @FP-CUS-005
  Scenario: Twelve is even
    Given a number 12
    Then it is even
""",
    "d.feature": """Feature: D
  @FP-CUS-001
  Scenario: Fourteen is even
    Given a number 14
    Then it is even
""",
}


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makeini("[pytest]\naddopts = --strict-markers -p no:cacheprovider -p no:randomly\n")
    (pytester.path / "cat.csv").write_text(CATALOGUE, encoding="utf-8")
    (pytester.path / "acceptance.toml").write_text(
        '[coverage]\ncatalogue = "cat.csv"\n\n[ux]\naudit = false\n', encoding="utf-8"
    )
    folder = pytester.mkdir("features")
    for name, text in FEATURES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return pytester


def run(project: pytest.Pytester, out: str, *args: str) -> pytest.RunResult:
    """A run of the features writing its reports under ``out/`` (as a CI job's artifact folder)."""
    (project.path / f"{out}.toml").write_text(
        f'[coverage]\ncatalogue = "cat.csv"\n\n[ux]\naudit = false\n\n[run]\nreport_dir = "{out}/reports"\n',
        encoding="utf-8",
    )
    return project.runpytest_subprocess("features", f"--plan={out}.toml", f"--alluredir={out}/allure-results", *args)


def coverage(project: pytest.Pytester, out: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project.path / out / "reports/coverage/coverage.json").read_text("utf-8"))
    return data


def statuses(data: dict[str, Any]) -> dict[str, str]:
    return {point["id"]: point["status"] for point in data["function_points"]}


def area_summary(folder: Path, area: str = "functional") -> dict[str, Any]:
    """What an area's summary.json says, without when it was written: verdict, figures, findings."""
    data: dict[str, Any] = json.loads((folder / area / "summary.json").read_text("utf-8"))
    findings = [
        (f["key"], f["status"], f["severity"], f.get("actual"), f.get("steps"), f.get("function_point"))
        for f in data["findings"]
    ]
    return {
        "verdict": data["verdict"],
        "summary": data["summary"],
        "figures": data["figures"],
        "counts": data["counts"],
        "complete": data.get("complete"),
        "findings": sorted(findings),
    }


# --------------------------------------------------------------------------- shards


def test_shards_are_whole_files_dealt_by_size_and_the_same_whatever_the_order() -> None:
    sizes = {"a.feature": 2, "b.feature": 1, "c.feature": 3, "d.feature": 1}
    first = assign(sizes, 2)
    again = assign(dict(reversed(list(sizes.items()))), 2)
    assert first == again
    assert first == {"c.feature": 1, "a.feature": 2, "b.feature": 2, "d.feature": 1}
    assert set(assign(sizes, 1).values()) == {1}
    # More shards than files: some shards are empty, none gets a file twice.
    assert sorted(assign(sizes, 6).values()) == [1, 2, 3, 4]


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "a/b", "2", ""])
def test_a_bad_shard_is_one_clear_error(text: str) -> None:
    with pytest.raises(SignoffError, match="--shard"):
        parse_shard(text)
    assert parse_shard(" 2 / 3 ") == Shard(2, 3)


def test_the_merged_shards_give_the_outcome_of_one_run(project: pytest.Pytester, tmp_path: Path) -> None:
    browsers = ("--browser", "chromium", "--browser", "firefox")
    whole = run(project, "whole", *browsers)
    shard_runs = [run(project, f"shard{i}", *browsers, f"--signoff-shard={i}/3") for i in (1, 2, 3)]
    assert whole.ret == 0, whole.outlines
    ran = [sum(r.parseoutcomes().get("passed", 0) for r in [result]) for result in shard_runs]
    assert sum(ran) == whole.parseoutcomes()["passed"] == 14
    assert all(count > 0 for count in ran), ran
    # Each shard's progress counts what it runs, not what was collected.
    for count, result in zip(ran, shard_runs, strict=True):
        assert any(line.startswith(f"[{count}/{count}] ") for line in result.outlines), result.outlines[-20:]
    # A shard is a slice: its coverage is reported but not gated (the merge judges the whole).
    assert all(result.ret == 0 for result in shard_runs)

    plan = load_plan(project.path / "whole.toml")
    merged = merge_runs(
        [project.path / f"shard{i}" for i in (1, 2, 3)],
        plan,
        tmp_path / "merged",
        project_root=project.path,
        html=False,
    )
    alone = coverage(project, "whole")
    assert merged.passed is True and alone["verdict"]["passed"] is True
    assert statuses(merged.coverage.to_dict()) == statuses(alone)
    assert merged.coverage.browsers == ("chromium", "firefox")
    assert merged.results == 14  # every Allure result of the shards
    assert len(list((tmp_path / "merged/allure-results").glob("*-result.json"))) == 14
    verdict = json.loads((tmp_path / "merged/verdict.json").read_text("utf-8"))
    assert verdict["passed"] is True and verdict["scenarios"] == 14
    # The sign-off report reads the merged areas as it reads one run's.
    assert area_summary(tmp_path / "merged") == area_summary(project.path / "whole/reports")
    assert area_summary(tmp_path / "merged")["verdict"] == "passed"

    # UX: each shard recorded its own pages (one with an audit that did not complete); the merged
    # ux/summary.json is what one run that audited all of them writes.
    from signoff.ux.pytest_plugin import records_json
    from signoff.ux.records import merge_page_audits
    from signoff.ux.scorecard import IncompleteAudit, PageAudit, build_scorecard
    from signoff.ux.summary import ux_result

    def audits(shard: int) -> list[PageAudit]:
        url = f"http://127.0.0.1:1/persons/contact/{shard}"
        missing = [IncompleteAudit(part="accessibility", url=url, error="axe crashed")] if shard == 2 else []
        return [PageAudit(url=url, browser="firefox", incomplete=missing)]

    for shard in (1, 2):
        folder = project.path / f"shard{shard}/reports/ux"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ux-records.json").write_text(records_json(audits(shard), [], ["chromium", "firefox"]), "utf-8")
    with_ux = merge_runs(
        [project.path / f"shard{i}" for i in (1, 2, 3)], plan, tmp_path / "ux", project_root=project.path, html=False
    )
    one_run = tmp_path / "one-run"
    card = build_scorecard(merge_page_audits(audits(1) + audits(2)), [], plan.section("ux"))
    write_area_result(one_run, ux_result(card, one_run, one_run / "ux", complete=True))
    assert with_ux.ux_passed is False and area_summary(tmp_path / "ux", "ux") == area_summary(one_run, "ux")
    assert area_summary(tmp_path / "ux", "ux")["verdict"] == "could-not-check"


def test_a_failure_in_one_browser_fails_the_point_and_is_a_browser_difference(
    project: pytest.Pytester, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKEN_IN", "firefox")
    browsers = ("--browser", "chromium", "--browser", "firefox")
    whole = run(project, "whole", *browsers)
    assert whole.ret == 1
    data = coverage(project, "whole")
    assert statuses(data)["FP-CUS-002"] == "failed"
    assert data["browser_matrix"]["FP-CUS-002"] == {"chromium": "passed", "firefox": "failed"}
    assert data["browser_matrix"]["FP-CUS-001"] == {"chromium": "passed", "firefox": "passed"}
    assert [d["outcomes"] for d in data["browser_differences"]] == [{"chromium": "passed", "firefox": "failed"}]
    text = whole.stdout.str()
    assert "browser difference 浏览器差异: A / It works everywhere" in text
    # Progress lines name the browser of each scenario run.
    assert any("A › It works everywhere [firefox]" in line and "FAILED" in line for line in whole.outlines)

    shards = [run(project, f"shard{i}", *browsers, f"--signoff-shard={i}/2") for i in (1, 2)]
    assert sorted(result.ret for result in shards) == [0, 1]
    plan = load_plan(project.path / "whole.toml")
    merged = merge_runs(
        [project.path / "shard1", project.path / "shard2"], plan, tmp_path / "m", project_root=project.path, html=False
    )
    assert merged.passed is False
    assert statuses(merged.coverage.to_dict()) == statuses(data)
    assert any("It works everywhere [firefox]" in reason for reason in merged.reasons)
    # Its functional summary.json is the unsharded run's: verdict, figures, the failed scenario's
    # finding with its message and steps as the feature wrote them.
    merged_summary = area_summary(tmp_path / "m")
    assert merged_summary == area_summary(project.path / "whole/reports")
    assert merged_summary["verdict"] == "failed" and merged_summary["figures"]["scenarios failed"] == 1
    ((key, _status, _severity, actual, steps, _points),) = merged_summary["findings"]
    assert key.endswith("[firefox]") and actual == "What failed: broken in firefox"
    assert steps == ["Given a number 4", "Then it works in this browser"]
    # The command line: the same merge, its verdict as the exit status (1: not passed).
    out = tmp_path / "cli"
    argv = ["--plan", str(project.path / "whole.toml"), "report", "--merge", str(project.path / "shard1")]
    code = main([*argv, str(project.path / "shard2"), "--into", str(out), "--no-html"])
    assert code == 1
    assert json.loads((out / "verdict.json").read_text("utf-8"))["passed"] is False
    with pytest.raises(SystemExit) as refused:  # bad input: one line and exit 2
        main([*argv, "--into", str(tmp_path / "bad"), "--no-html", "--shard", "1/2"])
    assert refused.value.code == 2


def test_allure_tells_the_browsers_apart_in_one_test_case(project: pytest.Pytester) -> None:
    run(project, "whole", "--browser", "chromium", "--browser", "firefox", "-k", "works")
    results = [
        json.loads(path.read_text("utf-8")) for path in (project.path / "whole/allure-results").glob("*-result.json")
    ]
    assert len(results) == 2
    labels = sorted(next(lb["value"] for lb in r["labels"] if lb["name"] == "browser") for r in results)
    assert labels == ["chromium", "firefox"]
    assert {p["value"] for r in results for p in r["parameters"] if p["name"] == "browser_name"} == {
        "'chromium'",
        "'firefox'",
    }
    # One test case (the same testCaseId), two results (each its own history).
    assert len({r["testCaseId"] for r in results}) == 1
    assert len({r["historyId"] for r in results}) == 2


def test_a_required_browser_missing_from_the_merged_runs_leaves_points_pending(
    project: pytest.Pytester, tmp_path: Path
) -> None:
    run(project, "chromium_only", "--browser", "chromium")
    (project.path / "req.toml").write_text(
        '[coverage]\ncatalogue = "cat.csv"\n\n[browsers]\nnames = ["chromium", "firefox"]\n'
        'required = ["chromium", "firefox"]\n',
        encoding="utf-8",
    )
    merged = merge_runs(
        [project.path / "chromium_only"],
        load_plan(project.path / "req.toml"),
        tmp_path / "m",
        project_root=project.path,
        html=False,
    )
    assert merged.passed is False
    points = {p.point.id: p for p in merged.coverage.points}
    assert points["FP-CUS-001"].status == "pending"
    assert points["FP-CUS-001"].reason == "not run in firefox"


def test_browser_differences_keep_outline_rows_apart() -> None:
    def result(test: str, browser: str, outcome: str) -> ScenarioResult:
        return ScenarioResult(id=test, feature="F", name="Outline", tags=(), outcome=outcome, browser=browser)  # type: ignore[arg-type]

    found = browser_differences(
        [
            result("f::t[chromium-1]", "chromium", "passed"),
            result("f::t[firefox-1]", "firefox", "passed"),
            result("f::t[chromium-2]", "chromium", "passed"),
            result("f::t[firefox-2]", "firefox", "could_not_check"),
        ]
    )
    assert [dict(d.outcomes) for d in found] == [{"chromium": "passed", "firefox": "could_not_check"}]


def test_merge_of_folders_without_runs_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    plan = load_plan(tmp_path / "none.toml") if (tmp_path / "none.toml").exists() else load_plan()
    with pytest.raises(SignoffError, match=r"no Allure results and no coverage\.json"):
        merge_runs([tmp_path / "empty"], plan, tmp_path / "out", project_root=tmp_path, html=False)


# --------------------------------------------------------------------------- which browsers run


def fake_install(missing: set[str]) -> Any:
    def install(name: str) -> None:
        if name in missing:
            raise BrowserError(f"{name} cannot be had here")

    return install


def test_a_browser_that_cannot_be_had_is_left_out_with_one_line() -> None:
    chosen = select(["chromium", "webkit", "firefox"], install=fake_install({"webkit"}))
    assert chosen.names == ("chromium", "firefox")
    assert chosen.left_out == ("webkit left out: webkit cannot be had here",)


def test_a_required_browser_that_cannot_be_had_stops_the_run() -> None:
    with pytest.raises(BrowserError, match="the plan requires webkit"):
        select(["chromium", "webkit"], ["webkit"], install=fake_install({"webkit"}))
    with pytest.raises(BrowserError, match="no browser of the plan"):
        select(["webkit"], install=fake_install({"webkit"}))


def test_webkit_without_playwrights_own_build_says_so() -> None:
    with pytest.raises(BrowserError, match="only Playwright's own webkit will do"):
        resolve("webkit", own_executable=None)


def test_the_coverage_report_shows_the_browser_matrix(tmp_path: Path) -> None:
    (tmp_path / "cat.csv").write_text(CATALOGUE, encoding="utf-8")
    results = [
        ScenarioResult(
            id="a::t[chromium]", feature="A", name="T", tags=("FP-CUS-001",), outcome="passed", browser="chromium"
        ),
        ScenarioResult(
            id="a::t[firefox]", feature="A", name="T", tags=("FP-CUS-001",), outcome="failed", browser="firefox"
        ),
    ]
    report = compute_coverage(results, load_catalogue(tmp_path / "cat.csv"))
    assert report.status_of("FP-CUS-001") == "failed"
    markdown = render_markdown(report)
    assert "## Browser matrix 浏览器矩阵" in markdown
    assert "| FP-CUS-001 | passed | failed |" in markdown
    html = render_html(report)
    assert "Browser matrix · 浏览器矩阵" in html and '<span class="chip failed">failed</span>' in html
    assert "browser difference 浏览器差异: A / T" in render_summary(report)


def test_ux_page_kinds_are_audited_and_merged_per_browser(tmp_path: Path) -> None:
    from signoff.merge import _name_browsers
    from signoff.ux.pytest_plugin import read_records, records_json
    from signoff.ux.records import merge_page_audits
    from signoff.ux.scorecard import PageAudit

    audits = [
        PageAudit(url="http://127.0.0.1:1/persons/contact/1", browser="chromium"),
        PageAudit(url="http://127.0.0.1:1/persons/contact/2", browser="firefox"),
        PageAudit(url="http://127.0.0.1:1/persons/contact/3", browser="firefox"),
    ]
    merged = merge_page_audits(audits)
    assert [page.kind for page in merged] == ["/persons/contact/{id} [chromium]", "/persons/contact/{id} [firefox]"]
    path = tmp_path / "ux-records.json"
    path.write_text(records_json(merged, [], ["chromium", "firefox"]), encoding="utf-8")
    pages, tasks, browsers = read_records(path)
    assert [page.kind for page in pages] == [page.kind for page in merged] and tasks == []
    assert browsers == ["chromium", "firefox"]

    # Two one-browser runs (a CI job per browser) record kinds without a browser: the merge names them.
    def one(browser: str) -> tuple[list[PageAudit], list[Any], list[str]]:
        return [PageAudit(url="http://127.0.0.1:1/persons/contacts")], [], [browser]

    pages, _tasks = _name_browsers([one("chromium"), one("firefox")])
    assert [page.kind for page in merge_page_audits(pages)] == [
        "/persons/contacts [chromium]",
        "/persons/contacts [firefox]",
    ]
    alone, _tasks = _name_browsers([one("chromium"), one("chromium")])
    assert [page.kind for page in merge_page_audits(alone)] == ["/persons/contacts"]
