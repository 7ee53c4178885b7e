"""Checks of feature files before anything runs: they parse, scenario names are unique, every
step has a definition, and an undefined step comes with the nearest existing phrasing.

Each problem is one line ``path:line: message`` so that a business analyst can fix the file
without reading a traceback.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.parser import Feature, FeatureParser, ScenarioTemplate, Step
from pytest_bdd.steps import step_function_context_registry

from signoff.vocabulary import phrasings

STEP_PACKAGE = "steps"


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
        raise FeatureSyntaxError(path, _syntax_line(error), _syntax_message(error)) from None


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


def _matches(step: Step) -> bool:
    for context in step_function_context_registry.values():
        if context.type not in (None, step.type):
            continue
        if context.parser.is_matching(step.name):
            return True
    return False


_VALUE = re.compile(r'["“「][^"”」]*["”」]|\b\d+\b')


def _shape(text: str) -> str:
    """A step text with its values blanked, so that suggestions compare wording, not data."""
    return _VALUE.sub('""', text).lower()


def nearest_phrasing(step_type: str, text: str) -> str | None:
    """The registered phrasing closest to ``text`` (same step type first), or None."""
    candidates = [p for p in phrasings() if p.type == step_type] or list(phrasings())
    if not candidates:
        return None
    # Blank the placeholders of each phrasing the same way as the values of the step.
    shapes = {re.sub(r'["“「]?\{[^}]*\}["”」]?', '""', p.text).lower(): p for p in candidates}
    best = difflib.get_close_matches(_shape(text), list(shapes), n=1, cutoff=0.0)
    if not best:
        return None
    chosen = shapes[best[0]]
    return f"{chosen.type.capitalize()} {chosen.text}"


def undefined_step_message(step: Step, path: Path | str) -> str:
    """The one-line message for a step no definition matches."""
    suggestion = nearest_phrasing(step.type, step.name)
    where = f"{_display(Path(path))}:{step.line_number}"
    hint = f"; nearest existing phrasing: {suggestion}" if suggestion else ""
    return f'{where}: undefined step "{step.keyword.strip()} {step.name}"{hint}'


def _rendered_steps(template: ScenarioTemplate) -> Iterator[Step]:
    contexts = [context for examples in template.examples for context in examples.as_contexts()] or [{}]
    seen: set[tuple[int, str]] = set()
    for context in contexts:
        for step in template.render(context).steps:
            key = (step.line_number, step.name)
            if key not in seen:
                seen.add(key)
                yield step


def check_features(paths: Iterable[str | Path]) -> list[Problem]:
    """Every problem in the feature files found under ``paths`` (empty list: all good)."""
    load_step_definitions()
    problems: list[Problem] = []
    files = find_feature_files(paths)
    for path in files:
        try:
            feature = parse_feature(path)
        except FeatureSyntaxError as error:
            problems.append(error.problem)
            continue
        problems.extend(duplicate_scenarios(path))
        for template in feature.scenarios.values():
            for step in _rendered_steps(template):
                if not _matches(step):
                    message = undefined_step_message(step, path)
                    problems.append(Problem(path, step.line_number, message.split(": ", 1)[1]))
    return problems
