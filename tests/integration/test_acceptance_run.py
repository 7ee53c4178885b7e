"""``signoff run`` end to end: real features, the real embedded Creme CRM, a real browser.

These tests drive the command line as a user would and check what a user gets: the exit code,
one-line errors, the Allure results (epics, steps, screenshots, environment) and the HTML report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.plan import load_plan
from signoff.targets import make_target
from signoff.targets.base import Target

ROOT = Path(__file__).parents[2]
SIGN_IN = str(ROOT / "features" / "functional" / "sign_in.feature")
pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]


def signoff(
    *args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signoff.cli", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_plan(folder: Path, text: str = "") -> Path:
    """A plan in ``folder`` that uses the project's features, steps and pages and the shared CRM cache."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = folder / "acceptance.toml"
    home = os.environ.get("SIGNOFF_HOME", str(ROOT / ".signoff"))
    plan.write_text(
        f'[target]\nhome = "{home}"\n{text}\n[run]\nresults_dir = "{folder / "results"}"\n'
        f'report_dir = "{folder / "reports"}"\n',
        encoding="utf-8",
    )
    return plan


def results(folder: Path) -> list[dict]:
    """The scenarios' Allure results (the UX audits' own results are left out)."""
    found = [json.loads(p.read_text(encoding="utf-8")) for p in (folder / "results").glob("*-result.json")]
    return [r for r in found if "User experience acceptance" not in labels(r, "epic")]


def labels(result: dict, name: str) -> list[str]:
    return [label["value"] for label in result["labels"] if label["name"] == name]


def test_sign_in_features_pass_with_allure_evidence(tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    run = signoff(
        "--plan", str(plan), "run", "features/functional/sign_in.feature", "features/functional/sign_in.zh.feature"
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    found = results(tmp_path)
    assert len(found) == 8
    assert {r["status"] for r in found} == {"passed"}
    chinese = next(r for r in found if r["name"] == "用户使用正确的账号密码登录")
    assert labels(chinese, "epic") == ["Functional acceptance"]
    assert labels(chinese, "feature") == ["登录"]
    assert labels(chinese, "story") == ["用户使用正确的账号密码登录"]
    assert [s["name"] for s in chinese["steps"]] == ["假如 我尚未登录", "当 我以管理员身份登录", "那么 我已登录"]
    environment = (tmp_path / "results" / "environment.xml").read_text(encoding="utf-8")
    assert "Creme CRM" in environment and "chromium" in environment and "http://127.0.0.1:" in environment
    assert (tmp_path / "reports" / "allure" / "index.html").exists()


def test_a_broken_expectation_fails_the_run_with_a_screenshot(tmp_path: Path) -> None:
    feature = ROOT / "features" / "functional" / f"zz_planted_{os.getpid()}.feature"
    feature.write_text(
        "Feature: Planted defect\n  Scenario: Expecting an organisation nobody added\n"
        '    Given I am signed in as the administrator\n    Then the organisation "Nobody Added This" exists\n',
        encoding="utf-8",
    )
    try:
        plan = write_plan(tmp_path)
        run = signoff("--plan", str(plan), "run", str(feature), "--no-report")
    finally:
        feature.unlink()
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    [result] = results(tmp_path)
    assert result["status"] == "failed"
    failed_step = result["steps"][-1]
    assert failed_step["name"] == 'Then the organisation "Nobody Added This" exists'
    assert failed_step["status"] == "failed"
    assert any(a["type"] == "image/png" for a in failed_step.get("attachments", []))


def test_an_undefined_step_stops_before_anything_starts(tmp_path: Path) -> None:
    feature = tmp_path / "typo.feature"
    feature.write_text('Feature: Typo\n  Scenario: Typo\n    When I add a organisation "Acme"\n', encoding="utf-8")
    run = signoff("--plan", str(write_plan(tmp_path)), "run", str(feature), timeout=60)
    assert run.returncode == 2
    [line] = run.stderr.strip().splitlines()
    assert "typo.feature:3: undefined step" in line
    assert 'nearest existing phrasing: When I add an organisation "{name}"' in line
    assert not (tmp_path / "results").exists()


def test_a_crm_that_does_not_answer_is_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text('[target]\nkind = "remote"\nurl = "http://127.0.0.1:9"\n', encoding="utf-8")
    run = signoff(
        "--plan", str(plan), "run", SIGN_IN, env={"SIGNOFF_USERNAME": "root", "SIGNOFF_PASSWORD": "root"}, timeout=120
    )
    assert run.returncode == 3
    assert run.stderr.strip() == "signoff: the CRM at http://127.0.0.1:9 does not answer"


@pytest.fixture(scope="module")
def running_creme() -> Iterator[Target]:
    target = make_target(load_plan(write_plan(Path("/tmp") / "signoff-itest-remote")), label="itest-remote")
    target.start()
    yield target
    target.stop()


def test_wrong_credentials_are_one_line(tmp_path: Path, running_creme: Target) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text(f'[target]\nkind = "remote"\nurl = "{running_creme.base_url}"\n', encoding="utf-8")
    run = signoff(
        "--plan", str(plan), "run", SIGN_IN, env={"SIGNOFF_USERNAME": "root", "SIGNOFF_PASSWORD": "wrong"}, timeout=180
    )
    assert run.returncode == 3, run.stderr
    assert run.stderr.strip() == f"signoff: wrong credentials: user 'root' cannot sign in to {running_creme.base_url}"


def descendants(root: int) -> dict[int, str]:
    """Every live process below ``root`` (pid -> command line)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = commands.get(pid, "")
                frontier.append(pid)
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists() and "(zombie)" not in _state(pid)}


def _state(pid: int) -> str:
    try:
        return "(zombie)" if " Z " in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:4] else ""
    except OSError:
        return ""


def start_run(plan: Path, *arguments: str) -> subprocess.Popen[str]:
    """``signoff run`` in a process group of its own, output captured, without the HTML report."""
    return subprocess.Popen(
        [sys.executable, "-m", "signoff.cli", "--plan", str(plan), "run", "--no-report", *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def assert_all_stopped(started: dict[int, str]) -> None:
    """Every process of ``started`` ends within a few seconds (a graceful stop may take a moment)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and alive(set(started)):
        time.sleep(0.5)
    left = {pid: started[pid] for pid in alive(set(started))}
    assert not left, f"left running: {left}"


def test_ctrl_c_midway_leaves_no_process_behind(tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    child = start_run(plan, "features/functional/customers.feature")
    # Wait until this run's CRM and browser are up, then press Ctrl-C.
    deadline = time.monotonic() + 240
    started: dict[int, str] = {}
    while time.monotonic() < deadline:
        started = descendants(child.pid)
        commands = " ".join(started.values())
        if "gunicorn" in commands and "creme_job_manager" in commands and "chrom" in commands:
            break
        time.sleep(0.5)
    assert "gunicorn" in " ".join(started.values()), "the run never started its CRM"
    time.sleep(3)
    started = descendants(child.pid)
    os.killpg(child.pid, signal.SIGINT)  # what the terminal sends to the whole foreground group
    # Generous: on a loaded machine the CRM's graceful stop and the browser's close take a while.
    output, _ = child.communicate(timeout=300)
    assert child.returncode == 130, output[-2000:]
    assert_all_stopped(started)


def test_interrupt_sent_to_signoff_alone_stops_the_run_soon(tmp_path: Path) -> None:
    """What a CI runner's cancel or ``timeout -s INT`` does: SIGINT to the signoff process only."""
    plan = write_plan(tmp_path)
    feature = ROOT / "features" / "functional" / "customers.feature"
    scenario_count = feature.read_text(encoding="utf-8").count("Scenario:")
    child = start_run(plan, str(feature), "--", "--ux-audit=off")
    # Wait for the first scenario's result (a cold CRM install comes first), then interrupt
    # signoff alone, not its group.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not results(tmp_path):
        time.sleep(0.5)
    assert results(tmp_path), "no scenario finished"
    started = descendants(child.pid)
    os.kill(child.pid, signal.SIGINT)
    output, _ = child.communicate(timeout=300)
    assert child.returncode == 130, output[-2000:]
    assert len(results(tmp_path)) < scenario_count, "the run went on to its end after the interrupt"
    assert_all_stopped(started)
