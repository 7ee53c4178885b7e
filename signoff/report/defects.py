"""The defect list (缺陷清单): every finding of every area as one defect, for the vendor.

One row per finding, failed, could-not-check or waived (a waiver is listed, never dropped), worst
first. Its id is :func:`signoff.findings.defect_id` of the area and the finding's stable key, so the
same defect keeps its id from run to run and can be tracked until it is fixed; "first seen" is the
oldest archived run in which it appears (:func:`signoff.report.history.first_seen`).

Written as ``defects.csv`` (UTF-8 with a byte-order mark, so that spreadsheet programs read Chinese
right) and ``defects.xlsx`` (openpyxl), with headings in the report's language.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from signoff.files import write_atomically
from signoff.findings import AreaResult, defect_id, severity_rank
from signoff.report.i18n import AREA, SEVERITY, STATUS, label, words

CSV_NAME: Final = "defects.csv"
XLSX_NAME: Final = "defects.xlsx"
#: Evidence every defect shares: the Allure report of the run (relative to the report folder).
ALLURE_INDEX: Final = "allure/index.html"

COLUMNS: Final = (
    "id",
    "title",
    "area",
    "module",
    "function_point",
    "severity",
    "status",
    "steps",
    "expected",
    "actual",
    "where",
    "fix",
    "evidence",
    "first_seen",
)


@dataclasses.dataclass(frozen=True)
class Defect:
    id: str
    key: str
    title: str
    area: str
    module: str
    function_point: str
    severity: str
    status: str
    steps: tuple[str, ...]
    expected: str
    actual: str
    where: str
    fix: str
    #: Paths relative to the report folder, or URLs.
    evidence: tuple[str, ...]
    #: Name of the archived run it was first seen in; empty when this run is the first.
    first_seen: str
    waiver_reason: str = ""
    waiver_expires: str = ""


def build_defects(results: Mapping[str, AreaResult], first_seen: Mapping[str, str] | None = None) -> list[Defect]:
    """Every finding of every area, one defect each, worst first (then by area and id)."""
    seen = first_seen or {}
    defects: list[Defect] = []
    for area, result in results.items():
        for finding in result.findings:
            identifier = defect_id(area, finding.key)
            evidence = list(finding.evidence)
            if result.report and result.report not in evidence:
                evidence.append(result.report)
            if area == "functional" and ALLURE_INDEX not in evidence:
                evidence.append(ALLURE_INDEX)
            defects.append(
                Defect(
                    id=identifier,
                    key=finding.key,
                    title=finding.title,
                    area=area,
                    module=finding.module,
                    function_point=finding.function_point,
                    severity=finding.severity,
                    status=finding.status,
                    steps=finding.steps,
                    expected=finding.expected,
                    actual=finding.actual,
                    where=finding.where,
                    fix=finding.fix,
                    evidence=tuple(evidence),
                    first_seen=seen.get(identifier, ""),
                    waiver_reason=finding.waiver_reason,
                    waiver_expires=finding.waiver_expires,
                )
            )
    defects.sort(key=lambda d: (severity_rank(d.severity), d.status != "failed", d.area, d.id))
    return defects


def _rows(defects: list[Defect], language: str, this_run: str) -> tuple[list[str], list[list[str]]]:
    text = words(language)
    header = [text[column] if column in text else column for column in COLUMNS]
    rows = []
    for defect in defects:
        status = label(STATUS, language, defect.status)
        if defect.status == "waived" and defect.waiver_reason:
            status += f" ({defect.waiver_reason}; {defect.waiver_expires})"
        rows.append(
            [
                defect.id,
                defect.title,
                label(AREA, language, defect.area),
                defect.module,
                defect.function_point,
                label(SEVERITY, language, defect.severity),
                status,
                "\n".join(f"{number}. {step}" for number, step in enumerate(defect.steps, 1)),
                defect.expected,
                defect.actual,
                defect.where,
                defect.fix,
                "\n".join(defect.evidence),
                defect.first_seen or this_run,
            ]
        )
    return header, rows


def render_csv(defects: list[Defect], language: str = "en", this_run: str = "") -> str:
    header, rows = _rows(defects, language, this_run or words(language)["this_run"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def render_xlsx(defects: list[Defect], language: str = "en", this_run: str = "") -> bytes:
    # Through importlib: openpyxl has no type hints, and whether its stubs are installed must not
    # change whether mypy passes (the workbook's calls are checked by the tests that read it back).
    openpyxl = importlib.import_module("openpyxl")
    styles = importlib.import_module("openpyxl.styles")
    Workbook, Alignment, Font = openpyxl.Workbook, styles.Alignment, styles.Font

    header, rows = _rows(defects, language, this_run or words(language)["this_run"])
    book = Workbook()
    sheet = book.active
    sheet.title = words(language)["defects"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    widths = {"A": 16, "B": 48, "H": 60, "I": 40, "J": 40, "M": 40}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_defects(defects: list[Defect], folder: Path, language: str = "en") -> tuple[Path, Path]:
    """Write ``defects.csv`` and ``defects.xlsx`` into ``folder``."""
    csv_path = write_atomically(Path(folder) / CSV_NAME, render_csv(defects, language))
    xlsx_path = write_atomically(Path(folder) / XLSX_NAME, render_xlsx(defects, language))
    return csv_path, xlsx_path
