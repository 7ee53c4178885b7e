"""Page and task audits saved as JSON files, so that every test process's results meet in one scorecard.

Under pytest-xdist each worker audits the pages its scenarios visit; the controller builds the
scorecard. Workers therefore write each :class:`~signoff.ux.scorecard.PageAudit` and
:class:`~signoff.ux.scorecard.TaskAudit` as one JSON file into a folder the controller chose
(:class:`RecordStore`), and the controller loads them all at the end. One file per record, written
by the kit's atomic writer (:func:`signoff.files.write_atomically`): two processes never write the
same file and a reader never sees half a record.

A page kind can be audited more than once in a run - the automatic audit at the end of a scenario,
plus the measurements a step asked for (``Then the page meets WCAG 2.1 AA``). :func:`merge_page_audits`
turns them into one audit per page kind, so that the scorecard lists each kind once and no check is
counted twice.
"""

from __future__ import annotations

import dataclasses
import json
import time
import types
import typing
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from signoff.files import write_atomically
from signoff.ux.accessibility import merge_results
from signoff.ux.scorecard import IncompleteAudit, PageAudit, TaskAudit

T = TypeVar("T")

#: ``origin`` of a page record: the automatic audit of a page kind, or a measurement a step made.
AUDIT = "audit"
STEP = "step"

_FORMAT = 1


@dataclasses.dataclass
class PageRecord:
    """A saved page audit and where it came from."""

    audit: PageAudit
    #: :data:`AUDIT` or :data:`STEP`.
    origin: str
    #: The test (scenario) that produced it.
    source: str
    written_at: float


@dataclasses.dataclass
class TaskRecord:
    """A saved task audit and where it came from."""

    task: TaskAudit
    source: str
    written_at: float


# ---------------------------------------------------------------------------------------------
# JSON <-> dataclasses
# ---------------------------------------------------------------------------------------------


def to_data(value: Any) -> Any:
    """A dataclass (nested lists and dataclasses included) as JSON-ready data."""
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type) else value


def from_data(cls: type[T], data: Any) -> T:
    """Rebuild dataclass ``cls`` from :func:`to_data` output, following its type hints.

    Unknown keys are ignored and missing keys take the field's default, so that records written by
    a slightly older or newer Signoff still load.
    """
    return typing.cast(T, _convert(cls, data))


def _convert(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(options) == 1:
            return _convert(options[0], data)
        for option in options:
            if dataclasses.is_dataclass(option) and isinstance(data, dict):
                return _convert(option, data)
        return data
    if origin in (list, Sequence):
        (item,) = typing.get_args(hint) or (Any,)
        return [_convert(item, value) for value in data]
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], value) for value in data)
        return tuple(data)
    if origin is dict:
        _key, item = typing.get_args(hint) or (Any, Any)
        return {key: _convert(item, value) for key, value in data.items()}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        values = {
            field.name: _convert(hints[field.name], data[field.name])
            for field in dataclasses.fields(hint)
            if field.init and field.name in data
        }
        return hint(**values)
    if hint is float and isinstance(data, int):
        return float(data)
    return data


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


class RecordStore:
    """A folder of page and task records shared by the processes of one run.

    ``pages/`` and ``tasks/`` hold one JSON file per record. Give every process of a run the same
    folder; start each run with a new (or :meth:`clear`\\ ed) one.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.pages_dir = self.folder / "pages"
        self.tasks_dir = self.folder / "tasks"
        self.pages_dir.mkdir(parents=True, exist_ok=True)
        self.tasks_dir.mkdir(parents=True, exist_ok=True)

    def save_page(self, audit: PageAudit, *, origin: str = AUDIT, source: str = "") -> Path:
        """Save one page audit; returns its file."""
        if origin not in (AUDIT, STEP):
            raise ValueError(f"origin must be {AUDIT!r} or {STEP!r}, not {origin!r}")
        return self._write(self.pages_dir, {"origin": origin, "source": source, "audit": to_data(audit)})

    def save_task(self, task: TaskAudit, *, source: str = "") -> Path:
        """Save one task audit; returns its file."""
        return self._write(self.tasks_dir, {"source": source, "task": to_data(task)})

    def page_records(self) -> list[PageRecord]:
        """Every saved page record: automatic audits first, then step measurements, each oldest first."""
        records = [
            PageRecord(
                audit=from_data(PageAudit, data["audit"]),
                origin=str(data.get("origin", AUDIT)),
                source=str(data.get("source", "")),
                written_at=float(data.get("written_at", 0.0)),
            )
            for data in self._read(self.pages_dir)
        ]
        records.sort(key=lambda r: (r.origin != AUDIT, r.written_at))
        return records

    def task_records(self) -> list[TaskRecord]:
        """Every saved task record, oldest first."""
        records = [
            TaskRecord(
                task=from_data(TaskAudit, data["task"]),
                source=str(data.get("source", "")),
                written_at=float(data.get("written_at", 0.0)),
            )
            for data in self._read(self.tasks_dir)
        ]
        records.sort(key=lambda r: r.written_at)
        return records

    def pages(self) -> list[PageAudit]:
        """One merged audit per page kind (see :func:`merge_page_audits`)."""
        return merge_page_audits(record.audit for record in self.page_records())

    def tasks(self) -> list[TaskAudit]:
        return [record.task for record in self.task_records()]

    def clear(self) -> None:
        """Remove every record (start of a run)."""
        for folder in (self.pages_dir, self.tasks_dir):
            for path in folder.glob("*.json"):
                path.unlink(missing_ok=True)

    @staticmethod
    def _write(folder: Path, payload: dict[str, Any]) -> Path:
        payload = {"format": _FORMAT, "written_at": time.time(), **payload}
        # The writer's temporary name ends in ".tmp", never "*.json": readers skip it.
        return write_atomically(folder / f"{uuid.uuid4().hex}.json", json.dumps(payload, ensure_ascii=False))

    @staticmethod
    def _read(folder: Path) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for path in sorted(folder.glob("*.json")):
            found.append(json.loads(path.read_text(encoding="utf-8")))
        return found


# ---------------------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------------------


def merge_page_audits(audits: Iterable[PageAudit]) -> list[PageAudit]:
    """One audit per page kind, in the order kinds first appear.

    The first audit of a kind gives the URL and is preferred where only one result can stay (pass
    the automatic audits first). Otherwise the merge keeps what a user met at worst:

    * accessibility: a rule failed in any audit fails; violations and "needs review" findings are
      combined (each element once, the worst impact seen) and the score recomputed
      (:func:`signoff.ux.accessibility.merge_results`);
    * small screen: the first failing result, else the first;
    * speed: the first measured from the start of the page load, else the first;
    * keyboard: one result per form, the first failing one of that form, else the first;
    * texts: one result per text, the first failing one, else the first;
    * primary actions: each form's once;
    * audits that did not complete: each one (part and error) once - none is dropped because another
      audit of the kind completed, since what failed to run on one URL was never checked there.
    """
    by_kind: dict[str, list[PageAudit]] = {}
    for audit in audits:
        by_kind.setdefault(audit.kind, []).append(audit)
    return [_merge_kind(group) for group in by_kind.values()]


def _merge_kind(group: Sequence[PageAudit]) -> PageAudit:
    if len(group) == 1:
        return group[0]
    merged = PageAudit(url=group[0].url, browser=group[0].browser)
    merged.accessibility = merge_results([a.accessibility for a in group if a.accessibility is not None])
    smalls = [a.small_screen for a in group if a.small_screen is not None]
    merged.small_screen = _first_failing(smalls, lambda s: s.passed)
    speeds = [a.speed for a in group if a.speed is not None]
    merged.speed = next((s for s in speeds if s.observed_from_start), speeds[0] if speeds else None)
    merged.keyboard = _one_per([k for a in group for k in a.keyboard], key=lambda k: k.form, passed=lambda k: k.passed)
    merged.text = _one_per([t for a in group for t in a.text], key=lambda t: t.text, passed=lambda t: t.passed)
    unfinished: dict[tuple[str, str, str], IncompleteAudit] = {}
    for audit in group:
        for item in audit.incomplete:
            unfinished.setdefault((item.part, item.url, item.error), item)
    merged.incomplete = list(unfinished.values())
    seen: set[tuple[str, str, str]] = set()
    for audit in group:
        for action in audit.primary_actions:
            key = (action.form, action.label, action.placement)
            if key not in seen:
                seen.add(key)
                merged.primary_actions.append(action)
    return merged


def _first_failing(items: Sequence[T], passed: typing.Callable[[T], bool]) -> T | None:
    if not items:
        return None
    return next((item for item in items if not passed(item)), items[0])


def _one_per(items: Sequence[T], *, key: typing.Callable[[T], str], passed: typing.Callable[[T], bool]) -> list[T]:
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    kept: list[T] = []
    for group in groups.values():
        chosen = _first_failing(group, passed)
        if chosen is not None:
            kept.append(chosen)
    return kept
