"""The user manual (用户手册): the CRM's tasks as numbered steps with a screenshot after each step.

Made from the Allure results of a run with ``--signoff-screenshots every-step``: each passing
scenario is one task, its Gherkin steps (as the feature wrote them, so in the feature's language)
are the numbered steps, and the screenshot attached after a step shows the screen it leaves. Tasks
are grouped by module: the module of the scenario's first function point in the catalogue, else
the feature's name. Only passing scenarios go in (a manual shows what works); how many were left
out is said on the first page. It is regenerated from a fresh run each time, so it never drifts
from the CRM.

Written as ``<out>/manual.html`` (screenshots copied to ``<out>/images/``) and ``manual.pdf``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from signoff.errors import SignoffError
from signoff.files import write_atomically
from signoff.report.i18n import words
from signoff.report.results import ScenarioRecord, read_results

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HTML_NAME: Final = "manual.html"
PDF_NAME: Final = "manual.pdf"
IMAGES: Final = "images"
AFTER_PREFIX: Final = "after"


@dataclasses.dataclass(frozen=True)
class ManualStep:
    text: str
    #: Path of the screenshot relative to the manual's folder; empty when none was taken.
    image: str


@dataclasses.dataclass(frozen=True)
class Task:
    title: str
    feature: str
    steps: tuple[ManualStep, ...]
    language: str


@dataclasses.dataclass(frozen=True)
class ManualModule:
    title: str
    tasks: tuple[Task, ...]


@dataclasses.dataclass(frozen=True)
class Manual:
    modules: tuple[ManualModule, ...]
    left_out: int


def _language(texts: list[str]) -> str:
    return "zh" if any("\u4e00" <= char <= "\u9fff" for text in texts for char in text) else "en"


def _task(record: ScenarioRecord, results_dir: Path, out: Path) -> Task:
    steps: list[ManualStep] = []
    for step in record.steps:
        shots = [a for a in step.attachments if a.type == "image/png" and a.name.startswith(AFTER_PREFIX)]
        image = ""
        if shots:
            source = results_dir / shots[-1].source
            name = hashlib.sha256(f"{record.feature}\n{record.name}\n{len(steps)}".encode()).hexdigest()[:16] + ".png"
            try:
                (out / IMAGES).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, out / IMAGES / name)
                image = f"{IMAGES}/{name}"
            except OSError:
                image = ""  # the step stays in the manual, without its picture
        steps.append(ManualStep(step.name, image))
    return Task(record.name, record.feature, tuple(steps), _language([record.name, *(s.text for s in steps)]))


def collect(results_dir: Path, out: Path, modules_of: Mapping[str, str] | None = None) -> Manual:
    """The manual's content from ``results_dir``; ``modules_of`` maps a function point id to its module."""
    modules_of = modules_of or {}
    records = read_results(results_dir)
    seen: set[tuple[str, str]] = set()
    grouped: dict[str, list[Task]] = {}
    left_out = 0
    for record in records:
        key = (record.feature, record.name)
        if key in seen or not record.steps:
            continue
        seen.add(key)
        if record.status != "passed":
            left_out += 1
            continue
        points = record.labels.get("function_point", ())
        module = next((modules_of[p] for p in points if p in modules_of), "") or record.feature or "—"
        grouped.setdefault(module, []).append(_task(record, results_dir, out))
    return Manual(tuple(ManualModule(title, tuple(tasks)) for title, tasks in grouped.items()), left_out)


def build_manual(
    results_dir: Path,
    out: Path,
    *,
    language: str = "en",
    modules_of: Mapping[str, str] | None = None,
    title: str = "",
    pdf: bool = True,
    executable: str = "",
    browser: Browser | None = None,
) -> tuple[Path, Path | None]:
    """Write the manual from ``results_dir`` into ``out``; a run with no passing scenario is an error."""
    results_dir = Path(results_dir)
    if not results_dir.is_dir() or not any(results_dir.glob("*-result.json")):
        raise SignoffError(f"no Allure results in {results_dir}: run the acceptance first")
    out = Path(out)
    shutil.rmtree(out / IMAGES, ignore_errors=True)
    manual = collect(results_dir, out, modules_of)
    if not manual.modules:
        raise SignoffError(f"no passing scenario in {results_dir}: a manual is made from a green run")
    if not any(step.image for module in manual.modules for task in module.tasks for step in task.steps):
        raise SignoffError(
            f"the results in {results_dir} have no screenshot after the steps: run with --screenshots every-step"
        )
    from signoff.report.signoff_report import environment

    text = words(language)
    html = (
        environment()
        .get_template("manual.html")
        .render(lang=language, t=text, manual=manual, title=title or text["manual_title"])
    )
    html_path = write_atomically(out / HTML_NAME, html)
    pdf_path = None
    if pdf:
        from signoff.report.pdf import print_pdf

        pdf_path = print_pdf(
            html_path, out / PDF_NAME, title=title or text["manual_title"], executable=executable, browser=browser
        )
    return html_path, pdf_path
