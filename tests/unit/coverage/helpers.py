"""Builders shared by the coverage tests."""

from __future__ import annotations

from signoff.coverage.catalogue import Catalogue, FunctionPoint

HEADER = "id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes"


def csv_text(*rows: str, header: str = HEADER) -> str:
    """A catalogue file's text: the header, then one line per row."""
    return "\n".join([header, *rows]) + "\n"


def point(point_id: str, module: str = "Customer information", **fields: object) -> FunctionPoint:
    """A function point built in code, with defaults for what a test does not care about."""
    values: dict[str, object] = {
        "title_en": f"title of {point_id}",
        "title_zh": f"{point_id} 的标题",
        "priority": "high",
        "module_zh": "客户信息" if module == "Customer information" else "",
    }
    values.update(fields)
    return FunctionPoint(id=point_id, module=module, **values)  # type: ignore[arg-type]


def small_catalogue() -> Catalogue:
    """Two modules: CUS (3 points, FP-CUS-003 not applicable to creme) and SAL (2 points)."""
    return Catalogue(
        (
            point("FP-CUS-001"),
            point("FP-CUS-002"),
            point("FP-CUS-003", not_applicable_for=frozenset({"creme"})),
            point("FP-SAL-001", "Sales automation", module_zh="销售自动化"),
            point("FP-SAL-002", "Sales automation", module_zh="销售自动化"),
        ),
        source="test.csv",
    )
