"""The scanners' output parsed into findings: recorded output of wapiti 3.2.3 and sqlmap 1.10.10 run
against the fixture app (tests/unit/security/fixtures/app.py), and what a crash or time box leaves."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from signoff.crm.security import InjectionPoint
from signoff.security.scanners import Tool, run_tool
from signoff.security.scanners.sqlmap import parse_output
from signoff.security.scanners.wapiti import command, parse_report
from signoff.targets.processes import pid_alive

RECORDED = Path(__file__).parent / "recorded"
SEARCH = InjectionPoint("record search", "GET", "/records", {"q": "Alpha"}, ("q",))


def test_sqlmap_injection_points_become_critical_sql_injection_findings() -> None:
    output = (RECORDED / "sqlmap-injectable.out").read_text(encoding="utf-8")
    findings = parse_output(SEARCH, output)
    assert [(f.key, f.severity, f.status) for f in findings] == [("sqlmap:record search:q", "critical", "failed")]
    (found,) = findings
    assert found.details["cwe"] == "CWE-89" and found.details["owasp"].startswith("A03")
    assert "boolean-based blind" in found.actual and "UNION query" in found.actual
    assert any("AND 3787=3787" in item for item in found.evidence)


def test_sqlmap_saying_nothing_is_injectable_is_a_pass() -> None:
    output = (RECORDED / "sqlmap-not-injectable.out").read_text(encoding="utf-8")
    assert parse_output(SEARCH, output) == []


@pytest.mark.parametrize(
    ("output", "timed_out", "reason"),
    [
        ("[CRITICAL] unable to connect to the target URL\n", False, "unable to connect"),
        ("", False, "exit code 1"),
        ("[INFO] testing for SQL injection on GET parameter 'q'\n", True, "time box"),
        # A time box that cut the run after the "not injectable" line of one parameter is still partial.
        ("all tested parameters do not appear to be injectable\n", True, "time box"),
    ],
)
def test_sqlmap_that_did_not_finish_is_could_not_check(output: str, timed_out: bool, reason: str) -> None:
    (found,) = parse_output(SEARCH, output, timed_out=timed_out, exit_code=None if timed_out else 1)
    assert found.status == "could-not-check" and reason in found.actual


def test_wapiti_report_findings_keep_severity_category_and_evidence() -> None:
    data = json.loads((RECORDED / "wapiti-fixture-sqli.json").read_text(encoding="utf-8"))
    findings = parse_report(data, https=False)
    by_title = {f.title: f for f in findings}
    assert "Internal Server Error (wapiti)" in by_title
    error = by_title["Internal Server Error (wapiti)"]
    assert error.severity == "high" and error.where == "GET /records parameter q" and error.evidence
    # One finding per category, path and parameter, however many payloads hit it.
    assert len([f for f in findings if f.title == "Internal Server Error (wapiti)"]) == 1
    assert by_title["Content Security Policy Configuration (wapiti)"].details["rule"] == "missing-csp"


def test_wapiti_https_only_findings_are_left_out_on_plain_http() -> None:
    data = {"vulnerabilities": {"Secure Flag cookie": [{"path": "/", "level": 1, "info": "no Secure"}]}}
    assert parse_report(data, https=False) == []
    assert [f.details["rule"] for f in parse_report(data, https=True)] == ["cookie-secure"]


def test_a_file_that_is_not_a_wapiti_report_is_refused() -> None:
    with pytest.raises(ValueError, match="not a wapiti JSON report"):
        parse_report({"something": "else"}, https=False)


def test_wapiti_is_scoped_to_the_target_signed_in_time_boxed_and_kept_off_sign_out(tmp_path: Path) -> None:
    argv = command(
        Path("/x/wapiti"),
        "http://127.0.0.1:8000",
        {"sessionid": "abc"},
        tmp_path / "r.json",
        tmp_path,
        90,
        ["http://127.0.0.1:8000/creme_logout"],
    )
    assert argv[argv.index("-u") + 1] == "http://127.0.0.1:8000/" and argv[argv.index("--scope") + 1] == "folder"
    assert argv[argv.index("-C") + 1] == "sessionid=abc"
    assert int(argv[argv.index("--max-scan-time") + 1]) == 22
    assert argv[argv.index("-x") + 1] == "http://127.0.0.1:8000/creme_logout"
    modules = argv[argv.index("-m") + 1].split(",")
    assert not {"ssrf", "xxe", "log4shell", "wapp", "nikto", "takeover"} & set(modules)


def test_a_tool_is_stopped_at_its_time_box_with_its_process_group(tmp_path: Path) -> None:
    # A "scanner" that starts a child and never ends: both must be gone after the box.
    pid_file = tmp_path / "child.pid"
    script = (
        "import pathlib, subprocess, time; child = subprocess.Popen(['sleep', '60']); "
        f"pathlib.Path({str(pid_file)!r}).write_text(str(child.pid)); time.sleep(60)"
    )
    run = run_tool("fake", [sys.executable, "-c", script], tmp_path / "fake.log", 2.0, tmp_path)
    assert run.timed_out and run.exit_code is None and run.seconds < 15
    assert not pid_alive(int(pid_file.read_text()))


def test_tool_paths_live_under_the_target_home(tmp_path: Path) -> None:
    tool = Tool("sqlmap", "sqlmap", "1.10.10", "sqlmap")
    assert tool.executable(tmp_path) == tmp_path / "tools" / "sqlmap" / "venv" / "bin" / "sqlmap"
