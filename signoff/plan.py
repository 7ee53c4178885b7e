"""The acceptance plan: one TOML file (``acceptance.toml``) that says what to accept and how.

Each area of the acceptance owns a section. A section is a frozen dataclass whose fields are the
allowed keys, with their defaults; :func:`register_section` adds one. Unknown sections, unknown keys
and values of the wrong type or outside their allowed choices are :class:`PlanError`\\ s naming the
file, the section and the key. A missing file means "all defaults".
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

from signoff.errors import PlanError

DEFAULT_PLAN_FILE = "acceptance.toml"

S = TypeVar("S")

#: section name -> dataclass type
_SECTIONS: dict[str, type] = {}
#: (section, key) -> allowed values, for keys restricted to a few choices
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {}


def register_section(name: str, choices: dict[str, tuple[str, ...]] | None = None):  # type: ignore[no-untyped-def]
    """Class decorator: make a dataclass the schema of plan section ``[name]``."""

    def decorator(cls: type[S]) -> type[S]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        _SECTIONS[name] = cls
        for key, allowed in (choices or {}).items():
            _CHOICES[(name, key)] = allowed
        return cls

    return decorator


@register_section("target", choices={"kind": ("creme", "remote")})
@dataclasses.dataclass(frozen=True)
class TargetSection:
    """Which CRM to accept."""

    #: ``creme``: the embedded Creme CRM that Signoff installs and runs; ``remote``: a deployed CRM by URL.
    kind: str = "creme"
    #: For ``remote``: the CRM's root URL.
    url: str = ""
    #: For ``remote``: which page objects drive it (a package under ``pages/``).
    pages: str = "creme"
    #: Environment variables holding the administrator's user name and password.
    username_env: str = "SIGNOFF_USERNAME"
    password_env: str = "SIGNOFF_PASSWORD"
    #: Cache folder for installed CRMs, snapshots, logs and tools (relative to the plan file).
    home: str = ".signoff"
    #: Seconds to wait for the CRM to answer after start.
    start_timeout: float = 60.0


@register_section("browsers", choices={"screenshots": ("on-failure", "every-step")})
@dataclasses.dataclass(frozen=True)
class BrowsersSection:
    """Which browsers run the scenarios."""

    names: tuple[str, ...] = ("chromium",)
    headed: bool = False
    #: Explicit browser executable; empty means: Playwright's own browser, else the system one.
    executable: str = ""
    #: ``on-failure``: a screenshot when a step fails; ``every-step``: after every step too.
    screenshots: str = "on-failure"
    #: Browsers that must run: one that cannot be had stops the run (exit 3). Any other browser of
    #: ``names`` that cannot be had is left out with one line, and the run goes on with the others.
    #: A function point passes only when it passes in each of these and in every browser that ran.
    required: tuple[str, ...] = ()
    #: A Playwright browser server (``ws://host:port/``, ``playwright run-server``) that runs the
    #: browsers instead of this machine; ``executable`` is then the path on that machine, if any.
    connect: str = ""


@register_section(
    "run", choices={"isolation": ("feature", "none"), "arrange": ("fast", "ui"), "context": ("feature", "scenario")}
)
@dataclasses.dataclass(frozen=True)
class RunSection:
    """How the acceptance run is organised."""

    #: Folders or files with ``.feature`` files.
    features: tuple[str, ...] = ("features",)
    #: ``feature``: reset the CRM to its snapshot before each feature file; ``none``: never reset.
    isolation: str = "feature"
    #: ``fast``: ``Given`` steps set up their preconditions through the CRM adapter's fast path
    #: (the CRM's own forms or API over HTTP, same server-side validation) where it has one;
    #: ``ui``: every step goes through the browser. ``When`` and ``Then`` always use the browser.
    arrange: str = "fast"
    #: ``feature``: the scenarios of a feature file share one browser context (its HTTP cache of
    #: the CRM's scripts and styles stays warm); each still starts on a new page with only the
    #: saved sign-in's cookies. ``scenario``: a new context per scenario (also whenever
    #: pytest-playwright records traces or videos, which are made per context).
    context: str = "feature"
    #: Parallel workers (pytest-xdist); each gets its own embedded CRM instance.
    workers: int = 1
    #: Where raw Allure results and the HTML report go.
    results_dir: str = "allure-results"
    report_dir: str = "reports"
    #: Extra pytest arguments, e.g. ["-k", "search"].
    pytest_args: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Plan:
    """A loaded, validated acceptance plan."""

    path: Path
    sections: dict[str, Any]

    @property
    def root(self) -> Path:
        return self.path.parent

    def section(self, name: str, cls: type[S] | None = None) -> S:
        """The section ``[name]`` (defaults when the file does not have it)."""
        value = self.sections[name]
        if cls is not None and not isinstance(value, cls):
            raise TypeError(f"section {name} is a {type(value).__name__}, not {cls.__name__}")
        return value  # type: ignore[no-any-return]

    @property
    def target(self) -> TargetSection:
        return self.section("target", TargetSection)

    @property
    def browsers(self) -> BrowsersSection:
        return self.section("browsers", BrowsersSection)

    @property
    def run(self) -> RunSection:
        return self.section("run", RunSection)

    def resolve(self, relative: str) -> Path:
        """A path from the plan, relative to the plan file's folder."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path

    def with_report_dir(self, folder: Path) -> Plan:
        """This plan with every report of a run written under ``folder`` instead of its own folders.

        ``[run] report_dir`` becomes ``folder``; each section's ``output_dir`` keeps its place relative
        to the report folder (``reports/ux`` becomes ``<folder>/ux``; one elsewhere ``<folder>/<section>``).
        A run made for something else (the user manual's screenshots) then leaves the acceptance's
        reports as they are.
        """
        report_dir = self.resolve(self.run.report_dir)
        sections = dict(self.sections)
        for name, section in self.sections.items():
            changes: dict[str, str] = {"report_dir": str(folder)} if name == "run" else {}
            if "output_dir" in {field.name for field in dataclasses.fields(section)}:
                own = self.resolve(section.output_dir)
                where = own.relative_to(report_dir) if own.is_relative_to(report_dir) else Path(name)
                changes["output_dir"] = str(folder / where)
            if changes:
                sections[name] = dataclasses.replace(section, **changes)
        return Plan(path=self.path, sections=sections)


def load_plan(path: str | Path | None = None) -> Plan:
    """Read and validate a plan file. ``None`` means ``acceptance.toml`` in the current folder."""
    explicit = path is not None
    plan_path = Path(path if path is not None else DEFAULT_PLAN_FILE).resolve()
    data: dict[str, Any] = {}
    if plan_path.exists():
        try:
            data = tomllib.loads(plan_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise PlanError(f"{plan_path.name}: not valid TOML: {error}") from None
        except UnicodeDecodeError:
            raise PlanError(f"{plan_path.name}: not a UTF-8 text file") from None
    elif explicit:
        raise PlanError(f"plan file not found: {plan_path}")
    return Plan(path=plan_path, sections=parse_sections(data, source=plan_path.name))


def parse_sections(data: dict[str, Any], source: str = DEFAULT_PLAN_FILE) -> dict[str, Any]:
    """Validate the TOML document ``data`` section by section."""
    _import_area_sections()
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise PlanError(f"{source}: unknown section [{unknown[0]}]; known sections: {', '.join(sorted(_SECTIONS))}")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            raise PlanError(f"{source}: [{name}] must be a table, not a {type(raw).__name__}")
        sections[name] = _build(cls, raw, name, source)
    return sections


def _build(cls: type, raw: dict[str, Any], section: str, source: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        raise PlanError(f"{source}: unknown key '{unknown[0]}' in [{section}]; allowed keys: {', '.join(fields)}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        values[key] = _convert(value, hints[key], f"{source}: [{section}] {key}")
        allowed = _CHOICES.get((section, key))
        if allowed is not None and values[key] not in allowed:
            raise PlanError(f"{source}: [{section}] {key} = {value!r} is not one of: {', '.join(allowed)}")
    return cls(**values)


def _convert(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            raise PlanError(f"{where} must be a list, not {value!r}")
        return tuple(_convert(item, item_type, f"{where}[{index}]") for index, item in enumerate(value))
    if origin is dict:
        _key_type, item_type = typing.get_args(hint)
        if not isinstance(value, dict):
            raise PlanError(f"{where} must be a table, not {value!r}")
        return {str(k): _convert(v, item_type, f"{where}.{k}") for k, v in value.items()}
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _convert(value, option, where)
            except PlanError:
                continue
        raise PlanError(f"{where} has a value of the wrong type: {value!r}")
    if hint is type(None):
        raise PlanError(f"{where}: TOML has no null value")
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PlanError(f"{where} must be a number, not {value!r}")
        if value < 0:
            raise PlanError(f"{where} must not be negative, not {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PlanError(f"{where} must be a whole number, not {value!r}")
        if value < 0:
            raise PlanError(f"{where} must not be negative, not {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise PlanError(f"{where} must be true or false, not {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise PlanError(f"{where} must be a string, not {value!r}")
        return value
    return value


def _import_area_sections() -> None:
    """Import the modules that register the sections of later acceptance areas.

    Each area module declares its own section next to its code; importing them here makes every
    section known before a plan is validated.
    """
    import importlib

    for module in AREA_MODULES:
        importlib.import_module(module)


#: Modules that call :func:`register_section` for their area.
AREA_MODULES: list[str] = [
    "signoff.coverage.plan",
    "signoff.ux.plan",
    "signoff.security.plan",
    "signoff.performance.plan",
    "signoff.report.plan",
    "signoff.data.plan",
]
