"""The target's and the generator's resources while load runs, sampled with psutil.

The server is measured over its whole process tree (gunicorn's master and every worker it forks,
the job manager...): CPU as percent of one core summed over the tree, resident memory, bytes read
and written on disk, and established TCP connections. The generator's processes are measured one
by one: a single locust process busier than a core can deliver is saturated and its figures are
its own delays, not the CRM's.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence

import psutil  # type: ignore[import-untyped]  # no type hints shipped


@dataclasses.dataclass(frozen=True)
class Sample:
    """One moment of the run (``at`` is wall-clock seconds since the epoch)."""

    at: float
    #: None when the server could not be sampled (a remote target).
    server_cpu: float | None = None
    server_rss_mb: float | None = None
    server_read_mb: float | None = None
    server_write_mb: float | None = None
    server_connections: int | None = None
    #: Connections to the server's port the kernel holds, accepted or still waiting in the listen
    #: queue (a sync server's queue is where users wait when it is saturated).
    port_connections: int | None = None
    server_processes: int | None = None
    #: Generator process name -> CPU percent of one core.
    generator_cpu: dict[str, float] = dataclasses.field(default_factory=dict)


class _Tree:
    """The processes of a tree, kept between samples so that ``cpu_percent`` has a previous reading."""

    def __init__(self, roots: Sequence[int]) -> None:
        self.roots = list(roots)
        self.known: dict[int, psutil.Process] = {}

    def members(self) -> list[psutil.Process]:
        found: list[psutil.Process] = []
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
                found += [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
        current = {process.pid: self.known.get(process.pid, process) for process in found}
        self.known = current
        return list(current.values())


class Monitor:
    """Samples the server tree and the generator processes every ``interval`` seconds in a thread."""

    def __init__(
        self,
        server_pids: Sequence[int] | None,
        generators: Callable[[], dict[str, int]],
        interval: float = 1.0,
        server_port: int | None = None,
    ) -> None:
        self.server = _Tree(server_pids) if server_pids else None
        self.server_port = server_port
        self.generators = generators
        self.interval = interval
        self.samples: list[Sample] = []
        self._generator_processes: dict[int, psutil.Process] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="signoff-perf-monitor", daemon=True)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        self._sample()  # primes cpu_percent
        while not self._stop.wait(self.interval):
            try:
                self.samples.append(self._sample())
            except Exception:  # a process ending between two calls must not end the sampling
                continue

    def _sample(self) -> Sample:
        now = time.time()
        cpu: dict[str, float] = {}
        for name, pid in self.generators().items():
            process = self._generator_processes.get(pid)
            try:
                if process is None:
                    process = self._generator_processes[pid] = psutil.Process(pid)
                    process.cpu_percent(None)
                    continue
                cpu[name] = process.cpu_percent(None)
            except psutil.Error:
                continue
        if self.server is None:
            return Sample(at=now, generator_cpu=cpu)
        total_cpu = rss = read = write = 0.0
        connections = 0
        members = self.server.members()
        for process in members:
            try:
                with process.oneshot():
                    total_cpu += process.cpu_percent(None)
                    rss += process.memory_info().rss
                    io = process.io_counters()
                    read += io.read_bytes
                    write += io.write_bytes
                connections += sum(
                    1 for c in process.net_connections(kind="tcp") if c.status == psutil.CONN_ESTABLISHED
                )
            except psutil.Error:
                continue
        port_connections = None
        if self.server_port:
            try:
                port_connections = sum(
                    1
                    for c in psutil.net_connections(kind="tcp")
                    if c.laddr and c.laddr.port == self.server_port and c.status == psutil.CONN_ESTABLISHED
                )
            except psutil.Error:
                port_connections = None
        mb = 1024 * 1024
        return Sample(
            at=now,
            server_cpu=round(total_cpu, 1),
            server_rss_mb=round(rss / mb, 1),
            server_read_mb=round(read / mb, 2),
            server_write_mb=round(write / mb, 2),
            server_connections=connections,
            server_processes=len(members),
            port_connections=port_connections,
            generator_cpu=cpu,
        )


def window(samples: Sequence[Sample], start: float, end: float) -> list[Sample]:
    """The samples taken between ``start`` and ``end`` (epoch seconds)."""
    return [sample for sample in samples if start <= sample.at <= end]


def server_figures(samples: Sequence[Sample]) -> dict[str, float] | None:
    """The server's figures over ``samples``: CPU mean and max, memory max, disk MB, connections max.

    None when the server was not sampled. Disk figures are the growth of the tree's counters, so
    a worker that ended in between may make them an underestimate, never an invention.
    """
    measured = [s for s in samples if s.server_cpu is not None]
    if not measured:
        return None
    cpu = [s.server_cpu or 0.0 for s in measured]
    return {
        "cpu_mean": round(sum(cpu) / len(cpu), 1),
        "cpu_max": round(max(cpu), 1),
        "rss_max_mb": max(s.server_rss_mb or 0.0 for s in measured),
        "disk_read_mb": round(max(0.0, (measured[-1].server_read_mb or 0) - (measured[0].server_read_mb or 0)), 2),
        "disk_write_mb": round(max(0.0, (measured[-1].server_write_mb or 0) - (measured[0].server_write_mb or 0)), 2),
        "connections_max": float(max(s.server_connections or 0 for s in measured)),
        "port_connections_max": float(max(s.port_connections or 0 for s in measured)),
    }


def generator_cpu(samples: Sequence[Sample]) -> float | None:
    """The busiest generator process's mean CPU over ``samples`` (percent of one core)."""
    by_process: dict[str, list[float]] = {}
    for sample in samples:
        for name, cpu in sample.generator_cpu.items():
            by_process.setdefault(name, []).append(cpu)
    if not by_process:
        return None
    return round(max(sum(values) / len(values) for values in by_process.values()), 1)
