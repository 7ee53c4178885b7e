"""``signoff security``: bad input is one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def signoff(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "signoff.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_a_plan_without_a_security_feature_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "features").mkdir()
    (tmp_path / "acceptance.toml").write_text('[run]\nfeatures = ["features"]\n', encoding="utf-8")
    result = signoff("--plan", str(tmp_path / "acceptance.toml"), "security", cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no security/security.feature" in result.stderr


def test_a_bad_security_section_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "acceptance.toml").write_text('[security]\nfail_on = "fatal"\n', encoding="utf-8")
    result = signoff("--plan", str(tmp_path / "acceptance.toml"), "security", cwd=ROOT)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "fail_on" in result.stderr
    assert result.stderr.strip().count("\n") == 0
