"""The defect list: one defect per finding of every area, stable ids, CSV and XLSX for the vendor."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from signoff.findings import AREAS, AreaResult, Finding, defect_id, read_area_results
from signoff.report.defects import build_defects, render_csv, write_defects
from signoff.report.history import first_seen, list_runs
from tests.unit.report.conftest import RECORDED, RUN_A, RUN_B


def test_every_finding_of_every_area_is_one_defect() -> None:
    results = {
        name: AreaResult(name, "failed", "", findings=(Finding(key=f"{name}-1", title=f"{name} one", severity="low"),))
        for name in AREAS
    }
    defects = build_defects(results)
    assert sorted(d.area for d in defects) == sorted(AREAS)
    assert len({d.id for d in defects}) == len(AREAS)
    assert {d.id for d in defects} == {defect_id(name, f"{name}-1") for name in AREAS}


def test_ids_are_stable_across_runs_and_first_seen_comes_from_history() -> None:
    runs = list_runs(RECORDED / "history")
    before = {d.key: d.id for d in build_defects(read_area_results(runs[0] / "areas"))}
    after = {d.key: d.id for d in build_defects(read_area_results(runs[1] / "areas"), first_seen(runs))}
    still = "scenario:s2"  # the recorded runs key scenarios by a short id
    assert before[still] == after[still]
    seen = {d.key: d.first_seen for d in build_defects(read_area_results(runs[1] / "areas"), first_seen(runs))}
    assert seen[still] == RUN_A
    assert seen["axe:region@detail"] == RUN_B


def test_defects_are_worst_first_and_waivers_are_kept() -> None:
    defects = build_defects(read_area_results(RECORDED / "history" / RUN_B / "areas"))
    severities = [d.severity for d in defects]
    assert severities == sorted(severities, key=["critical", "high", "medium", "low", "info"].index)
    waived = [d for d in defects if d.status == "waived"]
    assert waived and waived[0].waiver_reason.startswith("behind the customer's reverse proxy")


def test_functional_defects_carry_steps_expected_actual_and_evidence() -> None:
    defects = build_defects(read_area_results(RECORDED / "history" / RUN_A / "areas"))
    chinese = next(d for d in defects if d.title.startswith("赢单"))
    assert chinese.steps[0] == "假如 我以管理员身份登录"
    assert chinese.actual == '公司 "甲公司" 不是客户'
    assert "functional/evidence/0a1b2c3d4e5f.png" in chinese.evidence
    assert "allure/index.html" in chinese.evidence and "coverage/coverage.html" in chinese.evidence


def test_csv_and_xlsx_hold_every_defect_with_chinese_intact(tmp_path: Path) -> None:
    defects = build_defects(read_area_results(RECORDED / "history" / RUN_A / "areas"), first_seen([]))
    csv_path, xlsx_path = write_defects(defects, tmp_path, "zh")
    raw = csv_path.read_bytes()
    assert raw.startswith("\ufeff".encode())  # spreadsheet programs then read it as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "标题", "领域"]
    assert len(rows) == len(defects) + 1
    by_id = {row[0]: row for row in rows[1:]}
    chinese = next(d for d in defects if d.title.startswith("赢单"))
    assert by_id[chinese.id][7].startswith("1. 假如 我以管理员身份登录\n2. 当 ")
    assert by_id[chinese.id][-1] == "本次运行"
    sheet = openpyxl.load_workbook(xlsx_path).active
    values = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in values[1:]] == [d.id for d in defects]
    assert values[0][5] == "严重程度"


def test_english_headings() -> None:
    text = render_csv([], "en")
    assert text.lstrip("\ufeff").splitlines()[0].startswith("Id,Title,Area,Module,Function point,Severity")
