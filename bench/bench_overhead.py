"""Benchmark: the kit's own cost on one scenario, against a bare Playwright script doing the same clicks.

    .venv/bin/python bench/bench_overhead.py [--runs 6] [--rounds 2] [--ux]

The scenario is "Add an organisation" and its check (features/functional/customers.feature):
a new browser context from a saved sign-in, the organisation's add form, save, a quick search of
the organisation list, the organisation's page. Both sides run against one embedded Creme, side
by side in one run: the bare script in this process, the kit as ``pytest`` on a feature holding
the scenario ``--runs`` times (the plan points the kit at the same Creme as a remote target, so
that neither side starts or resets a CRM inside its timings). Each round runs the bare script
``--runs`` times, then the kit; the first scenario of each side in each round is a warm-up (the
browser start, the kit's sign-in) and is left out.

The kit's figure per scenario is its pytest test case time from the JUnit report (set-up, steps,
tear-down: the browser context, the Allure recording, the server-error watch); the bare figure is
the same work timed around the script. Prints the medians and the ratio kit / bare (the target is
at most 1.15); asserts nothing. The UX audits that ride along with a feature run are off unless
``--ux`` is given (bench_ux.py times them).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signoff.browsers import resolve  # noqa: E402
from signoff.targets.creme import EmbeddedCreme  # noqa: E402

FEATURE = """Feature: Overhead bench
  Background:
    Given I am signed in as the administrator
{scenarios}"""
SCENARIO = """
  @FP-CUS-001
  Scenario: Add an organisation {number}
    When I add an organisation "{name}"
    Then the organisation "{name}" exists
"""
PLAN = """[target]
kind = "remote"
url = "{url}"
[run]
features = ["{features}"]
isolation = "none"
results_dir = "{results}"
report_dir = "{reports}"
"""


def sign_in(browser: Browser, base_url: str, username: str, password: str, state: Path) -> None:
    """What the kit does once per run: sign in and save the signed-in state."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/creme_login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_url(re.compile(r"^(?!.*creme_login)"))
    context.storage_state(path=str(state))
    context.close()


def bare_scenario(browser: Browser, base_url: str, state: Path, name: str) -> float:
    """The scenario's clicks as a plain script: seconds from a new context to the detail page shown."""
    started = time.perf_counter()
    context = browser.new_context(base_url=base_url, storage_state=str(state))
    page = context.new_page()
    page.goto("/persons/organisation/add")
    page.fill("#id_name", name)
    page.get_by_role("button", name="Save the organisation").click()
    page.wait_for_url(re.compile(r"/persons/organisation/\d+$"))
    page.goto("/persons/organisations")
    search = page.locator("#id_search-regular_field-name")
    search.fill(name)
    search.press("Enter")
    row = page.locator("tr.lv-row").filter(has=page.get_by_text(name, exact=True)).first
    row.locator("a[data-action=redirect]").first.click()
    expect(page.locator(".card-name").first).to_contain_text(name)
    context.close()
    return time.perf_counter() - started


def kit_scenarios(base_url: str, runs: int, folder: Path, ux: bool, admin: tuple[str, str]) -> list[float]:
    """Run the scenario ``runs`` times through the kit; each scenario's seconds from the JUnit report."""
    tag = uuid.uuid4().hex[:6]
    features = folder / "features"
    features.mkdir()
    (features / "overhead.feature").write_text(
        FEATURE.format(
            scenarios="".join(SCENARIO.format(number=n, name=f"Kit bench {tag} {n}") for n in range(1, runs + 1))
        ),
        encoding="utf-8",
    )
    plan = folder / "acceptance.toml"
    plan.write_text(
        PLAN.format(url=base_url, features=features, results=folder / "results", reports=folder / "reports"),
        encoding="utf-8",
    )
    junit = folder / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(features),
        "--plan",
        str(plan),
        f"--junitxml={junit}",
        "-o",
        "junit_duration_report=total",
        "-q",
        "-p",
        "no:cacheprovider",
        # As `signoff run` does: the project's settings and plugins, wherever the features are.
        "--rootdir",
        str(ROOT),
        "-c",
        str(ROOT / "pyproject.toml"),
        "--coverage-dir",
        str(folder / "coverage"),
    ]
    if not ux:
        command.append("--ux-audit=off")
    env = {**os.environ, "SIGNOFF_USERNAME": admin[0], "SIGNOFF_PASSWORD": admin[1]}
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env)
    if not junit.exists():
        raise SystemExit(
            f"the kit did not run (exit {completed.returncode}):\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    cases = ElementTree.parse(junit).getroot().iter("testcase")
    seconds = []
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            raise SystemExit(f"the kit's scenario failed:\n{completed.stdout[-3000:]}")
        seconds.append(float(case.get("time", "nan")))
    if len(seconds) != runs:
        raise SystemExit(f"the kit ran {len(seconds)} of {runs} scenarios:\n{completed.stdout[-3000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=6, help="scenarios per side and round, after a warm-up")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of bare script, then kit")
    parser.add_argument("--ux", action="store_true", help="keep the UX audits that ride along with the kit")
    parser.add_argument("--home", default=os.environ.get("SIGNOFF_HOME") or str(ROOT / ".signoff"))
    parser.add_argument("--label", default="bench-overhead", help="label of the embedded Creme instance")
    args = parser.parse_args(argv)

    print(f"cores: {os.cpu_count()}   load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    bare: list[float] = []
    kit: list[float] = []
    creme = EmbeddedCreme(args.home, label=args.label, progress=None)
    creme.provision()
    creme.start(pristine=True)
    try:
        admin = creme.admin
        launch = resolve("chromium")
        # Inside the project (its cache folder), so that pytest loads the project's root conftest.
        scratch = Path(args.home) / "bench"
        scratch.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="overhead-", dir=scratch) as tmp:
            browser = playwright.chromium.launch(**launch.launch_args)
            state = Path(tmp) / "signed-in.json"
            sign_in(browser, creme.base_url, admin.username, admin.password, state)
            for round_number in range(1, args.rounds + 1):
                tag = uuid.uuid4().hex[:6]
                times = [
                    bare_scenario(browser, creme.base_url, state, f"Bare bench {tag} {n}") for n in range(args.runs + 1)
                ]
                bare += times[1:]
                folder = Path(tmp) / f"kit-{round_number}"
                folder.mkdir()
                kit_times = kit_scenarios(
                    creme.base_url, args.runs + 1, folder, args.ux, (admin.username, admin.password)
                )
                kit += kit_times[1:]
                print(
                    f"round {round_number}: bare median {statistics.median(times[1:]):.2f} s, "
                    f"kit median {statistics.median(kit_times[1:]):.2f} s "
                    f"(warm-ups: bare {times[0]:.2f} s, kit {kit_times[0]:.2f} s)",
                    flush=True,
                )
            browser.close()
    finally:
        creme.stop()
    bare_median, kit_median = statistics.median(bare), statistics.median(kit)
    print(f"bare script  median {bare_median:6.2f} s   min {min(bare):6.2f}   max {max(bare):6.2f}   (n={len(bare)})")
    print(f"kit          median {kit_median:6.2f} s   min {min(kit):6.2f}   max {max(kit):6.2f}   (n={len(kit)})")
    print(f"ratio kit / bare: {kit_median / bare_median:.2f}   (target: at most 1.15)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
