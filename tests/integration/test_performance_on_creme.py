"""The smoke load on the real embedded Creme: real accounts created with Creme's user form, real
signed-in sessions, the server's process tree sampled, a real browser at the step, the report.

The journeys check every page for what only a signed-in user sees (the sign-out link): a run whose
accounts cannot sign in is full of "got the sign-in page" errors and fails - the twin that proves
the clean run's zero errors mean signed-in sessions.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

import pages.creme.load_accounts as creme_accounts
from signoff.performance.area import Outcome, accept_performance
from signoff.performance.plan import Step
from signoff.plan import load_plan
from signoff.targets.base import Credentials
from signoff.targets.creme import EmbeddedCreme

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
HOME = Path(os.environ.get("SIGNOFF_HOME") or ROOT / ".signoff")
LABEL = f"itest-perf-{os.environ.get('PYTEST_XDIST_WORKER', 'solo')}"
#: Pages of the journeys that only a signed-in user is shown.
SIGNED_IN_PAGES = {
    "browse contacts · contact list",
    "open a contact · contact page",
    "search contacts · contact list searched",
}


@pytest.fixture(scope="module")
def creme() -> Iterator[EmbeddedCreme]:
    target = EmbeddedCreme(HOME, label=LABEL, start_timeout=120)
    target.start(pristine=True)
    yield target
    target.stop()


def plan_in(folder: Path) -> Path:
    path = folder / "acceptance.toml"
    path.write_text(
        f'[target]\nhome = "{HOME}"\n[run]\nreport_dir = "{folder / "reports"}"\n'
        f'[performance]\ncrm_users = 3\nthink_min = 0.3\nthink_max = 0.8\nbaseline = ""\n'
        f'output_dir = "{folder / "reports" / "performance"}"\n',
        encoding="utf-8",
    )
    return path


def smoke(folder: Path, creme: EmbeddedCreme, browser: Browser | None, hold: float) -> Outcome:
    plan = load_plan(plan_in(folder))
    return accept_performance(plan, creme, "smoke", browser=browser, steps=[Step(4, hold)])


def test_the_smoke_profile_end_to_end_with_signed_in_sessions(
    creme: EmbeddedCreme, browser: Browser, tmp_path: Path
) -> None:
    outcome = smoke(tmp_path, creme, browser, hold=10)
    record = outcome.record
    assert record.stopped == "completed", record.message
    top = record.steps[-1]
    pages = {page.name: page for page in top.pages}
    seen = SIGNED_IN_PAGES & set(pages)
    assert seen, f"no signed-in page was opened: {sorted(pages)}"
    for name in seen:
        assert pages[name].failures == 0, (name, top.errors)
    assert pages["sign in · submit"].requests == 4 and pages["sign in · submit"].failures == 0
    # The server's whole tree (gunicorn master and workers, job manager) was sampled.
    assert top.target is not None and top.target["rss_max_mb"] > 50
    # The browser opened every key page at the step, signed in.
    assert {p.page for p in record.probes} == {name for name, _ in creme_accounts.KEY_PAGES}
    assert all(p.load_ms is not None and "sign-in" not in p.problem for p in record.probes), record.probes
    summary = json.loads((tmp_path / "reports" / "performance" / "summary.json").read_text(encoding="utf-8"))
    assert summary["area"] == "performance" and summary["figures"]["users"] == 4
    assert "<svg" in (tmp_path / "reports" / "performance" / "performance.html").read_text(encoding="utf-8")


def test_journeys_that_get_the_sign_in_page_are_errors(
    creme: EmbeddedCreme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = creme_accounts.create_accounts

    def wrong_passwords(base_url: str, admin: Credentials, count: int) -> list[Credentials]:
        return [Credentials(a.username, "not-the-password") for a in real(base_url, admin, count)]

    monkeypatch.setattr(creme_accounts, "create_accounts", wrong_passwords)
    outcome = smoke(tmp_path, creme, None, hold=4)
    top = outcome.record.steps[-1]
    assert top.total.failures > 0
    assert any("sign-in page" in kind for kind in top.errors), top.errors
    assert "errors-above-limit" in {f.key for f in outcome.judgement.result.findings}
    assert outcome.judgement.result.verdict == "failed"
