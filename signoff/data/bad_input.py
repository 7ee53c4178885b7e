"""Customer files that are wrong on purpose: what does the CRM do with bad input?

Each maker returns a :class:`signoff.data.exchange.DataScenario` whose file has exactly one defect,
made from ordinary generated rows (no tricky values, so that what the CRM does is about the defect
alone), seeded, so the same plan gives the same file byte for byte:

- :func:`empty_file`: 0 bytes;
- :func:`header_only`: the header line and no row;
- :func:`without_column`: every column but one (e.g. no last name, a field the CRM requires);
- :func:`malformed_rows`: a CSV whose last three lines are broken - one cell too many, two cells too
  few, and a quote that opens a cell and never closes. Those rows are expected to be refused; a
  CRM that takes one anyway must store the cells as the line holds them (the opened quote
  included), otherwise it damaged the row;
- :func:`large_file`: about N megabytes of ordinary rows (a 10 MB file is some 60,000 contacts).

The report says for each what the CRM did with it (:func:`signoff.data.exchange.outcome`): refused
it with its message, imported it partly, imported it damaged, dropped rows silently, or failed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from typing import Final

from signoff.crm.data import DataExchange
from signoff.crm.fields import FIELDS, RecordType
from signoff.data import formats
from signoff.data.dataset import Dataset
from signoff.data.exchange import DataScenario, importable_dataset
from signoff.data.plan import DataSection

#: The kinds of bad file, with what the report calls them.
BAD_INPUTS: Final[dict[str, str]] = {
    "empty": "an empty file (0 bytes)",
    "header-only": "a header line and no row",
    "missing-column": "a file without the {field} column",
    "malformed": "a CSV with malformed rows (a cell too many, cells too few, an unclosed quote)",
    "large": "a file of {megabytes} MB ({rows} rows)",
}

#: The extra cell of the "one cell too many" line.
EXTRA_CELL: Final = "EXTRA CELL"
#: The last cell of the unclosed-quote line, as it is written in the file.
UNCLOSED: Final = '"Unclosed quote, the line ends here'


def _plain(crm_data: DataExchange, section: DataSection, record_type: RecordType, count: int, tag: str) -> Dataset:
    """``count`` ordinary rows, only the columns the CRM's import can fill."""
    return importable_dataset(crm_data, section, record_type, count, tag, tricky=False)


def _scenario(dataset: Dataset, content: bytes, name: str, fmt: str, bad_input: str) -> DataScenario:
    file_name = f"signoff-{dataset.record_type}s-{name}{formats.EXTENSIONS[fmt]}"
    return DataScenario(dataset=dataset, content=content, file_name=file_name, fmt=fmt, bad_input=bad_input)


def empty_file(crm_data: DataExchange, section: DataSection, record_type: RecordType) -> DataScenario:
    """A file of 0 bytes."""
    dataset = dataclasses.replace(_plain(crm_data, section, record_type, 1, "empty"), rows=(), cases=())
    return _scenario(dataset, b"", "empty", "csv", BAD_INPUTS["empty"])


def header_only(crm_data: DataExchange, section: DataSection, record_type: RecordType) -> DataScenario:
    """The header line of a customer file, and no row."""
    dataset = dataclasses.replace(_plain(crm_data, section, record_type, 1, "header"), rows=(), cases=())
    content = formats.write_rows([dataset.headers()], "csv")
    return _scenario(dataset, content, "header-only", "csv", BAD_INPUTS["header-only"])


def without_column(
    crm_data: DataExchange, section: DataSection, record_type: RecordType, count: int, field: str
) -> DataScenario:
    """``count`` ordinary rows with every importable column but ``field`` (a canonical key).

    ``ValueError`` for the key column (rows could not be matched without it) or a column the file
    would not have anyway."""
    dataset = _plain(crm_data, section, record_type, count, f"{count}no{field.replace('_', '')}")
    if field == dataset.key:
        raise ValueError(
            f"the {FIELDS[field].english} column is the key the rows are matched by: it cannot be left out"
        )
    if field not in dataset.columns:
        raise ValueError(
            f"a generated {record_type} file has no {FIELDS[field].english} column to leave out; "
            f"its columns: {', '.join(FIELDS[c].english for c in dataset.columns)}"
        )
    dataset = dataclasses.replace(dataset, columns=tuple(c for c in dataset.columns if c != field))
    bad = BAD_INPUTS["missing-column"].format(field=FIELDS[field].english)
    return _scenario(dataset, formats.write(dataset, "csv"), f"without-{field}-{count}", "csv", bad)


def malformed_rows(crm_data: DataExchange, section: DataSection, record_type: RecordType, count: int) -> DataScenario:
    """``count`` rows of which the last three lines are malformed (see the module docstring)."""
    if count < 4:
        raise ValueError(f"a file with malformed rows needs at least 4 rows (one sound), not {count}")
    dataset = _plain(crm_data, section, record_type, count, f"{count}malformed")
    columns = dataset.columns
    too_many, too_few, unclosed = count - 3, count - 2, count - 1
    rows = [dict(row) for row in dataset.rows]
    # Two cells too few: the last two fields are simply absent from the line.
    for column in columns[-2:]:
        rows[too_few][column] = ""
    rows[unclosed][columns[-1]] = UNCLOSED
    dataset = dataclasses.replace(dataset, rows=tuple(rows), expect_refused=frozenset({too_many, too_few, unclosed}))
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(dataset.headers())
    for index in range(count - 1):
        values = dataset.values(index)
        if index == too_many:
            values = [*values, EXTRA_CELL]
        elif index == too_few:
            values = values[:-2]
        writer.writerow(values)
    # The unclosed quote is written by hand: a CSV writer would (rightly) quote the cell.
    head = io.StringIO(newline="")
    csv.writer(head, lineterminator="").writerow(dataset.values(unclosed)[:-1])
    content = (text.getvalue() + head.getvalue() + "," + UNCLOSED + "\r\n").encode("utf-8")
    return _scenario(dataset, content, f"malformed-{count}", "csv", BAD_INPUTS["malformed"])


def large_file(crm_data: DataExchange, section: DataSection, record_type: RecordType, megabytes: int) -> DataScenario:
    """About ``megabytes`` MB (10^6 bytes) of ordinary rows as CSV; the row count is worked out from
    a 200-row sample, so the same seed gives the same file."""
    if not 1 <= megabytes <= 100:
        raise ValueError(f"a large file is between 1 and 100 MB, not {megabytes}")
    sample = _plain(crm_data, section, record_type, 200, "sample")
    per_row = (len(formats.write(sample, "csv")) - len(",".join(sample.headers()))) / 200
    rows = math.ceil(megabytes * 1_000_000 / per_row)
    dataset = _plain(crm_data, section, record_type, rows, f"{megabytes}mb")
    content = formats.write(dataset, "csv")
    bad = BAD_INPUTS["large"].format(megabytes=f"{len(content) / 1e6:.1f}", rows=rows)
    return _scenario(dataset, content, f"{megabytes}mb", "csv", bad)
