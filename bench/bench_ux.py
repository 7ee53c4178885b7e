"""How long each UX audit takes on one fixture page (the clean contact form).

Run: ``.venv/bin/python bench/bench_ux.py [--repeat N] [--page clean.html]``

Serves ``tests/unit/ux/pages/`` on 127.0.0.1, opens the page in headless Chromium - the one an
acceptance run would launch (:func:`signoff.browsers.resolve`: the plan's executable, Playwright's
own build, else the system's) - and prints, per audit, the median and the worst of N runs in
milliseconds. The page is reloaded before each run so that every audit sees a fresh document, as in
a real acceptance run; the reload is not timed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signoff import browsers  # noqa: E402
from signoff.plan import load_plan  # noqa: E402
from signoff.ux.accessibility import Violation, ViolationNode, annotated_screenshot, audit_accessibility  # noqa: E402
from signoff.ux.usability import (  # noqa: E402
    ActionCounter,
    check_error_feedback,
    check_keyboard_reach,
    check_save_feedback,
    check_small_screen,
    check_text_rendering,
    collect_primary_actions,
    consistency_report,
    install_speed_observers,
    measure_page_speed,
    message_texts,
)

#: The clean page has no violation to outline: time the screenshot step on two of its fields.
_SAMPLE_VIOLATIONS = [
    Violation(
        "label", "critical", "", "", "", [], [ViolationNode(["#last"], "", ""), ViolationNode(["#first"], "", "")]
    )
]

PAGES = ROOT / "tests" / "unit" / "ux" / "pages"


def _serve() -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(PAGES))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _save_task(page: Page) -> None:
    before, baseline = page.url, message_texts(page)
    with ActionCounter(page, "create contact"):
        page.locator("#last").fill("王")
        page.get_by_role("button", name="保存 Save").click()
    check_save_feedback(page, before, baseline=baseline)


def _error_feedback(page: Page) -> None:
    page.get_by_role("button", name="保存 Save").click()
    check_error_feedback(page, page.locator("#last"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--page", default="clean.html")
    options = parser.parse_args()

    audits: list[tuple[str, Callable[[Page], object]]] = [
        ("speed (read LCP/CLS)", lambda p: measure_page_speed(p)),
        ("accessibility (axe + score)", lambda p: audit_accessibility(p)),
        ("annotated screenshot (2 elements)", lambda p: annotated_screenshot(p, _SAMPLE_VIOLATIONS)),
        ("text rendering (3 texts)", lambda p: check_text_rendering(p, ["张伟", "北京星辰科技有限公司", "李娜"])),
        ("primary actions + consistency", lambda p: consistency_report(collect_primary_actions(p))),
        ("small screen (375x667)", lambda p: check_small_screen(p, (375, 667))),
        ("keyboard reach (#contact)", lambda p: check_keyboard_reach(p, "#contact")),
        ("task: count actions + save feedback", _save_task),
        ("error feedback (1 field)", _error_feedback),
    ]
    server = _serve()
    url = f"http://127.0.0.1:{server.server_port}/{options.page}"
    plan = load_plan(ROOT / "acceptance.toml")
    with sync_playwright() as playwright:
        own = playwright.chromium.executable_path
        choice = browsers.resolve(
            "chromium", plan.browsers.executable, own_executable=own if Path(own).exists() else None
        )
        browser = playwright.chromium.launch(**choice.launch_args)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        install_speed_observers(page)
        page.goto(url, wait_until="load")
        audit_accessibility(page, screenshot=False)  # warm-up: first axe parse and JIT
        print(f"UX audits on {options.page}, {options.repeat} runs each (ms)")
        print(f"{'audit':<40} {'median':>8} {'worst':>8}")
        for name, audit in audits:
            times = []
            for _ in range(options.repeat):
                page.goto(url, wait_until="load")
                start = time.perf_counter()
                audit(page)
                times.append((time.perf_counter() - start) * 1000)
            print(f"{name:<40} {statistics.median(times):8.1f} {max(times):8.1f}")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
