"""The plan sections of the sign-off report: the project and contract, the verdict rules, the
signatures and how many runs the history keeps.

::

    [project]
    title = "CRM acceptance"
    customer = "Acme Logistics Ltd"
    vendor = "Creme CRM integrator"
    crm = "Creme CRM"                 # empty: the CRM the run reports
    crm_version = ""                  # empty: the version the run reports
    contract = "ACME-CRM-2026-014"    # contract reference
    language = "en"                   # language of the sign-off report: "en" or "zh"

    [verdict]
    required_areas = ["functional"]   # an area here that did not run makes the acceptance "not accepted"
    reservations_for = ["low"]        # severities an open finding may have in an acceptance with reservations
    max_reservations = 10             # most open findings accepted as reservations

    [signoff]
    roles = ["Customer project manager", "Vendor project manager", "Quality assurance"]
    names = {}                        # role -> the person who signs, when known

    [history]
    keep = 20                         # runs kept under reports/history (0: keep none)
    flaky_window = 5                  # recent runs in which a scenario that passed and failed is flaky
"""

from __future__ import annotations

import dataclasses

from signoff.errors import PlanError
from signoff.findings import AREAS, SEVERITIES
from signoff.plan import Plan, register_section

LANGUAGES = ("en", "zh")


@register_section("project", choices={"language": LANGUAGES})
@dataclasses.dataclass(frozen=True)
class ProjectSection:
    """Who accepts what from whom, under which contract: the head of the sign-off report."""

    title: str = "CRM acceptance"
    customer: str = ""
    vendor: str = ""
    #: The CRM's name and version; empty means what the run found (the target's facts).
    crm: str = ""
    crm_version: str = ""
    #: The contract reference the function-point catalogue belongs to.
    contract: str = ""
    #: Language of the sign-off report and the defect list headings (``--lang`` overrides it).
    language: str = "en"


@register_section("verdict")
@dataclasses.dataclass(frozen=True)
class VerdictSection:
    """The rules that turn the areas' results into accepted / accepted with reservations / not accepted."""

    #: Areas that must have run: one that did not makes the acceptance "not accepted".
    required_areas: tuple[str, ...] = ("functional",)
    #: Severities an open finding may have and still allow acceptance with reservations.
    reservations_for: tuple[str, ...] = ("low",)
    #: The most open findings that can be accepted as reservations.
    max_reservations: int = 10

    def __post_init__(self) -> None:
        for area in self.required_areas:
            if area not in AREAS:
                raise PlanError(f"[verdict] required_areas: {area!r} is not one of: {', '.join(AREAS)}")
        for severity in self.reservations_for:
            if severity not in SEVERITIES:
                raise PlanError(f"[verdict] reservations_for: {severity!r} is not one of: {', '.join(SEVERITIES)}")


@register_section("signoff")
@dataclasses.dataclass(frozen=True)
class SignoffSection:
    """The sign-off block: who signs, in which role."""

    roles: tuple[str, ...] = ("Customer project manager", "Vendor project manager", "Quality assurance")
    #: Role -> name of the person, when known; the others get a blank line to write on.
    names: dict[str, str] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        for role in self.names:
            if role not in self.roles:
                raise PlanError(f"[signoff] names: {role!r} is not one of the roles: {', '.join(self.roles)}")


@register_section("history")
@dataclasses.dataclass(frozen=True)
class HistorySection:
    """The archive of runs that ``signoff compare`` and "first seen" read."""

    #: Runs kept under ``<report_dir>/history``; older ones are deleted (0 keeps none).
    keep: int = 20
    #: Archived runs looked back on to find flaky scenarios (passed in some, failed in others).
    flaky_window: int = 5

    def __post_init__(self) -> None:
        for key in ("keep", "flaky_window"):
            if getattr(self, key) < 0:
                raise PlanError(f"[history] {key} must be 0 or more, not {getattr(self, key)}")


def project_section(plan: Plan) -> ProjectSection:
    return plan.section("project", ProjectSection)


def verdict_section(plan: Plan) -> VerdictSection:
    return plan.section("verdict", VerdictSection)


def signoff_section(plan: Plan) -> SignoffSection:
    return plan.section("signoff", SignoffSection)


def history_section(plan: Plan) -> HistorySection:
    return plan.section("history", HistorySection)
