"""The HTML report: Allure environment and categories files, the Allure install and report build.

The tests marked ``slow`` install the real Allure command line (npm, once per session, into a
temporary home) and build real reports from results written by a small pytest project.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from signoff import allure_env
from signoff.allure_env import (
    COULD_NOT_CHECK,
    CRM_DEFECTS,
    ENVIRONMENT,
    FLAKY,
    UNDEFINED_STEPS,
    matching_categories,
    write_categories,
    write_environment,
    write_executor,
)
from signoff.errors import SignoffError
from signoff.report import (
    ALLURE_VERSION,
    allure_executable,
    build_report,
    ensure_allure,
    report_files,
    report_json,
)

pytest_plugins = ["pytester"]

FACTS = {
    "目标系统": "客户关系管理 Creme CRM 2.8.6",
    "Société": "Crème Brûlée & Fils <SARL>",
    "浏览器": "chromium, firefox-esr",
    "plan": 'acceptance.toml "nightly"',
}


# --------------------------------------------------------------------------- environment.xml


def test_environment_xml_round_trips_chinese_and_accents(tmp_path: Path) -> None:
    path = write_environment(tmp_path, FACTS)

    assert path == tmp_path / "environment.xml"
    raw = path.read_bytes()
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    # Stored as UTF-8 text, not as character references, so the file is readable as it is.
    assert "客户关系管理".encode() in raw and "Brûlée".encode() in raw
    root = ET.fromstring(raw)
    assert root.tag == "environment"
    parsed = {p.findtext("key"): p.findtext("value") for p in root.findall("parameter")}
    assert parsed == FACTS
    assert [p.findtext("key") for p in root.findall("parameter")] == list(FACTS)


def test_environment_xml_survives_characters_xml_cannot_carry(tmp_path: Path) -> None:
    path = write_environment(tmp_path, {"log": "line\x01end\ttab\nnext", "n": 3})  # type: ignore[dict-item]

    root = ET.parse(path).getroot()  # would raise on a raw control character
    values = {p.findtext("key"): p.findtext("value") for p in root.findall("parameter")}
    assert values == {"log": "line\\x01end\ttab\nnext", "n": "3"}


def test_allure_files_are_readable_by_others(tmp_path: Path) -> None:
    # Whoever builds the report (a CI job, a colleague) is often not who ran the acceptance.
    previous = os.umask(0o022)
    try:
        written = [write_environment(tmp_path, FACTS), write_categories(tmp_path), write_executor(tmp_path, "ci")]
    finally:
        os.umask(previous)
    for path in written:
        assert path.stat().st_mode & 0o044 == 0o044, f"{path.name}: {oct(path.stat().st_mode)}"


def test_environment_xml_replaces_the_previous_one(tmp_path: Path) -> None:
    write_environment(tmp_path, {"a": "1"})
    write_environment(tmp_path, {"b": "2"})

    root = ET.parse(tmp_path / "environment.xml").getroot()
    assert [p.findtext("key") for p in root.findall("parameter")] == ["b"]
    assert [p.name for p in tmp_path.iterdir()] == ["environment.xml"]  # no temporary files left


# --------------------------------------------------------------------------- categories.json


def test_categories_file_is_the_four_groups_for_flaky_and_steady_results_and_flaky(tmp_path: Path) -> None:
    data = json.loads(write_categories(tmp_path).read_text(encoding="utf-8"))

    assert {c["name"] for c in data} == {CRM_DEFECTS, COULD_NOT_CHECK, ENVIRONMENT, UNDEFINED_STEPS, FLAKY}
    steady = [c for c in data if not c["flaky"]]
    flaky = [c for c in data if c["flaky"] and c["name"] != FLAKY]
    assert [{**c, "flaky": True} for c in steady] == flaky
    for category in steady + flaky:
        assert set(category) == {"name", "description", "matchedStatuses", "messageRegex", "flaky"}
        assert set(category["matchedStatuses"]) <= {"failed", "broken"}
        re.compile(category["messageRegex"])


ASSERTION = "AssertionError: 联系人 « Crème » missing from the list\nassert 0 == 1"
PLAYWRIGHT_EXPECT = (
    "AssertionError: Locator expected to be visible\nActual value: None\nCall log:\n"
    '  - Expect "to_be_visible" with timeout 5000ms\n  - waiting for get_by_text("Brûlée")'
)
PLAYWRIGHT_TIMEOUT = (
    "playwright._impl._errors.TimeoutError: Page.click: Timeout 30000ms exceeded.\n"
    'Call log:\n  - waiting for locator("#id_user")'
)
CONNECTION = "ConnectionRefusedError: [Errno 111] Connection refused"
PYTEST_TIMEOUT = "Failed: Timeout (>30.0s) from pytest-timeout."
PYTEST_BDD_UNDEFINED = (
    'pytest_bdd.exceptions.StepDefinitionNotFoundError: Step definition is not found: Given "我打开联系人列表". '
    'Line 5 in scenario "新建联系人" in the feature "features/contacts.feature"'
)
SIGNOFF_UNDEFINED = (
    "pytest_bdd.exceptions.StepDefinitionNotFoundError: features/contacts.feature:5: undefined step "
    '"假如 我打开联系人列表" (nearest: "假如 我打开联系人页面")'
)


@pytest.mark.parametrize("flaky", [False, True], ids=["steady", "flaky"])
@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        ("failed", ASSERTION, CRM_DEFECTS),
        ("failed", "AssertionError", CRM_DEFECTS),
        # A page object's expect() that waited in vain is a wait of the kit, not the CRM's doing.
        ("failed", PLAYWRIGHT_EXPECT, COULD_NOT_CHECK),
        (
            "broken",
            "signoff.coverage.outcomes.CouldNotCheck: " + PLAYWRIGHT_EXPECT[len("AssertionError: ") :],
            COULD_NOT_CHECK,
        ),
        (
            "failed",
            "signoff.coverage.outcomes.CRMServerError: the CRM answered HTTP 500 on GET /opportunities/7",
            CRM_DEFECTS,
        ),
        ("broken", PLAYWRIGHT_TIMEOUT, COULD_NOT_CHECK),
        # The CRM, browser or network did not answer: environment (see tests/unit/report/test_flaky.py).
        ("broken", CONNECTION, ENVIRONMENT),
        (
            "broken",
            "signoff.errors.TargetError: Creme did not answer on http://127.0.0.1:8000 in 60 s",
            ENVIRONMENT,
        ),
        # pytest-timeout fails the test rather than erroring it: still not a product defect.
        ("failed", PYTEST_TIMEOUT, COULD_NOT_CHECK),
        ("broken", PYTEST_BDD_UNDEFINED, UNDEFINED_STEPS),
        ("broken", SIGNOFF_UNDEFINED, UNDEFINED_STEPS),
        ("failed", "Failed: Undefined step in features/x.feature:3", UNDEFINED_STEPS),
    ],
)
def test_each_failure_lands_in_exactly_one_category(status: str, message: str, expected: str, flaky: bool) -> None:
    # A flaky result is also in the flaky group.
    assert matching_categories(status, message, flaky=flaky) == [expected, *([FLAKY] if flaky else [])]


@pytest.mark.parametrize(("status", "message"), [("passed", None), ("skipped", "Skipped: no CRM"), ("unknown", None)])
def test_results_that_did_not_fail_are_not_categorised(status: str, message: str | None) -> None:
    assert matching_categories(status, message) == []


def test_executor_file(tmp_path: Path) -> None:
    path = write_executor(tmp_path, "夜间构建 nightly", "http://ci.example/run/7", build_name="#7", build_order=7)

    assert json.loads(path.read_text(encoding="utf-8")) == {
        "name": "夜间构建 nightly",
        "type": "signoff",
        "url": "http://ci.example/run/7",
        "buildUrl": "http://ci.example/run/7",
        "buildName": "#7",
        "buildOrder": 7,
    }
    assert json.loads(write_executor(tmp_path, "laptop").read_text()) == {"name": "laptop", "type": "signoff"}


# --------------------------------------------------------------------------- errors before any Java runs


@pytest.mark.parametrize(
    "content", [None, [], ["environment.xml", "categories.json"]], ids=["missing", "empty", "no-results"]
)
def test_results_folder_without_results_is_a_one_line_error(tmp_path: Path, content: list[str] | None) -> None:
    results = tmp_path / "allure-results"
    if content is not None:
        results.mkdir()
        for name in content:
            (results / name).write_text("{}")

    with pytest.raises(SignoffError, match=r"^no Allure results in .*allure-results: run the acceptance first$"):
        build_report(results, tmp_path / "report", tmp_path / "home")
    assert not (tmp_path / "home").exists()  # nothing installed for nothing


def test_refuses_to_clean_a_folder_that_is_not_a_report(tmp_path: Path) -> None:
    results = tmp_path / "allure-results"
    results.mkdir()
    (results / "x-result.json").write_text("{}")
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "contract.pdf").write_text("keep me")

    with pytest.raises(SignoffError, match="not an Allure report: refusing"):
        build_report(results, precious, tmp_path / "home")
    with pytest.raises(SignoffError, match="would contain the results"):
        build_report(results, tmp_path, tmp_path / "home")
    assert (precious / "contract.pdf").read_text() == "keep me"


def _fake_java(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    java = folder / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2020-01-01' >&2\n")
    java.chmod(0o755)
    return java


def test_missing_java_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    with pytest.raises(SignoffError) as caught:
        ensure_allure(tmp_path / "home")
    assert str(caught.value) == (
        "Java 17+ is needed to build the HTML report: apt-get install -y openjdk-17-jre-headless"
    )


@pytest.mark.parametrize("version", ["11.0.2", "1.8.0_392"])
def test_old_java_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(_fake_java(tmp_path / "bin", version).parent))

    with pytest.raises(SignoffError, match=r"Java 17\+ is needed .* is Java (11|8): apt-get install"):
        ensure_allure(tmp_path / "home")


def test_wrong_java_home_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))

    with pytest.raises(SignoffError, match=r"JAVA_HOME is .*no-jdk but it has no bin/java"):
        ensure_allure(tmp_path / "home")


def test_missing_npm_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(_fake_java(tmp_path / "bin", "17.0.15").parent))

    with pytest.raises(
        SignoffError, match=r"^npm is needed to install the Allure command line: apt-get install -y npm$"
    ):
        ensure_allure(tmp_path / "home")
    assert not any((tmp_path / "home" / "tools").glob("allure*/"))  # no half installation left


def test_single_file_report_data_is_decoded(tmp_path: Path) -> None:
    summary = {"reportName": "验收", "statistic": {"total": 2}}
    blob = base64.b64encode(json.dumps(summary, ensure_ascii=False).encode()).decode()
    (tmp_path / "index.html").write_text(
        f"<script>Promise.allSettled([\n  d('widgets/summary.json','{blob}'),\n  d('data/x.csv','')])</script>",
        encoding="utf-8",
    )

    assert report_json(tmp_path, "widgets/summary.json") == summary
    assert report_files(tmp_path) == {
        "widgets/summary.json": json.dumps(summary, ensure_ascii=False).encode(),
        "data/x.csv": b"",
    }
    with pytest.raises(FileNotFoundError):
        report_json(tmp_path, "widgets/nope.json")


# --------------------------------------------------------------------------- real Allure (slow)

ACCEPTANCE = """
def test_登录成功():
    assert True


def test_联系人_crème():
    assert "Dupont" == "Dupond", "联系人姓名不对"


def test_crm_unreachable():
    raise ConnectionRefusedError("[Errno 111] Connection refused")


def test_phrase_missing():
    raise LookupError('features/contacts.feature:5: undefined step "假如 我打开联系人列表"')
"""


@pytest.fixture(scope="session")
def installed_allure(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, float]:
    """A real Allure install in a fresh home, with the cold and warm ``ensure_allure`` times."""
    # Session scope also runs this before pytester points HOME (and so npm's cache) at a temporary folder.
    home = tmp_path_factory.mktemp("signoff-home")
    started = time.perf_counter()
    executable = ensure_allure(home)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    assert ensure_allure(home) == executable
    warm = time.perf_counter() - started
    return home, cold, warm


def _acceptance_results(pytester: pytest.Pytester, name: str) -> Path:
    pytester.makepyfile(test_acceptance=ACCEPTANCE)
    results = pytester.path / name
    outcome = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--alluredir={results}")
    outcome.assert_outcomes(passed=1, failed=3)
    write_environment(results, FACTS)
    write_categories(results)
    return results


def _decoded_blobs(index_html: str) -> dict[str, str]:
    # How Allure 2 inlines its data in a single-file report: d('<path>','<base64 of UTF-8 JSON>').
    blobs = re.findall(r"d\('([^']+)','([A-Za-z0-9+/=]*)'\)", index_html)
    return {path: base64.b64decode(data).decode("utf-8") for path, data in blobs}


@pytest.mark.slow
def test_single_file_report_holds_the_chinese_tests_and_environment(
    pytester: pytest.Pytester, installed_allure: tuple[Path, float, float]
) -> None:
    home, cold, warm = installed_allure
    assert allure_executable(home).is_file()
    assert (home / "tools" / "allure" / f".installed-{ALLURE_VERSION}").is_file()
    assert warm < 1.0, f"a second ensure_allure() took {warm:.2f} s (cold: {cold:.2f} s)"
    results = _acceptance_results(pytester, "allure-results")

    index = build_report(results, pytester.path / "report", home, title="验收报告 Crème")

    assert index == (pytester.path / "report" / "index.html").resolve()
    assert [p.name for p in index.parent.iterdir()] == ["index.html"]  # one file: opens from file://
    html = index.read_text(encoding="utf-8")
    # The names are not in the page as text: every data file is base64-encoded UTF-8 JSON inside it.
    blobs = _decoded_blobs(html)
    case_names = {json.loads(text)["name"] for path, text in blobs.items() if path.startswith("data/test-cases/")}
    assert case_names == {"test_登录成功", "test_联系人_crème", "test_crm_unreachable", "test_phrase_missing"}
    environment = {e["name"]: e["values"] for e in json.loads(blobs["widgets/environment.json"])}
    assert environment == {key: [value] for key, value in FACTS.items()}
    summary = json.loads(blobs["widgets/summary.json"])
    assert summary["reportName"] == "验收报告 Crème"
    assert summary["statistic"]["total"] == 4
    # Allure's Java regexes put each failure in one of our groups, none in Allure's default ones.
    categories = {c["name"]: c["statistic"]["total"] for c in json.loads(blobs["widgets/categories.json"])["items"]}
    assert categories == {CRM_DEFECTS: 1, ENVIRONMENT: 1, UNDEFINED_STEPS: 1}
    assert report_json(index.parent, "widgets/summary.json") == summary


@pytest.mark.slow
def test_folder_report_keeps_history_across_runs(
    pytester: pytest.Pytester, installed_allure: tuple[Path, float, float]
) -> None:
    home = installed_allure[0]
    report = pytester.path / "report"
    first = _acceptance_results(pytester, "night-1")
    write_executor(first, "nightly", build_name="night 1", build_order=1)
    build_report(first, report, home, single_file=False)
    second = _acceptance_results(pytester, "night-2")
    write_executor(second, "nightly", build_name="night 2", build_order=2)

    build_report(second, report, home, single_file=False)
    build_report(second, report, home, single_file=False)  # rebuilt: must not count night 2 twice

    assert (report / "widgets" / "summary.json").is_file()
    trend = report_json(report, "history/history-trend.json")
    assert [point["buildOrder"] for point in trend] == [2, 1]
    assert allure_env.ENVIRONMENT_FILE in {p.name for p in second.iterdir()}
