"""The step vocabulary: business phrasings, in English and Chinese, bound to the same functions.

A phrasing is written the way a business analyst writes a step::

    @when('I add an organisation "{name}"', '我添加公司"{name}"')
    def add_organisation(crm: CRM, name: str) -> None: ...

``"{name}"`` is a quoted value: it matches straight quotes ``"..."`` and Chinese quotes
``“...”`` / ``「...」`` alike, because analysts typing Chinese use the latter. ``{count:d}`` is a
whole number. Every other character is literal. Matching is on the whole step text.

The registered phrasings also feed the undefined-step suggestions and the step catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import pytest_bdd
from pytest_bdd.parsers import StepParser

F = TypeVar("F", bound=Callable[..., Any])
StepType = Literal["given", "when", "then"]

_OPENING_QUOTES = '"“「'
_CLOSING_QUOTES = '"”」'
_PLACEHOLDER = re.compile(r'(?P<quoted>["“「])?\{(?P<name>[A-Za-z_]\w*)(?::(?P<type>[a-z]))?\}(?(quoted)["”」])')


@dataclass(frozen=True)
class Phrasing:
    """One registered phrasing of a step, for catalogues and suggestions."""

    type: StepType
    text: str
    function: Callable[..., Any]
    language: str


class Phrase(StepParser):
    """A pytest-bdd step parser for business phrasings (see the module docstring)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.converters: dict[str, Callable[[str], Any]] = {}
        pattern: list[str] = []
        position = 0
        for match in _PLACEHOLDER.finditer(text):
            pattern.append(re.escape(text[position : match.start()]))
            name, kind = match.group("name"), match.group("type")
            if match.group("quoted"):
                pattern.append(f"[{_OPENING_QUOTES}](?P<{name}>[^{_CLOSING_QUOTES}]*)[{_CLOSING_QUOTES}]")
            elif kind == "d":
                pattern.append(rf"(?P<{name}>-?\d+)")
                self.converters[name] = int
            else:
                pattern.append(rf"(?P<{name}>.+?)")
            position = match.end()
        pattern.append(re.escape(text[position:]))
        self.regex = re.compile("".join(pattern))

    def parse_arguments(self, name: str) -> dict[str, Any] | None:
        match = self.regex.fullmatch(name.strip())
        if match is None:
            return None
        return {key: self.converters.get(key, str)(value) for key, value in match.groupdict().items()}

    def is_matching(self, name: str) -> bool:
        return self.regex.fullmatch(name.strip()) is not None

    def __repr__(self) -> str:
        return f"Phrase({self.name!r})"


_REGISTRY: list[Phrasing] = []


def _language_of(text: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en"


def _binder(step_type: StepType) -> Callable[..., Callable[[F], F]]:
    bind = getattr(pytest_bdd, step_type)

    def decorator_factory(*phrasings: str, target_fixture: str | None = None) -> Callable[[F], F]:
        if not phrasings:
            raise TypeError(f"@{step_type} needs at least one phrasing")

        def decorator(function: F) -> F:
            for text in phrasings:
                phrase = Phrase(text)
                # stacklevel=2: pytest-bdd registers the step fixture in the module that called us,
                # which is the steps module, one frame above this decorator.
                bind(phrase, target_fixture=target_fixture, stacklevel=2)(function)
                _REGISTRY.append(Phrasing(step_type, text, function, _language_of(text)))
            return function

        return decorator

    return decorator_factory


given = _binder("given")
when = _binder("when")
then = _binder("then")


def phrasings() -> Iterator[Phrasing]:
    """Every phrasing registered so far (import the step modules first)."""
    return iter(tuple(_REGISTRY))
