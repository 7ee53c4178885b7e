"""The nightly GitHub Actions workflow cannot run here: these tests check what can be checked.

It parses as YAML; it has the keys GitHub's workflow schema requires (``on``, ``jobs``; each job
``runs-on`` and ``steps``; each step ``uses`` or ``run``, never both; ``needs`` naming jobs that
exist); its matrix is browser × shard and the shard count it passes to ``--shard`` is the matrix's;
each job uploads its results and a final job merges them; and every ``signoff ...`` command it
calls is accepted by Signoff's own command-line parser.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from signoff.cli import _parser

WORKFLOW = Path(__file__).parents[2] / ".github" / "workflows" / "nightly.yml"
#: Sample values for the expressions GitHub fills in before a step's command runs.
EXPRESSIONS = {"matrix.browser": "firefox", "matrix.shard": "2"}


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def commands(workflow: dict[Any, Any]) -> list[str]:
    """Every shell line of every ``run`` step, with ``${{ ... }}`` filled in."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in str(step.get("run", "")).splitlines():
                lines.append(re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: EXPRESSIONS[m.group(1)], line))
    return [line.strip() for line in lines if line.strip()]


def test_it_has_the_keys_a_workflow_needs(workflow: dict[Any, Any]) -> None:
    # YAML 1.1 reads the bare key "on" as true: PyYAML does, GitHub does not.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict) and "schedule" in triggers
    assert all(re.fullmatch(r"[\d*/,-]+( [\d*/,-]+){4}", entry["cron"]) for entry in triggers["schedule"])
    jobs = workflow["jobs"]
    assert jobs
    for name, job in jobs.items():
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name)
        assert "runs-on" in job, name
        assert job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
        needs = job.get("needs", [])
        for other in [needs] if isinstance(needs, str) else needs:
            assert other in jobs, f"{name} needs unknown job {other}"


def test_a_browser_by_shard_matrix_uploads_and_one_job_merges(workflow: dict[Any, Any]) -> None:
    accept = workflow["jobs"]["accept"]
    matrix = accept["strategy"]["matrix"]
    assert set(matrix["browser"]) == {"chromium", "firefox"}
    shards = matrix["shard"]
    assert shards == list(range(1, len(shards) + 1))
    run_lines = [line for line in commands(workflow) if line.startswith("signoff run")]
    assert run_lines and all(f"--shard 2/{len(shards)}" in line for line in run_lines)
    # Playwright's own browser there, installed per job for its browser.
    assert any(
        "playwright install" in str(step.get("run", "")) and "matrix.browser" in str(step["run"])
        for step in accept["steps"]
    )
    uploads = [step for step in accept["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and uploads[0].get("if") == "always()"
    assert "allure-results" in uploads[0]["with"]["path"]
    merge = workflow["jobs"]["merge"]
    assert merge["needs"] == "accept" and merge.get("if") == "always()"
    assert any(str(step.get("uses", "")).startswith("actions/download-artifact") for step in merge["steps"])
    assert any(str(step.get("uses", "")).startswith("actions/upload-artifact") for step in merge["steps"])
    assert any(line.startswith("signoff report --merge") for line in commands(workflow))


def test_every_signoff_command_it_calls_exists(workflow: dict[Any, Any]) -> None:
    parser = _parser()
    called = [line for line in commands(workflow) if line.startswith("signoff ")]
    assert len(called) >= 2
    for line in called:
        argv = shlex.split(line)[1:]
        try:
            parser.parse_args(argv)
        except SystemExit as error:  # argparse's way of saying no
            pytest.fail(f"the CLI refuses '{line}' (exit {error.code})")


def test_the_check_catches_a_command_the_cli_does_not_have() -> None:
    # The twin of the test above: an unknown option is refused, so the check can fail.
    with pytest.raises(SystemExit):
        _parser().parse_args(shlex.split("run --browser firefox --sharding 2/4"))
