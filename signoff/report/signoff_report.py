"""The sign-off report (验收报告): one self-contained HTML file, in English or Chinese, and its PDF.

It gathers what every area wrote (``<report_dir>/<area>/summary.json``, :mod:`signoff.findings`),
the function-point coverage per module (``coverage/coverage.json``), the facts of the run (Allure's
``environment.xml``), the plan's project, verdict rules and signatories (:mod:`signoff.report.plan`)
and the archive of earlier runs (for each defect's "first seen"), and writes:

- ``<report_dir>/signoff-report.html``: project and contract, scope, the overall verdict and why
  (:mod:`signoff.report.verdict`), each area's verdict and key figures (an area that did not run is
  "not run"), charts (inline SVG), the worst findings with links into the Allure report and the area
  reports, coverage per module, the defect list, open waivers and the sign-off block;
- ``<report_dir>/defects/defects.{csv,xlsx}`` (:mod:`signoff.report.defects`);
- ``<report_dir>/signoff-report.pdf`` when asked (:mod:`signoff.report.pdf`).

It knows no CRM and no area's internals: only the findings model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import jinja2

from signoff.files import write_atomically
from signoff.findings import AREAS, SUMMARY_FILE, defect_id, read_area_results, severity_rank
from signoff.plan import Plan
from signoff.report import charts
from signoff.report.defects import Defect, build_defects, write_defects
from signoff.report.history import first_seen, history_dir, list_runs, read_facts, run_date
from signoff.report.i18n import ACCEPTANCE, AREA, AREA_VERDICT, SEVERITY, STATUS, label, words
from signoff.report.plan import (
    ProjectSection,
    SignoffSection,
    VerdictSection,
    project_section,
    signoff_section,
    verdict_section,
)
from signoff.report.verdict import OverallVerdict, decide

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HTML_NAME: Final = "signoff-report.html"
PDF_NAME: Final = "signoff-report.pdf"
DEFECTS_FOLDER: Final = "defects"
#: How many findings the "worst findings" section shows.
WORST: Final = 10


@dataclasses.dataclass(frozen=True)
class SignoffOutputs:
    html: Path
    csv: Path
    xlsx: Path
    verdict: OverallVerdict
    defects: tuple[Defect, ...]
    pdf: Path | None = None


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report templates (autoescaped; an unknown name is an error)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("signoff.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


def _coverage_modules(report_dir: Path, language: str) -> list[dict[str, Any]]:
    try:
        data = json.loads((report_dir / "coverage" / "coverage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    modules = []
    for module in data.get("modules", []):
        name = str(module.get("name", ""))
        name_zh = str(module.get("name_zh", "") or "")
        percent = module.get("coverage_percent")
        modules.append(
            {
                "label": (name_zh or name) if language == "zh" else name,
                "total": module.get("total", 0),
                "passed": module.get("passed", 0),
                "failed": module.get("failed", 0),
                "could_not_check": module.get("could_not_check", 0),
                "pending": module.get("pending", 0),
                "not_applicable": module.get("not_applicable", 0),
                "coverage": "—" if percent is None else f"{percent:g} %",
            }
        )
    return modules


def _written(path: Path) -> str:
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    except OSError:
        return ""


def _link_name(link: str) -> str:
    if link.startswith(("http://", "https://")):
        return link.split("//", 1)[1].split("/", 1)[0]
    return link.rsplit("/", 1)[-1] if not link.endswith("index.html") else link.split("/")[0]


def render_signoff(
    report_dir: Path,
    *,
    project: ProjectSection,
    rules: VerdictSection,
    signoff: SignoffSection,
    language: str,
    facts: Mapping[str, str],
    browsers: Sequence[str] = (),
    seen: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> tuple[str, OverallVerdict, list[Defect]]:
    """The report's HTML, the verdict and the defects, from what ``report_dir`` holds."""
    report_dir = Path(report_dir)
    results = read_area_results(report_dir)
    verdict = decide(results, rules, today)
    defects = build_defects(results, seen)
    text = words(language)
    area_rows = []
    for name in [*AREAS, *sorted(set(results) - set(AREAS))]:
        result = results.get(name)
        state = verdict.areas.get(name, "not-run")
        area_rows.append(
            {
                "name": name,
                "label": label(AREA, language, name),
                "verdict": state,
                "verdict_label": label(AREA_VERDICT, language, state),
                "summary": result.summary if result else label(AREA_VERDICT, language, "not-run"),
                "result": result,
                "counts": result.counts() if result else {},
                "figures": dict(result.figures) if result else {},
                "report": result.report if result else "",
                # Areas run by their own commands (security, performance) are gathered from their last
                # run: the reader sees when each one ran.
                "written": _written(report_dir / name / SUMMARY_FILE) if result else "",
            }
        )
    # Open findings per area and severity, for the chart.
    severities = sorted({item.finding.severity for item in verdict.open_findings}, key=severity_rank)
    finding_rows = []
    for row in area_rows:
        if row["result"] is None:
            continue
        series = [
            (
                severity,
                label(SEVERITY, language, severity),
                sum(
                    1
                    for item in verdict.open_findings
                    if item.area == row["name"] and item.finding.severity == severity
                ),
            )
            for severity in severities
        ]
        finding_rows.append((str(row["label"]), series))
    modules = _coverage_modules(report_dir, language)
    coverage_rows = [
        (
            str(module["label"]),
            [
                (key, text[key], int(module[key]))
                for key in ("passed", "failed", "could_not_check", "pending", "not_applicable")
            ],
        )
        for module in modules
    ]
    open_ids = {defect_id(item.area, item.finding.key) for item in verdict.open_findings}
    worst = [defect for defect in defects if defect.id in open_ids or defect.status == "could-not-check"][:WORST]
    crm = " ".join(
        part
        for part in (project.crm or facts.get("CRM", ""), project.crm_version or facts.get("CRM version", ""))
        if part
    )
    roles = [(role, signoff.names.get(role, "")) for role in signoff.roles]
    template = environment().get_template("signoff.html")
    html = template.render(
        lang=language,
        t=text,
        project=project,
        crm=crm or "—",
        run_date=facts.get("archived_at") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        facts={key: value for key, value in facts.items() if key != "archived_at"},
        browsers=list(browsers),
        areas=area_rows,
        modules=modules,
        verdict=verdict,
        verdict_label=label(ACCEPTANCE, language, verdict.verdict),
        chart_findings=charts.stacked_bars(text["findings_by_area"], finding_rows),
        chart_coverage=charts.stacked_bars(text["coverage_chart"], coverage_rows) if coverage_rows else "",
        worst=worst,
        defects=defects,
        signatories=roles,
        status_labels={key: label(STATUS, language, key) for key in ("failed", "could-not-check", "waived")},
        severity_labels={key: label(SEVERITY, language, key) for key in ("critical", "high", "medium", "low", "info")},
        area_labels={key: label(AREA, language, key) for key in AREAS},
        area_verdict_labels={key: label(AREA_VERDICT, language, key) for key in ("not-run",)},
        link_name=_link_name,
        run_label=run_date,
        defect_id=defect_id,
    )
    return html, verdict, defects


def build_signoff(
    plan: Plan,
    *,
    language: str | None = None,
    pdf: bool = True,
    browsers: Sequence[str] = (),
    today: dt.date | None = None,
    browser: Browser | None = None,
) -> SignoffOutputs:
    """Write the sign-off report, the defect list and (with ``pdf``) the PDF for the plan's run."""
    report_dir = plan.resolve(plan.run.report_dir)
    project = project_section(plan)
    language = language or project.language
    facts = read_facts(plan.resolve(plan.run.results_dir))
    seen = first_seen(list_runs(history_dir(report_dir)))
    html, verdict, defects = render_signoff(
        report_dir,
        project=project,
        rules=verdict_section(plan),
        signoff=signoff_section(plan),
        language=language,
        facts=facts,
        browsers=browsers or plan.browsers.names,
        seen=seen,
        today=today,
    )
    html_path = write_atomically(report_dir / HTML_NAME, html)
    csv_path, xlsx_path = write_defects(defects, report_dir / DEFECTS_FOLDER, language)
    pdf_path = None
    if pdf:
        from signoff.report.pdf import print_pdf

        pdf_path = print_pdf(
            html_path,
            report_dir / PDF_NAME,
            title=words(language)["report_title"],
            executable=plan.browsers.executable,
            browser=browser,
        )
    return SignoffOutputs(html_path, csv_path, xlsx_path, verdict, tuple(defects), pdf_path)
