"""The sign-off report and the user manual rendered from recorded result sets (no browser)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from signoff.errors import SignoffError
from signoff.findings import AreaResult, Finding, write_area_result
from signoff.plan import load_plan
from signoff.report.i18n import TEXT
from signoff.report.manual import build_manual, collect
from signoff.report.plan import ProjectSection, SignoffSection, VerdictSection
from signoff.report.signoff_report import build_signoff, render_signoff
from tests.unit.report.conftest import RUN_A

SECTIONS = ("project", "scope", "verdict", "areas", "charts", "worst", "coverage", "defects", "waivers", "signoff")


def render(report_dir: Path, language: str = "en", **project: str) -> str:
    html, _verdict, _defects = render_signoff(
        report_dir,
        project=ProjectSection(
            customer="Acme Logistics", vendor="Creme <Partner> & Co", contract="C-2026-014", **project
        ),
        rules=VerdictSection(),
        signoff=SignoffSection(names={"Quality assurance": "李雷"}),
        language=language,
        facts={"CRM": "Creme CRM", "CRM version": "2.8.7", "Browser": "chromium"},
        browsers=["chromium"],
        seen={},
        today=dt.date(2026, 12, 6),
    )
    return html


def test_every_word_exists_in_both_languages() -> None:
    assert set(TEXT["en"]) == set(TEXT["zh"])


def test_report_has_every_section_and_escapes_plan_text(report_dir: Path) -> None:
    html = render(report_dir)
    for section in SECTIONS:
        assert f'<section id="{section}"' in html
    assert "Creme &lt;Partner&gt; &amp; Co" in html and "<Partner>" not in html
    assert "Not accepted" in html
    assert html.count("<svg") == 2 and "<script" not in html
    assert 'href="allure/index.html"' in html and 'href="ux/ux-scorecard.html"' in html
    assert 'href="defects/defects.csv"' in html
    assert "李雷" in html  # a named signatory; the other roles get blank lines


def test_area_that_did_not_run_is_shown_as_not_run(report_dir: Path) -> None:
    html = render(report_dir)
    row = re.search(r'<tr id="area-data">(.*?)</tr>', html, re.S)
    assert row is not None and 'class="a-not-run">not run<' in row.group(1)
    assert 'class="a-passed"' not in row.group(1)


def test_chinese_report_uses_the_glossary(report_dir: Path) -> None:
    html = render(report_dir, "zh")
    assert '<html lang="zh-CN">' in html
    for word in ("验收报告", "验收不通过", "缺陷清单", "功能点覆盖率", "签字确认", "未运行", "严重程度"):
        assert word in html


def test_verdict_accepted_with_reservations_shows(report_dir: Path) -> None:
    for folder in report_dir.iterdir():
        if folder.name not in ("history", "coverage"):
            shutil.rmtree(folder)
    write_area_result(report_dir, AreaResult("functional", "passed", "ok"))
    write_area_result(report_dir, AreaResult("ux", "failed", "one low", findings=(Finding("k", "small thing", "low"),)))
    assert "Accepted with reservations" in render(report_dir)


def test_build_signoff_writes_html_and_defect_list_from_the_plan(report_dir: Path, tmp_path: Path) -> None:
    plan_file = tmp_path / "acceptance.toml"
    plan_file.write_text(
        f'[run]\nreport_dir = "{report_dir}"\n[project]\ncustomer = "甲公司"\nlanguage = "zh"\n'
        '[signoff]\nroles = ["客户项目经理", "供应商项目经理"]\n'
    )
    outputs = build_signoff(load_plan(plan_file), pdf=False)
    html = outputs.html.read_text()
    assert "甲公司" in html and "客户项目经理" in html and "供应商项目经理" in html
    assert outputs.csv.is_file() and outputs.xlsx.is_file() and outputs.pdf is None
    # "First seen" comes from the archived runs: a defect that run A already had is dated from it.
    assert any(defect.first_seen == RUN_A for defect in outputs.defects)
    assert "2026-12-01 10:00 UTC" in html


def test_manual_groups_passing_scenarios_by_module_with_a_screenshot_after_each_step(
    allure_results: Path, tmp_path: Path
) -> None:
    out = tmp_path / "manual"
    manual = collect(allure_results, out, {"FP-CUS-001": "Customer information", "FP-CUS-002": "Customer information"})
    assert manual.left_out == 1  # the failed scenario is not in the manual
    (module,) = manual.modules
    assert module.title == "Customer information"
    assert [task.title for task in module.tasks] == ["Add an organisation", "新增联系人"]
    chinese = module.tasks[1]
    assert chinese.language == "zh"
    assert [step.text for step in chinese.steps] == [
        "假如 我以管理员身份登录",
        '当 我新增联系人 "李雷"',
        '那么 联系人 "李雷" 存在',
    ]
    assert all((out / step.image).read_bytes().startswith(b"\x89PNG") for step in chinese.steps)
    html_path, pdf_path = build_manual(allure_results, out, language="zh", pdf=False)
    html = html_path.read_text()
    assert pdf_path is None and "用户手册" in html and '<section class="task"' in html and 'lang="zh-CN"' in html
    assert html.count("<img ") == 6


def test_manual_needs_a_green_run_with_screenshots(tmp_path: Path, allure_results: Path) -> None:
    with pytest.raises(SignoffError, match="no Allure results"):
        build_manual(tmp_path / "none", tmp_path / "out", pdf=False)
    for path in allure_results.glob("*.png"):
        path.unlink()
    with pytest.raises(SignoffError, match="no screenshot after the steps"):
        build_manual(allure_results, tmp_path / "out", pdf=False)


def test_manual_command_from_recorded_results(
    allure_results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from signoff import cli

    plan = tmp_path / "acceptance.toml"
    plan.write_text(f'[run]\nreport_dir = "{tmp_path / "reports"}"\n')
    assert cli.main(["--plan", str(plan), "manual", "--from-results", str(allure_results), "--no-pdf"]) == 0
    assert (tmp_path / "reports" / "manual" / "manual.html").is_file()
    assert "user manual:" in capsys.readouterr().err
    assert cli.main(["--plan", str(plan), "manual", "--from-results", str(tmp_path / "none"), "--no-pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no Allure results" in err
