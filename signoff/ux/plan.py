"""The ``[ux]`` section of the acceptance plan: the thresholds the user-experience verdict applies.

Example ``acceptance.toml``::

    [ux]
    audit = true
    max_critical = 0
    max_serious = 0
    min_accessibility_score = 90
    min_page_score = 80
    max_task_actions = { "create contact" = 8, "*" = 10 }
    phone_viewport = [375, 667]
    min_touch_target = 24
    max_lcp_seconds = 2.5
    max_cls = 0.1
    glossary = { "Save" = ["Submit", "Enregistrer"], "Contact" = ["Person"] }

The defaults are the published "good" bars: WCAG 2.1 A and AA for axe, WCAG 2.2 success criterion
2.5.8 *Target Size (Minimum)* (level AA) for touch targets - 24 by 24 CSS pixels - and the Core Web
Vitals "good" thresholds (LCP at most 2.5 s, CLS at most 0.1 at the 75th percentile).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from importlib import resources

from signoff.errors import PlanError
from signoff.plan import register_section

#: Axe impact levels, most severe first; also the values of ``fail_on_check``.
IMPACTS: tuple[str, ...] = ("critical", "serious", "moderate", "minor")

#: The axe-core build axe-playwright-python ships and injects: the source of truth for valid tags.
AXE_SCRIPT = ("axe_playwright_python", "axe.min.js")
# Every rule in the bundle is an object literal ``{id:"...", ..., tags:[...]}``: the union of those
# lists is exactly the set of tags ``runOnly: {type: "tag"}`` can select a rule with.
_RULE_TAGS = re.compile(r"\btags:\[([^\]]*)\]")
_QUOTED = re.compile(r'"([^"]+)"')


def impact_rank(impact: str | None) -> int:
    """0 for ``critical`` ... 3 for ``minor``; an unknown or missing impact ranks after them all."""
    return IMPACTS.index(impact) if impact in IMPACTS else len(IMPACTS)


def worst_impact(impacts: Iterable[str]) -> str:
    """The most severe of ``impacts`` (by :func:`impact_rank`); ``ValueError`` when there is none."""
    return min(impacts, key=impact_rank)


@functools.cache
def axe_tags() -> frozenset[str]:
    """Every tag some rule of the shipped axe-core carries (``wcag2a``, ``best-practice`` ...).

    Read from the script itself, so that the list cannot drift from the axe that actually runs.
    """
    package, name = AXE_SCRIPT
    script = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    tags = frozenset(tag for group in _RULE_TAGS.findall(script) for tag in _QUOTED.findall(group))
    if not tags:
        # A new bundle layout must not turn every tag into "unknown" - nor every tag into valid.
        raise RuntimeError(f"no rule tags found in {package}/{name}: the axe-core bundle changed its layout")
    return tags


DEFAULT_WCAG_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
DEFAULT_PHONE_VIEWPORT: tuple[int, int] = (375, 667)
#: WCAG 2.2 SC 2.5.8 Target Size (Minimum), level AA: 24 x 24 CSS px (2.5.5, level AAA, asks 44).
DEFAULT_MIN_TOUCH_TARGET = 24
#: Core Web Vitals "good": LCP <= 2.5 s, CLS <= 0.1.
DEFAULT_MAX_LCP_SECONDS = 2.5
DEFAULT_MAX_CLS = 0.1
DEFAULT_MAX_TASK_ACTIONS = 8
#: Key of ``max_task_actions`` (table form) that applies to tasks the table does not name.
ANY_TASK = "*"

UX_CHOICES: dict[str, tuple[str, ...]] = {
    "overall_score": ("mean", "worst"),
    "fail_on_check": (*IMPACTS, "never"),
    "screenshots": ("violations", "never"),
}


@register_section("ux", choices=UX_CHOICES)
@dataclasses.dataclass(frozen=True)
class UxSection:
    """User-experience thresholds: accessibility, effort, feedback, small screens, speed."""

    #: Audit every run of feature files: each page kind the scenarios show once, each scenario as
    #: a task; the run fails when the UX verdict fails. ``false``: only the UX steps measure.
    audit: bool = True
    #: Most axe violations (rules failed, counted once per page kind) of impact "critical" allowed.
    max_critical: int = 0
    #: Most axe violations of impact "serious" allowed.
    max_serious: int = 0
    #: Lowest overall accessibility score (0-100, Lighthouse-style weighted axe rules) accepted.
    min_accessibility_score: float = 90.0
    #: Lowest score (0-100) any single page kind may have (axe rules plus the UX checks of the page).
    min_page_score: float = 80.0
    #: How page scores combine into the overall score: ``mean`` of page kinds, or the ``worst`` one.
    overall_score: str = "mean"
    #: Most user actions a task may take: one number for every task, or a table task name -> number
    #: where the key ``"*"`` gives the limit for tasks the table does not name.
    max_task_actions: int | dict[str, int] = DEFAULT_MAX_TASK_ACTIONS
    #: Longest time on task in seconds; 0 means no limit (time depends on the machine).
    max_task_seconds: float = 0.0
    #: Axe tags to run (WCAG 2.1 A and AA by default).
    wcag_tags: tuple[str, ...] = DEFAULT_WCAG_TAGS
    #: Width and height (CSS px) of the phone screen for the small-screen audit.
    phone_viewport: tuple[int, ...] = DEFAULT_PHONE_VIEWPORT
    #: Smallest touch target (CSS px) - WCAG 2.2 SC 2.5.8 (AA) asks 24.
    min_touch_target: int = DEFAULT_MIN_TOUCH_TARGET
    #: Largest Contentful Paint limit in seconds ("good" is 2.5 s).
    max_lcp_seconds: float = DEFAULT_MAX_LCP_SECONDS
    #: Cumulative Layout Shift limit ("good" is 0.1).
    max_cls: float = DEFAULT_MAX_CLS
    #: A failed UX check of this impact or worse fails the verdict (``never``: only scores count).
    fail_on_check: str = "serious"
    #: Canonical term -> other names for the same thing; two names of one thing is an inconsistency.
    glossary: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: ``violations``: annotated screenshot of pages with axe violations; ``never``: none.
    screenshots: str = "violations"
    #: Where ``ux-scorecard.json`` and ``ux-scorecard.html`` go (relative to the plan file).
    output_dir: str = "reports/ux"
    #: Folder recording audited page kinds across parallel workers; empty: per process only.
    audited_dir: str = ""

    def __post_init__(self) -> None:
        # The generic plan loader checks types and signs; these are the [ux]-specific shapes.
        if len(self.phone_viewport) != 2 or min(self.phone_viewport) <= 0:
            raise PlanError(f"[ux] phone_viewport must be [width, height] in CSS px, not {list(self.phone_viewport)!r}")
        for key in ("min_accessibility_score", "min_page_score"):
            value = getattr(self, key)
            if not 0 <= value <= 100:
                raise PlanError(f"[ux] {key} must be between 0 and 100, not {value!r}")
        if self.min_touch_target <= 0:
            raise PlanError(f"[ux] min_touch_target must be positive, not {self.min_touch_target!r}")
        if not self.wcag_tags:
            raise PlanError("[ux] wcag_tags must name at least one axe tag")
        # Axe silently runs no rule for a tag it does not know, and a page where no rule ran
        # would look clean: an unknown tag is a plan error, not an empty audit.
        known = axe_tags()
        unknown = [tag for tag in self.wcag_tags if tag not in known]
        if unknown:
            raise PlanError(f"[ux] wcag_tags: unknown axe tag {unknown[0]!r}; valid tags: {', '.join(sorted(known))}")

    @property
    def phone_size(self) -> tuple[int, int]:
        """``phone_viewport`` as a (width, height) pair."""
        return (self.phone_viewport[0], self.phone_viewport[1])

    def task_action_limit(self, task: str) -> int:
        """The most actions task ``task`` may take."""
        if isinstance(self.max_task_actions, int):
            return self.max_task_actions
        if task in self.max_task_actions:
            return self.max_task_actions[task]
        return self.max_task_actions.get(ANY_TASK, DEFAULT_MAX_TASK_ACTIONS)
