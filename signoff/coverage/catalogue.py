"""The function-point catalogue: the functional contract, as a CSV file a business analyst edits.

Layout (first line is the header; column order is free; names are case-insensitive)::

    id,module,module_zh,title_en,title_zh,priority,not_applicable_for,notes
    FP-CUS-001,Customer information,客户信息,Add an organisation,新增公司,high,,

- ``id`` (required): ``FP-`` followed by upper-case letters, digits and ``-``/``_``/``.``
  (``FP-CUS-001``); scenarios name it in a tag (``@FP-CUS-001``). Unique.
- ``module`` (required): the module's English name; rows of one module share it.
- ``module_zh`` (optional): the module's Chinese name.
- ``title_en``, ``title_zh`` (required): what the CRM must do, in both languages.
- ``priority`` (required): ``high``, ``medium`` or ``low`` (``高``, ``中``, ``低`` are accepted too).
- ``not_applicable_for`` (optional): CRM kinds this point does not apply to, separated by ``;``
  (``creme;djangocrm``).
- ``notes`` (optional): free text.

Other columns are kept out of the way (analysts add their own). Blank rows and rows whose id
starts with ``#`` are skipped. The file is UTF-8, with or without the byte-order mark Excel needs
to open Chinese text correctly; Excel's ``;``-separated CSV is read as well.

Every problem is a :class:`~signoff.errors.PlanError` whose text is one line
``path:line: message``, e.g. ``catalogue/function-points.csv:12: duplicate function point id
FP-CUS-003 (first on line 5)``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from signoff.errors import PlanError

Priority = Literal["high", "medium", "low"]

DEFAULT_CATALOGUE = "catalogue/function-points.csv"

REQUIRED_COLUMNS: tuple[str, ...] = ("id", "module", "title_en", "title_zh", "priority")
OPTIONAL_COLUMNS: tuple[str, ...] = ("module_zh", "not_applicable_for", "notes")

#: What a function point id looks like; upper case only, so that a tag matches exactly one id.
ID_PATTERN = re.compile(r"FP-[A-Z0-9]+(?:[-_.][A-Z0-9]+)*")

_PRIORITIES: dict[str, Priority] = {
    "high": "high",
    "medium": "medium",
    "low": "low",
    "高": "high",
    "中": "medium",
    "低": "low",
}


@dataclass(frozen=True)
class FunctionPoint:
    """One line of the contract."""

    id: str
    module: str
    title_en: str
    title_zh: str
    priority: Priority
    #: CRM kinds (lower case) this point does not apply to.
    not_applicable_for: frozenset[str] = frozenset()
    notes: str = ""
    module_zh: str = ""
    #: Line of the catalogue file the point was read from (0 when built in code).
    line: int = 0

    def applies_to(self, crm_kind: str) -> bool:
        """Whether the point is part of the contract for a CRM of this kind."""
        return crm_kind.strip().lower() not in self.not_applicable_for


@dataclass(frozen=True)
class Module:
    """A module of the catalogue and its function points, in catalogue order."""

    name: str
    name_zh: str
    points: tuple[FunctionPoint, ...]


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue. ``source`` is how messages name the file."""

    points: tuple[FunctionPoint, ...]
    source: str = DEFAULT_CATALOGUE
    _by_id: dict[str, FunctionPoint] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Catalogues are built in code (tests) as well as from files: index them in one place.
        object.__setattr__(self, "_by_id", {point.id: point for point in self.points})

    def __contains__(self, point_id: object) -> bool:
        return point_id in self._by_id

    def __iter__(self) -> Iterator[FunctionPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, point_id: str) -> FunctionPoint:
        return self._by_id[point_id]

    def get(self, point_id: str) -> FunctionPoint | None:
        return self._by_id.get(point_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(point.id for point in self.points)

    def modules(self) -> tuple[Module, ...]:
        """Modules in the order they first appear in the file."""
        grouped: dict[str, list[FunctionPoint]] = {}
        for point in self.points:
            grouped.setdefault(point.module, []).append(point)
        return tuple(
            Module(name, next((p.module_zh for p in points if p.module_zh), ""), tuple(points))
            for name, points in grouped.items()
        )


def load_catalogue(path: str | Path, *, display: str | None = None) -> Catalogue:
    """Read and validate a catalogue file; ``display`` is the name used in messages (default: ``path``)."""
    source = display if display is not None else str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise PlanError(f"{source}: function-point catalogue not found") from None
    except OSError as error:
        raise PlanError(f"{source}: cannot read the function-point catalogue: {error.strerror}") from None
    try:
        # utf-8-sig drops the byte-order mark Excel writes and reads plain UTF-8 alike.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PlanError(f'{source}:{line}: not UTF-8 text; in Excel save it as "CSV UTF-8 (Comma delimited)"') from None
    return parse_catalogue(text, source=source)


def parse_catalogue(text: str, *, source: str = DEFAULT_CATALOGUE) -> Catalogue:
    """Validate catalogue CSV text (see the module docstring); the first problem is raised."""
    problems: list[str] = []
    points = list(_parse(text.lstrip("\ufeff"), source, problems))
    if not problems and not points:
        problems.append(f"{source}: the catalogue has no function points")
    if problems:
        more = len(problems) - 1
        raise PlanError(
            problems[0], hint=f"{more} more problem{'s' if more > 1 else ''} after this one" if more else None
        )
    return Catalogue(tuple(points), source=source)


def _parse(text: str, source: str, problems: list[str]) -> Iterator[FunctionPoint]:
    lines = text.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        problems.append(
            f"{source}:1: empty catalogue: the first line must name the columns ({', '.join(REQUIRED_COLUMNS)})"
        )
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    header: list[str] | None = None
    first_line: dict[str, int] = {}
    module_zh: dict[str, tuple[str, int]] = {}
    while True:
        # The record starts on the line after the ones consumed so far (quoted cells may span lines).
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(f"{source}:{line}: not valid CSV: {error}")
            return
        if header is None:
            if not any(cell.strip() for cell in cells):
                continue
            header = [_column_name(cell) for cell in cells]
            if not _check_header(header, source, line, problems):
                return
            continue
        if not any(cell.strip() for cell in cells):
            continue
        row = _row(header, cells, source, line, problems)
        if row is None or row["id"].startswith("#"):
            continue
        point = _point(row, source, line, problems)
        if point is None:
            continue
        if point.id in first_line:
            problems.append(
                f"{source}:{line}: duplicate function point id {point.id} (first on line {first_line[point.id]})"
            )
            continue
        first_line[point.id] = line
        if point.module_zh:
            known = module_zh.setdefault(point.module, (point.module_zh, line))
            if known[0] != point.module_zh:
                problems.append(
                    f'{source}:{line}: module "{point.module}" is called {point.module_zh} here '
                    f"but {known[0]} on line {known[1]}"
                )
                continue
        yield point


def _delimiter(header_line: str) -> str:
    # Excel writes ";" in locales whose decimal mark is a comma; analysts do not choose it.
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter]) if any(counts.values()) else ","


def _column_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _check_header(header: list[str], source: str, line: int, problems: list[str]) -> bool:
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            problems.append(f'{source}:{line}: column "{name}" appears twice in the header')
            return False
        seen.add(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in seen]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(
            f"{source}:{line}: missing column{plural} {', '.join(missing)}; "
            f"the header must name: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
        )
        return False
    return True


def _row(header: list[str], cells: list[str], source: str, line: int, problems: list[str]) -> dict[str, str] | None:
    extra = cells[len(header) :]
    if any(cell.strip() for cell in extra):
        problems.append(f"{source}:{line}: {len(cells)} cells but the header names {len(header)} columns")
        return None
    values = [cell.strip() for cell in cells[: len(header)]] + [""] * max(0, len(header) - len(cells))
    return dict(zip(header, values, strict=True))


def _point(row: dict[str, str], source: str, line: int, problems: list[str]) -> FunctionPoint | None:
    point_id = row["id"]
    if not point_id:
        problems.append(f"{source}:{line}: empty id")
        return None
    if not ID_PATTERN.fullmatch(point_id):
        problems.append(
            f"{source}:{line}: function point id {point_id!r} must look like FP-CUS-001 "
            "(FP-, then upper-case letters, digits, '-', '_' or '.')"
        )
        return None
    for column in ("module", "title_en", "title_zh"):
        if not row[column]:
            problems.append(f"{source}:{line}: {point_id} has an empty {column}")
            return None
    priority = _PRIORITIES.get(row["priority"].lower())
    if priority is None:
        shown = f"priority {row['priority']!r}" if row["priority"] else "no priority"
        problems.append(f"{source}:{line}: {point_id} has {shown}; use high, medium or low")
        return None
    kinds = frozenset(
        kind.strip().lower() for kind in re.split(r"[;,]", row.get("not_applicable_for", "")) if kind.strip()
    )
    return FunctionPoint(
        id=point_id,
        module=row["module"],
        title_en=row["title_en"],
        title_zh=row["title_zh"],
        priority=priority,
        not_applicable_for=kinds,
        notes=row.get("notes", ""),
        module_zh=row.get("module_zh", ""),
        line=line,
    )
