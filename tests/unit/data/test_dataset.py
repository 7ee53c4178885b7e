"""The generator and the file writers: seeded and reproducible byte for byte, every tricky case
present, each format in the encoding and with the separator it says, and read back unchanged."""

from __future__ import annotations

import io
import zipfile

import pytest

from signoff.data.dataset import CASES, COLUMNS, generate
from signoff.data.formats import DataFileError, read, write
from signoff.data.plan import FORMATS

LIMITS = {"last_name": 100, "name": 200}


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_seed_same_file_byte_for_byte(fmt: str) -> None:
    first = write(generate("contact", 40, 7, limits=LIMITS), fmt)
    again = write(generate("contact", 40, 7, limits=LIMITS), fmt)
    other = write(generate("contact", 40, 8, limits=LIMITS), fmt)
    assert first == again
    assert first != other


def test_every_tricky_case_is_present_in_a_contact_file() -> None:
    dataset = generate("contact", 40, 3, limits=LIMITS, date_formats=("%Y-%m-%d", "%d/%m/%Y"))
    assert dataset.cases_present() == set(CASES)
    assert dataset.columns == COLUMNS["contact"]


def test_every_tricky_case_but_dates_is_present_in_an_organisation_file() -> None:
    # Organisations have no date field: the date case belongs to contacts.
    assert generate("organisation", 30, 3, limits=LIMITS).cases_present() == set(CASES) - {"date"}


def test_the_tricky_values_are_what_the_cases_say() -> None:
    dataset = generate("contact", 40, 5, limits=LIMITS, date_formats=("%Y-%m-%d", "%d/%m/%Y"))
    by_case = {
        cases[0]: (index, row)
        for index, (cases, row) in enumerate(zip(dataset.cases, dataset.rows, strict=True))
        if cases
    }
    assert len(by_case["at-length-limit"][1]["last_name"]) == 100
    past_index, past = by_case["past-length-limit"]
    assert len(past["last_name"]) == 101
    assert dataset.expect_refused == frozenset({past_index})
    assert by_case["leading-zero-phone"][1]["phone"].startswith("0")
    assert by_case["plus-phone"][1]["phone"].startswith("+")
    assert by_case["leading-zero-postcode"][1]["postcode"].startswith("0")
    assert "\n" in by_case["line-break-in-field"][1]["description"]
    assert "\r\n" in by_case["crlf-in-field"][1]["description"]
    assert "\t" in by_case["tab-in-field"][1]["description"]
    assert by_case["surrounding-spaces"][1]["last_name"] != by_case["surrounding-spaces"][1]["last_name"].strip()
    duplicate_index = by_case["duplicate"][0]
    assert dataset.rows[duplicate_index] == dataset.rows[duplicate_index - 1]
    empty = by_case["empty-optional"][1]
    assert empty["phone"] == empty["description"] == "" and empty["last_name"]
    dates = [row["birthday"] for cases, row in zip(dataset.cases, dataset.rows, strict=True) if cases == ("date",)]
    assert dates == ["1984-02-29", "29/02/1984"]
    # Keys are unique but for the duplicate, and carry the dataset's scope.
    keys = [row["email"] for row in dataset.rows]
    assert len(set(keys)) == len(keys) - 1
    assert all(key.endswith(dataset.scope) and key.isascii() for key in keys)


def test_both_locales_are_used() -> None:
    dataset = generate("contact", 30, 9, limits=LIMITS)
    ordinary = [row for cases, row in zip(dataset.cases, dataset.rows, strict=True) if not cases]
    assert any(not row["last_name"].isascii() for row in ordinary)
    assert any(row["last_name"].isascii() for row in ordinary)


def test_encodings_and_separators_are_as_stated() -> None:
    dataset = generate("contact", 30, 11, limits=LIMITS)
    plain = write(dataset, "csv")
    assert not plain.startswith(b"\xef\xbb\xbf")
    plain.decode("utf-8")
    assert write(dataset, "csv-bom").startswith(b"\xef\xbb\xbf")
    chinese = write(dataset, "csv-gb18030")
    with pytest.raises(UnicodeDecodeError):
        chinese.decode("utf-8")
    assert chinese.decode("gb18030") == plain.decode("utf-8")
    semicolon = write(dataset, "csv-semicolon").decode("utf-8-sig")
    assert semicolon.split("\r\n", 1)[0].count(";") == len(dataset.columns) - 1
    assert plain.split(b"\r\n", 1)[0].count(b",") == len(dataset.columns) - 1


def test_xlsx_has_fixed_times_and_text_cells() -> None:
    content = write(generate("contact", 25, 2, limits=LIMITS), "xlsx")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z" in core
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 't="n"' not in sheet  # every value is text: a phone "0123" is no number


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_reads_back_exactly(fmt: str) -> None:
    dataset = generate("contact", 30, 4, limits=LIMITS)
    table = read(write(dataset, fmt), f"file.{fmt}")
    assert list(table.headers) == dataset.headers()
    assert [list(row) for row in table.rows] == [dataset.values(i) for i in range(len(dataset.rows))]
    assert table.delimiter == {"xlsx": "", "csv-semicolon": ";", "csv-utf16": "\t"}.get(fmt, ",")


def test_chinese_headers() -> None:
    dataset = generate("organisation", 25, 4, limits=LIMITS)
    assert read(write(dataset, "csv-gb18030", "zh")).headers[:2] == ("邮箱", "名称")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x81\x30\xff\x00", "neither UTF-8 nor GB18030"),
        (b"PK\x03\x04broken", "not a readable XLSX"),
        (b'email,name\n"a@x.example,"unclosed\n', "malformed CSV"),
    ],
    ids=["empty", "not-text", "broken-xlsx", "unclosed-quote"],
)
def test_unreadable_files_are_one_line_errors(content: bytes, message: str) -> None:
    with pytest.raises(DataFileError) as error:
        read(content, "bad.csv")
    assert message in str(error.value) and "\n" not in str(error.value)
