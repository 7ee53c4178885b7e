"""Data integrity on the real Creme: the round trip of a small tricky file, and a planted change caught.

Uses the kit's own fixtures (the embedded Creme of the plan, a signed-in browser context, the
``crm`` adapter), as the data steps do. What Creme does with each tricky case is printed (``-s``)
and is a finding of the data area, not a failure of this test: the test checks that the kit
accounts for every row and that one changed cell in an exported file is caught.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping, Sequence

import pytest

from signoff.crm import CRM
from signoff.crm.data import ExportedFile
from signoff.data.compare import KINDS, Comparison
from signoff.data.exchange import compare_export, export_from, generated_file, import_into
from signoff.data.plan import DataSection

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]


def test_a_tricky_file_round_trips_and_a_planted_change_is_caught(crm: CRM) -> None:
    section = DataSection(seed=424242)
    scenario = generated_file(crm.data, section, "contact", 24, "csv")
    result = import_into(crm.data, scenario)
    assert result.finished, result
    assert result.lines == 24, result
    export_from(crm.data, scenario, "csv")
    comparison = compare_export(scenario, section)

    print(f"\nCreme import: {scenario.import_summary()}")
    for kind, items in comparison.by_kind().items():
        for mismatch in items:
            print(
                f"  {KINDS[kind]}: {mismatch.field} of {mismatch.cases}: {mismatch.expected!r} -> {mismatch.actual!r}"
            )
    # Every row of the file is accounted for: found in the export, refused with a reason, or dropped.
    assert comparison.rows_in == 24
    assert comparison.matched + len(comparison.refused) + len(comparison.missing) == 24
    assert not comparison.extra, comparison.extra
    assert comparison.rows_out == comparison.matched + len(comparison.extra)

    # A planted change of one cell that came back exactly is caught, and only it.
    exact = _exact_cell(comparison, scenario.dataset.rows)
    planted = dataclasses.replace(scenario, exported=_planted(scenario.exported, *exact))
    again = compare_export(planted, section)
    new = set(again.mismatches) - set(comparison.mismatches)
    assert [(m.key, m.field, m.actual) for m in new] == [(exact[0], exact[1], "0000")], new


def _exact_cell(comparison: Comparison, rows: Sequence[Mapping[str, str]]) -> tuple[str, str]:
    """A (key, field) of a row whose phone came back exactly."""
    changed = {(m.key, m.field) for m in comparison.mismatches}
    for row in rows:
        if row["phone"] and (row["email"], "phone") not in changed:
            return row["email"], "phone"
    raise AssertionError("no phone came back exactly")


def _planted(exported: ExportedFile | None, key: str, field: str) -> ExportedFile:
    assert exported is not None
    text = exported.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    column = exported.columns.index(field)
    key_column = exported.columns.index("email")
    for line in lines[1:]:
        if line[key_column] == key:
            line[column] = "0000"
    out = io.StringIO(newline="")
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(lines)
    return dataclasses.replace(exported, content=out.getvalue().encode("utf-8"))
