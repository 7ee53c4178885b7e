"""Fixtures of the sign-off report tests: recorded result sets under ``recorded/``.

``recorded/history`` holds two archived runs of a Creme acceptance (2.8.6, then 2.8.7) with every
kind of change between them; ``recorded/results`` the Allure results of a small run with a
screenshot after every step (two passing scenarios, one in Chinese, and one failing).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

RECORDED = Path(__file__).parent / "recorded"
RUN_A = "20261201T100000Z-2.8.6"
RUN_B = "20261202T100000Z-2.8.7"


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    """A report folder as run B left it: the area summaries, coverage.json and the history of both runs."""
    folder = tmp_path / "reports"
    run = RECORDED / "history" / RUN_B
    shutil.copytree(run / "areas", folder)
    (folder / "coverage").mkdir()
    shutil.copyfile(run / "coverage.json", folder / "coverage" / "coverage.json")
    shutil.copytree(RECORDED / "history", folder / "history")
    return folder


@pytest.fixture
def allure_results(tmp_path: Path) -> Path:
    folder = tmp_path / "allure-results"
    shutil.copytree(RECORDED / "results", folder)
    return folder
