"""The performance area as the CLI and the steps use it: run a profile on a target, judge, report.

:func:`accept_performance` is the one road from a plan and a running target to the report files,
``summary.json`` and an Allure result; ``signoff perf`` and the feature steps both take it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from playwright.sync_api import Browser

from signoff.performance import engine
from signoff.performance.engine import Judgement, RunInterrupted, RunRecord
from signoff.performance.plan import PerformanceSection, Step
from signoff.performance.report import load_baseline, save_baseline, write_report
from signoff.plan import Plan
from signoff.targets.base import Target

#: Allure epic of the performance area (the one the feature folder ``performance`` gets too).
EPIC = "Performance acceptance"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A judged run and where its report went."""

    record: RunRecord
    judgement: Judgement
    written: tuple[Path, ...]
    baseline_saved: Path | None = None


def server_pids(target: Target) -> list[int] | None:
    """The server's process-tree roots when the kit runs the CRM itself; None for a remote one."""
    read_state = getattr(target, "read_state", None)
    state = read_state() if callable(read_state) else None
    return list(state.pids.values()) if state is not None else None


def accept_performance(
    plan: Plan,
    target: Target,
    profile: str,
    *,
    browser: Browser | None,
    steps: Sequence[Step] | None = None,
    allowed_hosts: Sequence[str] = (),
    save_as_baseline: bool = False,
    results_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    gunicorn_workers: int | None = None,
    browser_probe: bool = True,
) -> Outcome:
    """Run ``profile`` against ``target``, write the report; KeyboardInterrupt after writing it.

    ``browser_probe=False`` (``signoff perf --no-browser``) leaves the user-perceived timings out
    of this run: asked for, not measured, so not a check that could not complete.
    """
    section = plan.section("performance", PerformanceSection)
    if not browser_probe:
        section = dataclasses.replace(section, browser_probe=False)
    output_dir = plan.resolve(section.output_dir)
    report_dir = plan.resolve(plan.run.report_dir)
    # A remote CRM is loaded only when its host is named (plan or option): load goes to loopback
    # unless someone said otherwise, whatever the plan's target is.
    allowed = list(allowed_hosts)
    interrupted: RunInterrupted | None = None
    try:
        record = engine.run_profile(
            profile=profile,
            section=section,
            base_url=target.base_url,
            kind=target.kind,
            admin=target.admin,
            server_pids=server_pids(target),
            work_dir=output_dir / "run",
            browser=browser,
            allowed_hosts=allowed,
            steps=steps,
            progress=progress,
        )
    except RunInterrupted as stop:
        interrupted, record = stop, stop.record
    record.gunicorn_workers = gunicorn_workers
    baseline = load_baseline(plan.resolve(section.baseline)) if section.baseline else None
    judgement = engine.judge(record, section, baseline)
    written = write_report(record, judgement, section, output_dir, report_dir)
    saved = save_baseline(record, plan.resolve(section.baseline)) if save_as_baseline and section.baseline else None
    if results_dir is not None:
        write_allure_result(results_dir, judgement, output_dir, record)
    if interrupted is not None:
        raise interrupted
    return Outcome(record, judgement, tuple(written), saved)


def write_allure_result(results_dir: Path, judgement: Judgement, output_dir: Path, record: RunRecord) -> None:
    """One Allure result for the run, with the HTML report and the JSON attached (allure-commons' writer)."""
    from allure_commons.logger import AllureFileLogger
    from allure_commons.model2 import Attachment, Label, StatusDetails, TestResult

    # allure-python-commons has no type hints: one reasoned ignore per call of its API.
    logger = AllureFileLogger(str(results_dir), clean=False)  # type: ignore[no-untyped-call]
    attachments = []
    for name, mime in (("performance.html", "text/html"), ("performance.json", "application/json")):
        path = output_dir / name
        if path.exists():
            source = f"{uuid.uuid4()}-attachment{path.suffix}"
            logger.report_attached_file(str(path), source)  # type: ignore[no-untyped-call]
            attachments.append(Attachment(name=name, source=source, type=mime))
    full_name = f"signoff.performance:{record.profile}"
    stop = int(time.time() * 1000)
    status = {"passed": "passed", "failed": "failed"}.get(judgement.result.verdict, "broken")
    logger.report_result(  # type: ignore[no-untyped-call]
        TestResult(
            uuid=str(uuid.uuid4()),
            historyId=hashlib.md5(full_name.encode()).hexdigest(),
            testCaseId=hashlib.md5(full_name.encode()).hexdigest(),
            name=f"Performance profile {record.profile} · 性能 {record.profile}",
            fullName=full_name,
            status=status,
            statusDetails=StatusDetails(message=judgement.result.summary),
            stage="finished",
            attachments=attachments,
            labels=[
                Label(name="epic", value=EPIC),
                Label(name="feature", value=f"profile {record.profile}"),
                Label(name="framework", value="signoff"),
            ],
            start=stop - int(record.wall_seconds * 1000),
            stop=stop,
        )
    )
