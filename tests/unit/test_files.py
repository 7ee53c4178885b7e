"""The kit's one atomic writer: whole files, ordinary permissions, the old file kept on failure."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from signoff.files import write_atomically


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_a_written_file_is_readable_by_others(tmp_path: Path, umask_022: None) -> None:
    path = write_atomically(tmp_path / "reports" / "report.json", "{}")
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o644, oct(mode)


def test_text_is_utf8_and_bytes_are_kept(tmp_path: Path) -> None:
    write_atomically(tmp_path / "a.txt", "验收 ✓\n")
    write_atomically(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.txt").read_bytes() == "验收 ✓\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(TypeError):
        write_atomically(path, 42)  # type: ignore[arg-type]
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
