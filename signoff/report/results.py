"""Reading an ``allure-results`` folder: each scenario with its Gherkin steps and their attachments.

Signoff's pytest plugin records every Gherkin step as an Allure step named as the feature wrote it
(``Given I add an organisation "Acme"``, ``假如 我新增公司 "甲"``) and attaches screenshots to the
step they follow (``after: ...`` with ``--signoff-screenshots every-step``, ``failed: ...`` on a
failure). That is all the defect list needs for its steps to reproduce and evidence, and all the
user manual needs for its numbered steps and screenshots.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


@dataclasses.dataclass(frozen=True)
class Attachment:
    name: str
    #: File name inside the results folder.
    source: str
    type: str


@dataclasses.dataclass(frozen=True)
class StepRecord:
    name: str
    status: str
    attachments: tuple[Attachment, ...] = ()
    message: str = ""


@dataclasses.dataclass(frozen=True)
class ScenarioRecord:
    """One Allure test result of a scenario."""

    uuid: str
    name: str
    status: str
    message: str
    steps: tuple[StepRecord, ...]
    attachments: tuple[Attachment, ...]
    labels: Mapping[str, tuple[str, ...]]
    start: int = 0
    stop: int = 0

    def label(self, name: str) -> str:
        values = self.labels.get(name, ())
        return values[0] if values else ""

    @property
    def feature(self) -> str:
        return self.label("feature")

    def screenshots(self) -> Iterator[tuple[StepRecord | None, Attachment]]:
        """Every PNG attachment with the step it belongs to (``None``: the test's own)."""
        for step in self.steps:
            for attachment in step.attachments:
                if attachment.type == "image/png":
                    yield step, attachment
        for attachment in self.attachments:
            if attachment.type == "image/png":
                yield None, attachment


def _attachments(items: Any) -> tuple[Attachment, ...]:
    result = []
    for item in items or ():
        if isinstance(item, Mapping) and item.get("source"):
            result.append(Attachment(str(item.get("name", "")), str(item["source"]), str(item.get("type", ""))))
    return tuple(result)


def _steps(items: Any) -> Iterator[StepRecord]:
    for item in items or ():
        if not isinstance(item, Mapping):
            continue
        # Attachments of nested steps (a page object's own allure.step) belong to the Gherkin step.
        nested = [a for child in item.get("steps", ()) or () for a in _flat_attachments(child)]
        yield StepRecord(
            name=str(item.get("name", "")),
            status=str(item.get("status", "")),
            attachments=_attachments(item.get("attachments")) + tuple(nested),
            message=str((item.get("statusDetails") or {}).get("message", "") or ""),
        )


def _flat_attachments(item: Any) -> list[Attachment]:
    if not isinstance(item, Mapping):
        return []
    found = list(_attachments(item.get("attachments")))
    for child in item.get("steps", ()) or ():
        found += _flat_attachments(child)
    return found


def read_results(results_dir: Path) -> list[ScenarioRecord]:
    """Every ``*-result.json`` of ``results_dir`` (unreadable files are left out), oldest first."""
    records = []
    for path in sorted(Path(results_dir).glob("*-result.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, Mapping):
            continue
        labels: dict[str, list[str]] = {}
        for item in data.get("labels", ()) or ():
            if isinstance(item, Mapping) and "name" in item:
                labels.setdefault(str(item["name"]), []).append(str(item.get("value", "")))
        records.append(
            ScenarioRecord(
                uuid=str(data.get("uuid", path.stem)),
                name=str(data.get("name", "")),
                status=str(data.get("status", "")),
                message=str((data.get("statusDetails") or {}).get("message", "") or ""),
                steps=tuple(_steps(data.get("steps"))),
                attachments=_attachments(data.get("attachments")),
                labels={key: tuple(values) for key, values in labels.items()},
                start=int(data.get("start", 0) or 0),
                stop=int(data.get("stop", 0) or 0),
            )
        )
    records.sort(key=lambda record: (record.start, record.name))
    return records


def latest_by_scenario(records: list[ScenarioRecord]) -> dict[tuple[str, str], ScenarioRecord]:
    """The last result of each (feature, scenario name): a retried scenario counts by its last try."""
    latest: dict[tuple[str, str], ScenarioRecord] = {}
    for record in records:
        latest[(record.feature, record.name)] = record
    return latest
