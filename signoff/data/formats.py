"""Data files as analysts and CRMs write them: CSV in several encodings and separators, and XLSX.

Writing (:func:`write`), byte for byte reproducible:

- ``csv``: UTF-8 without BOM, commas, CR LF line ends, quotes only where needed (RFC 4180);
- ``csv-bom``: the same with a UTF-8 byte-order mark (Excel's "CSV UTF-8");
- ``csv-gb18030``: GB18030, what Excel writes on a Chinese Windows (a superset of GBK that can
  encode every character, emoji included);
- ``csv-semicolon``: semicolons, UTF-8 with BOM - Excel's CSV where the list separator is ``;``;
- ``csv-utf16``: UTF-16 with its BOM and tabs, Excel's "Unicode text" - an encoding many CRMs do
  not read (the bad-input case: the report says what the CRM did with it);
- ``xlsx``: one sheet through openpyxl, every value a text cell (a phone ``0123`` stays text). The
  document's creation and modification times and every zip entry's date are fixed, so the same
  rows give the same bytes.

Reading (:func:`read`) takes whatever the CRM or the analyst produced: XLSX by its zip signature;
CSV with a BOM as UTF-8, else UTF-8 if it decodes, else GB18030; the separator sniffed among comma,
semicolon and tab. A file that is neither is a :class:`DataFileError` (one line), never a traceback.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Final

from signoff.data.dataset import Dataset

#: Fixed time of XLSX documents and zip entries (the zip format starts at 1980).
_FIXED = (1980, 1, 1, 0, 0, 0)
_FIXED_W3C = "1980-01-01T00:00:00Z"
_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")

EXTENSIONS: Final[dict[str, str]] = {
    "csv": ".csv",
    "csv-bom": ".csv",
    "csv-gb18030": ".csv",
    "csv-semicolon": ".csv",
    "csv-utf16": ".csv",
    "xlsx": ".xlsx",
}


class DataFileError(ValueError):
    """A data file that cannot be read; the message is one line."""


@dataclasses.dataclass(frozen=True)
class Table:
    """A file's cells as text: header line, rows, and how the file was written."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: ``utf-8``, ``utf-8-sig``, ``gb18030`` or ``xlsx``.
    encoding: str
    #: ``,`` ``;`` or a tab for CSV; ``""`` for XLSX.
    delimiter: str = ""


def write(dataset: Dataset, fmt: str, language: str = "en") -> bytes:
    """The dataset as a file of format ``fmt`` (see the module docstring), headers in ``language``."""
    lines = [dataset.headers(language), *(dataset.values(i) for i in range(len(dataset.rows)))]
    return write_rows(lines, fmt)


def write_rows(lines: Sequence[Sequence[str]], fmt: str) -> bytes:
    """Rows of text (header first) as a file of format ``fmt``."""
    if fmt == "xlsx":
        return _xlsx(lines)
    encodings = {
        "csv": "utf-8",
        "csv-bom": "utf-8-sig",
        "csv-gb18030": "gb18030",
        "csv-semicolon": "utf-8-sig",
        "csv-utf16": "utf-16",
    }
    if fmt not in encodings:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(EXTENSIONS)}")
    text = io.StringIO(newline="")
    delimiter = {"csv-semicolon": ";", "csv-utf16": "\t"}.get(fmt, ",")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(lines)
    return text.getvalue().encode(encodings[fmt])


def _xlsx(lines: Sequence[Sequence[str]]) -> bytes:
    from openpyxl import Workbook  # type: ignore[import-untyped]  # openpyxl ships no type hints

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its one sheet
    for line in lines:
        # Every value is written as text: openpyxl keeps a str as a string cell, never a number.
        sheet.append([ooxml_escape(str(value)) for value in line])
    raw = io.BytesIO()
    book.save(raw)
    return _reproducible_zip(raw.getvalue())


_OOXML_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_OOXML_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_escape(text: str) -> str:
    """A cell's text as Excel stores it: a carriage return as ``_x000D_`` (XML would turn CR LF into
    LF), and a literal ``_xHHHH_`` protected as ``_x005F_xHHHH_`` (OOXML's ST_Xstring escaping)."""
    text = _OOXML_ESCAPE.sub(lambda match: "_x005F" + match.group(0), text)
    return text.replace("\r", "_x000D_")


def ooxml_unescape(text: str) -> str:
    """The inverse of :func:`ooxml_escape`, as Excel reads a cell (openpyxl leaves the escapes)."""
    return _OOXML_ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


def _reproducible_zip(data: bytes) -> bytes:
    """The same archive with fixed entry dates and fixed document times (openpyxl stamps "now")."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            body = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                body = _CORE_TIMES.sub(rb"\g<1>" + _FIXED_W3C.encode() + rb"\g<3>", body)
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, body)
    return out.getvalue()


# ----------------------------------------------------------------------------- reading


def read_file(path: Path) -> Table:
    """Read a data file; a missing or unreadable file is a one-line :class:`DataFileError`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataFileError(f"data file not found: {path}") from None
    except OSError as error:
        raise DataFileError(f"data file {path} cannot be read: {error.strerror}") from None
    return read(data, path.name)


def read(data: bytes, name: str = "file") -> Table:
    """The cells of a CSV or XLSX file's content."""
    if not data.strip():
        raise DataFileError(f"{name}: the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name)
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "gb18030"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise DataFileError(f"{name}: neither UTF-8 nor GB18030 text, nor an XLSX workbook") from None
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if any(c in first for c in ";,\t") else ","
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        raise DataFileError(f"{name}: malformed CSV: {error}") from None
    lines = [line for line in lines if line]
    if not lines:
        raise DataFileError(f"{name}: the file has no header line")
    return Table(tuple(lines[0]), tuple(tuple(line) for line in lines[1:]), encoding, delimiter)


def _read_xlsx(data: bytes, name: str) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged archive
        raise DataFileError(f"{name}: not a readable XLSX workbook ({type(error).__name__})") from None
    try:
        sheet = book.worksheets[0]
        lines = [tuple(cell_text(value) for value in row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    lines = [line for line in lines if any(line)]
    if not lines:
        raise DataFileError(f"{name}: the workbook's first sheet is empty")
    width = max(len(line) for line in lines)
    padded = [line + ("",) * (width - len(line)) for line in lines]
    headers = padded[0]
    # Trailing empty header cells are the sheet's used range, not columns.
    while headers and not headers[-1]:
        headers = headers[:-1]
    return Table(headers, tuple(line[: max(len(headers), 1)] for line in padded[1:]), "xlsx")


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person reads in it, without rounding or reformatting.

    A number stays what the cell holds (``123`` or ``123.5``, never ``0123``: a lost leading zero
    is visible as such); a date is ISO.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return ooxml_unescape(str(value)) if isinstance(value, str) else str(value)
