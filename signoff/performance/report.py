"""The performance report: ``performance.json``, ``performance.html`` with charts, CSV series, summary.

Charts are drawn with pygal as inline SVG (no script, no web font, nothing fetched): the HTML file
opens offline from disk and holds everything. pygal was chosen over matplotlib because it is pure
Python, small, and writes SVG text directly - the whole report stays one self-contained file.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import pygal  # type: ignore[import-untyped]  # pygal ships no type hints
from pygal.style import DefaultStyle  # type: ignore[import-untyped]

from signoff.files import write_atomically
from signoff.findings import write_area_result
from signoff.performance import analysis
from signoff.performance.analysis import StepResult
from signoff.performance.engine import Judgement, RunRecord
from signoff.performance.monitor import Sample
from signoff.performance.plan import PerformanceSection

REPORT_JSON = "performance.json"
REPORT_HTML = "performance.html"
SERIES_CSV = "series.csv"
STEPS_CSV = "steps.csv"
PROBES_CSV = "browser.csv"


def _step_data(step: StepResult) -> dict[str, Any]:
    return {
        "users": step.users,
        "reached_users": step.reached_users,
        "seconds": step.seconds,
        "complete": step.complete,
        "in_flight_at_end": step.in_flight_at_end,
        "total": step.total.to_data(),
        "pages": [page.to_data() for page in step.pages],
        "errors": step.errors,
        "generator_cpu": step.generator_cpu,
        "target": dict(step.target) if step.target is not None else "could not check",
    }


def series_rows(record: RunRecord) -> list[dict[str, Any]]:
    """One row per second: users, throughput, failures, p50/p95/p99, the server's and generator's figures."""
    started = float(record.raw.get("started_at", 0.0))
    samples = {int(sample.at - started): sample for sample in record.samples}
    rows: list[dict[str, Any]] = []
    for point in record.raw.get("series", ()):
        hist = analysis.histogram(point.get("response_times", {}))
        sample: Sample | None = samples.get(int(point["t"]))
        rows.append(
            {
                "t": int(point["t"]),
                "users": int(point["users"]),
                "requests_per_s": int(point["requests"]),
                "failures_per_s": int(point["failures"]),
                "p50_ms": analysis.percentile(hist, 0.5),
                "p95_ms": analysis.percentile(hist, 0.95),
                "p99_ms": analysis.percentile(hist, 0.99),
                "server_cpu": sample.server_cpu if sample else None,
                "server_rss_mb": sample.server_rss_mb if sample else None,
                "server_read_mb": sample.server_read_mb if sample else None,
                "server_write_mb": sample.server_write_mb if sample else None,
                "server_connections": sample.server_connections if sample else None,
                "port_connections": sample.port_connections if sample else None,
                "generator_cpu": max(sample.generator_cpu.values()) if sample and sample.generator_cpu else None,
            }
        )
    return rows


def _csv(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _chart(kind: type[Any], title: str, **options: Any) -> Any:
    # js=[]: pygal would otherwise link its tooltip script from the internet.
    return kind(
        title=title,
        js=[],
        disable_xml_declaration=True,
        style=DefaultStyle,
        width=900,
        height=320,
        show_dots=options.pop("show_dots", False),
        x_title=options.pop("x_title", "seconds"),
        **options,
    )


def charts(record: RunRecord, judgement: Judgement, rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The report's charts as inline SVG, by name."""
    svgs: dict[str, str] = {}
    times = [row["t"] for row in rows]

    def line(title: str, series: dict[str, str], y_title: str) -> str:
        chart = _chart(pygal.XY, title, y_title=y_title)
        for label, key in series.items():
            chart.add(label, [(t, row[key]) for t, row in zip(times, rows, strict=True) if row[key] is not None])
        return str(chart.render(is_unicode=True))

    if rows:
        svgs["users and throughput"] = line(
            "Users and throughput", {"users": "users", "requests/s": "requests_per_s"}, "users, requests/s"
        )
        svgs["response times"] = line(
            "Response times (ms)", {"p50": "p50_ms", "p95": "p95_ms", "p99": "p99_ms"}, "milliseconds"
        )
        svgs["errors"] = line("Failed requests per second", {"failures/s": "failures_per_s"}, "failures/s")
        svgs["server"] = line(
            "Server: CPU (% of a core), memory (MB), connections; generator CPU",
            {
                "server CPU %": "server_cpu",
                "server memory MB": "server_rss_mb",
                "connections (accepted)": "server_connections",
                "connections (with queue)": "port_connections",
                "generator CPU %": "generator_cpu",
            },
            "",
        )
        disk = [row for row in rows if row["server_write_mb"] is not None]
        if disk:
            # psutil's counters run from the processes' start: the chart shows what this run added.
            chart = _chart(pygal.XY, "Server disk: MB read and written during the run", y_title="MB")
            for label, key in (("read MB", "server_read_mb"), ("written MB", "server_write_mb")):
                first = float(disk[0][key] or 0.0)
                chart.add(label, [(row["t"], round(float(row[key] or 0.0) - first, 2)) for row in disk])
            svgs["disk"] = str(chart.render(is_unicode=True))
    measured = [step for step in record.steps if step.total.requests]
    if measured:
        chart = _chart(pygal.XY, "p95 and throughput by users (knee marked)", x_title="users", show_dots=True)
        chart.add("p95 ms", [(s.users, s.total.p(0.95)) for s in measured])
        chart.add("requests/s ×100", [(s.users, round(s.total.throughput * 100, 1)) for s in measured])
        if judgement.knee is not None:
            knee_p95 = next((s.total.p(0.95) for s in measured if s.users == judgement.knee.users), 0)
            chart.add("knee", [(judgement.knee.users, 0), (judgement.knee.users, knee_p95)], stroke_style={"width": 4})
        svgs["steps"] = str(chart.render(is_unicode=True))
    return svgs


def report_data(
    record: RunRecord, judgement: Judgement, section: PerformanceSection, rows: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "profile": record.profile,
        "target": record.base_url,
        "stopped": record.stopped,
        "message": record.message,
        "wall_seconds": record.wall_seconds,
        "generators": record.generators,
        "accounts": record.accounts,
        "gunicorn_workers": record.gunicorn_workers,
        "thresholds": {
            "max_p95_seconds": section.max_p95_seconds,
            "max_error_percent": section.max_error_percent,
            "max_regression_percent": section.max_regression_percent,
            "max_generator_cpu": section.max_generator_cpu,
        },
        "verdict": judgement.result.verdict,
        "summary": judgement.result.summary,
        "knee": dataclasses.asdict(judgement.knee) if judgement.knee else None,
        "errors_start_users": judgement.errors_from,
        "saturated_generator_at_users": list(judgement.saturated_steps),
        "baseline": judgement.baseline_note,
        "regressions": [dataclasses.asdict(r) for r in judgement.regressions],
        "steps": [_step_data(step) for step in record.steps],
        "browser": [dataclasses.asdict(probe) for probe in record.probes],
        "findings": [finding.to_data() for finding in judgement.result.findings],
        "series": list(rows),
    }


def write_report(
    record: RunRecord, judgement: Judgement, section: PerformanceSection, output_dir: Path, report_dir: Path
) -> list[Path]:
    """Every file of the report, and ``<report_dir>/performance/summary.json`` for the sign-off."""
    rows = series_rows(record)
    data = report_data(record, judgement, section, rows)
    written = [
        write_atomically(output_dir / REPORT_JSON, json.dumps(data, ensure_ascii=False, indent=2) + "\n"),
        write_atomically(output_dir / SERIES_CSV, _csv(rows)),
        write_atomically(
            output_dir / STEPS_CSV,
            _csv(
                [{"users": step.users, **page.to_data()} for step in record.steps for page in (step.total, *step.pages)]
            ),
        ),
        write_atomically(output_dir / PROBES_CSV, _csv([dataclasses.asdict(p) for p in record.probes])),
    ]
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("signoff.performance", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    html = environment.get_template(REPORT_HTML).render(
        data=data, charts=charts(record, judgement, rows), pages_of=_pages_by_journey(record.steps)
    )
    written.append(write_atomically(output_dir / REPORT_HTML, html))
    written.append(write_area_result(report_dir, judgement.result))
    return written


def _pages_by_journey(steps: Sequence[StepResult]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The top step's pages grouped by journey (the part of the name before " · ")."""
    measured = [step for step in steps if step.total.requests]
    if not measured:
        return []
    groups: dict[str, list[dict[str, Any]]] = {}
    for page in measured[-1].pages:
        journey, _, name = page.name.partition(" · ")
        groups.setdefault(journey, []).append({**page.to_data(), "page": name or journey})
    return sorted(groups.items())


def save_baseline(record: RunRecord, path: Path) -> Path | None:
    """Keep this run's top step as the baseline of later runs; None when nothing was measured."""
    measured = [step for step in record.steps if step.total.requests]
    if not measured:
        return None
    return write_atomically(path, json.dumps(analysis.baseline_data(measured[-1], record.profile), indent=2) + "\n")


def load_baseline(path: Path) -> dict[str, Any] | None:
    """The saved baseline, or None when there is none (an unreadable one is a plan error upstream)."""
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
