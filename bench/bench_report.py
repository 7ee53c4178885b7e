"""Time the sign-off report on a large synthetic result set: HTML, defect list (CSV, XLSX), compare.

    .venv/bin/python bench/bench_report.py --findings 2000
    flock /tmp/signoff-crm.lock .venv/bin/python bench/bench_report.py --pdf   # also print the PDF (starts Chromium)

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path

from signoff.findings import AREAS, AreaResult, Finding, write_area_result
from signoff.report.compare import compare_runs
from signoff.report.defects import write_defects
from signoff.report.history import archive_run, list_runs, load_run
from signoff.report.plan import ProjectSection, SignoffSection, VerdictSection
from signoff.report.signoff_report import render_signoff

SEVERITIES = ("critical", "high", "medium", "low")


def fill(report_dir: Path, findings: int, seed: int) -> None:
    rng = random.Random(seed)
    per_area = max(1, findings // len(AREAS))
    for area in AREAS:
        items = tuple(
            Finding(
                key=f"{area}-{rng.randrange(per_area * 2)}-{i}",
                title=f"{area} finding {i} 中文标题",
                severity=rng.choice(SEVERITIES),
                steps=("假如 我以管理员身份登录", "当 我新增公司 “甲公司”", "那么 公司 “甲公司” 存在"),
                expected="the organisation exists",
                actual="it does not",
                details={"elements": str(rng.randrange(1, 20))},
            )
            for i in range(per_area)
        )
        write_area_result(
            report_dir, AreaResult(area, "failed", "synthetic", {"p95 ms /x": rng.randrange(100, 900)}, items)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--pdf", action="store_true")
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as folder:
        report_dir = Path(folder) / "reports"
        results = Path(folder) / "results"
        results.mkdir()
        for seed in (1, 2):
            fill(report_dir, args.findings, seed)
            archive_run(report_dir, results, None, 5, now=dt.datetime(2026, 12, seed, tzinfo=dt.UTC))
        started = time.perf_counter()
        html, verdict, defects = render_signoff(
            report_dir,
            project=ProjectSection(),
            rules=VerdictSection(),
            signoff=SignoffSection(),
            language="zh",
            facts={},
        )
        rendered = time.perf_counter()
        index = report_dir / "signoff-report.html"
        index.write_text(html, encoding="utf-8")
        write_defects(defects, report_dir / "defects", "zh")
        written = time.perf_counter()
        runs = list_runs(report_dir / "history")
        comparison = compare_runs(load_run(runs[0]), load_run(runs[1]))
        compared = time.perf_counter()
        print(f"findings: {len(defects)}, verdict: {verdict.verdict}, HTML: {len(html) / 1e6:.2f} MB")
        print(f"render HTML: {rendered - started:.2f} s")
        print(f"defect list CSV + XLSX: {written - rendered:.2f} s")
        print(f"compare two runs: {compared - written:.2f} s ({len(comparison.regressions)} regressions)")
        if args.pdf:
            from signoff.report.pdf import print_pdf

            start = time.perf_counter()
            pdf = print_pdf(index, report_dir / "signoff-report.pdf", title="bench")
            print(f"PDF: {time.perf_counter() - start:.2f} s, {pdf.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
