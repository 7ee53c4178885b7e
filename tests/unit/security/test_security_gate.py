"""The security gate of a full acceptance run, from the records the checks leave: a planted high
finding turns a passing run into a failing one; its clean twin, a subset run and a run that
failed already are left alone."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import pytest

import signoff.pytest_plugin as core
from signoff.findings import Finding
from signoff.plan import load_plan
from signoff.security import pytest_plugin as gate
from signoff.security.plan import SecuritySection

PLANTED = Finding(key="headers:x-frame-options:/", title="Pages can be framed by any site", severity="high")


def session(tmp_path: Path, findings: tuple[Finding, ...], status: int = 0) -> Any:
    plan_file = tmp_path / "acceptance.toml"
    plan_file.write_text('[run]\nreport_dir = "reports"\n', encoding="utf-8")
    plan = load_plan(plan_file)
    records = tmp_path / "records"
    records.mkdir()
    record = {
        "name": "headers",
        "seconds": 0.1,
        "requests": 3,
        "skipped": "",
        "findings": [finding.to_data() for finding in findings],
        "target": "http://127.0.0.1:9",
    }
    (records / "0001.json").write_text(json.dumps(record), encoding="utf-8")
    config = types.SimpleNamespace(stash=pytest.Stash(), issue_config_time_warning=lambda *args: None)
    config.stash[core.PLAN_KEY] = plan
    config.stash[gate.RUN_KEY] = gate.SecurityRun(
        config=config,  # type: ignore[arg-type]
        plan=plan,
        section=plan.section("security", SecuritySection),
        records_dir=records,
    )
    return types.SimpleNamespace(config=config, exitstatus=status)


@pytest.mark.parametrize(
    ("findings", "full", "before", "after"),
    [
        ((PLANTED,), True, 0, 1),
        ((), True, 0, 0),
        ((PLANTED,), False, 0, 0),
        ((PLANTED,), True, 1, 1),
    ],
    ids=["planted-high-fails", "clean-twin-passes", "subset-not-gated", "already-failing-kept"],
)
def test_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, findings: tuple[Finding, ...], full: bool, before: int, after: int
) -> None:
    monkeypatch.setattr(core, "_is_full_run", lambda config, plan: full)
    monkeypatch.setattr(core, "_runs_features", lambda config, plan: True)
    run = session(tmp_path, findings, before)
    gate.pytest_sessionfinish(run)
    assert int(run.exitstatus) == after
    security_run = run.config.stash[gate.RUN_KEY]
    assert security_run.gate_failed == (full and bool(findings))
    summary = json.loads((tmp_path / "reports" / "security" / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == ("failed" if findings else "passed")
