"""What one data scenario carries from step to step: the file, what the import said, what came back.

The data steps (``steps/data.py``) keep a :class:`DataScenario` in the scenario's context: the
dataset and the bytes of the file made from it (or the analyst's own file), the CRM's import
result, and - through :func:`compare_export` and :func:`compare_stored` - the comparisons the
report is built from. Everything here goes through :class:`signoff.crm.data.DataExchange`; no CRM
is known by name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from signoff.crm.data import DataExchange, ExportedFile, ImportResult
from signoff.crm.fields import RecordType
from signoff.data import formats
from signoff.data.compare import Comparison, compare
from signoff.data.dataset import Dataset, from_records, generate
from signoff.data.plan import DataSection


@dataclasses.dataclass
class DataScenario:
    """The file of one scenario and what became of it."""

    dataset: Dataset
    #: The file's bytes, its name and format (``csv``, ``xlsx`` ...).
    content: bytes
    file_name: str
    fmt: str
    result: ImportResult | None = None
    exported: ExportedFile | None = None
    comparisons: list[Comparison] = dataclasses.field(default_factory=list)
    #: Bad input (an encoding the CRM may not read): refusing any row, or the whole file, is right.
    may_be_refused: bool = False
    #: What is wrong with the file on purpose (``an empty file (0 bytes)``); "" for a sound file.
    bad_input: str = ""

    @property
    def record_type(self) -> RecordType:
        return self.dataset.record_type

    def refused_by_key(self) -> dict[str, str]:
        """The CRM's refusals matched to the file's rows by the key cell (key → reason)."""
        if self.result is None:
            return {}
        if self.result.file_refusal:
            # The CRM refused the file as a whole: every row is refused, with that reason.
            return {row[self.dataset.key]: self.result.file_refusal for row in self.dataset.rows}
        index = self.dataset.columns.index(self.dataset.key)
        refused: dict[str, str] = {}
        for refusal in self.result.refused:
            key = refusal.values[index] if index < len(refusal.values) else ""
            refused[key] = refusal.reason
        return refused

    def import_summary(self) -> str:
        if self.result is None:
            return "not imported"
        result = self.result
        if result.server_error:
            return f"the CRM failed on the file ({self.fmt}, {len(self.dataset.rows)} rows): {result.server_error}"
        if result.file_refusal:
            return f"the CRM refused the file ({self.fmt}, {len(self.dataset.rows)} rows): {result.file_refusal}"
        return (
            f"{result.status}: {result.created} created, {result.updated} updated, "
            f"{len(result.refused)} refused, {result.lines if result.lines >= 0 else '?'} lines read "
            f"({len(self.dataset.rows)} rows in the file, {self.fmt})"
        )


def importable_dataset(
    crm_data: DataExchange, section: DataSection, record_type: RecordType, count: int, tag: str, tricky: bool = True
) -> Dataset:
    """``count`` generated rows (tricky ones first unless ``tricky`` is false), limits and date formats
    taken from the CRM, with only the columns the CRM's import can fill: another column could not be
    mapped by a user. ``tag`` keeps the keys of two files of one feature apart (they share the CRM)."""
    dataset = generate(
        record_type,
        count,
        section.seed,
        limits=crm_data.field_limits(record_type),
        date_formats=crm_data.date_formats(),
        tag=f"-{record_type[0]}{tag}",
        tricky=tricky,
    )
    importable = set(crm_data.importable_fields(record_type))
    return dataclasses.replace(dataset, columns=tuple(column for column in dataset.columns if column in importable))


def generated_file(
    crm_data: DataExchange, section: DataSection, record_type: RecordType, count: int, fmt: str, language: str = "en"
) -> DataScenario:
    """A generated file of ``count`` tricky rows (see :func:`importable_dataset`)."""
    dataset = importable_dataset(crm_data, section, record_type, count, f"{count}{fmt.replace('-', '')}")
    content = formats.write(dataset, fmt, language)
    name = f"signoff-{record_type}s-{section.seed}-{count}{formats.EXTENSIONS[fmt]}"
    return DataScenario(dataset=dataset, content=content, file_name=name, fmt=fmt)


def analyst_file(path: Path, record_type: RecordType, key: str) -> DataScenario:
    """An analyst's own CSV or XLSX file (headers are business field names); one-line errors."""
    table = formats.read_file(path)
    dataset = from_records(record_type, table.headers, table.rows, key=key, source=path.name)
    content = path.read_bytes()
    return DataScenario(dataset=dataset, content=content, file_name=path.name, fmt=table.encoding)


def import_into(crm_data: DataExchange, scenario: DataScenario) -> ImportResult:
    """Import the scenario's file with each column mapped to its business field."""
    columns = {column: number for number, column in enumerate(scenario.dataset.columns, start=1)}
    scenario.result = crm_data.import_file(scenario.record_type, scenario.file_name, scenario.content, columns)
    return scenario.result


def export_from(crm_data: DataExchange, scenario: DataScenario, fmt: str) -> ExportedFile:
    """Download the list (searched for this file's records when the file is generated)."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"a list exports as CSV or XLSX, not {fmt}")
    scenario.exported = crm_data.export_list(
        scenario.record_type,
        "csv" if fmt == "csv" else "xlsx",
        scenario.dataset.columns,
        scenario.dataset.scope,
    )
    return scenario.exported


def exported_rows(exported: ExportedFile) -> list[dict[str, str]]:
    """The exported file's rows by business field key (columns as the adapter named them)."""
    if not exported.content.strip():
        return []  # an empty list may download as an empty file
    table = formats.read(exported.content, exported.name)
    return [
        {key: (row[i] if i < len(row) else "") for i, key in enumerate(exported.columns) if key} for row in table.rows
    ]


def compare_export(scenario: DataScenario, section: DataSection) -> Comparison:
    """The file against the exported list, field by field."""
    if scenario.exported is None:
        raise RuntimeError("nothing was exported in this scenario: export the list first")
    dataset = scenario.dataset
    fields = [column for column in dataset.columns if column in scenario.exported.columns]
    comparison = compare(
        dataset.rows,
        exported_rows(scenario.exported),
        key=dataset.key,
        fields=fields,
        stage="exported",
        record_type=dataset.record_type,
        source=dataset.source or scenario.file_name,
        other=f"export as {scenario.exported.name}",
        refused=scenario.refused_by_key(),
        expect_refused=sorted(dataset.expect_refused),
        cases=dataset.cases,
        normalise=section.normalise,
        scoped=bool(dataset.scope),
        any_refusal_expected=scenario.may_be_refused,
    )
    unmapped = tuple(column for column in dataset.columns if column not in scenario.exported.columns)
    comparison = dataclasses.replace(comparison, unmapped=unmapped)
    scenario.comparisons.append(comparison)
    return comparison


def sample_keys(dataset: Dataset, size: int) -> list[str]:
    """The keys of the rows opened on their own pages: every tricky row first, then ordinary ones."""
    tricky = [row[dataset.key] for row, cases in zip(dataset.rows, dataset.cases, strict=False) if cases]
    others = [row[dataset.key] for row in dataset.rows]
    chosen = list(dict.fromkeys([*tricky, *others]))
    return chosen[: max(size, len(tricky))]


def compare_stored(
    crm_data: DataExchange, scenario: DataScenario, section: DataSection, keys: Sequence[str]
) -> Comparison:
    """The file against the stored values of a sample of records, read from their own pages."""
    dataset = scenario.dataset
    refused_file = scenario.result is not None and bool(scenario.result.file_refusal)
    # A file the CRM refused as a whole stored nothing: no record page to open.
    stored = [] if refused_file else crm_data.stored_records(dataset.record_type, keys, dataset.columns, dataset.key)
    fields = [column for column in dataset.columns if not stored or column in stored[0]]
    comparison = compare(
        dataset.rows,
        stored,
        key=dataset.key,
        fields=fields,
        stage="stored",
        record_type=dataset.record_type,
        source=dataset.source or scenario.file_name,
        other=f"{len(keys)} records opened",
        refused=scenario.refused_by_key(),
        expect_refused=sorted(dataset.expect_refused),
        cases=dataset.cases,
        normalise=section.normalise,
        only_keys=set(keys),
    )
    scenario.comparisons.append(comparison)
    return comparison


# ----------------------------------------------------------------------------- what the CRM did

#: What a CRM did with a file, in the order :func:`outcome` decides it.
OUTCOMES: dict[str, str] = {
    "not-imported": "not imported",
    "crashed": "failed (server error)",
    "refused": "refused the file",
    "imported-nothing": "imported nothing",
    "damaged": "imported with changed values",
    "dropped": "dropped rows without a refusal",
    "imported-partly": "imported partly",
    "imported": "imported every row",
}


def outcome(scenario: DataScenario, comparison: Comparison | None = None) -> tuple[str, str]:
    """What the CRM did with the scenario's file: a key of :data:`OUTCOMES` and one sentence saying
    it in numbers and in the CRM's own words (``imported 17 of 20 rows, refused 3: ...``).

    ``comparison`` (of the export or storage), when there is one, tells damage and silent drops
    apart from a clean import.
    """
    rows = len(scenario.dataset.rows)
    result = scenario.result
    if result is None:
        return "not-imported", "the file was not imported"
    if result.server_error:
        return "crashed", f"failed instead of answering: {result.server_error}"
    if result.file_refusal:
        return "refused", f"refused the whole file ({rows} rows): {result.file_refusal}"
    taken = result.created + result.updated
    refused = len(result.refused)
    said = f" - {result.message}" if result.message else ""
    if taken == 0:
        if refused and refused >= rows:
            return "refused", f"refused every row ({refused} of {rows}), each with a reason{said}"
        return "imported-nothing", f"imported nothing ({rows} rows in the file, {refused} refused){said}"
    # Rows the file expected to be refused (past a length limit, malformed) that the CRM took anyway.
    took = ""
    if comparison is not None and comparison.accepted_past_limit:
        lines = ", ".join(str(row) for _key, row in comparison.accepted_past_limit)
        took = f", took {len(comparison.accepted_past_limit)} it should have refused (rows {lines})"
    if comparison is not None and (comparison.mismatches or comparison.extra):
        changed = len(comparison.mismatches) + len(comparison.extra)
        return "damaged", f"imported {taken} of {rows} rows{took} and changed {changed} values or rows{said}"
    if comparison is not None and comparison.missing:
        return "dropped", f"imported {taken} of {rows} rows; {len(comparison.missing)} vanished without a refusal"
    if taken < rows:
        return "imported-partly", f"imported {taken} of {rows} rows{took}, refused {refused} with a reason{said}"
    return "imported", f"imported all {rows} rows{took}{said}"
