"""A remote CRM driven through a remote browser: ``[target] kind = "remote"`` and ``[browsers] connect``.

The embedded Creme stands in for the remote CRM and ``playwright run-server`` on loopback for the
browser grid. The sign-in pre-check and the sign-in feature then open every page in the server's
browser (no browser is launched by the run itself): a good password passes the run, a wrong one is the
pre-check's one line and exit 3.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff import browsers
from signoff.plan import load_plan
from signoff.targets import make_target
from signoff.targets.base import Target
from tests.integration.test_acceptance_run import SIGN_IN, labels, results, signoff, write_plan
from tests.unit.test_remote_browser import browser_server  # noqa: F401  (a module fixture, used by name)

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def remote_creme() -> Iterator[Target]:
    target = make_target(load_plan(write_plan(Path("/tmp") / "signoff-itest-remote-browser")), label="itest-rbrowser")
    target.start()
    yield target
    target.stop()


def remote_plan(folder: Path, crm: Target, endpoint: str) -> Path:
    executable = browsers.system_executable("chromium") or ""
    if not executable:
        pytest.skip("no chromium on this machine for the browser server to launch")
    return write_plan(
        folder,
        f'kind = "remote"\nurl = "{crm.base_url}"\n\n[browsers]\nconnect = "{endpoint}"\nexecutable = "{executable}"\n',
    )


def test_the_sign_in_feature_runs_on_a_remote_crm_in_a_remote_browser(
    tmp_path: Path,
    remote_creme: Target,
    browser_server: str,  # noqa: F811
) -> None:
    plan = remote_plan(tmp_path, remote_creme, browser_server)
    run = signoff(
        "--plan",
        str(plan),
        "run",
        "--no-report",
        SIGN_IN,
        env={"SIGNOFF_USERNAME": "root", "SIGNOFF_PASSWORD": "root"},
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    found = results(tmp_path)
    assert len(found) == 4 and {r["status"] for r in found} == {"passed"}
    assert {labels(r, "browser")[0] for r in found} == {"chromium"}
    coverage = json.loads((tmp_path / "reports/coverage/coverage.json").read_text(encoding="utf-8"))
    assert {s["outcome"] for s in coverage["scenario_results"]} == {"passed"}


def test_wrong_credentials_through_the_browser_server_are_one_line(
    tmp_path: Path,
    remote_creme: Target,
    browser_server: str,  # noqa: F811
) -> None:
    plan = remote_plan(tmp_path, remote_creme, browser_server)
    run = signoff(
        "--plan",
        str(plan),
        "run",
        "--no-report",
        SIGN_IN,
        env={"SIGNOFF_USERNAME": "root", "SIGNOFF_PASSWORD": "wrong"},
        timeout=180,
    )
    assert run.returncode == 3, run.stderr
    assert run.stderr.strip() == f"signoff: wrong credentials: user 'root' cannot sign in to {remote_creme.base_url}"
    assert not (tmp_path / "results").exists()
