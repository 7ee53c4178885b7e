"""The ``[coverage]`` section of the acceptance plan: which contract the functional area checks.

::

    [coverage]
    catalogue = "catalogue/function-points.csv"   # relative to the plan file
    not_applicable = ["FP-MKT-004"]               # ids this acceptance leaves out, on top of the
                                                  # catalogue's not_applicable_for column
    min_coverage = 100.0                          # percent of applicable function points that must pass
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from signoff.coverage.catalogue import DEFAULT_CATALOGUE, ID_PATTERN
from signoff.errors import PlanError
from signoff.plan import Plan, TargetSection, register_section


@register_section("coverage")
@dataclasses.dataclass(frozen=True)
class CoverageSection:
    """Function-point coverage: the contract and how much of it must pass."""

    #: The function-point catalogue (CSV), relative to the plan file.
    catalogue: str = DEFAULT_CATALOGUE
    #: Function point ids that do not apply to this acceptance (checked against the catalogue at run time).
    not_applicable: tuple[str, ...] = ()
    #: Percent of the applicable function points that must pass for the functional area to pass.
    min_coverage: float = 100.0

    def __post_init__(self) -> None:
        # The plan loader checks types and signs; the range and the id shape are ours to check.
        if self.min_coverage > 100.0:
            raise PlanError(f"[coverage] min_coverage = {self.min_coverage} must be at most 100")
        for point_id in self.not_applicable:
            if not ID_PATTERN.fullmatch(point_id):
                raise PlanError(f"[coverage] not_applicable: {point_id!r} is not a function point id like FP-CUS-001")


def crm_kind(target: TargetSection) -> str:
    """The CRM kind the catalogue's ``not_applicable_for`` column speaks of: the page-object package.

    The embedded target is always Creme; a remote target is driven by the pages it names.
    """
    return "creme" if target.kind == "creme" else target.pages


def coverage_section(plan: Plan) -> CoverageSection:
    """The plan's ``[coverage]`` section (defaults when the file has none)."""
    return plan.section("coverage", CoverageSection)


def catalogue_path(plan: Plan, project_root: Path | None = None) -> Path:
    """Where the catalogue is: relative to the plan file, else to the project (the current folder).

    A plan kept outside the project (one per CRM, in an acceptance folder) still finds the shipped
    default catalogue when it names none of its own.
    """
    section = coverage_section(plan)
    beside_plan = plan.resolve(section.catalogue)
    if beside_plan.exists() or Path(section.catalogue).is_absolute():
        return beside_plan
    in_project = (project_root or Path.cwd()) / section.catalogue
    return in_project if in_project.exists() else beside_plan
