"""The step catalogue 步骤目录: every phrasing an analyst can write, in English and Chinese.

Built from the step vocabulary (``steps/``) and the feature files: grouped by step module, each
step function with its phrasings (the keyword each was declared for; any keyword matches), its
parameters and what they accept (types, closed sets), its meaning (the function's docstring, first
line), an example from a real feature in each language, the function points (``@FP-...``) of the
scenarios that use it, and which of its phrasings no feature uses.

``signoff steps`` prints it; ``signoff steps --markdown docs/steps.md`` writes the Markdown kept in
the repository (a unit test fails when it is out of date).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.coverage.tags import function_point_ids
from signoff.lint import (
    FeatureSyntaxError,
    find_feature_files,
    load_step_definitions,
    module_title,
    parse_feature,
    rendered_steps,
)
from signoff.vocabulary import STEP_TYPES, Phrasing, Slot, SlotType, matching, phrasings, slot_types

STEP_PACKAGE = "steps"
MARKDOWN_COMMAND = "signoff steps --markdown docs/steps.md"


@dataclass(frozen=True)
class Example:
    """A step as a real feature writes it."""

    text: str
    path: str
    line: int
    language: str


@dataclass
class Entry:
    """One step function in the catalogue."""

    function: Callable[..., Any]
    phrasings: list[Phrasing]
    examples: list[Example] = field(default_factory=list)
    function_points: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def module(self) -> str:
        return str(self.function.__module__)

    @property
    def meaning(self) -> str:
        doc = (self.function.__doc__ or "").strip().splitlines()
        return doc[0].strip() if doc else ""

    @property
    def slots(self) -> list[Slot]:
        """The parameters of its phrasings, each once, in the order they first appear."""
        seen: dict[str, Slot] = {}
        for phrasing in self.phrasings:
            for slot in phrasing.phrase.slots:
                seen.setdefault(slot.name, slot)
        return list(seen.values())

    @property
    def unused(self) -> list[Phrasing]:
        return [p for p in self.phrasings if p.text not in self.used]


def build(feature_paths: Iterable[str | Path], root: Path | None = None, package: str = STEP_PACKAGE) -> list[Entry]:
    """The catalogue of the step package, with examples and function points from the features."""
    load_step_definitions(package)
    entries: dict[Callable[..., Any], Entry] = {}
    for phrasing in phrasings():
        if phrasing.function.__module__.startswith(package + "."):
            entries.setdefault(phrasing.function, Entry(phrasing.function, [])).phrasings.append(phrasing)
    for entry in entries.values():
        # Decorators apply from the bottom up: show Given, When, Then, English before Chinese.
        entry.phrasings.sort(key=lambda p: (STEP_TYPES.index(p.type), p.language))
    base = (root or Path.cwd()).resolve()
    for path in find_feature_files(feature_paths):
        try:
            feature = parse_feature(path)
        except FeatureSyntaxError:
            continue  # signoff check reports it
        shown = str(path.resolve().relative_to(base)) if path.resolve().is_relative_to(base) else str(path)
        for template, step in rendered_steps(feature):
            found = matching(step.type, step.name)
            if len({p.function for p in found}) != 1 or found[0].function not in entries:
                continue
            entry = entries[found[0].function]
            entry.used.update(p.text for p in found)
            tags = set(feature.tags) | set(template.tags) | {t for e in template.examples for t in e.tags}
            if template.rule is not None:
                tags |= set(template.rule.tags)
            entry.function_points.update(function_point_ids(tags))
            language = "zh" if feature.language.lower().startswith("zh") else "en"
            if not any(example.language == language for example in entry.examples):
                entry.examples.append(Example(f"{step.keyword.strip()} {step.name}", shown, step.line_number, language))
    return sorted(entries.values(), key=lambda e: (e.module, _first_line(e.function)))


def _first_line(function: Callable[..., Any]) -> int:
    code = getattr(function, "__code__", None)
    return int(code.co_firstlineno) if code else 0


def _slot_text(slot: Slot) -> str:
    kind = slot.type
    if kind.name == "text":
        return "quoted text" if slot.quoted else "text (no quotes, no commas)"
    what = kind.meaning + (", in quotes" if slot.quoted else "")
    return f"{what}: {', '.join(kind.values)}" if kind.values else what


def _by_module(entries: list[Entry]) -> dict[str, list[Entry]]:
    modules: dict[str, list[Entry]] = {}
    for entry in entries:
        modules.setdefault(entry.module, []).append(entry)
    return modules


def _title(module: str) -> str:
    return f"{module.rpartition('.')[2]} — {module_title(module) if module in sys.modules else module}"


# ----------------------------------------------------------------------------- text


def render_text(entries: list[Entry]) -> str:
    """The catalogue for the terminal."""
    lines = [
        "Step catalogue 步骤目录: every phrasing works after any keyword (Given/When/Then/And/But, 假如/当/那么/而且/但是).",
        'Values: "…", “…” or 「…」; lists: "A", "B" and "C" / "甲"、"乙"和"丙".',
    ]
    for module, members in _by_module(entries).items():
        lines += ["", f"== {_title(module)}"]
        for entry in members:
            lines += ["", f"  {entry.name}: {entry.meaning}"]
            lines += [f"    {p.type.capitalize():5} {p.phrase.display}" for p in entry.phrasings]
            lines += [f"    {{{slot.name}}}: {_slot_text(slot)}" for slot in entry.slots]
            lines += [f"    e.g. {e.text}  ({e.path}:{e.line})" for e in entry.examples]
            if entry.function_points:
                lines.append(f"    function points: {', '.join(sorted(entry.function_points))}")
            if entry.unused:
                lines.append(f"    no feature uses: {' | '.join(p.phrase.display for p in entry.unused)}")
    unused = [p for entry in entries for p in entry.unused]
    lines += ["", f"{len(unused)} of {sum(len(e.phrasings) for e in entries)} phrasings are used by no feature."]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- Markdown


def _code(text: str) -> str:
    return f"`{text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(entries: list[Entry]) -> str:
    """The catalogue as Markdown (``docs/steps.md``)."""
    out = [
        "# Step catalogue 步骤目录",
        "",
        f"Generated from `steps/` and `features/` by `{MARKDOWN_COMMAND}`; do not edit by hand.",
        "",
        "Every phrasing below can be written after any keyword: `Given`, `When`, `Then`, `And`, `But`",
        "(假如, 当, 那么, 而且, 但是). The keyword shown is the one it was declared for; where the same",
        "words are declared under two keywords with two meanings, the keyword you write decides.",
        "",
        '- **Quoted values** take any of three quote styles, all giving the same value: `"…"`, `“…”`, `「…」`.',
        "  A value closes with the style that opened it; other quote marks are an error of `signoff check`.",
        '- **Lists** take any number of quoted values: `"A"`, `"A" and "B"`, `"A", "B" and "C"`,',
        '  `"甲"、"乙"和"丙"`.',
        "- **Typed values** (amounts, percentages, dates, times, counts, email addresses) and **closed sets**",
        "  (screens, modules, statuses, phases …) are checked by `signoff check` before anything runs.",
        "- An unquoted value holds no quote mark and no comma (but `12,500`), so it never runs into the next words.",
        "",
        "## Slot types",
        "",
        "| type | what to write | valid words |",
        "|---|---|---|",
    ]
    for kind in sorted(_used_types(entries), key=lambda k: k.name):
        out.append(f"| `{kind.name}` | {_cell(kind.meaning)} | {_cell(', '.join(kind.values))} |")
    modules = _by_module(entries)
    out += ["", "## Modules", ""]
    out += [f"- [{_title(module)}](#{module.rpartition('.')[2]})" for module in modules]
    for module, members in modules.items():
        out += ["", f'<a id="{module.rpartition(".")[2]}"></a>', "", f"## {_title(module)}"]
        for entry in members:
            out += ["", f"### {entry.name}", "", entry.meaning, ""]
            out += [f"- {p.type.capitalize()} {_code(p.phrase.display)}" for p in entry.phrasings]
            if entry.slots:
                out += ["", "Parameters:", ""]
                out += [f"- `{{{slot.name}}}`: {_slot_text(slot)}" for slot in entry.slots]
            out.append("")
            if entry.examples:
                out += [f"Example: {_code(e.text)} ({e.path}:{e.line})  " for e in entry.examples]
            else:
                out.append("Example: none yet (no feature uses it)  ")
            points = ", ".join(sorted(entry.function_points)) or "none"
            out.append(f"Function points: {points}")
            if entry.unused:
                out.append("  \nNo feature uses: " + " · ".join(_code(p.phrase.display) for p in entry.unused))
    unused = [(entry, p) for entry in entries for p in entry.unused]
    out += ["", "## Phrasings no feature uses", "", f"{len(unused)} of {sum(len(e.phrasings) for e in entries)}:", ""]
    out += [f"- {_code(p.phrase.display)} ({entry.name})" for entry, p in unused]
    return "\n".join(out) + "\n"


def _used_types(entries: list[Entry]) -> set[SlotType]:
    known = slot_types()
    return {known[slot.type.name] for entry in entries for slot in entry.slots}
