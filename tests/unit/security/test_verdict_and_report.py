"""The [security] plan section, waivers, the verdict threshold and the report (hostile payloads stay text)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from signoff.errors import PlanError
from signoff.findings import read_area_results
from signoff.plan import parse_sections
from signoff.security.checks import CheckResult
from signoff.security.model import apply_waivers, could_not_check, finding, security_verdict
from signoff.security.plan import SecuritySection
from signoff.security.report import build_report, write_report

TODAY = datetime.date(2026, 12, 6)
XSS = "<script>alert('pwned')</script>"


def section(text: str) -> SecuritySection:
    import tomllib

    value = parse_sections(tomllib.loads(text))["security"]
    assert isinstance(value, SecuritySection)
    return value


def test_the_plan_takes_a_role_matrix_and_waivers() -> None:
    parsed = section(
        """
        [security]
        fail_on = "medium"
        [security.roles.sales]
        scope = "own"
        may = ["view", "change"]
        [[security.waivers]]
        key = "header:missing-csp"
        reason = "CSP in release 2.9"
        expires = 2027-03-31
        """
    )
    assert parsed.fail_on == "medium"
    assert [(r.name, r.scope, r.may) for r in parsed.role_rules()] == [("sales", "own", ("view", "change"))]
    (waiver,) = parsed.waiver_list()
    assert (waiver.key, waiver.expires) == ("header:missing-csp", datetime.date(2027, 3, 31))


def test_without_roles_the_default_matrix_applies() -> None:
    names = [rule.name for rule in SecuritySection().role_rules()]
    assert names == ["sales representative", "sales manager"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[security.roles.x]\nscope = "some"', "scope = 'some' is not one of: own, all"),
        ('[security.roles.x]\nmay = ["fly"]', "'fly' is not one of"),
        ('[[security.waivers]]\nkey = "k"\nexpires = "2027-01-01"', "needs a reason"),
        ('[[security.waivers]]\nkey = "k"\nreason = "r"\nexpires = "soon"', "is not a date"),
        ('[security]\nfail_on = "fatal"', "is not one of"),
    ],
)
def test_a_bad_security_plan_is_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        section(text)


def _high() -> CheckResult:
    item = finding("idor", "idor:sales:view", where="a record", actual=f"opened {XSS}")
    return CheckResult("roles", (item,), 1.0, 3)


def test_a_high_finding_fails_and_a_current_waiver_accepts_it() -> None:
    plain = build_report([_high()], SecuritySection(), "http://127.0.0.1:1", today=TODAY)
    assert plain.result.verdict == "failed"
    waived = SecuritySection(waivers=({"key": "idor:sales:view", "reason": "fixed in 2.9", "expires": "2027-01-31"},))
    report = build_report([_high()], waived, "http://127.0.0.1:1", today=TODAY)
    assert report.result.verdict == "passed"
    assert [(f.status, f.waiver_reason) for f in report.result.findings] == [("waived", "fixed in 2.9")]


def test_an_expired_waiver_does_not_apply_and_is_shown() -> None:
    expired = SecuritySection(waivers=({"key": "idor:sales:view", "reason": "old", "expires": "2026-01-01"},))
    report = build_report([_high()], expired, "http://127.0.0.1:1", today=TODAY)
    assert report.result.verdict == "failed"
    assert [w.key for w in report.expired_waivers] == ["idor:sales:view"]


def test_findings_below_the_threshold_pass_and_could_not_check_never_does() -> None:
    low = finding("session-lifetime", "session:lifetime", where="sign-in", actual="14 days")
    assert security_verdict([low], "high") == "passed"
    assert security_verdict([low], "low") == "failed"
    assert security_verdict([low, could_not_check("wapiti", "wapiti", "crashed")], "high") == "could-not-check"
    assert security_verdict([], "high", checked_anything=False) == "could-not-check"


def test_a_waiver_never_hides_a_check_that_could_not_be_made() -> None:
    item = could_not_check("wapiti", "wapiti", "crashed")
    waivers = SecuritySection(waivers=({"key": item.key, "reason": "r", "expires": "2030-01-01"},)).waiver_list()
    (kept,), _ = apply_waivers([item], waivers, TODAY)
    assert kept.status == "could-not-check"


def test_the_report_escapes_payloads_and_writes_the_area_summary(tmp_path: Path) -> None:
    report = build_report([_high()], SecuritySection(), "http://127.0.0.1:1", today=TODAY)
    json_path, html_path, summary = write_report(report, tmp_path / "security", tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert XSS not in html and "&lt;script&gt;alert(" in html
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["verdict"] == "failed" and data["findings"][0]["id"].startswith("DEF-SEC-")
    assert data["findings"][0]["details"]["cwe"] == "CWE-639"
    assert read_area_results(tmp_path)["security"].verdict == "failed" and summary.name == "summary.json"
