"""Shards: a deterministic slice of the feature files for one of N machines or CI jobs.

A shard is made of whole feature files, so that the reset of the CRM before each feature file still
holds and a feature's Background runs where its scenarios run. Files are dealt out by their number
of scenarios, largest first, each to the shard with the fewest scenarios so far (ties: the lower
shard number, then the file's path): every machine computes the same slices from the same files,
whatever order the file system lists them in, and the shards take about the same time.

``--signoff-shard I/N`` (``signoff run --shard I/N``; Signoff's pytest plugin calls :func:`select`)
keeps the scenarios of shard I and deselects the others; the results of the N shards are put together again by :mod:`signoff.merge`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from signoff.errors import SignoffError

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"2/4"`` as a :class:`Shard`; anything else is one clear :class:`SignoffError`."""
    match = _SHARD.match(text)
    if not match:
        raise SignoffError(f"--shard {text!r} must be I/N, e.g. 1/4")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise SignoffError(f"--shard {text}: I must be between 1 and N (N at least 1)")
    return Shard(index, count)


def assign(sizes: Mapping[str, int], count: int) -> dict[str, int]:
    """The shard (1-based) of each feature file, from its number of scenarios.

    Largest file first, each to the lightest shard so far; equal sizes are dealt in path order.
    """
    loads = [0] * count
    shard_of: dict[str, int] = {}
    for path in sorted(sizes, key=lambda p: (-sizes[p], p)):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        shard_of[path] = lightest + 1
        loads[lightest] += max(sizes[path], 1)
    return shard_of


def feature_file(item: pytest.Item) -> str | None:
    """The feature file of a scenario's test, relative to the run's root; ``None`` for other tests."""
    path = item.nodeid.split("::", 1)[0]
    return path if path.endswith(".feature") else None


def select(config: pytest.Config, items: list[pytest.Item], shard: Shard) -> None:
    """Keep the scenarios of ``shard`` in ``items`` (tests that are no scenario stay); deselect the rest."""
    # Count each file's scenarios once, whatever the browsers: every browser runs every scenario.
    sizes: dict[str, set[str]] = {}
    for item in items:
        path = feature_file(item)
        if path is not None:
            sizes.setdefault(path, set()).add(item.nodeid.split("[", 1)[0])
    shard_of = assign({path: len(names) for path, names in sizes.items()}, shard.count)
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        path = feature_file(item)
        (kept if path is None or shard_of[path] == shard.index else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
