"""Real scanners used as tools: installed on demand, each in its own virtual environment under the
target home (``<home>/tools/<name>/venv``, pinned version), run in their own process group with a
time box, and their output parsed into findings.

A scanner that cannot be installed, crashes, or runs out of its time box without a report is a
could-not-check finding - never "no findings".
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

from signoff.errors import TargetError
from signoff.files import write_atomically
from signoff.targets.creme import run_step, venv_works
from signoff.targets.processes import spawn

#: Seconds a tool's installation may take.
INSTALL_TIMEOUT = 900.0


@dataclasses.dataclass(frozen=True)
class Tool:
    """A scanner on PyPI: its package, pinned version and command."""

    name: str
    package: str
    version: str
    command: str

    def venv(self, home: Path) -> Path:
        return home / "tools" / self.name / "venv"

    def executable(self, home: Path) -> Path:
        return self.venv(home) / "bin" / self.command


#: 3.2.3 is the last wapiti3 for Python 3.11 (3.3 needs 3.12); it runs offline with the modules we pick.
WAPITI = Tool("wapiti", "wapiti3", "3.2.3", "wapiti")
SQLMAP = Tool("sqlmap", "sqlmap", "1.10.10", "sqlmap")


def ensure_tool(tool: Tool, home: Path, progress: Callable[[str], None] | None = None) -> Path:
    """The tool's executable, installing it first when it is missing or of another version."""
    root = home / "tools" / tool.name
    root.mkdir(parents=True, exist_ok=True)
    marker = root / "installed.json"
    wanted = {"package": tool.package, "version": tool.version, "python": f"{sys.version_info[:2]}"}
    with FileLock(str(root / "install.lock"), timeout=INSTALL_TIMEOUT):
        try:
            ready = json.loads(marker.read_text(encoding="utf-8")) == wanted
        except (OSError, ValueError):
            ready = False
        if ready and tool.executable(home).exists() and venv_works(tool.venv(home) / "bin" / "python"):
            return tool.executable(home)
        log = root / "install.log"
        if progress is not None:
            progress(f"installing {tool.package}=={tool.version} into {tool.venv(home)} (once)")
        marker.unlink(missing_ok=True)
        if not venv_works(tool.venv(home) / "bin" / "python"):
            run_step(
                f"installing {tool.name}",
                "create venv",
                [sys.executable, "-m", "venv", str(tool.venv(home))],
                log,
                cwd=root,
                timeout=INSTALL_TIMEOUT,
            )
        run_step(
            f"installing {tool.name}",
            "pip install",
            [
                str(tool.venv(home) / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                f"{tool.package}=={tool.version}",
            ],
            log,
            cwd=root,
            timeout=INSTALL_TIMEOUT,
        )
        if not tool.executable(home).exists():
            raise TargetError(f"{tool.package} {tool.version} installed no '{tool.command}' command (see {log})")
        write_atomically(marker, json.dumps(wanted) + "\n")
    return tool.executable(home)


@dataclasses.dataclass(frozen=True)
class ToolRun:
    """How one scanner process ended."""

    exit_code: int | None
    timed_out: bool
    seconds: float
    log: Path


def run_tool(name: str, argv: list[str], log: Path, timeout: float, cwd: Path) -> ToolRun:
    """Run a scanner in its own process group (dies with us), stopped after ``timeout`` seconds or
    on Ctrl-C; its output goes to ``log``."""
    started = time.monotonic()
    # Nothing of our own environment: the tool's venv alone decides what it imports.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONWARNINGS"] = "ignore"
    process = spawn(name, argv, log_path=log, cwd=cwd, env=env)
    try:
        ended = process.wait_exit(timeout)
    except BaseException:
        process.stop()
        raise
    if not ended:
        process.stop()
    else:
        process.stop()  # reaps it and drops it from the registry
    return ToolRun(
        exit_code=process.returncode if ended else None,
        timed_out=not ended,
        seconds=time.monotonic() - started,
        log=log,
    )
