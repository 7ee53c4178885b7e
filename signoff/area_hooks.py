"""What every acceptance area's pytest plugin does the same way: a records folder shared with
pytest-xdist workers, and the gate that turns a passing full run into a failing one.

Each area (UX, data, security …) records its checks while scenarios run - possibly in several
pytest-xdist workers - and judges them once, on the controller, at the end. The controller makes
the folder and hands its path to every worker through ``workerinput``; only the process that made
the folder removes it. A full acceptance run whose area verdict is not a pass fails (exit status
1) unless it has already failed for its own reasons, which keep their own status.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest


def records_folder(config: pytest.Config, input_key: str, prefix: str) -> tuple[Path, bool]:
    """The records folder of this process and whether this process made it (and so removes it).

    A pytest-xdist worker gets the controller's folder under ``input_key``; any other process
    makes a new temporary folder named ``prefix…``.
    """
    given = getattr(config, "workerinput", {}).get(input_key)
    if given:
        return Path(given), False
    return Path(tempfile.mkdtemp(prefix=prefix)), True


def hand_to_worker(node: Any, input_key: str, folder: Path | None) -> None:
    """pytest-xdist's ``pytest_configure_node``: the worker ``node`` writes into ``folder`` too."""
    if folder is not None:
        node.workerinput[input_key] = str(folder)


def remove_records_folder(folder: Path | None, owned: bool) -> None:
    """Remove the folder at the end of the process that made it; workers leave it alone."""
    if owned and folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def fail_passing_run(session: pytest.Session) -> None:
    """An area's gate: a passing run fails (exit status 1); a run failing already keeps its status."""
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
