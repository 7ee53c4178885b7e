"""The ``[coverage]`` plan section and the settings the plugin takes from a plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.coverage.plan import CoverageSection, coverage_section, crm_kind
from signoff.coverage.pytest_plugin import settings_from_plan
from signoff.errors import PlanError
from signoff.plan import TargetSection, load_plan, parse_sections


def test_defaults() -> None:
    section = parse_sections({})["coverage"]
    assert section == CoverageSection()
    assert section.catalogue == "catalogue/function-points.csv"
    assert section.not_applicable == ()
    assert section.min_coverage == 100.0


def test_values_are_read() -> None:
    section = parse_sections(
        {"coverage": {"catalogue": "contract/fp.csv", "not_applicable": ["FP-MKT-004"], "min_coverage": 90}}
    )["coverage"]
    assert section == CoverageSection("contract/fp.csv", ("FP-MKT-004",), 90.0)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"min_coverage": 101}, r"^\[coverage\] min_coverage = 101.0 must be at most 100$"),
        ({"min_coverage": -1}, r"\[coverage\] min_coverage must not be negative"),
        (
            {"not_applicable": ["cus-1"]},
            r"^\[coverage\] not_applicable: 'cus-1' is not a function point id like FP-CUS-001$",
        ),
        ({"not_applicable": "FP-A"}, r"\[coverage\] not_applicable must be a list"),
        ({"gate": True}, r"unknown key 'gate' in \[coverage\]"),
    ],
)
def test_mistakes_are_one_line_plan_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        parse_sections({"coverage": table})


def test_crm_kind_follows_the_target() -> None:
    assert crm_kind(TargetSection()) == "creme"
    assert crm_kind(TargetSection(kind="remote", pages="djangocrm")) == "djangocrm"
    assert crm_kind(TargetSection(kind="remote")) == "creme"


def test_settings_from_plan_resolve_paths_next_to_the_plan(tmp_path: Path) -> None:
    plan_file = tmp_path / "acceptance.toml"
    plan_file.write_text(
        '[target]\nkind = "remote"\nurl = "http://127.0.0.1:9"\npages = "djangocrm"\n'
        '[run]\nreport_dir = "out"\n'
        '[coverage]\ncatalogue = "contract.csv"\nnot_applicable = ["FP-A"]\nmin_coverage = 80.0\n',
        encoding="utf-8",
    )
    plan = load_plan(plan_file)
    assert coverage_section(plan).catalogue == "contract.csv"
    settings = settings_from_plan(plan, gate=True)
    assert settings.catalogue == tmp_path / "contract.csv"
    assert settings.directory == tmp_path / "out" / "coverage"
    assert settings.crm_kind == "djangocrm"
    assert settings.not_applicable == ("FP-A",)
    assert settings.min_coverage == 80.0
    assert settings.gate is True
