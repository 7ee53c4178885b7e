"""The overall verdict: each rule can make the acceptance fail, and its clean twin passes."""

from __future__ import annotations

import datetime as dt

import pytest

from signoff.errors import PlanError
from signoff.findings import AreaResult, Finding
from signoff.plan import parse_sections
from signoff.report.plan import VerdictSection
from signoff.report.verdict import ACCEPTED, NOT_ACCEPTED, WITH_RESERVATIONS, decide

TODAY = dt.date(2026, 12, 6)


def finding(key: str, severity: str = "low", status: str = "failed", expires: str = "") -> Finding:
    return Finding(
        key=key,
        title=key,
        severity=severity,
        status=status,
        waiver_reason="ok" if expires else "",
        waiver_expires=expires,
    )


def area(name: str, *findings: Finding, verdict: str = "", complete: bool = True) -> AreaResult:
    statuses = {f.status for f in findings}
    decided = verdict or (
        "failed" if "failed" in statuses else "could-not-check" if "could-not-check" in statuses else "passed"
    )
    return AreaResult(name, decided, f"{name} summary", findings=findings, complete=complete)


def test_clean_run_is_accepted() -> None:
    outcome = decide({"functional": area("functional"), "ux": area("ux")}, VerdictSection(), TODAY)
    assert outcome.verdict == ACCEPTED
    assert outcome.reasons == ()
    assert outcome.areas["data"] == "not-run" and outcome.areas["functional"] == "passed"


def test_required_area_that_did_not_run_is_not_accepted() -> None:
    outcome = decide({"ux": area("ux")}, VerdictSection(required_areas=("functional",)), TODAY)
    assert outcome.verdict == NOT_ACCEPTED
    assert "functional did not run" in outcome.reasons[0].en
    # Its twin: the same results, with the area not required, are accepted.
    assert decide({"ux": area("ux")}, VerdictSection(required_areas=()), TODAY).verdict == ACCEPTED


def test_area_not_run_is_never_shown_as_passed() -> None:
    outcome = decide({"functional": area("functional")}, VerdictSection(), TODAY)
    assert {outcome.areas[name] for name in ("ux", "data", "performance", "security")} == {"not-run"}


def test_could_not_check_is_never_accepted_even_when_low() -> None:
    results = {"functional": area("functional"), "ux": area("ux", finding("a", "low", "could-not-check"))}
    outcome = decide(results, VerdictSection(reservations_for=("low", "medium", "high", "critical")), TODAY)
    assert outcome.verdict == NOT_ACCEPTED
    assert any("could not be made" in reason.en for reason in outcome.reasons)


def test_area_verdict_could_not_check_without_findings_is_not_accepted() -> None:
    results = {"functional": area("functional"), "security": area("security", verdict="could-not-check")}
    assert decide(results, VerdictSection(), TODAY).verdict == NOT_ACCEPTED


def test_incomplete_area_is_not_accepted() -> None:
    assert decide({"functional": area("functional", complete=False)}, VerdictSection(), TODAY).verdict == NOT_ACCEPTED
    assert decide({"functional": area("functional", complete=True)}, VerdictSection(), TODAY).verdict == ACCEPTED


def test_failed_area_without_findings_is_not_accepted() -> None:
    outcome = decide({"functional": area("functional", verdict="failed")}, VerdictSection(), TODAY)
    assert outcome.verdict == NOT_ACCEPTED
    assert "functional failed" in outcome.reasons[0].en


def test_low_findings_are_reservations() -> None:
    results = {"functional": area("functional", finding("a", "low"), finding("b", "low"))}
    outcome = decide(results, VerdictSection(reservations_for=("low",)), TODAY)
    assert outcome.verdict == WITH_RESERVATIONS
    assert [item.finding.key for item in outcome.open_findings] == ["a", "b"]


def test_one_finding_above_the_reservation_severities_is_not_accepted() -> None:
    results = {"functional": area("functional", finding("a", "low"), finding("b", "medium"))}
    outcome = decide(results, VerdictSection(reservations_for=("low",)), TODAY)
    assert outcome.verdict == NOT_ACCEPTED
    assert "worst: medium" in outcome.reasons[0].en and "中" in outcome.reasons[0].zh
    # The plan may allow medium reservations too: then the same findings are accepted with reservations.
    assert decide(results, VerdictSection(reservations_for=("low", "medium")), TODAY).verdict == WITH_RESERVATIONS


def test_more_reservations_than_allowed_is_not_accepted() -> None:
    results = {"ux": area("ux", *(finding(str(i)) for i in range(3))), "functional": area("functional")}
    assert decide(results, VerdictSection(max_reservations=2), TODAY).verdict == NOT_ACCEPTED
    assert decide(results, VerdictSection(max_reservations=3), TODAY).verdict == WITH_RESERVATIONS


def test_waived_finding_is_listed_not_counted_until_it_expires() -> None:
    high_waived = finding("w", "high", "waived", expires="2026-12-31")
    outcome = decide({"functional": area("functional", high_waived)}, VerdictSection(), TODAY)
    assert outcome.verdict == ACCEPTED
    assert [item.finding.key for item in outcome.waivers] == ["w"]
    expired = finding("w", "high", "waived", expires="2026-12-01")
    outcome = decide({"functional": area("functional", expired)}, VerdictSection(), TODAY)
    assert outcome.verdict == NOT_ACCEPTED
    assert outcome.open_findings[0].waiver_expired


def test_open_findings_are_worst_first() -> None:
    results = {"ux": area("ux", finding("l", "low"), finding("c", "critical"), finding("m", "medium"))}
    keys = [item.finding.key for item in decide(results, VerdictSection(), TODAY).open_findings]
    assert keys == ["c", "m", "l"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"verdict": {"required_areas": ["sales"]}}, "required_areas: 'sales' is not one of"),
        ({"verdict": {"reservations_for": ["minor"]}}, "reservations_for: 'minor' is not one of"),
        ({"signoff": {"roles": ["QA"], "names": {"CEO": "x"}}}, "'CEO' is not one of the roles"),
        ({"project": {"language": "fr"}}, "language = 'fr' is not one of: en, zh"),
        ({"history": {"keep": -1}}, "must not be negative"),
    ],
)
def test_bad_plan_values_are_one_line_errors(section: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        parse_sections(section)


def test_open_findings_are_named_first_even_when_a_check_could_not_be_made() -> None:
    results = {
        "functional": area("functional", finding("a", "high"), finding("b", "low", "could-not-check")),
        "security": area("security", finding("c", "critical")),
    }
    outcome = decide(results, VerdictSection(), TODAY)
    assert outcome.verdict == NOT_ACCEPTED
    assert "2 open finding(s)" in outcome.reasons[0].en and "critical" in outcome.reasons[0].en
    assert any("could not be made" in reason.en for reason in outcome.reasons[1:])
