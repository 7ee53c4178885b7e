"""File → stored → exported, field by field, keyed by a stable column; each change classified.

Why the standard library and not pandas or datacompy: this comparison is about *text* exactly as a
person typed it. pandas reads ``0123`` as the number 123 and ``+86 138`` as text, turns empty cells
into NaN and ``1984-02-29`` into a timestamp unless told otherwise column by column - the very
conversions the acceptance must catch, not perform - and datacompy is built on it (its report is a
summary of numeric tolerances, not of encoding damage or lost line breaks). Neither is installed in
the project, and both together weigh over 60 MB. The data here is a few thousand rows of strings,
matched by one key: two dictionaries and :mod:`difflib`-free rules below compare 5,000 rows in well
under a second (``bench/bench_data.py`` measures it).

Rules:

- rows are matched by the key column; a key that occurs twice in the file must occur twice in the
  other side (the n-th occurrence matches the n-th);
- a file row the CRM refused, with its reason, is *refused* (the import said so) - never a
  mismatch; a file row that is neither refused nor found is *missing* (dropped silently);
- a row on the other side whose key the file does not have is *extra* (only counted when the other
  side is scoped to this file's records, see :func:`compare`);
- a value compared equal only after a normalisation the plan lists (``[data] normalise``) is not a
  mismatch, and the normalisation and how many values it decided are kept for the report;
- every other difference is a :class:`Mismatch`, classified by :func:`classify`.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Final

#: Kinds of change, in the order :func:`classify` tries them, with their business names.
KINDS: Final[dict[str, str]] = {
    "encoding": "encoding damage (?, mojibake)",
    "line-break": "line-break change",
    "whitespace": "whitespace change",
    "leading-zero": "lost leading zero or +",
    "number": "number conversion",
    "date": "date conversion",
    "truncation": "truncation",
    "lost": "value lost",
    "added": "value added",
    "changed": "changed value",
}

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_DATE_FORMATS: Final = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y/%m/%d", "%d.%m.%Y", "%b. %d, %Y")
_NUMBER = re.compile(r"^[+-]?[\d\s.,]*\d(?:[eE][+-]?\d+)?$")


def _normalise_trim(value: str) -> str:
    return value.strip(" \t")


def _normalise_whitespace(value: str) -> str:
    return re.sub(r"[ \t]+", " ", value)


def _normalise_line_breaks(value: str) -> str:
    return _LINE_BREAKS.sub("\n", value)


def _normalise_case(value: str) -> str:
    return value.casefold()


#: The normalisations of :data:`signoff.data.plan.NORMALISATIONS`, as functions.
NORMALISERS: Final[dict[str, Callable[[str], str]]] = {
    "trim": _normalise_trim,
    "whitespace": _normalise_whitespace,
    "line-breaks": _normalise_line_breaks,
    "case": _normalise_case,
}


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """One value that differs: where, what was expected and what came back, and what kind of change."""

    key: str
    field: str
    expected: str
    actual: str
    kind: str
    #: 1-based row of the file (the header is row 0).
    row: int
    #: The tricky cases the row carries, for the report ("plus-phone").
    cases: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One comparison of a file with what came back (``stored`` or ``exported``)."""

    #: ``exported`` or ``stored``.
    stage: str
    record_type: str
    #: What was compared: the file's source and the other side (``export as CSV``).
    source: str
    other: str
    key: str
    fields: tuple[str, ...]
    rows_in: int
    rows_out: int
    matched: int
    mismatches: tuple[Mismatch, ...] = ()
    #: (key, row) of file rows neither found nor refused.
    missing: tuple[tuple[str, int], ...] = ()
    #: Keys found that the file does not have (or has fewer times).
    extra: tuple[str, ...] = ()
    #: (key, row, reason) of rows the CRM refused, as its import result said.
    refused: tuple[tuple[str, int, str], ...] = ()
    #: Refused rows the file did not expect to be refused (valid rows the CRM would not take).
    unexpected_refusals: tuple[tuple[str, int, str], ...] = ()
    #: (key, row) of rows the file expected to be refused that the CRM took.
    accepted_past_limit: tuple[tuple[str, int], ...] = ()
    #: Normalisation name → how many compared values it alone made equal.
    normalised: Mapping[str, int] = dataclasses.field(default_factory=dict)
    #: Columns of the file the other side does not have (not compared; listed in the report).
    unmapped: tuple[str, ...] = ()

    def by_kind(self) -> dict[str, list[Mismatch]]:
        grouped: dict[str, list[Mismatch]] = {}
        for mismatch in self.mismatches:
            grouped.setdefault(mismatch.kind, []).append(mismatch)
        return {kind: grouped[kind] for kind in KINDS if kind in grouped}


def compare(
    expected: Sequence[Mapping[str, str]],
    actual: Sequence[Mapping[str, str]],
    *,
    key: str,
    fields: Sequence[str],
    stage: str,
    record_type: str = "",
    source: str = "",
    other: str = "",
    refused: Mapping[str, str] | None = None,
    expect_refused: Sequence[int] = (),
    cases: Sequence[Sequence[str]] = (),
    normalise: Sequence[str] = (),
    scoped: bool = True,
    only_keys: set[str] | None = None,
    any_refusal_expected: bool = False,
) -> Comparison:
    """Compare ``expected`` (the file's rows) with ``actual`` (what the CRM gave back).

    ``refused`` maps a key to the reason the CRM's import gave; ``expect_refused`` are file row
    indexes that should be refused. ``scoped``: ``actual`` holds only this file's records, so an
    unknown key is an extra row. ``only_keys``: compare only these keys (a sample of detail pages).
    ``any_refusal_expected``: a file the CRM may refuse as a whole (bad input): no refusal is unexpected.
    ``fields``: the columns compared (the key among them or not).
    """
    refused = dict(refused or {})
    normalisers = [(name, NORMALISERS[name]) for name in normalise]
    found: dict[str, list[Mapping[str, str]]] = {}
    for row in actual:
        found.setdefault(row.get(key, ""), []).append(row)
    seen: Counter[str] = Counter()
    mismatches: list[Mismatch] = []
    missing: list[tuple[str, int]] = []
    refused_rows: list[tuple[str, int, str]] = []
    unexpected: list[tuple[str, int, str]] = []
    past_limit: list[tuple[str, int]] = []
    normalised: Counter[str] = Counter()
    matched = 0
    rows_in = 0
    expected_refusals = set(expect_refused)
    for index, row in enumerate(expected):
        row_key = row.get(key, "")
        if only_keys is not None and row_key not in only_keys:
            continue
        rows_in += 1
        occurrence = seen[row_key]
        seen[row_key] += 1
        candidates = found.get(row_key, [])
        if occurrence >= len(candidates):
            if row_key in refused:
                refused_rows.append((row_key, index + 1, refused[row_key]))
                if index not in expected_refusals and not any_refusal_expected:
                    unexpected.append((row_key, index + 1, refused[row_key]))
            else:
                missing.append((row_key, index + 1))
            continue
        if index in expected_refusals:
            past_limit.append((row_key, index + 1))
        other_row = candidates[occurrence]
        matched += 1
        row_cases = tuple(cases[index]) if index < len(cases) else ()
        for field in fields:
            want, got = row.get(field, ""), other_row.get(field, "")
            if want == got:
                continue
            deciding = _deciding_normalisation(want, got, normalisers)
            if deciding is not None:
                normalised[deciding] += 1
                continue
            mismatches.append(Mismatch(row_key, field, want, got, classify(want, got), index + 1, row_cases))
    extra: list[str] = []
    for row_key, rows in found.items():
        if only_keys is not None and row_key not in only_keys:
            continue
        if row_key not in seen and not scoped:
            continue  # another record of the CRM, not one of this file's
        extra += [row_key] * max(0, len(rows) - seen[row_key])
    return Comparison(
        stage=stage,
        record_type=record_type,
        source=source,
        other=other,
        key=key,
        fields=tuple(fields),
        rows_in=rows_in,
        rows_out=len(actual),
        matched=matched,
        mismatches=tuple(mismatches),
        missing=tuple(missing),
        extra=tuple(extra),
        refused=tuple(refused_rows),
        unexpected_refusals=tuple(unexpected),
        accepted_past_limit=tuple(past_limit),
        normalised=dict(normalised),
    )


def _deciding_normalisation(want: str, got: str, normalisers: Sequence[tuple[str, Callable[[str], str]]]) -> str | None:
    """The first listed normalisation after which (with those before it) the two values are equal."""
    for name, normaliser in normalisers:
        want, got = normaliser(want), normaliser(got)
        if want == got:
            return name
    return None


# ----------------------------------------------------------------------------- classification


def classify(expected: str, actual: str) -> str:
    """What kind of change turned ``expected`` into ``actual`` (a key of :data:`KINDS`)."""
    if not actual:
        return "lost"
    if not expected:
        return "added"
    if _encoding_damage(expected, actual):
        return "encoding"
    if _LINE_BREAKS.search(expected) or _LINE_BREAKS.search(actual):
        flat_want = _LINE_BREAKS.sub("\n", expected)
        flat_got = _LINE_BREAKS.sub("\n", actual)
        if flat_want == flat_got or _LINE_BREAKS.sub(" ", expected).split() == _LINE_BREAKS.sub(" ", actual).split():
            return "line-break"
    if expected.split() == actual.split() or expected.strip() == actual.strip():
        return "whitespace"
    if _lost_leading(expected, actual):
        return "leading-zero"
    if _same_number(expected, actual):
        return "number"
    if _same_date(expected, actual):
        return "date"
    if len(actual) < len(expected) and expected.startswith(actual):
        return "truncation"
    return "changed"


def _encoding_damage(expected: str, actual: str) -> bool:
    """``?`` or U+FFFD where non-ASCII text was, or the text read back in the wrong encoding."""
    if ("\ufffd" in actual or "?" in actual) and any(ord(ch) > 127 for ch in expected):
        # Each run of non-ASCII characters replaced by one or more ? or U+FFFD, the rest intact.
        parts = re.split(r"([^\x00-\x7f]+)", expected)
        pattern = "".join(r"[?\ufffd]+" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        if re.fullmatch(pattern, actual):
            return True
    for wrong in ("latin-1", "cp1252", "gb18030", "gbk"):
        for one, other in ((expected, actual), (actual, expected)):
            try:
                if one.encode("utf-8").decode(wrong) == other:
                    return True
            except UnicodeError:
                continue
        try:
            if expected.encode(wrong).decode("utf-8") == actual:
                return True
        except UnicodeError:
            pass
    return False


def _lost_leading(expected: str, actual: str) -> bool:
    stripped = expected.lstrip()
    if stripped[:1] not in ("0", "+"):
        return False
    digits_want = re.sub(r"\D", "", expected)
    digits_got = re.sub(r"\D", "", actual.split(".")[0] if re.fullmatch(r"\d+\.0+", actual) else actual)
    lost_zero = digits_want.lstrip("0") == digits_got.lstrip("0") and digits_got != digits_want
    lost_plus = stripped.startswith("+") and not actual.lstrip().startswith("+") and digits_want == digits_got
    return lost_zero or lost_plus


def _same_number(expected: str, actual: str) -> bool:
    if not (_NUMBER.match(expected.strip()) and _NUMBER.match(actual.strip())):
        return False
    try:
        return float(re.sub(r"[\s,]", "", expected)) == float(re.sub(r"[\s,]", "", actual))
    except ValueError:
        return False


def _as_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _same_date(expected: str, actual: str) -> bool:
    want = _as_date(expected)
    return want is not None and want == _as_date(actual)


def visible(text: str) -> str:
    """``text`` with invisible characters shown: spaces at either end as ␣, tabs ⇥, line breaks ↵/␍,
    other control and format characters (zero-width, bidi marks) as ``<U+XXXX>``."""
    out: list[str] = []
    body = text.strip(" ")
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text) - len(text.rstrip(" ")) if body else 0
    out.append("␣" * lead)
    for ch in body:
        if ch == "\t":
            out.append("⇥")
        elif ch == "\n":
            out.append("↵\n")
        elif ch == "\r":
            out.append("␍")
        elif ch == "\u00a0":
            out.append("⍽")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"<U+{ord(ch):04X}>")
        else:
            out.append(ch)
    out.append("␣" * trail)
    return "".join(out)
