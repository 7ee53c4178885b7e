"""The performance gate of a full acceptance run: a verdict other than "passed" turns a passing
run into a failing one; a passing verdict, a subset run and an already failing run are left alone."""

from __future__ import annotations

import types
from typing import Any

import pytest

import signoff.pytest_plugin as core
from signoff.findings import AreaResult
from signoff.performance import pytest_plugin as gate
from signoff.performance.engine import Judgement
from signoff.plan import load_plan


def outcome(verdict: str) -> Any:
    result = AreaResult(area="performance", verdict=verdict, summary=f"the run {verdict}")  # type: ignore[arg-type]
    judgement = Judgement(result, None, None, (), (), "")
    return types.SimpleNamespace(judgement=judgement)


def session(verdict: str, status: int = 0) -> Any:
    config = types.SimpleNamespace(stash=pytest.Stash())
    config.stash[core.PLAN_KEY] = load_plan(None)
    config.stash[gate.OUTCOMES_KEY] = [outcome(verdict)]
    return types.SimpleNamespace(config=config, exitstatus=status)


@pytest.mark.parametrize(
    ("verdict", "full", "before", "after"),
    [
        ("failed", True, 0, 1),
        ("could-not-check", True, 0, 1),
        ("passed", True, 0, 0),
        ("failed", False, 0, 0),
        ("failed", True, 1, 1),
    ],
)
def test_gate(monkeypatch: pytest.MonkeyPatch, verdict: str, full: bool, before: int, after: int) -> None:
    monkeypatch.setattr(core, "_is_full_run", lambda config, plan: full)
    run = session(verdict, before)
    gate.pytest_sessionfinish(run)
    assert int(run.exitstatus) == after
    assert (gate.GATE_KEY in run.config.stash) == (after == 1 and before == 0)
