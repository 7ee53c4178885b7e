"""Import and export throughput of the embedded Creme, and the kit's own comparison time.

Run (under the shared lock: it starts Creme and a browser)::

    flock /tmp/signoff-crm.lock .venv/bin/python bench/bench_data.py [--rows 1000 5000] [--format csv]
    .venv/bin/python bench/bench_data.py --compare-only [--rows 1000 5000]   # the kit's share alone
    flock /tmp/signoff-crm.lock .venv/bin/python bench/bench_data.py --large 10 [--limit 900]

``--large MB``: the bad-input case of a big file (``Given a customer file of 10 MB of contacts``),
kept out of the default features because Creme takes minutes over it: the file is generated as
the step does, imported through the same screens, and what Creme did with it is printed, with
the time - or that the import had not finished after ``--limit`` seconds.

For each size: a generated contact file (the plan's seed) is imported through Creme's import
screens (upload, mapping, job, result page) and the list exported as CSV through its own download,
searched for the file's records; then the kit compares file and export. Printed: wall time and
rows per second of the import and the export, the comparison's time, and what the comparison found
(so that a figure is never read apart from what the CRM did with the data). The instance is the
label ``bench-data``, started pristine and stopped at the end, also on failure and Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pages.creme.data import CremeData  # noqa: E402
from signoff import browsers  # noqa: E402
from signoff.data.bad_input import large_file  # noqa: E402
from signoff.data.compare import compare  # noqa: E402
from signoff.data.dataset import generate  # noqa: E402
from signoff.data.exchange import compare_export, export_from, generated_file, import_into, outcome  # noqa: E402
from signoff.data.formats import read, write  # noqa: E402
from signoff.data.plan import DataSection  # noqa: E402
from signoff.plan import load_plan  # noqa: E402
from signoff.targets.creme import EmbeddedCreme  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000], help="file sizes (contacts)")
    parser.add_argument("--format", default="csv", choices=("csv", "xlsx"), help="file and export format")
    parser.add_argument("--home", default=os.environ.get("SIGNOFF_HOME") or str(ROOT / ".signoff"))
    parser.add_argument(
        "--compare-only",
        action="store_true",
        help="no CRM, no browser (no lock needed): time writing, reading and comparing a file with itself",
    )
    parser.add_argument("--large", type=int, default=0, metavar="MB", help="import a file of about MB megabytes only")
    parser.add_argument("--limit", type=float, default=900.0, help="seconds the large import may take")
    args = parser.parse_args(argv)
    plan = load_plan(ROOT / "acceptance.toml")
    section = plan.section("data", DataSection)
    print(f"cores: {os.cpu_count()}   load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.compare_only:
        return compare_only(section, args.rows, args.format)
    target = EmbeddedCreme(Path(args.home), label="bench-data")
    try:
        target.start(pristine=True)
        choice = browsers.resolve("chromium", plan.browsers.executable)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**choice.launch_args)
            context = browser.new_context(base_url=target.base_url, locale="en-GB", timezone_id="UTC")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto("/creme_login/")
            page.locator("#id_username").fill(target.admin.username)
            page.locator("#id_password").fill(target.admin.password)
            page.locator("#id_password").press("Enter")
            page.wait_for_url(lambda url: "login" not in url)
            data = CremeData(page, target.nudge_job_manager, import_timeout=args.limit)
            if args.large:
                large(data, section, args.large, args.limit)
            for rows in [] if args.large else args.rows:
                scenario = generated_file(data, section, "contact", rows, args.format)
                size = len(scenario.content)
                started = time.perf_counter()
                import_into(data, scenario)
                imported = time.perf_counter() - started
                started = time.perf_counter()
                export_from(data, scenario, args.format)
                exported = time.perf_counter() - started
                started = time.perf_counter()
                comparison = compare_export(scenario, section)
                compared = time.perf_counter() - started
                print(
                    f"{rows:>6} rows ({size / 1e6:.2f} MB {args.format}): "
                    f"import {imported:7.1f} s ({rows / imported:6.1f} rows/s)   "
                    f"export {exported:6.1f} s ({comparison.rows_out / exported:7.1f} rows/s)   "
                    f"compare {compared * 1000:7.1f} ms"
                )
                kinds = ", ".join(f"{kind} {len(items)}" for kind, items in comparison.by_kind().items())
                print(
                    f"        {scenario.import_summary()}; out {comparison.rows_out}, matched {comparison.matched}, "
                    f"dropped {len(comparison.missing)}, extra {len(comparison.extra)}; changes: {kinds or 'none'}"
                )
            browser.close()
    finally:
        target.stop()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def large(data: CremeData, section: DataSection, megabytes: int, limit: float) -> None:
    """The big-file case: generate, import, say what the CRM did and how long it took."""
    started = time.perf_counter()
    scenario = large_file(data, section, "contact", megabytes)
    print(f"{scenario.bad_input}: generated in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    try:
        import_into(data, scenario)
    except (PlaywrightTimeoutError, AssertionError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(
            f"  the import had not finished after {time.perf_counter() - started:.0f} s (limit {limit:.0f} s): {first}"
        )
        return
    took = time.perf_counter() - started
    _kind, did = outcome(scenario)
    rows = len(scenario.dataset.rows)
    print(f"  import {took:.1f} s ({rows / took:.1f} rows/s): the CRM {did}")


def compare_only(section: DataSection, sizes: list[int], fmt: str) -> int:
    """The kit's own share: generate, write, read back and compare, for each size (one cell changed)."""
    for rows in sizes:
        started = time.perf_counter()
        dataset = generate("contact", rows, section.seed)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        content = write(dataset, fmt)
        written = time.perf_counter() - started
        started = time.perf_counter()
        table = read(content, f"file.{fmt}")
        back = [dict(zip(dataset.columns, row, strict=True)) for row in table.rows]
        back[rows // 2] = {**back[rows // 2], "phone": "changed"}
        read_back = time.perf_counter() - started
        started = time.perf_counter()
        comparison = compare(dataset.rows, back, key=dataset.key, fields=dataset.columns, stage="exported")
        compared = time.perf_counter() - started
        print(
            f"{rows:>6} rows ({len(content) / 1e6:.2f} MB {fmt}): generate {generated * 1000:7.1f} ms   "
            f"write {written * 1000:6.1f} ms   read {read_back * 1000:7.1f} ms   compare {compared * 1000:6.1f} ms   "
            f"({len(comparison.mismatches)} mismatch found)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
