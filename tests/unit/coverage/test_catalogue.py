"""The function-point catalogue: loading, validation with one-line errors, and the shipped default."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from signoff.coverage.catalogue import ID_PATTERN, Catalogue, load_catalogue, parse_catalogue
from signoff.coverage.tags import check_feature_tags
from signoff.errors import PlanError
from tests.unit.coverage.helpers import HEADER, csv_text

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "catalogue" / "function-points.csv"

Writer = Callable[..., Path]


def error_of(text: str, source: str = "cat.csv") -> str:
    with pytest.raises(PlanError) as caught:
        parse_catalogue(text, source=source)
    return str(caught.value)


# --------------------------------------------------------------------------- reading


def test_bom_and_chinese_are_read(write_csv: Writer) -> None:
    path = write_csv(csv_text("FP-CUS-001,Customer information,客户信息,Add an organisation,新增公司,high,,"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    catalogue = load_catalogue(path)
    (point,) = catalogue.points
    assert point.id == "FP-CUS-001"  # the BOM does not stick to the first column name or value
    assert point.title_zh == "新增公司"
    assert point.module_zh == "客户信息"
    assert point.line == 2


def test_plain_utf8_without_bom_is_read(write_csv: Writer) -> None:
    path = write_csv(csv_text("FP-A,M,,Alpha,甲,low,,"), encoding="utf-8")
    assert load_catalogue(path).ids == ("FP-A",)


def test_excel_semicolon_csv_is_read(write_csv: Writer) -> None:
    text = "id;module;title_en;title_zh;priority\nFP-A;M;Alpha, with a comma;甲;medium\n"
    point = load_catalogue(write_csv(text)).points[0]
    assert point.title_en == "Alpha, with a comma"


def test_column_order_case_and_extra_columns_are_free() -> None:
    text = "Priority,Title ZH,ID,Title-EN,Module,Owner\nhigh,甲,FP-A,Alpha,M,Wang\n"
    point = parse_catalogue(text).points[0]
    assert (point.id, point.title_en, point.priority) == ("FP-A", "Alpha", "high")


def test_optional_columns_may_be_missing() -> None:
    point = parse_catalogue("id,module,title_en,title_zh,priority\nFP-A,M,Alpha,甲,low\n").points[0]
    assert point.not_applicable_for == frozenset()
    assert point.notes == ""
    assert point.module_zh == ""


def test_blank_rows_comment_rows_and_trailing_empty_cells_are_skipped() -> None:
    text = csv_text(
        "",
        "FP-A,M,,Alpha,甲,high,,",
        ",,,,,,,",
        "# FP-B,M,,not yet agreed,,,,",
        "FP-C,M,,Gamma,丙,low,,,,",
    )
    catalogue = parse_catalogue(text)
    assert catalogue.ids == ("FP-A", "FP-C")
    assert catalogue["FP-C"].line == 6


def test_chinese_priorities_and_letter_case_are_accepted() -> None:
    text = csv_text("FP-A,M,,A,甲,高,,", "FP-B,M,,B,乙,Medium,,", "FP-C,M,,C,丙,低,,")
    assert [point.priority for point in parse_catalogue(text)] == ["high", "medium", "low"]


def test_not_applicable_for_lists_crm_kinds() -> None:
    text = csv_text("FP-A,M,,A,甲,high,Creme; djangocrm,", "FP-B,M,,B,乙,high,other,x")
    a, b = parse_catalogue(text).points
    assert a.not_applicable_for == {"creme", "djangocrm"}
    assert not a.applies_to("creme") and not a.applies_to(" CREME ")
    assert a.applies_to("remote") and a.applies_to("")
    assert b.applies_to("creme")


def test_modules_keep_file_order_and_chinese_names() -> None:
    text = csv_text("FP-B1,Sales,销售,B,乙,high,,", "FP-A1,Customers,客户,A,甲,high,,", "FP-B2,Sales,,B2,乙二,low,,")
    modules = parse_catalogue(text).modules()
    assert [(m.name, m.name_zh, [p.id for p in m.points]) for m in modules] == [
        ("Sales", "销售", ["FP-B1", "FP-B2"]),
        ("Customers", "客户", ["FP-A1"]),
    ]


def test_quoted_cell_over_two_lines_keeps_line_numbers_right() -> None:
    text = csv_text('FP-A,M,,A,甲,high,,"first line\nsecond line"', "FP-A,M,,A again,甲,high,,")
    assert error_of(text) == "cat.csv:4: duplicate function point id FP-A (first on line 2)"


def test_lookup() -> None:
    catalogue = parse_catalogue(csv_text("FP-A,M,,Alpha,甲,high,,"))
    assert "FP-A" in catalogue and "FP-B" not in catalogue
    assert catalogue.get("FP-B") is None
    assert catalogue["FP-A"].title_en == "Alpha"
    assert len(catalogue) == 1 and [p.id for p in catalogue] == ["FP-A"]


# --------------------------------------------------------------------------- one-line errors


def test_duplicate_id_names_both_lines(write_csv: Writer) -> None:
    rows = [f"FP-CUS-00{n},M,,T{n},标题{n},high,," for n in range(1, 4)]
    text = csv_text(*rows, "FP-X,M,,X,叉,low,,", "FP-CUS-003,M,,again,又,low,,")
    path = write_csv(text)
    with pytest.raises(PlanError) as caught:
        load_catalogue(path, display="catalogue/function-points.csv")
    assert (
        str(caught.value) == "catalogue/function-points.csv:6: duplicate function point id FP-CUS-003 (first on line 4)"
    )
    assert "\n" not in str(caught.value)


def test_missing_required_columns() -> None:
    message = error_of("id,module,title_en\nFP-A,M,A\n")
    assert message.startswith("cat.csv:1: missing columns title_zh, priority; the header must name: id, module")


def test_column_named_twice() -> None:
    assert error_of("id,module,title_en,title_zh,priority,ID\n") == 'cat.csv:1: column "id" appears twice in the header'


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("FP-A,M,,A,甲,urgent,,", "cat.csv:2: FP-A has priority 'urgent'; use high, medium or low"),
        ("FP-A,M,,A,甲,,,", "cat.csv:2: FP-A has no priority; use high, medium or low"),
        ("FP-A,M,,A,,high,,", "cat.csv:2: FP-A has an empty title_zh"),
        ("FP-A,M,,,甲,high,,", "cat.csv:2: FP-A has an empty title_en"),
        ("FP-A,,,A,甲,high,,", "cat.csv:2: FP-A has an empty module"),
        (",M,,A,甲,high,,", "cat.csv:2: empty id"),
        ("FP-A,M,,A,甲,high,,,,surprise", "cat.csv:2: 10 cells but the header names 8 columns"),
    ],
)
def test_bad_rows(row: str, message: str) -> None:
    assert error_of(csv_text(row)) == message


@pytest.mark.parametrize("bad_id", ["CUS-001", "FP-cus-001", "FP CUS 001", "FP-", "FP-CUS 001"])
def test_malformed_ids(bad_id: str) -> None:
    assert error_of(csv_text(f"{bad_id},M,,A,甲,high,,")).startswith(
        f"cat.csv:2: function point id {bad_id!r} must look like FP-CUS-001"
    )


def test_module_with_two_chinese_names() -> None:
    text = csv_text("FP-A,Sales,销售,A,甲,high,,", "FP-B,Sales,营销,B,乙,high,,")
    assert error_of(text) == 'cat.csv:3: module "Sales" is called 营销 here but 销售 on line 2'


def test_first_problem_is_raised_and_the_rest_counted() -> None:
    text = csv_text("FP-A,M,,A,甲,urgent,,", "FP-B,M,,B,乙,high,,", "FP-B,M,,B,乙,high,,", "FP-C,M,,,丙,high,,")
    message = error_of(text)
    assert message == "cat.csv:2: FP-A has priority 'urgent'; use high, medium or low (2 more problems after this one)"


def test_empty_and_header_only_files() -> None:
    assert error_of("").startswith("cat.csv:1: empty catalogue")
    assert error_of("\ufeff\n\n").startswith("cat.csv:1: empty catalogue")
    assert error_of(HEADER + "\n") == "cat.csv: the catalogue has no function points"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"nope\.csv: function-point catalogue not found$"):
        load_catalogue(tmp_path / "nope.csv", display="nope.csv")


def test_excel_legacy_encoding_is_refused_with_the_fix(write_csv: Writer) -> None:
    path = write_csv(csv_text("FP-A,M,,A,新增公司,high,,"), encoding="gbk")
    with pytest.raises(PlanError) as caught:
        load_catalogue(path, display="cat.csv")
    assert str(caught.value) == 'cat.csv:2: not UTF-8 text; in Excel save it as "CSV UTF-8 (Comma delimited)"'


# --------------------------------------------------------------------------- the shipped catalogue


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue(SHIPPED)


def test_shipped_catalogue_is_valid_and_opens_in_excel(shipped: Catalogue) -> None:
    assert SHIPPED.read_bytes().startswith(b"\xef\xbb\xbf")
    assert 35 <= len(shipped) <= 80
    assert all(ID_PATTERN.fullmatch(point.id) for point in shipped)


def test_shipped_catalogue_modules(shipped: Catalogue) -> None:
    modules = {module.name: module for module in shipped.modules()}
    assert [(m.name, m.name_zh) for m in modules.values()] == [
        ("Customer information", "客户信息"),
        ("Sales automation", "销售自动化"),
        ("Marketing campaigns", "营销活动"),
        ("Activities", "日程"),
        ("Users and roles", "用户与角色"),
        ("Sign-in and access security", "登录与访问安全"),
        ("Performance", "性能"),
        ("Data integrity", "数据完整性"),
        ("Security", "安全"),
    ]
    prefixes = {
        "Customer information": "CUS",
        "Sales automation": "SAL",
        "Marketing campaigns": "MKT",
        "Activities": "ACT",
        "Users and roles": "USR",
        "Sign-in and access security": "AUTH",
        "Performance": "PRF",
        "Data integrity": "DAT",
        "Security": "SEC",
    }
    for name, module in modules.items():
        assert all(point.id.startswith(f"FP-{prefixes[name]}-") for point in module.points), name


def test_shipped_catalogue_ids_already_used_by_features(shipped: Catalogue) -> None:
    # Features written before the catalogue used these ids: the catalogue must mean the same thing.
    assert shipped["FP-CUS-001"].title_en == "Add an organisation"
    assert shipped["FP-CUS-002"].title_en == "Add a contact"
    assert "Edit" in shipped["FP-CUS-003"].title_en
    assert "trash" in shipped["FP-CUS-004"].title_en and "Delete" in shipped["FP-CUS-004"].title_en
    assert "Restore" in shipped["FP-CUS-005"].title_en
    assert "Search" in shipped["FP-CUS-006"].title_en
    assert "Sign in" in shipped["FP-AUTH-001"].title_en


def test_shipped_catalogue_uses_the_glossary_words(shipped: Catalogue) -> None:
    # One word per thing: the glossary's Chinese for the English word the title uses.
    glossary = {
        "organisation": "公司",
        "contact": "联系人",
        "trash": "回收站",
        "prospect": "潜在客户",
        "suspect": "可疑客户",
        "lead": "销售线索",
        "opportunity": "商机",
        "sales phase": "销售阶段",
        "won": "赢单",
        "lost": "输单",
        "estimated sales": "预计销售额",
        "made sales": "实际销售额",
        "sales representative": "销售代表",
        "sales manager": "销售经理",
        "team": "团队",
        "role": "角色",
        "marketing campaign": "营销活动",
        "mailing list": "邮件列表",
        "email template": "邮件模板",
        "task": "任务",
        "meeting": "会议",
        "phone call": "电话",
        "calendar": "日历",
        "customer": "客户",
    }
    for point in shipped:
        for english, chinese in glossary.items():
            if re.search(rf"\b{english}s?\b", point.title_en, re.IGNORECASE):
                assert chinese in point.title_zh, (point.id, english, chinese)


def test_shipped_catalogue_knows_creme(shipped: Catalogue) -> None:
    not_for_creme = sorted(point.id for point in shipped if not point.applies_to("creme"))
    assert not_for_creme == ["FP-SAL-008"]  # Creme has no lead record apart from prospects


def test_every_tag_in_the_project_features_is_in_the_shipped_catalogue(shipped: Catalogue) -> None:
    features = sorted((ROOT / "features").rglob("*.feature"))
    assert check_feature_tags(features, shipped) == []
