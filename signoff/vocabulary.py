"""The step vocabulary: business phrasings, in English and Chinese, bound to the same functions.

A phrasing is written the way a business analyst writes a step::

    @when('I add an organisation "{name}"', '我添加公司"{name}"')
    def add_organisation(crm: CRM, name: str) -> None: ...

**Keywords do not matter for matching**, as in Cucumber: a phrasing is found after ``Given``,
``When``, ``Then``, ``And`` or ``But`` (假如/当/那么/而且/但是) alike. The keyword of the decorator only
settles a tie: where the same words are bound to two functions (``Given I am not signed in`` forgets
the sign-in, ``Then I am not signed in`` checks it), the one declared for the keyword the feature
wrote wins. Where a specific phrasing and a general one both fit (``the organisation "X" has the
opportunity "Y"`` and ``the {record} "{name}" has the {field} "{value}"``), the one with more words
of its own outside its slots wins; an equal count is an ambiguous step. The step keeps the type the feature gave it (an ``And`` after a ``Given`` is a given),
which is what decides, for instance, whether a precondition is arranged fast.

**Slots** (the ``{...}`` of a phrasing):

* ``"{name}"`` is a quoted value. Three quote styles are accepted and give the same value: straight
  quotes ``"华东物流"``, Chinese quotes ``“华东物流”`` and corner brackets ``「华东物流」``. A value is
  opened and closed by the same style; mismatched quotes (``“华东物流"``) and other quote marks
  (``‘…’``, ``«…»``, ``『…』``) are an error of ``signoff check`` (:func:`quote_problems`).
* ``{names:list}`` is one or more quoted values: ``"A"``, ``"A" and "B"``, ``"A", "B" and "C"``,
  ``"甲"、"乙"和"丙"``; the step function receives a ``list[str]`` (:func:`list_items`).
* ``{count:d}`` is a whole number (``int``); ``{amount:amount}`` an amount such as ``12,500`` or
  ``1,234.56`` (``Decimal``); ``{share:percent}`` a percentage such as ``10%`` (``Decimal``, here
  10); ``{day:date}`` a date ``2030-03-14``; ``{start:time}`` a time ``09:30`` (24-hour clock);
  ``{start:datetime}`` both, ``2030-03-14 09:30``; ``"{address:email}"`` an email address.
* ``{screen:screen}`` and the like are closed sets, registered with :func:`closed_set` by the step
  module that uses them: the step function receives the canonical value; any other word is an error
  that lists the valid ones. ``closed_set(..., many=True)`` takes a list of them (``view, change and
  delete`` / ``查看、修改和删除``).
* ``{name}`` with no type is free text.

A slot never swallows the rest of the line: an unquoted slot holds no quote mark and no list
separator (``,`` ``，`` ``、`` ``;`` ``；``; a comma between digits, as in ``12,500``, is part of an
amount), and numbers, amounts, percentages and email addresses hold no space either. So
``estimated sales of 50, a probability of 10%`` is not taken as one amount. A value of the right
shape but the wrong kind (``estimated sales of banana``) matches its phrasing, and ``signoff check``
reports it (:meth:`Phrase.problems`) before anything runs.

Every other character of a phrasing is literal, and matching is on the whole step text. The
registered phrasings also feed the undefined-step suggestions and the step catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

import pytest_bdd
from pytest_bdd.parsers import StepParser

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
StepType = Literal["given", "when", "then"]
STEP_TYPES: tuple[StepType, ...] = ("given", "when", "then")

#: The accepted quote styles: opening mark → its closing mark.
QUOTES: dict[str, str] = {'"': '"', "“": "”", "「": "」"}
#: Quote marks analysts may type that are not accepted (straight apostrophes stay text: d'Ærø).
OTHER_QUOTES = "‘’«»『』＂„‚‹›"

_ALL_QUOTES = "".join(sorted(set(QUOTES) | set(QUOTES.values())))
_STOPS = re.escape(_ALL_QUOTES + ",，、;；")
_QUOTED = "|".join(f"{re.escape(o)}[^{re.escape(c)}]*{re.escape(c)}" for o, c in QUOTES.items())
#: A bare value of several words: no quote mark, no list separator, no space at either end.
_PHRASE = rf"[^\s{_STOPS}](?:[^{_STOPS}]*[^\s{_STOPS}])?"
#: A bare value of one word: no space either; a comma between digits stays (12,500).
_TOKEN = rf"(?:[^\s{_STOPS}]|(?<=\d)[,，](?=\d))+"
#: Between two items of a list: a comma (, ， 、) or "and" / 和, or a comma and then "and".
_LIST_SEPARATOR = r"\s*(?:[,，、]\s*(?:and\s+|和)?|\s+and\s+|和)\s*"
_QUOTED_LIST = rf"(?:{_QUOTED})(?:{_LIST_SEPARATOR}(?:{_QUOTED}))*"
#: A bare list: words and separators, no quote mark.
_BARE_LIST = rf"[^\s{re.escape(_ALL_QUOTES)};；](?:[^{re.escape(_ALL_QUOTES)};；]*[^\s{re.escape(_ALL_QUOTES)};；])?"
_PLACEHOLDER = re.compile(r'(?P<quoted>["“「])?\{(?P<name>[A-Za-z_]\w*)(?::(?P<type>[a-z_]+))?\}(?(quoted)["”」])')
_CJK = re.compile(r"[\u3400-\u9fff]")


class BadValue(ValueError):
    """A value of a step that its slot cannot take; the message is one line for the analyst."""


# ----------------------------------------------------------------------------- slot types


@dataclass(frozen=True)
class SlotType:
    """What a slot accepts: a pattern for its shape, a converter for its value, and a description."""

    name: str
    #: For the step catalogue: what to write, e.g. "an amount, e.g. 12,500 or 1,234.56".
    meaning: str
    #: Text (quotes removed) → the value the step function receives; raises :class:`BadValue`.
    convert: Callable[[str], Any]
    #: The regular expression of an unquoted value of this type.
    pattern: str = _PHRASE
    #: A closed set: the words accepted, in both languages.
    values: tuple[str, ...] = ()
    many: bool = False


_SLOT_TYPES: dict[str, SlotType] = {}


def slot_type(name: str) -> SlotType:
    """The slot type of that name; an unknown name is a mistake in a step module."""
    try:
        return _SLOT_TYPES[name]
    except KeyError:
        raise TypeError(f"unknown slot type {name!r}; known: {', '.join(sorted(_SLOT_TYPES))}") from None


def _register(slot: SlotType) -> SlotType:
    _SLOT_TYPES[slot.name] = slot
    return slot


def language_of(text: str) -> Literal["en", "zh"]:
    """``zh`` when the text holds Chinese characters, else ``en``."""
    return "zh" if _CJK.search(text) else "en"


def _normal(word: str) -> str:
    return " ".join(word.casefold().split())


def closed_set(
    name: str, words: Mapping[str, Any], *, many: bool = False, meaning: str = "", only: bool = False
) -> SlotType:
    """Register a closed set: ``words`` (English and Chinese) → the canonical value a step receives.

    A word is looked up without regard to letter case or repeated spaces; a leading "the " or
    "my " is dropped when the rest is a word of the set. Any other word is a :class:`BadValue`
    that lists the valid words in the language it was written in.

    ``only=True`` makes the slot match its words only (any letter case), so that a general
    phrasing (``the {record} "{name}" has the {field} "{value}"``) does not take the words of
    another step's subject (``the meeting "Kick-off" has the participant "Ada"``).
    """
    table = {_normal(word): value for word, value in words.items()}
    label = name.replace("_", " ")

    def one(text: str) -> Any:
        key = _normal(text)
        for prefix in ("the ", "my "):
            if key not in table and key.startswith(prefix):
                key = key[len(prefix) :]
        if key in table:
            return table[key]
        same = [word for word in words if language_of(word) == language_of(text)] or list(words)
        raise BadValue(f'unknown {label} "{text}"; valid {label}s: {", ".join(same)}')

    def convert(text: str) -> Any:
        return [one(item) for item in list_items(text)] if many else one(text)

    described = meaning or (f"one or more {label}s, e.g. a, b and c" if many else f"a {label}")
    pattern = _BARE_LIST if many else _PHRASE
    if only and not many:
        alternatives = sorted({" ".join(word.split()) for word in words}, key=len, reverse=True)
        pattern = "(?i:" + "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in alternatives) + ")"
    return _register(SlotType(name, described, convert, pattern, values=tuple(words), many=many))


#: A step function's own check of its values taken together and of its data table (see :func:`checks`).
StepCheck = Callable[[dict[str, Any], "list[list[str]] | None"], list[str]]


def checks(check: StepCheck) -> Callable[[F], F]:
    """Give a step function a check that ``signoff check`` runs before anything starts.

    ``check(arguments, table)`` receives the step's converted slot values and its data table (the
    rows of cells, or ``None``) and returns one message per problem, for what one slot alone
    cannot tell: a field name that depends on the record type named in another slot, the header
    and cells of a data table.
    """

    def decorate(function: F) -> F:
        function.__signoff_check__ = check  # type: ignore[attr-defined]
        return function

    return decorate


def step_check(function: Callable[..., Any]) -> StepCheck | None:
    """The check given to a step function with :func:`checks`, if any."""
    found: StepCheck | None = getattr(function, "__signoff_check__", None)
    return found


def list_items(text: str) -> list[str]:
    """The items of a list as analysts write it, the one rule for every list slot.

    ``"A", "B" and "C"`` / ``"甲"、"乙"和"丙"`` → the quoted values (any accepted quote style; a value
    may hold commas and "and"); ``view, change and delete`` / ``查看、修改和删除`` → the words.
    Items are separated by ``,`` ``，`` ``、``, "and" or 和, the last two optionally after a comma.
    """
    text = text.strip()
    if text[:1] in QUOTES:
        if not re.fullmatch(_QUOTED_LIST, text):
            raise BadValue(f'cannot read the list {text}: write it like "A", "B" and "C" or "甲"、"乙"和"丙"')
        return [item[1:-1] for item in re.findall(_QUOTED, text)]
    items = re.split(_LIST_SEPARATOR, text)
    if any(not item for item in items):
        raise BadValue(f'cannot read the list "{text}": an item is missing between two separators')
    return items


def parse_amount(text: str) -> Decimal:
    """An amount as analysts write it: ``12,500``, ``1,000,000,000``, ``1,234.56``, ``-1,000``."""
    cleaned = text.strip()
    if not re.fullmatch(r"-?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?", cleaned):
        raise BadValue(f'"{text}" is not an amount (write it like 12,500 or 1,234.56)')
    return Decimal(cleaned.replace(",", "").replace("，", ""))


def parse_percent(text: str) -> Decimal:
    """A percentage: ``10%``, ``12.5%``, ``10％`` → 10, 12.5 (the number before the sign)."""
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)\s*[%％]", text.strip())
    if match is None:
        raise BadValue(f'"{text}" is not a percentage (write it like 10% or 12.5%)')
    try:
        return Decimal(match.group(1))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise BadValue(f'"{text}" is not a percentage') from None


def parse_count(text: str) -> int:
    """A whole number of things: ``3``, ``0``."""
    if not re.fullmatch(r"\d+", text.strip()):
        raise BadValue(f'"{text}" is not a whole number (write it in digits, like 3)')
    return int(text)


def _iso(text: str, shape: str, parse: Callable[[str], T], what: str) -> T:
    """``text`` read by ``parse`` when it has exactly ``shape`` (the ISO readers accept more forms)."""
    cleaned = text.strip()
    try:
        if re.fullmatch(shape, cleaned):
            return parse(cleaned)
    except ValueError:
        pass
    raise BadValue(f'"{text}" is not {what}')


def parse_date(text: str) -> date:
    """A date written ``2030-03-14``."""
    return _iso(text, r"\d{4}-\d{2}-\d{2}", date.fromisoformat, "a date (write it like 2030-03-14)")


def parse_time(text: str) -> time:
    """A time of day on the 24-hour clock, ``09:30`` or ``23:00``."""
    return _iso(text, r"\d{2}:\d{2}", time.fromisoformat, "a time (write it like 09:30, on the 24-hour clock)")


def parse_datetime(text: str) -> datetime:
    """A date and a time, ``2030-03-14 23:00``."""
    day, _, clock = text.strip().partition(" ")
    try:
        return datetime.combine(parse_date(day), parse_time(clock.strip()))
    except BadValue:
        raise BadValue(f'"{text}" is not a date and time (write it like 2030-03-14 09:30)') from None


def parse_email(text: str) -> str:
    """An email address, ``li.lei@example.cn``: one @, a dot in the domain, no space."""
    if not re.fullmatch(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+", text.strip()):
        raise BadValue(f'"{text}" is not an email address (write it like li.lei@example.cn)')
    return text.strip()


_FIELD_VALUE = rf"[^\s{_STOPS}](?:[^{_STOPS}]*?[^\s{_STOPS}])??\s*(?:\s+is|为|是)\s*(?:{_QUOTED})"
_FIELD_VALUES = rf"{_FIELD_VALUE}(?:{_LIST_SEPARATOR}{_FIELD_VALUE})*"


def field_values(text: str) -> list[tuple[str, str]]:
    """Fields and values written inline: ``website is "https://acme.example" and city is "Shenzhen"``,
    ``网站为"…"、城市为"深圳"`` → ``[("website", "https://acme.example"), ("city", "Shenzhen")]``."""
    pairs: list[tuple[str, str]] = []
    for match in re.finditer(rf"(?P<field>{_FIELD_VALUE})", text.strip()):
        whole = match.group("field")
        quote_at = min(at for at in (whole.find(mark) for mark in QUOTES) if at >= 0)
        name = re.sub(r"(?:\s+is|为|是)\s*$", "", whole[:quote_at].rstrip()).strip()
        name = re.sub(r"^(?:(?:,|，|、|and\s|和)\s*)+", "", name).strip()
        pairs.append((re.sub(r"^the\s+", "", name), whole[quote_at + 1 : -1]))
    if not pairs:
        raise BadValue(f'cannot read the fields of "{text}": write them like website is "…" and city is "…"')
    return pairs


_register(SlotType("text", "any text", str))
_register(SlotType("d", "a whole number, e.g. 3", parse_count, _TOKEN))
_register(SlotType("amount", "an amount, e.g. 12,500 or 1,234.56", parse_amount, _TOKEN))
_register(SlotType("percent", "a percentage, e.g. 10% or 12.5%", parse_percent, _TOKEN))
_register(SlotType("date", "a date, e.g. 2030-03-14", parse_date))
_register(SlotType("time", "a time on the 24-hour clock, e.g. 09:30", parse_time))
_register(SlotType("datetime", "a date and a time, e.g. 2030-03-14 09:30", parse_datetime))
_register(SlotType("email", "an email address, e.g. li.lei@example.cn", parse_email, _TOKEN))
_register(
    SlotType(
        "fields",
        'fields and their values: website is "…" and city is "…" / 网站为"…"、城市为"…"',
        field_values,
        _FIELD_VALUES,
    )
)
_register(SlotType("list", 'one or more quoted values: "A", "B" and "C" / "甲"、"乙"和"丙"', list_items, _QUOTED_LIST))


# ----------------------------------------------------------------------------- quotes


def quote_problems(text: str) -> list[str]:
    """What is wrong with the quote marks of a step text (empty: nothing)."""
    problems: list[str] = []
    closing: str | None = None
    opened_at = 0
    for at, char in enumerate(text):
        if closing is not None:
            if char == closing:
                closing = None
            elif char in QUOTES.values() or char in QUOTES:
                # Another accepted mark inside a value: a value closed with the wrong style, unless
                # the right closing mark still follows (then the mark is part of the value).
                if closing not in text[at + 1 :]:
                    problems.append(
                        f"{text[opened_at : at + 1]} is opened with {text[opened_at]} and closed with {char}"
                    )
                    closing = None
        elif char in QUOTES:
            closing, opened_at = QUOTES[char], at
        elif char in QUOTES.values() or char in OTHER_QUOTES:
            problems.append(f"{char} is not a quote mark that opens a value")
    if closing is not None:
        problems.append(f"the value {text[opened_at:]} is never closed")
    if problems:
        problems[-1] += '; quote values with "…", “…” or 「…」'
    return problems


# ----------------------------------------------------------------------------- phrases


@dataclass(frozen=True)
class Slot:
    """One ``{...}`` of a phrasing."""

    name: str
    type: SlotType
    quoted: bool


class Phrase(StepParser):
    """A pytest-bdd step parser for business phrasings (see the module docstring)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.slots: list[Slot] = []
        pattern: list[str] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            pattern.append(re.escape(text[position : match.start()]))
            kind = slot_type(match.group("type") or "text")
            slot = Slot(match.group("name"), kind, bool(match.group("quoted")))
            if slot.quoted and kind.many:
                raise TypeError(f"{text!r}: a list slot {{{slot.name}:{kind.name}}} is written without quotes")
            self.slots.append(slot)
            pattern.append(f"(?P<{slot.name}>{_QUOTED if slot.quoted else kind.pattern})")
            position = match.end()
        pattern.append(re.escape(text[position:]))
        self.regex = re.compile("".join(pattern))
        #: The phrasing as an analyst reads it: ``{amount}`` rather than ``{amount:amount}``.
        self.display = _PLACEHOLDER.sub(
            lambda m: f"{m.group('quoted') or ''}{{{m.group('name')}}}{QUOTES.get(m.group('quoted') or '', '')}", text
        )

    def raw_values(self, name: str) -> dict[str, str] | None:
        """The slots' texts (quotes removed) when ``name`` has this phrasing's shape, else ``None``."""
        match = self.regex.fullmatch(name.strip())
        if match is None:
            return None
        return {
            slot.name: match.group(slot.name)[1:-1] if slot.quoted else match.group(slot.name) for slot in self.slots
        }

    def problems(self, name: str) -> list[str]:
        """One message per value of ``name`` its slot cannot take (empty: all good)."""
        raw = self.raw_values(name) or {}
        problems = []
        for slot in self.slots:
            try:
                slot.type.convert(raw[slot.name])
            except BadValue as error:
                problems.append(str(error))
        return problems

    def parse_arguments(self, name: str) -> dict[str, Any] | None:
        raw = self.raw_values(name)
        if raw is None:
            return None
        return {slot.name: slot.type.convert(raw[slot.name]) for slot in self.slots}

    def is_matching(self, name: str) -> bool:
        return self.regex.fullmatch(name.strip()) is not None

    def __repr__(self) -> str:
        return f"Phrase({self.name!r})"


@dataclass(frozen=True, eq=False)
class Phrasing:
    """One registered phrasing of a step: the keyword it was declared for, its words, its function."""

    type: StepType
    text: str
    function: Callable[..., Any]
    language: str
    phrase: Phrase


_REGISTRY: list[Phrasing] = []


def matching(step_type: str, text: str) -> list[Phrasing]:
    """The phrasings a step written with this keyword type and text means: the one rule of matching.

    Every phrasing whose shape fits counts, whatever keyword it was declared for; when some of them
    were declared for the step's own keyword type, only those count (the keyword written decides).
    More than one function left is an ambiguous step.
    """
    fitting = [phrasing for phrasing in _REGISTRY if phrasing.phrase.is_matching(text)]
    own = [phrasing for phrasing in fitting if phrasing.type == step_type] or fitting
    if len({phrasing.function for phrasing in own}) > 1:
        # The more specific phrasing wins: the one with the most words of its own (outside its
        # slots). "the organisation "X" has the opportunity "Y"" means that step, not the general
        # "the {record} "{name}" has the {field} "{value}""; a tie stays ambiguous.
        most = max(specificity(phrasing.text) for phrasing in own)
        own = [phrasing for phrasing in own if specificity(phrasing.text) == most]
    return own


def specificity(text: str) -> int:
    """How many characters of a phrasing are its own words, not slots (the tie-break of :func:`matching`)."""
    return len(_PLACEHOLDER.sub("", text).replace(" ", ""))


class _Elsewhere(Phrase):
    """A phrasing as registered with pytest-bdd, under each keyword type.

    It matches only where :func:`matching` says the step means it, so that pytest-bdd, which looks
    a step up among the definitions of its own type, picks what ``signoff check`` picked (the
    keyword written, then the more specific phrasing).
    """

    def __init__(self, text: str, bound_type: StepType, function: Callable[..., Any]) -> None:
        super().__init__(text)
        self.bound_type = bound_type
        self.function = function

    def is_matching(self, name: str) -> bool:
        if not super().is_matching(name):
            return False
        return any(p.function is self.function and p.text == self.name for p in matching(self.bound_type, name))


def _binder(step_type: StepType) -> Callable[..., Callable[[F], F]]:
    def decorator_factory(*phrasings: str, target_fixture: str | None = None) -> Callable[[F], F]:
        if not phrasings:
            raise TypeError(f"@{step_type} needs at least one phrasing")

        def decorator(function: F) -> F:
            for text in phrasings:
                phrase = Phrase(text)
                _REGISTRY.append(Phrasing(step_type, text, function, language_of(text), phrase))
                # Registered under all three types, so that pytest-bdd finds it after any keyword;
                # the step keeps the type its keyword gave it. Under every type it matches only
                # where :func:`matching` says the step means it (the keyword and the more specific
                # phrasing decide), so pytest-bdd picks what ``signoff check`` picked.
                # stacklevel=2: pytest-bdd registers the step fixture in the module that called
                # us, one frame above this decorator.
                for bound_type in STEP_TYPES:
                    parser = _Elsewhere(text, bound_type, function)
                    bind = getattr(pytest_bdd, bound_type)
                    bind(parser, target_fixture=target_fixture, stacklevel=2)(function)
            return function

        return decorator

    return decorator_factory


given = _binder("given")
when = _binder("when")
then = _binder("then")


def phrasings() -> Iterator[Phrasing]:
    """Every phrasing registered so far (import the step modules first)."""
    return iter(tuple(_REGISTRY))


def slot_types() -> dict[str, SlotType]:
    """Every slot type registered so far, by name."""
    return dict(_SLOT_TYPES)
