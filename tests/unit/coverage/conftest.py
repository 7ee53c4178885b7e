"""Fixtures of the coverage tests.

``pytester`` comes from ``tests/conftest.py``: pytest refuses ``pytest_plugins`` in a conftest
below the top level, so this one must not declare it again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from signoff.coverage.catalogue import Catalogue
from tests.unit.coverage.helpers import small_catalogue


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write catalogue text (UTF-8 with BOM, as Excel saves it by default) and return its path."""

    def write(text: str, name: str = "function-points.csv", encoding: str = "utf-8-sig") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def catalogue() -> Catalogue:
    return small_catalogue()
