"""Checks of feature files before anything runs: they parse, scenario names are unique, every
step means exactly one step function, and every value fits its slot.

Each problem is one line ``path:line: message`` so that a business analyst can fix the file
without reading a traceback:

* a file that does not parse (a Chinese file without ``# language: zh-CN`` is told so);
* a scenario name used twice;
* quote marks that are mismatched or not one of the accepted styles (:func:`signoff.vocabulary.quote_problems`);
* an undefined step, with up to three nearest phrasings whatever their keyword, in the feature's
  language; when nothing is near (:data:`NEAR`), it says which words no step mentions and lists
  the steps of the nearest module instead;
* a step that means two step functions (ambiguous);
* a value its slot cannot take: an amount, percentage, date, time, count or email address that does
  not parse, or a word outside a closed set (screens, modules, statuses, phases ...), which lists
  the valid words;
* what a step's own check says (:func:`signoff.vocabulary.checks`): a field the record type does
  not have (listing the ones it has), a data table's unknown column or a value its field cannot take.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.parser import Feature, FeatureParser, ScenarioTemplate, Step

from signoff.vocabulary import Phrasing, language_of, matching, phrasings, quote_problems, step_check

STEP_PACKAGE = "steps"

#: How alike a step and a phrasing must be (0 to 1, :func:`similarity`), by language, for the
#: phrasing to be suggested. Below it the nearest phrasing is more likely another subject than a
#: slip. Chinese needs more: without spaces, the particles (的, 是, 为) make unrelated steps alike.
NEAR: dict[str, float] = {"en": 0.7, "zh": 0.8}
#: At most this many phrasings are suggested for an undefined step.
SUGGESTIONS = 3


@dataclass(frozen=True)
class Problem:
    """One problem in a feature file."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_display(self.path)}:{self.line}: {self.message}"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def step_modules(package: str = STEP_PACKAGE) -> list[str]:
    """Names of every module of the step vocabulary package (new files are picked up by themselves)."""
    root = importlib.import_module(package)
    return [f"{package}.{info.name}" for info in pkgutil.iter_modules(root.__path__) if not info.name.startswith("_")]


def load_step_definitions(package: str = STEP_PACKAGE) -> None:
    for module in step_modules(package):
        importlib.import_module(module)


def find_feature_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every ``.feature`` file under the given folders (or the files themselves), sorted."""
    found: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.feature") if p.is_file()))
        elif path.suffix == ".feature" and path.is_file():
            found.append(path)
    return sorted(set(found))


def parse_feature(path: Path) -> Feature:
    """Parse one feature file; a malformed file raises :class:`FeatureSyntaxError` with one line."""
    try:
        return FeatureParser(basedir=str(path.parent), filename=path.name).parse()
    except Exception as error:  # the Gherkin parser raises several exception types
        raise FeatureSyntaxError(path, _syntax_line(error), _syntax_message(error) + _language_hint(path)) from None


class FeatureSyntaxError(Exception):
    """A feature file that does not parse."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.problem = Problem(path, line, message)
        super().__init__(str(self.problem))


def _syntax_line(error: Exception) -> int:
    if isinstance(getattr(error, "line", None), int):
        return int(error.line)  # type: ignore[attr-defined]
    errors = getattr(error, "errors", None) or [error]
    location = getattr(errors[0], "location", None) or {}
    if isinstance(location, dict) and location.get("line"):
        return int(location["line"])
    match = re.search(r"\((\d+):\d+\)", str(error))
    return int(match.group(1)) if match else 1


def _syntax_message(error: Exception) -> str:
    if isinstance(getattr(error, "message", None), str):
        return f"malformed feature file: {error.message}"  # type: ignore[attr-defined]
    errors = getattr(error, "errors", None) or [error]
    text = str(errors[0]).strip().splitlines()[0] if str(errors[0]).strip() else type(error).__name__
    # Gherkin prefixes its messages with "(line:column): "; we print the line ourselves.
    text = re.sub(r"^\(\d+:\d+\):\s*", "", text)
    return f"malformed feature file: {text}"


_CHINESE_KEYWORD = re.compile(r"^\s*(?:功能|场景|剧本|背景|假如|假设|假定|当|那么|而且|并且|同时|但是|例子)")


def _language_hint(path: Path) -> str:
    """The hint for a Chinese file that does not say so (Gherkin then reads it as English)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    declared = any(re.match(r"\s*#\s*language\s*:", line) for line in lines)
    if declared or not any(_CHINESE_KEYWORD.match(line) for line in lines):
        return ""
    return '; the file is written in Chinese: put "# language: zh-CN" on its first line'


def duplicate_scenarios(path: Path) -> list[Problem]:
    """Scenario names used twice in one file (pytest-bdd would silently keep only the last one)."""
    lines: dict[str, list[int]] = {}
    pattern = re.compile(
        r"^\s*(?:Scenario(?: Outline| Template)?|Example|场景大纲|场景|剧本大纲|剧本|场景模板)\s*[:：]\s*(.+?)\s*$"
    )
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = pattern.match(line)
        if match:
            lines.setdefault(match.group(1), []).append(number)
    return [
        Problem(
            path,
            numbers[1],
            f'scenario name "{name}" is used twice (first on line {numbers[0]}); names must be unique in a feature',
        )
        for name, numbers in lines.items()
        if len(numbers) > 1
    ]


# ----------------------------------------------------------------------------- suggestions

_QUOTED_VALUE = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」')
_NUMBER_LIKE = re.compile(r"(?<![\w])-?\d[\d,，.:%％\-]*(?: \d{1,2}:\d{2})?")
_SLOT = re.compile(r'["“「]?\{(\w+)(?::(\w+))?\}["”」]?')
_NUMERIC_SLOTS = {"d", "amount", "percent", "date", "time", "datetime"}
_STOPWORDS = set(
    "a an the of to in on for with and or is are am be was were been has have had it its my i me that this as at by "
    "from not no there what who which".split()
)


def _shape(text: str) -> str:
    """A step text with its values blanked, so that suggestions compare wording, not data."""
    return _NUMBER_LIKE.sub("0", _QUOTED_VALUE.sub('""', text)).lower()


def _phrasing_shape(phrasing: Phrasing) -> str:
    def blank(match: re.Match[str]) -> str:
        kind = match.group(2) or ""
        if match.group(0)[0] in '"“「' or kind == "list":
            return '""'
        return "0" if kind in _NUMERIC_SLOTS else "{}"

    return _SLOT.sub(blank, phrasing.text).lower()


def _words(shape: str) -> list[str]:
    """Latin words and values as words, each Chinese character as a word."""
    return re.findall(r'""|\{\}|[\u3400-\u9fff]|[^\W\d_]+|\d+', shape)


def similarity(step_shape: str, phrasing_shape: str) -> float:
    """How alike two shapes are, 0 to 1: the mean of their likeness letter by letter and word by word."""
    letters = difflib.SequenceMatcher(None, step_shape, phrasing_shape).ratio()
    words = difflib.SequenceMatcher(None, _words(step_shape), _words(phrasing_shape)).ratio()
    return (letters + words) / 2


def _in_language(language: str) -> list[Phrasing]:
    return [p for p in phrasings() if p.language == language] or list(phrasings())


def _content_words(shape: str) -> list[str]:
    return [word for word in _words(shape) if word.isalpha() and word.isascii() and word not in _STOPWORDS]


def _has_word(word: str, words: Iterable[str]) -> bool:
    # A slip still counts: a plural, a missing letter, a shortened word (admin, administrator).
    return any(
        word == other
        or (len(word) >= 4 and (other.startswith(word) or word.startswith(other)) and len(other) >= 4)
        or difflib.SequenceMatcher(None, word, other).ratio() >= 0.8
        for other in words
    )


def is_near(text: str, phrasing: Phrasing, score: float | None = None) -> bool:
    """Whether a phrasing is worth suggesting for a step text: alike enough, and about the same things.

    English only: a word of the step that the phrasing lacks while other phrasings use it ("phone"
    in "the contact has the phone", which the phone-call steps use) means another subject, so the
    phrasing is not near however alike the wording; a word no phrasing uses may be a synonym.
    """
    shape = _shape(text)
    if (similarity(shape, _phrasing_shape(phrasing)) if score is None else score) < NEAR[phrasing.language]:
        return False
    if phrasing.language != "en":
        return True
    own = _content_words(_phrasing_shape(phrasing))
    known = set(_content_words(" ".join(_phrasing_shape(p) for p in _in_language("en"))))
    return all(_has_word(word, own) or not _has_word(word, known) for word in _content_words(shape))


def nearest_phrasings(text: str, language: str, count: int = SUGGESTIONS) -> list[tuple[float, Phrasing]]:
    """The phrasings nearest to a step text, whatever their keyword, in that language, best first."""
    shape = _shape(text)
    scored: dict[str, tuple[float, Phrasing]] = {}
    for phrasing in _in_language(language):
        score = similarity(shape, _phrasing_shape(phrasing))
        # The same words declared under two keywords are one suggestion.
        if phrasing.phrase.display not in scored or score > scored[phrasing.phrase.display][0]:
            scored[phrasing.phrase.display] = (score, phrasing)
    return sorted(scored.values(), key=lambda pair: -pair[0])[:count]


def nearest_phrasing(step_type: str, text: str) -> str | None:
    """The registered phrasing nearest to ``text`` after the keyword of ``step_type``, or None if none is near."""
    near = [p for score, p in nearest_phrasings(text, _step_language(text, None)) if is_near(text, p, score)]
    return f"{step_type.capitalize()} {near[0].phrase.display}" if near else None


def _step_language(text: str, feature_language: str | None) -> str:
    if feature_language and feature_language.lower().startswith("zh"):
        return "zh"
    return language_of(_shape(text))


def unmentioned_words(text: str, language: str, module: str | None = None) -> list[str]:
    """The words of a step that no phrasing of that language (of that step module) uses."""
    vocabulary = " ".join(
        _phrasing_shape(p) for p in _in_language(language) if module is None or p.function.__module__ == module
    )
    if language == "zh":
        # No spaces in Chinese: a word is a run of characters none of whose pairs a phrasing has.
        unknown: list[str] = []
        for run in re.findall(r"[\u3400-\u9fff]+", _shape(text)):
            current = ""
            for at in range(len(run) - 1):
                pair = run[at : at + 2]
                if pair not in vocabulary:
                    current = current + pair[-1] if current else pair
                elif current:
                    unknown.append(current)
                    current = ""
            if current:
                unknown.append(current)
        # Particles at the edges of a run belong to the sentence, not to the subject; a run whose
        # every character the vocabulary has is two known words side by side (看到 + 提示).
        words = [word.strip("的是为了和") for word in unknown]
        return [word for word in words if word and any(char not in vocabulary for char in word)]
    known = _content_words(vocabulary)
    return [word for word in _content_words(_shape(text)) if not _has_word(word, known)]


def nearest_module(text: str, language: str) -> str | None:
    """The step module whose phrasings use the words of ``text`` most (share of its phrasings)."""
    words = {word for word in _words(_shape(text)) if word not in _STOPWORDS and word not in ('""', "{}")}
    best: tuple[float, str] | None = None
    modules: dict[str, list[Phrasing]] = {}
    for phrasing in _in_language(language):
        modules.setdefault(phrasing.function.__module__, []).append(phrasing)
    for module, members in modules.items():
        shapes = [set(_words(_phrasing_shape(p))) for p in members]
        score = sum(sum(word in shape for shape in shapes) / len(shapes) for word in words)
        if best is None or score > best[0]:
            best = (score, module)
    return best[1] if best and best[0] > 0 else None


def module_title(module: str) -> str:
    """The first sentence of a step module's docstring: what its steps are about."""
    doc = " ".join((sys.modules[module].__doc__ or module).split())
    return re.split(r"(?<=[.:;])\s", doc, maxsplit=1)[0].rstrip(".:;")


def undefined_step_message(step: Step, path: Path | str, language: str | None = None) -> str:
    """The one-line message for a step no definition matches (``language``: the feature's)."""
    keyword = step.keyword.strip()
    where = f"{_display(Path(path))}:{step.line_number}"
    message = f'{where}: undefined step "{keyword} {step.name}"'
    chosen = _step_language(step.name, language)
    near = [p for score, p in nearest_phrasings(step.name, chosen) if is_near(step.name, p, score)]
    if near:
        message += f"; nearest existing phrasing: {keyword} {near[0].phrase.display}"
        if near[1:]:
            message += "; also near: " + " | ".join(f"{keyword} {p.phrase.display}" for p in near[1:])
        return message
    module = nearest_module(step.name, chosen)
    words = unmentioned_words(step.name, chosen, module)
    subject = ", ".join(f'"{word}"' for word in words)
    if module:
        steps = sorted(
            {p.phrase.display for p in phrasings() if p.function.__module__ == module and p.language == chosen}
        )
        about = f"no step of {module.rpartition('.')[2]} ({module_title(module)})"
        message += f"; {about} mentions {subject}" if words else f"; {about} is near this wording"
        message += "; its steps: " + " | ".join(steps)
    else:
        message += "; no step is near this wording"
    return message + "; every step: signoff steps"


# ----------------------------------------------------------------------------- checking


def step_problems(step: Step, language: str | None = None) -> list[str]:
    """What is wrong with one step (empty: it means one step function and its values fit)."""
    quotes = quote_problems(step.name)
    if quotes:
        return [f'the quote marks of "{step.keyword.strip()} {step.name}": ' + "; ".join(quotes)]
    found = matching(step.type, step.name)
    if not found:
        return [undefined_step_message(step, "", language).split(": ", 1)[1]]
    functions = {phrasing.function for phrasing in found}
    if len(functions) > 1:
        meanings = " | ".join(sorted({f"{p.type.capitalize()} {p.phrase.display}" for p in found}))
        return [
            f'ambiguous step "{step.keyword.strip()} {step.name}": it fits {meanings}; '
            "write it after the keyword of the one meant, or reword it"
        ]
    problems = found[0].phrase.problems(step.name)
    check = step_check(found[0].function)
    if problems or check is None:
        return problems
    arguments = found[0].phrase.parse_arguments(step.name) or {}
    table = [[str(cell) for cell in row] for row in step.datatable.raw()] if step.datatable is not None else None
    return check(arguments, table)


def _rendered_steps(template: ScenarioTemplate) -> Iterator[Step]:
    contexts = [context for examples in template.examples for context in examples.as_contexts()] or [{}]
    seen: set[tuple[int, str]] = set()
    for context in contexts:
        for step in template.render(context).steps:
            key = (step.line_number, step.name)
            if key not in seen:
                seen.add(key)
                yield step


def rendered_steps(feature: Feature) -> Iterator[tuple[ScenarioTemplate, Step]]:
    """Every step of every scenario (Background included, Outlines with each of their examples)."""
    for template in feature.scenarios.values():
        for step in _rendered_steps(template):
            yield template, step


def check_features(paths: Iterable[str | Path]) -> list[Problem]:
    """Every problem in the feature files found under ``paths`` (empty list: all good)."""
    load_step_definitions()
    problems: list[Problem] = []
    for path in find_feature_files(paths):
        try:
            feature = parse_feature(path)
        except FeatureSyntaxError as error:
            problems.append(error.problem)
            continue
        problems.extend(duplicate_scenarios(path))
        seen: set[tuple[int, str]] = set()
        for _template, step in rendered_steps(feature):
            # A Background step is rendered into every scenario: report it once.
            if (step.line_number, step.name) in seen:
                continue
            seen.add((step.line_number, step.name))
            for message in step_problems(step, feature.language):
                problems.append(Problem(path, step.line_number, message))
    return problems
