"""The security report: ``security.json`` and ``security.html`` (Jinja2 with autoescape: findings
carry hostile payloads), and the area's ``summary.json`` through :mod:`signoff.findings`."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable
from pathlib import Path

import jinja2

from signoff.files import write_atomically
from signoff.findings import AreaResult, Finding, defect_id, write_area_result
from signoff.security.checks import CheckResult
from signoff.security.model import apply_waivers, by_severity, security_verdict, severity_counts
from signoff.security.plan import SecuritySection, Waiver

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("signoff.security", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclasses.dataclass(frozen=True)
class SecurityReport:
    """What the security area concluded: the checks that ran, the findings after waivers, the verdict."""

    result: AreaResult
    checks: tuple[CheckResult, ...]
    expired_waivers: tuple[Waiver, ...]
    target: str
    fail_on: str

    def to_data(self) -> dict[str, object]:
        return {
            "target": self.target,
            "verdict": self.result.verdict,
            "summary": self.result.summary,
            "fail_on": self.fail_on,
            "figures": dict(self.result.figures),
            "checks": [
                {
                    "name": c.name,
                    "seconds": round(c.seconds, 2),
                    "requests": c.requests,
                    "skipped": c.skipped,
                    "findings": len(c.findings),
                }
                for c in self.checks
            ],
            "findings": [dict(f.to_data(), id=defect_id("security", f.key)) for f in self.result.findings],
            "expired_waivers": [
                {"key": w.key, "reason": w.reason, "expires": w.expires.isoformat()} for w in self.expired_waivers
            ],
        }


def build_report(
    checks: Iterable[CheckResult],
    section: SecuritySection,
    target: str,
    *,
    complete: bool = True,
    today: datetime.date | None = None,
) -> SecurityReport:
    """Waivers applied, the plan's threshold judged, figures counted."""
    ran = tuple(checks)
    # The same defect found twice (the English and the Chinese feature run the same checks) is one finding.
    unique: dict[str, Finding] = {}
    for check in ran:
        for item in check.findings:
            unique.setdefault(item.key, item)
    raw: list[Finding] = list(unique.values())
    findings, expired = apply_waivers(raw, section.waiver_list(), today)
    ordered = tuple(by_severity(findings))
    checked = any(not c.skipped for c in ran)
    verdict = security_verdict(ordered, section.fail_on, checked_anything=checked)
    counts = severity_counts(ordered)
    failing = [f for f in ordered if f.status == "failed"]
    waived = [f for f in ordered if f.status == "waived"]
    unchecked = [f for f in ordered if f.status == "could-not-check"]
    summary = (
        f"{len(failing)} finding(s) ({', '.join(f'{n} {s}' for s, n in counts.items()) or 'none'}), "
        f"{len(unchecked)} check(s) not completed, {len(waived)} waived; fails on {section.fail_on} or worse"
    )
    figures: dict[str, float | int | str] = {
        "checks run": sum(1 for c in ran if not c.skipped),
        "findings": len(failing),
        "could not check": len(unchecked),
        "waived": len(waived),
        "expired waivers": len(expired),
        **{f"{severity} findings": n for severity, n in counts.items()},
        "seconds": round(sum(c.seconds for c in ran), 1),
    }
    result = AreaResult(
        area="security",
        verdict=verdict,
        summary=summary,
        figures=figures,
        findings=ordered,
        report="security/security.html",
        complete=complete,
    )
    return SecurityReport(result, ran, expired, target, section.fail_on)


def write_report(report: SecurityReport, out_dir: Path, report_root: Path | None = None) -> tuple[Path, ...]:
    """``security.json``, ``security.html`` in ``out_dir``, and ``summary.json`` under ``report_root``
    (the folder of every area's summary; by default the parent of ``out_dir``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = report.to_data()
    json_path = write_atomically(out_dir / "security.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    html = _ENV.get_template("security.html").render(report=data)
    html_path = write_atomically(out_dir / "security.html", html)
    summary = write_area_result(report_root or out_dir.parent, report.result)
    return json_path, html_path, summary
