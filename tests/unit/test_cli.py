"""The command line: one-line errors and exit codes for bad input, without starting a CRM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def signoff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signoff.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ,
    )


def test_check_passes_on_the_shipped_features() -> None:
    result = signoff("check")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "every step defined" in result.stdout


@pytest.mark.parametrize(
    ("feature", "expected"),
    [
        (
            'Feature: T\n  Scenario: S\n    When I add a organisation "Acme"\n',
            ':3: undefined step "When I add a organisation "Acme""; nearest existing phrasing: When I add an organisation "{name}"',
        ),
        (
            "Feature: T\n  @FP-CUS-999\n  Scenario: S\n    Given I am not signed in\n",
            ':2: scenario "S" tags unknown function point FP-CUS-999',
        ),
        ("Feature: T\n  Scenario: S\n    Given I am not signed in\n  Scenari: U\n", ":4: malformed feature file:"),
    ],
)
def test_check_reports_each_problem_on_one_line(tmp_path: Path, feature: str, expected: str) -> None:
    path = tmp_path / "t.feature"
    path.write_text(feature, encoding="utf-8")
    result = signoff("check", str(path))
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"signoff: {path}")
    assert expected in line


def test_bad_plan_is_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text("[run]\nisolation = 'sometimes'\n", encoding="utf-8")
    result = signoff("--plan", str(plan), "check")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "signoff: acceptance.toml: [run] isolation = 'sometimes' is not one of: feature, none"
    )


def test_no_features_found_is_one_line(tmp_path: Path) -> None:
    result = signoff("check", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"signoff: no .feature files under {tmp_path}"


def test_status_of_a_stopped_target_is_non_zero(tmp_path: Path) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text(f'[target]\nhome = "{tmp_path / "home"}"\n', encoding="utf-8")
    result = signoff("--plan", str(plan), "target", "status", "--label", "never-started")
    assert result.returncode == 3
    assert "stopped" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("run", "--workers", "abc"),
            "signoff: run: argument --workers: invalid int value: 'abc' (see signoff --help)",
        ),
        (
            ("target", "bogus"),
            "signoff: target: argument action: invalid choice: 'bogus' (choose from 'up', 'down', 'reset', 'status') (see signoff --help)",
        ),
    ],
)
def test_a_bad_option_is_one_line(args: tuple[str, ...], expected: str) -> None:
    result = signoff(*args)
    assert result.returncode == 2
    assert result.stderr.strip() == expected


# ----------------------------------------------------------------------------- interrupts

_STUBBORN_CHILD = """
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN if sys.argv[2] == "ignore" else signal.default_int_handler)
pathlib.Path(sys.argv[1]).write_text("ready")
try:
    time.sleep(120)
except KeyboardInterrupt:
    sys.exit(2)
"""


def _interrupt_when_ready(flag: Path) -> None:
    import signal
    import threading
    import time

    def send() -> None:
        deadline = time.monotonic() + 30
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=send, daemon=True).start()


@pytest.mark.parametrize("child_reaction", ["obey", "ignore"])
def test_an_interrupt_of_signoff_alone_stops_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child_reaction: str
) -> None:
    """An interrupt sent to the signoff process only (not its group) ends pytest's run, even one
    that does not react to SIGINT: after the grace period it is terminated."""
    import time

    from signoff import cli

    monkeypatch.setattr(cli, "INTERRUPT_GRACE", 1.0)
    flag = tmp_path / "ready"
    _interrupt_when_ready(flag)
    started = time.monotonic()
    code = cli._run_child([sys.executable, "-c", _STUBBORN_CHILD, str(flag), child_reaction], cwd=tmp_path)
    assert code == cli.EXIT_INTERRUPTED
    # The child would sleep for 120 s: it was stopped long before.
    assert time.monotonic() - started < 60
