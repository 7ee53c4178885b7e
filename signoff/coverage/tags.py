"""Which function points a scenario verifies: its ``@FP-...`` tags.

A scenario names the function points it verifies with tags such as ``@FP-CUS-001``, on the
scenario itself, on its rule, on its feature (every scenario of the file inherits them) or on an
``Examples:`` table (its rows inherit them, on top of the scenario's own tags).

Any tag that starts with ``FP-`` (in any letter case) is a function-point reference; one that the
catalogue does not have is an error, reported as one line ``path:line: ... tags unknown function
point FP-CUS-999`` with the nearest known id when there is one.

Tags are labels, never orders to pytest. pytest-bdd turns every tag into a pytest mark of the same
name, so ``@skip`` or ``@xfail`` on a scenario would skip it or turn its failure green, and
``@usefixtures``, ``@filterwarnings``, ``@parametrize`` or a plugin's mark (``@only_browser``,
``@xdist_group``, ...) would change how it runs. :func:`tag_mark` is the one rule for what a tag
becomes: a mark of its own name only when nothing acts on that name (a function point, a tag the
project registered itself such as ``@smoke``, or a name nobody registered); otherwise the inert
``feature_tag("xfail")`` mark, so that the tag is kept and shown but does nothing.

A scenario tagged ``@skip``, ``@skipif``, ``@xfail``, ``@wip``, ``@pending`` or ``@todo``
(:data:`PENDING_TAGS`) still runs, like any other: its failure is a failure, and its pass counts as
*pending* for its function points, not passed (its author says it does not verify them yet). The
coverage report and the terminal summary say how many scenarios were counted so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import pytest
from pytest_bdd.gherkin_parser import ExamplesTable, Tag, get_gherkin_document
from pytest_bdd.gherkin_parser import Scenario as GherkinScenario

from signoff.coverage.catalogue import Catalogue

FP_TAG_PREFIX = "FP-"

#: pytest's own marks: as marks, tags of these names would skip, xfail, parametrize the scenario...
PYTEST_MARKS: Final = frozenset(
    {"skip", "skipif", "xfail", "usefixtures", "filterwarnings", "parametrize", "tryfirst", "trylast"}
)
#: Tags saying that a scenario does not verify its function points yet: a pass counts as pending.
PENDING_TAGS: Final = frozenset({"skip", "skipif", "xfail", "wip", "pending", "todo"})
#: The inert mark that keeps a tag whose own name pytest or a plugin would act on.
TAG_MARK: Final = "feature_tag"

_PROJECT_MARKERS = pytest.StashKey[frozenset[str]]()
_OWN_TAGS = pytest.StashKey[set[str]]()


def remember_project_markers(config: pytest.Config) -> None:
    """Note the markers the project's own ini file registers, and register :data:`TAG_MARK`.

    Call it from a ``tryfirst`` ``pytest_configure``: plugins register their markers in their own
    ``pytest_configure``, later, so what is registered now is the project's (``smoke: ...``).
    """
    config.stash[_PROJECT_MARKERS] = frozenset(_marker_names(config))
    config.addinivalue_line(
        "markers", f"{TAG_MARK}(name): a feature file tag kept as a label (pytest or a plugin acts on its name)"
    )


def tag_mark(config: pytest.Config, tag: str) -> pytest.MarkDecorator:
    """The mark a feature file's ``tag`` becomes: inert whatever its name (see the module's docstring)."""
    own = config.stash.setdefault(_OWN_TAGS, set())
    project = config.stash.get(_PROJECT_MARKERS, frozenset())
    if tag not in PYTEST_MARKS and (
        tag in own or tag in project or is_function_point_tag(tag) or tag not in _marker_names(config)
    ):
        if tag not in own and tag not in project and tag not in _marker_names(config):
            # Registered so that --strict-markers keeps catching typos in real marker names only.
            config.addinivalue_line("markers", f"{tag}: feature file tag")
        own.add(tag)
        return getattr(pytest.mark, tag)  # type: ignore[no-any-return]
    return getattr(pytest.mark, TAG_MARK)(tag)  # type: ignore[no-any-return]


def item_tags(item: pytest.Item) -> frozenset[str]:
    """The tags of a test: its marks' names, and the tags kept in :data:`TAG_MARK` marks."""
    names = {mark.name for mark in item.iter_markers() if mark.name != TAG_MARK}
    names.update(str(arg) for mark in item.iter_markers(TAG_MARK) for arg in mark.args)
    return frozenset(names)


def pending_tags(item: pytest.Item) -> tuple[str, ...]:
    """The tags of ``item`` that make its pass count as pending (:data:`PENDING_TAGS`), sorted."""
    return tuple(sorted(item_tags(item) & PENDING_TAGS))


def _marker_names(config: pytest.Config) -> set[str]:
    lines = config.getini("markers")
    return {str(line).split(":")[0].split("(")[0].strip() for line in lines}


def is_function_point_tag(tag: str) -> bool:
    """Whether a tag (with or without ``@``) refers to a function point."""
    return tag.lstrip("@")[: len(FP_TAG_PREFIX)].upper() == FP_TAG_PREFIX


def function_point_ids(tags: Iterable[str]) -> tuple[str, ...]:
    """The function point ids among ``tags``, without ``@``, sorted and each once."""
    return tuple(sorted({tag.lstrip("@") for tag in tags if is_function_point_tag(tag)}))


def unknown_function_points(tags: Iterable[str], catalogue: Catalogue) -> tuple[str, ...]:
    """The function point ids among ``tags`` that the catalogue does not have."""
    return tuple(point_id for point_id in function_point_ids(tags) if point_id not in catalogue)


def unknown_message(point_id: str, catalogue: Catalogue) -> str:
    """``unknown function point FP-CUS-999``, plus the id it is a typo for when there is one."""
    message = f"unknown function point {point_id}"
    # Only spelling slips (letter case, separators, zero padding) get a suggestion: FP-CUS-404
    # next to FP-CUS-004 is more likely a point missing from the catalogue than a typo.
    wanted = _spelling_key(point_id)
    nearest = [known for known in catalogue.ids if _spelling_key(known) == wanted]
    if nearest:
        message += f" (did you mean {nearest[0]}?)"
    return message


def _spelling_key(point_id: str) -> tuple[str, ...]:
    parts = re.split(r"[-_.\s]+", point_id.upper())
    return tuple(part.lstrip("0") or "0" if part.isdigit() else part for part in parts if part)


def display_path(path: str | Path) -> str:
    """A path as a user typed it: relative to the current folder when it is under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_feature_tags(feature_paths: Iterable[str | Path], catalogue: Catalogue) -> list[str]:
    """One error line per unknown function-point tag in the given feature files (empty: all good).

    The files are read with pytest-bdd's own Gherkin parser (``# language: zh-CN`` files
    included); its :class:`~pytest_bdd.parser.FeatureParser` drops the line of each tag, so the
    document it builds on is walked instead. A file that does not parse is one error line too.
    """
    errors: list[str] = []
    for path in feature_paths:
        errors.extend(_check_file(Path(path), catalogue))
    return errors


def _check_file(path: Path, catalogue: Catalogue) -> list[str]:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        return [f"{shown}: cannot read the feature file: {error.strerror}"]
    except UnicodeDecodeError:
        return [f"{shown}: not a UTF-8 text file"]
    if all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return []  # an empty file has no tags (and pytest-bdd's document builder cannot take it)
    try:
        document = get_gherkin_document(str(path.resolve()))
    except Exception as error:  # the Gherkin parser raises several exception types
        line = getattr(error, "line", None)
        message = getattr(error, "message", None) or str(error).splitlines()[0]
        return [f"{shown}:{line if isinstance(line, int) else 1}: malformed feature file: {message}"]
    feature = document.feature
    if feature is None:
        return []
    errors = _check(shown, f'feature "{feature.name}"', feature.tags, catalogue)
    for child in feature.children:
        if child.scenario is not None:
            errors.extend(_check_scenario(shown, child.scenario, catalogue))
        elif child.rule is not None:
            errors.extend(_check(shown, f'rule "{child.rule.name}"', child.rule.tags, catalogue))
            for rule_child in child.rule.children:
                if rule_child.scenario is not None:
                    errors.extend(_check_scenario(shown, rule_child.scenario, catalogue))
    return errors


def _check_scenario(shown: str, scenario: GherkinScenario, catalogue: Catalogue) -> list[str]:
    errors = _check(shown, f'scenario "{scenario.name}"', scenario.tags, catalogue)
    for examples in scenario.examples:
        errors.extend(_check(shown, _examples_label(scenario, examples), examples.tags, catalogue))
    return errors


def _examples_label(scenario: GherkinScenario, examples: ExamplesTable) -> str:
    name = f' "{examples.name}"' if examples.name else ""
    return f'examples{name} of scenario "{scenario.name}"'


def _check(shown: str, what: str, tags: list[Tag], catalogue: Catalogue) -> list[str]:
    return [
        f"{shown}:{tag.location.line}: {what} tags {unknown_message(tag.name.lstrip('@'), catalogue)}"
        for tag in tags
        if is_function_point_tag(tag.name) and tag.name.lstrip("@") not in catalogue
    ]
