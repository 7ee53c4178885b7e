"""``signoff perf``: bad input is one line and exit status 2, before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.cli import main


def test_a_remote_target_that_is_not_loopback_is_refused_without_an_allow_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text('[target]\nkind = "remote"\nurl = "http://192.0.2.10:8000"\n', encoding="utf-8")
    assert main(["--plan", str(plan), "perf", "--profile", "smoke"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--allow-host 192.0.2.10" in err[0], err


def test_an_unknown_profile_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["perf", "--profile", "soak"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "soak" in err[0], err


def test_a_bad_performance_plan_value_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "acceptance.toml"
    plan.write_text("[performance]\nload_steps = [300, 100]\n", encoding="utf-8")
    assert main(["--plan", str(plan), "perf", "--profile", "load"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "load_steps" in err[0], err
