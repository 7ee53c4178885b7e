"""The ``[security]`` section of the acceptance plan: which security checks run, how long, and the verdict.

::

    [security]
    wapiti = true                 # run the wapiti3 scanner (modules that need no outside service)
    sqlmap = true                 # run sqlmap on the injection points the CRM adapter names
    wapiti_seconds = 180          # time box of each scanner (killed with its process group after it)
    sqlmap_seconds = 120
    sqlmap_level = 1              # sqlmap's --level (1-5: more parameters and payloads) and --risk (1-3)
    sqlmap_risk = 1
    sqlmap_techniques = "BEU"     # sqlmap's --technique: B boolean, E error, U union, S stacked, T time
    fail_on = "high"              # a finding of this severity or worse fails the verdict
    wrong_passwords = 12          # wrong passwords in a row before lockout or throttling is expected
    max_session_hours = 24.0      # longest sign-in a session cookie may keep
    allowed_hosts = []            # hosts besides the provisioned target and loopback that may be probed

    [security.roles.sales]        # the role matrix: one table per role created for the run
    scope = "own"                 # records the role may open: "own" or "all"
    may = ["view", "change"]      # of: view, change, delete, export
    configuration = false         # may open configuration pages

    [[security.waivers]]          # a finding the organisation accepts, until a date
    key = "header:missing-csp"
    reason = "CSP planned for release 2.9"
    expires = "2027-03-31"
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Final

from signoff.errors import PlanError
from signoff.findings import SEVERITIES
from signoff.plan import Plan, register_section

#: Role actions the matrix speaks of (``view`` is implied by the others).
ROLE_ACTIONS: Final[tuple[str, ...]] = ("view", "change", "delete", "export")
#: The default matrix: a sales representative who sees only what they own and no configuration,
#: and a sales manager who sees every record but no configuration either.
DEFAULT_ROLES: Final[dict[str, dict[str, str | bool | tuple[str, ...]]]] = {
    # A sales representative may delete their own records but not export the customer base;
    # a manager may export every record but not delete others' work.
    "sales representative": {"scope": "own", "may": ("view", "change", "delete"), "configuration": False},
    "sales manager": {"scope": "all", "may": ("view", "change", "export"), "configuration": False},
}
#: sqlmap's injection techniques (its --technique letters).
SQLMAP_TECHNIQUES: Final = "BEUSTQ"


@dataclasses.dataclass(frozen=True)
class RoleRule:
    """One row of the role matrix: what a role's users may reach."""

    name: str
    scope: str = "own"
    may: tuple[str, ...] = ("view",)
    configuration: bool = False


@dataclasses.dataclass(frozen=True)
class Waiver:
    """A finding key the organisation accepts, why, and until when."""

    key: str
    reason: str
    expires: datetime.date

    def applies(self, today: datetime.date) -> bool:
        return today <= self.expires


@register_section("security", choices={"fail_on": SEVERITIES[:4]})
@dataclasses.dataclass(frozen=True)
class SecuritySection:
    """Security acceptance: scanners, own checks, the role matrix and waivers."""

    #: Run wapiti3 (only modules that need no service outside the target).
    wapiti: bool = True
    #: Run sqlmap on the forms and list-search parameters the CRM adapter names.
    sqlmap: bool = True
    #: Seconds each scanner may run; after that it is stopped and its check is "could not check".
    wapiti_seconds: float = 180.0
    sqlmap_seconds: float = 120.0
    #: sqlmap's --level (1-5) and --risk (1-3): more payloads and parameters, longer scans.
    sqlmap_level: int = 1
    sqlmap_risk: int = 1
    #: sqlmap's --technique letters; T (time-based) rarely fits a time box.
    sqlmap_techniques: str = "BEU"
    #: Stored payloads and sqlmap only run on a target Signoff resets afterwards; true allows them
    #: on a target it cannot reset (a disposable remote copy).
    active_on_unresettable: bool = False
    #: A finding of this severity or worse fails the verdict (default: no high or critical finding).
    fail_on: str = "high"
    #: Wrong passwords in a row after which the CRM must lock the account or slow down.
    wrong_passwords: int = 12
    #: Longest sign-in, in hours, a session cookie may keep.
    max_session_hours: float = 24.0
    #: Hosts besides the provisioned target and loopback that probes may reach (named explicitly).
    allowed_hosts: tuple[str, ...] = ()
    #: The role matrix: role name -> {scope, may, configuration}; empty means the default matrix.
    roles: dict[str, dict[str, str | bool | tuple[str, ...]]] = dataclasses.field(default_factory=dict)
    #: Accepted findings: tables with ``key`` (or ``id``), ``reason`` and ``expires`` (a date).
    waivers: tuple[dict[str, str | datetime.date], ...] = ()
    #: Where security.json and security.html go (relative to the plan file).
    output_dir: str = "reports/security"

    def __post_init__(self) -> None:
        # The generic loader checks types; the matrix's words and the waivers' shape are ours.
        if not 1 <= self.sqlmap_level <= 5:
            raise PlanError(f"[security] sqlmap_level = {self.sqlmap_level} is not between 1 and 5")
        if not 1 <= self.sqlmap_risk <= 3:
            raise PlanError(f"[security] sqlmap_risk = {self.sqlmap_risk} is not between 1 and 3")
        if not self.sqlmap_techniques or set(self.sqlmap_techniques.upper()) - set(SQLMAP_TECHNIQUES):
            raise PlanError(
                f"[security] sqlmap_techniques = {self.sqlmap_techniques!r}: letters of {SQLMAP_TECHNIQUES} only"
            )
        for rule in self.role_rules():
            if rule.scope not in ("own", "all"):
                raise PlanError(f"[security.roles.{rule.name}] scope = {rule.scope!r} is not one of: own, all")
            for action in rule.may:
                if action not in ROLE_ACTIONS:
                    raise PlanError(
                        f"[security.roles.{rule.name}] may: {action!r} is not one of: {', '.join(ROLE_ACTIONS)}"
                    )
        self.waiver_list()

    def role_rules(self) -> tuple[RoleRule, ...]:
        """The role matrix, the plan's or the default one."""
        rules = []
        for name, raw in (self.roles or DEFAULT_ROLES).items():
            unknown = sorted(set(raw) - {"scope", "may", "configuration"})
            if unknown:
                raise PlanError(
                    f"[security.roles.{name}] unknown key {unknown[0]!r}; allowed: scope, may, configuration"
                )
            scope, may, configuration = (
                raw.get("scope", "own"),
                raw.get("may", ("view",)),
                raw.get("configuration", False),
            )
            if not isinstance(scope, str) or not isinstance(configuration, bool):
                raise PlanError(f"[security.roles.{name}] scope must be a string and configuration true or false")
            if isinstance(may, str) or not all(isinstance(item, str) for item in may):  # type: ignore[union-attr]
                raise PlanError(f"[security.roles.{name}] may must be a list of actions")
            rules.append(RoleRule(name=name, scope=scope, may=tuple(str(a) for a in may), configuration=configuration))  # type: ignore[union-attr]
        return tuple(rules)

    def waiver_list(self) -> tuple[Waiver, ...]:
        """The waivers, checked: each names a finding, gives a reason and an ISO expiry date."""
        waivers = []
        for index, raw in enumerate(self.waivers):
            where = f"[[security.waivers]] #{index + 1}"
            unknown = sorted(set(raw) - {"key", "id", "reason", "expires"})
            if unknown:
                raise PlanError(f"{where}: unknown key {unknown[0]!r}; allowed: key (or id), reason, expires")
            key = raw.get("key", raw.get("id", ""))
            reason, expires = raw.get("reason", ""), raw.get("expires", "")
            if not isinstance(key, str) or not key:
                raise PlanError(f"{where}: needs the key (or id) of the finding it waives")
            if not isinstance(reason, str) or not reason.strip():
                raise PlanError(f"{where} ({key}): needs a reason")
            if isinstance(expires, str):
                try:
                    expires = datetime.date.fromisoformat(expires)
                except ValueError:
                    raise PlanError(f"{where} ({key}): expires = {expires!r} is not a date like 2027-03-31") from None
            if isinstance(expires, datetime.datetime):
                expires = expires.date()
            waivers.append(Waiver(key=key, reason=reason, expires=expires))
        return tuple(waivers)


def security_section(plan: Plan) -> SecuritySection:
    """The plan's ``[security]`` section (defaults when the file has none)."""
    return plan.section("security", SecuritySection)
