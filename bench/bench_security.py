"""Wall time of each security check and scanner on the embedded Creme, and the requests each sent.

Run (it starts Creme and a browser: take the shared lock)::

    flock /tmp/signoff-crm.lock .venv/bin/python bench/bench_security.py [--only headers,sessions]
        [--wapiti-seconds 180] [--sqlmap-seconds 120]

Starts an embedded Creme of its own (label ``bench-security``), signs the browser in as the
administrator, runs every check of :data:`signoff.security.run.ALL` in turn, and prints per check:
the wall time, the requests the CRM received while it ran (lines of gunicorn's access log: this
counts the scanners' requests too) and, for our own checks, the requests the kit counted itself,
then the findings. The load average is printed before and after. Creme is reset afterwards (the
checks save records and users) and stopped. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pages.creme.security import CremeSecurity  # noqa: E402
from signoff import browsers  # noqa: E402
from signoff.plan import load_plan  # noqa: E402
from signoff.security.checks import CheckContext  # noqa: E402
from signoff.security.plan import security_section  # noqa: E402
from signoff.security.run import ALL, run_named  # noqa: E402
from signoff.security.scanners.sqlmap import IDENTIFIED, NOT_INJECTABLE  # noqa: E402
from signoff.targets.base import Credentials  # noqa: E402
from signoff.targets.creme import EmbeddedCreme  # noqa: E402


def _lines(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            return sum(1 for _ in handle)
    except OSError:
        return 0


def _sqlmap_points(security: CremeSecurity, folder: Path) -> None:
    """Each injection point's wall time (sqlmap's own start and end lines) and how it ended."""
    for index, point in enumerate(security.injection_points(), start=1):
        try:
            output = (folder / f"sqlmap-{index}" / "sqlmap.out").read_text(encoding="utf-8", errors="replace")
        except OSError:
            print(f"  point {point.name}: not run")
            continue
        stamps = re.findall(r"^\[(\d\d:\d\d:\d\d)\]", output, re.MULTILINE)
        seconds = _seconds(stamps[-1]) - _seconds(stamps[0]) if stamps else 0
        ended = (
            "injectable"
            if IDENTIFIED in output
            else "not injectable"
            if NOT_INJECTABLE in output
            else "unfinished (time box or error)"
        )
        print(
            f"  point {point.method} {point.path} ({point.name}, probing {', '.join(point.probe)}): ~{seconds} s, {ended}"
        )


def _seconds(stamp: str) -> int:
    hours, minutes, seconds = (int(part) for part in stamp.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", default=",".join(ALL), help=f"checks to run (default: all: {', '.join(ALL)})")
    parser.add_argument("--wapiti-seconds", type=float, default=None)
    parser.add_argument("--sqlmap-seconds", type=float, default=None)
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in ALL]
    if unknown:
        print(f"bench_security: unknown check {unknown[0]!r}; known: {', '.join(ALL)}", file=sys.stderr)
        return 2
    plan = load_plan(ROOT / "acceptance.toml")
    section = security_section(plan)
    import dataclasses

    section = dataclasses.replace(
        section,
        wapiti_seconds=args.wapiti_seconds if args.wapiti_seconds is not None else section.wapiti_seconds,
        sqlmap_seconds=args.sqlmap_seconds if args.sqlmap_seconds is not None else section.sqlmap_seconds,
    )
    home = plan.resolve(plan.target.home)
    target = EmbeddedCreme(home, label="bench-security")
    out_dir = Path("/tmp") / f"signoff-bench-security-{os.getpid()}"
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (2 cores)")
    target.provision()
    target.start(pristine=True)
    try:
        access_log = target.logs_dir / "access.log"
        choice = browsers.resolve("chromium", plan.browsers.executable)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**choice.launch_args)
            context = browser.new_context(base_url=target.base_url)
            page = context.new_page()
            page.goto("/creme_login/")
            page.fill("#id_username", target.admin.username)
            page.fill("#id_password", target.admin.password)
            page.press("#id_password", "Enter")
            page.wait_for_load_state()
            security = CremeSecurity(page, target.base_url, Credentials(target.admin.username, target.admin.password))
            checks = CheckContext(security, section, evidence_dir=out_dir / "evidence")
            viewer = browser.new_context(base_url=target.base_url)
            print(f"{'check':15} {'seconds':>8} {'CRM requests':>13} {'kit counted':>12}  findings")
            for name in names:
                before = _lines(access_log)
                result = run_named(name, checks, browser=viewer, home=home, out_dir=out_dir / name.replace(" ", "-"))
                received = _lines(access_log) - before
                counted = str(result.requests) if result.requests >= 0 else "-"
                summary = ", ".join(f"{f.status} {f.severity} {f.key}" for f in result.findings) or "none"
                print(f"{name:15} {result.seconds:8.1f} {received:13d} {counted:>12}  {summary}", flush=True)
                if name == "sqlmap":
                    _sqlmap_points(security, out_dir / "sqlmap")
            browser.close()
    finally:
        started = time.monotonic()
        target.reset()
        target.stop()
        print(f"Creme reset and stopped in {time.monotonic() - started:.1f} s")
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
