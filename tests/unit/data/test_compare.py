"""The comparison on small hand-made files: identical files pass, one changed cell fails, and each
kind of change is found and named."""

from __future__ import annotations

import pytest

from signoff.data.compare import classify, compare, visible
from signoff.data.formats import read

FILE = (
    "email,last name,phone,postcode,birthday,description\r\n"
    "a@x.example,李雷,0123456789,01234,1984-02-29,plain\r\n"
    'b@x.example,Zoë,+86 138 0013 8000,75001,1990-01-31,"line one\r\nline two"\r\n'
    'c@x.example,  Spaced ,020 7946 0958,10115,2001-12-01,"tab\there"\r\n'
)
KEYS = {"email": "email", "last name": "last_name", "phone": "phone", "postcode": "postcode"}
FIELDS = ["email", "last_name", "phone", "postcode", "birthday", "description"]


def rows(content: str | bytes) -> list[dict[str, str]]:
    table = read(content.encode("utf-8") if isinstance(content, str) else content, "f.csv")
    names = [{"last name": "last_name"}.get(header, header) for header in table.headers]
    return [dict(zip(names, row, strict=True)) for row in table.rows]


def run(actual: str | bytes, **options: object) -> object:
    return compare(rows(FILE), rows(actual), key="email", fields=FIELDS, stage="exported", **options)  # type: ignore[arg-type]


def test_identical_files_pass() -> None:
    result = run(FILE)
    assert result.matched == 3
    assert not result.mismatches and not result.missing and not result.extra


def test_the_same_rows_in_another_order_and_encoding_pass() -> None:
    first_row = FILE.split("\r\n")[1] + "\r\n"
    reordered = FILE.replace(first_row, "") + first_row
    assert not run(reordered.encode("gb18030")).mismatches


def test_one_changed_cell_fails() -> None:
    result = run(FILE.replace("75001", "75002"))
    assert len(result.mismatches) == 1
    mismatch = result.mismatches[0]
    assert (mismatch.key, mismatch.field, mismatch.expected, mismatch.actual) == (
        "b@x.example",
        "postcode",
        "75001",
        "75002",
    )
    assert mismatch.kind == "changed" and mismatch.row == 2


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ("李雷", "??", "encoding"),
        ("Zoë", "ZoÃ«", "encoding"),
        ("李雷", "鏉庨浄", "encoding"),
        ("0123456789", "123456789", "leading-zero"),
        ("+86 138 0013 8000", "86 138 0013 8000", "leading-zero"),
        ("01234", "1234", "leading-zero"),
        ("020 7946 0958", "02079460958", "number"),
        ("1984-02-29", "29/02/1984", "date"),
        ('"line one\r\nline two"', '"line one\nline two"', "line-break"),
        ('"line one\r\nline two"', '"line one line two"', "line-break"),
        ("  Spaced ", "Spaced", "whitespace"),
        ('"tab\there"', '"tab here"', "whitespace"),
        ("plain", "pla", "truncation"),
        ("plain", "", "lost"),
    ],
)
def test_each_kind_of_change_is_named(old: str, new: str, kind: str) -> None:
    result = run(FILE.replace(old, new, 1))
    assert [m.kind for m in result.mismatches] == [kind], result.mismatches


def test_number_conversion() -> None:
    assert classify("1 234", "1234.0") == "number"
    assert classify("12,500", "12500") == "number"


def test_missing_extra_and_refused_rows() -> None:
    without_b = FILE.split("b@x.example")[0] + FILE.split('line two"\r\n')[1]
    extra = FILE + "d@x.example,New,1,2,2000-01-01,x\r\n"
    dropped = run(without_b)
    assert dropped.missing == (("b@x.example", 2),)
    refused = run(without_b, refused={"b@x.example": "Ensure this value has at most 100 characters"})
    assert not refused.missing
    assert refused.refused == (("b@x.example", 2, "Ensure this value has at most 100 characters"),)
    assert refused.unexpected_refusals == refused.refused
    expected = run(without_b, refused={"b@x.example": "too long"}, expect_refused=[1])
    assert not expected.unexpected_refusals
    assert run(extra).extra == ("d@x.example",)
    # Another record of the CRM is no extra row when the export was not limited to this file.
    assert run(extra, scoped=False).extra == ()


def test_a_duplicate_row_must_come_back_twice() -> None:
    twice = FILE + FILE.split("\r\n")[1] + "\r\n"
    result = compare(rows(twice), rows(FILE), key="email", fields=FIELDS, stage="exported")
    assert result.missing == (("a@x.example", 4),)
    assert compare(rows(twice), rows(twice), key="email", fields=FIELDS, stage="exported").matched == 4


def test_a_normalisation_applies_only_when_listed_and_is_counted() -> None:
    trimmed = FILE.replace("  Spaced ", "Spaced")
    assert run(trimmed).mismatches
    result = run(trimmed, normalise=["trim"])
    assert not result.mismatches
    assert result.normalised == {"trim": 1}
    # A normalisation never hides another kind of change.
    assert run(FILE.replace("0123456789", "123456789"), normalise=["trim", "whitespace"]).mismatches


def test_only_sampled_keys_are_compared() -> None:
    result = compare(
        rows(FILE),
        rows(FILE.replace("75001", "0")),
        key="email",
        fields=FIELDS,
        stage="stored",
        only_keys={"a@x.example"},
    )
    assert result.rows_in == 1 and not result.mismatches
    assert compare(rows(FILE), [], key="email", fields=FIELDS, stage="stored", only_keys={"a@x.example"}).missing == (
        ("a@x.example", 1),
    )


def test_invisible_characters_are_made_visible() -> None:
    assert visible(" a\tb\r\nc\u200b ") == "␣a⇥b␍↵\nc<U+200B>␣"
    assert visible("") == ""


def test_a_file_that_may_be_refused_has_no_unexpected_refusal() -> None:
    result = run(
        FILE.split("\r\n")[0] + "\r\n",
        refused={"a@x.example": "x", "b@x.example": "y", "c@x.example": "z"},
        any_refusal_expected=True,
    )
    assert len(result.refused) == 3 and not result.unexpected_refusals and not result.missing
