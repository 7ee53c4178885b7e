"""The overall verdict of an acceptance: accepted, accepted with reservations, or not accepted.

The rules, in order, each one a reason when it bites (every reason is kept, not only the first):

1. an area the plan requires (``[verdict] required_areas``) that did not run: not accepted;
2. an area whose verdict is "could not check", or that has a could-not-check finding: not accepted
   (what was not checked is never accepted, whatever else passed);
3. an area that ran only a subset of its checks (``complete = false``): not accepted;
4. an area that failed without naming one open finding: not accepted (nothing could be reserved);
5. open findings - failed ones, and waived ones whose waiver has expired - are reservations when
   every one has a severity of ``[verdict] reservations_for`` and there are at most
   ``max_reservations`` of them: accepted with reservations; otherwise not accepted;
6. none of the above: accepted.

Areas that did not run are listed as "not run", never as passed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Final, Literal

from signoff.findings import AREAS, COULD_NOT_CHECK, FAILED, NOT_RUN, AreaResult, Finding, severity_rank
from signoff.report.i18n import SEVERITY, label
from signoff.report.plan import VerdictSection

Acceptance = Literal["accepted", "accepted-with-reservations", "not-accepted"]
ACCEPTED: Final = "accepted"
WITH_RESERVATIONS: Final = "accepted-with-reservations"
NOT_ACCEPTED: Final = "not-accepted"


@dataclasses.dataclass(frozen=True)
class Reason:
    """Why the verdict is what it is, in English and in Chinese."""

    en: str
    zh: str

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclasses.dataclass(frozen=True)
class OpenFinding:
    area: str
    finding: Finding
    #: The waiver ran out before the report's date: the finding is open again.
    waiver_expired: bool = False


@dataclasses.dataclass(frozen=True)
class OverallVerdict:
    verdict: Acceptance
    reasons: tuple[Reason, ...]
    #: Verdict of every known area, "not-run" for those without a result.
    areas: Mapping[str, str]
    #: Open findings, worst first.
    open_findings: tuple[OpenFinding, ...]
    #: Waived findings whose waiver still holds.
    waivers: tuple[OpenFinding, ...]


def is_expired(finding: Finding, today: dt.date) -> bool:
    """A waiver whose expiry date has passed (an unreadable date counts as expired: it cannot hold)."""
    if finding.status != "waived" or not finding.waiver_expires:
        return False
    try:
        return dt.date.fromisoformat(finding.waiver_expires) < today
    except ValueError:
        return True


def decide(results: Mapping[str, AreaResult], rules: VerdictSection, today: dt.date | None = None) -> OverallVerdict:
    """The overall verdict of ``results`` (area name -> result) under ``rules``."""
    today = today or dt.date.today()
    reasons: list[Reason] = []
    names = list(AREAS) + sorted(set(results) - set(AREAS))
    areas = {name: results[name].verdict if name in results else NOT_RUN for name in names}

    for name in rules.required_areas:
        if name not in results or results[name].verdict == NOT_RUN:
            reasons.append(Reason(f"area {name} did not run", f"{name} 领域未运行"))
    open_findings: list[OpenFinding] = []
    waivers: list[OpenFinding] = []
    for name, result in results.items():
        if result.verdict == NOT_RUN:
            continue
        unchecked = [f for f in result.findings if f.status == "could-not-check"]
        if result.verdict == COULD_NOT_CHECK or unchecked:
            reasons.append(
                Reason(
                    f"area {name}: {len(unchecked) or 'some'} check(s) could not be made",
                    f"{name} 领域：{len(unchecked) or '部分'} 项无法检查",
                )
            )
        if not result.complete:
            reasons.append(Reason(f"area {name} ran only part of its checks", f"{name} 领域只运行了部分检查"))
        area_open = []
        for finding in result.findings:
            if finding.status == "failed":
                area_open.append(OpenFinding(name, finding))
            elif finding.status == "waived":
                if is_expired(finding, today):
                    area_open.append(OpenFinding(name, finding, waiver_expired=True))
                else:
                    waivers.append(OpenFinding(name, finding))
        if result.verdict == FAILED and not area_open:
            reasons.append(Reason(f"area {name} failed: {result.summary}", f"{name} 领域未通过：{result.summary}"))
        open_findings.extend(area_open)

    open_findings.sort(key=lambda item: (severity_rank(item.finding.severity), item.area, item.finding.key))
    # Open findings are named first, whatever else stops the acceptance: a reader of the verdict
    # must see the failures, not only that some check could not be made.
    finding_reasons: list[Reason] = []
    beyond = [item for item in open_findings if item.finding.severity not in rules.reservations_for]
    if beyond:
        worst = beyond[0].finding.severity
        finding_reasons.append(
            Reason(
                f"{len(beyond)} open finding(s) of a severity that allows no reservation (worst: {worst})",
                f"{len(beyond)} 项未关闭的发现严重程度不允许有条件通过（最严重：{label(SEVERITY, 'zh', worst)}）",
            )
        )
    if len(open_findings) > rules.max_reservations:
        finding_reasons.append(
            Reason(
                f"{len(open_findings)} open findings, more than the {rules.max_reservations} reservations allowed",
                f"{len(open_findings)} 项未关闭的发现，超过允许的 {rules.max_reservations} 项保留意见",
            )
        )
    reasons = finding_reasons + reasons
    verdict: Acceptance
    if reasons:
        verdict = NOT_ACCEPTED
    elif not open_findings:
        verdict = ACCEPTED
    else:
        verdict = WITH_RESERVATIONS
        reasons.append(
            Reason(
                f"{len(open_findings)} open finding(s), all of severity {', '.join(rules.reservations_for)}",
                f"{len(open_findings)} 项未关闭的发现，严重程度均为 {'、'.join(label(SEVERITY, 'zh', s) for s in rules.reservations_for)}",
            )
        )
    return OverallVerdict(verdict, tuple(reasons), areas, tuple(open_findings), tuple(waivers))
