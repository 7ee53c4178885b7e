"""What an analyst reads when a step fails: the business message, feature, scenario and step, the screenshot.

pytest's own report of a failed scenario shows pytest-bdd's fixture machinery (``call_fixture_func``,
``fixturefunc = <function …>``) and Python source; the analyst who wrote the feature needs none of
it. When a step fails, :func:`note` keeps what happened on the test item (the feature, scenario and
step in the feature's own words and language, the step's data table, the message the step raised -
expected against what the CRM showed - and the path of the screenshot saved under the report folder),
and :func:`readable` turns it into the failure text pytest prints, the terminal summary shows and
the coverage report keeps. ``--tb=long`` or ``--tb=native`` keeps pytest's traceback for the kit's
developers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from signoff.files import write_atomically

#: The labels of the failure text, by the feature's language (Gherkin's language code).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "feature": "Feature",
        "scenario": "Scenario",
        "step": "Step",
        "line": "line",
        "message": "What failed",
        "screenshot": "Screenshot",
        "none": "none (no page was open)",
    },
    "zh": {
        "feature": "功能",
        "scenario": "场景",
        "step": "步骤",
        "line": "第{line}行",
        "message": "失败原因",
        "screenshot": "截图",
        "none": "无（没有打开的页面）",
    },
}

#: How many lines of a long message (a browser's call log) the analyst is shown.
MESSAGE_LINES = 8


@dataclass(frozen=True)
class FailedStep:
    """A failed step as the analyst wrote it, with what went wrong."""

    feature: str
    path: str
    language: str
    scenario: str
    keyword: str
    step: str
    line: int
    table: tuple[tuple[str, ...], ...]
    message: str
    screenshot: Path | None


FAILED_STEP_KEY = pytest.StashKey[FailedStep]()


def business_message(error: BaseException) -> str:
    """The message of a failed step without Python: the step's own words, at most :data:`MESSAGE_LINES` lines.

    pytest rewrites ``assert condition, message`` so that the text goes on with ``assert <the
    condition's Python>``: that part is dropped; so are the notes of the exception's type.
    """
    text = str(error).strip() or type(error).__name__
    text = re.split(r"\nassert |\n\s*\+\s*where ", text, maxsplit=1)[0].rstrip()
    notes = [str(note) for note in getattr(error, "__notes__", ())]
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if len(lines) > MESSAGE_LINES:
        lines = [*lines[:MESSAGE_LINES], "…"]
    return "\n".join(lines + notes)


def save_screenshot(folder: Path, nodeid: str, png: bytes) -> Path:
    """Write the screenshot of a failed step under ``folder``; the file's path."""
    # "<feature file>-<scenario's test>[browser]": readable, distinct per file, scenario and browser;
    # a long one keeps its start and end around a short digest of the whole.
    path, _, test = nodeid.partition("::")
    name = re.sub(r"[^\w.]+", "-", f"{Path(path).name.removesuffix('.feature')}-{test}").strip("-") or "scenario"
    if len(name) > 120:
        name = f"{name[:80]}-{hashlib.sha1(name.encode()).hexdigest()[:8]}-{name[-30:]}"
    return write_atomically(folder / f"{name}.png", png)


def note(item: pytest.Item, failed: FailedStep) -> None:
    """Keep the failed step on the test item, for :func:`readable` when pytest makes its report."""
    item.stash[FAILED_STEP_KEY] = failed


def readable(failed: FailedStep) -> str:
    """The failure text an analyst reads, in the feature's language."""
    labels = LABELS["zh" if failed.language.lower().startswith("zh") else "en"]
    line = labels["line"].format(line=failed.line) if "{line}" in labels["line"] else f"{labels['line']} {failed.line}"
    # The message first: it is also the line pytest's short summary shows.
    message = failed.message.splitlines() or [""]
    text = [f"{labels['message']}: {message[0]}", *(f"  {more}" for more in message[1:])]
    text += [
        f"{labels['feature']}: {failed.feature} ({failed.path})",
        f"{labels['scenario']}: {failed.scenario}",
        f"{labels['step']}: {failed.keyword.strip()} {failed.step} ({line})",
    ]
    if failed.table:
        widths = [max(len(row[at]) for row in failed.table) for at in range(len(failed.table[0]))]
        text += [
            "  | " + " | ".join(cell.ljust(widths[at]) for at, cell in enumerate(row)) + " |" for row in failed.table
        ]
    text.append(f"{labels['screenshot']}: {failed.screenshot if failed.screenshot else labels['none']}")
    return "\n".join(text)


def rewrite(item: pytest.Item, report: pytest.TestReport) -> None:
    """Give a failed scenario's report the analyst's text, unless a long traceback was asked for."""
    failed = item.stash.get(FAILED_STEP_KEY, None)
    if failed is None or not report.failed or report.when != "call":
        return
    if item.config.getoption("tbstyle", "auto") in ("long", "native"):
        return
    report.longrepr = readable(failed)
