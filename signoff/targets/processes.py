"""Child processes that never outlive Signoff by accident.

Every server Signoff starts (gunicorn, Creme's job manager, later an SMTP sink ...) goes through
:func:`spawn`:

* it runs in its own session and process group, so stopping it reaches its workers too and a
  Ctrl-C in the terminal does not hit it half-way through a test run;
* unless it is ``detached``, the kernel sends it SIGTERM when the Python process that started it
  dies, even by SIGKILL (``prctl(PR_SET_PDEATHSIG)``);
* unless it is ``detached``, it is recorded in a registry that stops everything still running at
  interpreter exit and on SIGTERM/SIGHUP (SIGINT becomes KeyboardInterrupt, which runs atexit);
* its output goes to a log file, whose last lines end up in the error when it dies early.

Detached processes (``signoff target up``) are found again later through their pid, which the
caller stores in a state file; :func:`stop_pid` stops them from any process.
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from signoff.errors import TargetError

#: From <linux/prctl.h>.
PR_SET_PDEATHSIG = 1

#: Seconds a process gets to shut down after SIGTERM before it is killed.
DEFAULT_STOP_TIMEOUT = 10.0

#: How often conditions that cannot be waited on directly (a foreign pid, an HTTP answer) are
#: polled.
POLL_INTERVAL = 0.1


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    """A ``preexec_fn`` that makes the child receive SIGTERM when its parent dies."""

    def preexec() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        # The parent may have died between fork() and prctl(): then nobody will send the signal.
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


@dataclass
class ManagedProcess:
    """A process started by :func:`spawn` (or found again from a state file by pid)."""

    name: str
    pid: int
    log_path: Path
    detached: bool = False
    #: Only set in the process that started it; ``None`` for a process found again by pid.
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def alive(self) -> bool:
        """Whether the process still runs (a zombie counts as dead)."""
        if self.popen is not None:
            return self.popen.poll() is None
        return pid_alive(self.pid)

    @property
    def returncode(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def wait_exit(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to end; True when it has ended."""
        if self.popen is not None:
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        return _wait_until(lambda: not pid_alive(self.pid), timeout)

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """SIGTERM to the whole process group, wait, then SIGKILL. Safe to call twice."""
        stop_pid(self.pid, timeout=timeout, popen=self.popen)
        REGISTRY.discard(self)

    def tail(self, lines: int = 20) -> str:
        """The last lines of the log file (for error messages)."""
        return tail_file(self.log_path, lines)


def spawn(
    name: str,
    argv: Sequence[str | os.PathLike[str]],
    *,
    log_path: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    detached: bool = False,
) -> ManagedProcess:
    """Start ``argv`` in a new session, output appended to ``log_path``.

    ``detached=False`` (the default): the process dies with the calling Python process and is
    stopped at interpreter exit. ``detached=True``: it outlives us; the caller must keep its pid.

    Linux sends the parent-death signal when the *thread* that started the child ends: start
    attached processes from a thread that lives as long as they should (the main thread).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        header = f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} start {name}: {' '.join(map(str, argv))}\n"
        log.write(header.encode())
        log.flush()
        try:
            popen = subprocess.Popen(
                [os.fspath(arg) for arg in argv],
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=None if detached else _die_with_parent(os.getpid()),
                close_fds=True,
            )
        except OSError as error:
            raise TargetError(f"cannot start {name} ({argv[0]}): {error.strerror}") from None
    process = ManagedProcess(name=name, pid=popen.pid, log_path=log_path, detached=detached, popen=popen)
    if not detached:
        REGISTRY.add(process)
    return process


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` names a running (not zombie) process."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still accepts signal 0: look at its state to tell.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    return state not in ("Z", "X")


def _group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process remains in process group ``pgid``."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return any(pid_alive(pid) for pid in group_members(pgid))


def _anything_alive(pid: int) -> bool:
    """Whether ``pid`` or anything in the process group it leads still runs."""
    return pid_alive(pid) or _group_alive(pid)


def group_members(pgid: int) -> list[int]:
    """Pids whose process group is ``pgid`` (a /proc scan: no psutil needed)."""
    members: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 5 (pgrp) comes after "pid (comm) state ppid"; comm may contain spaces.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 2 and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def stop_pid(
    pid: int,
    *,
    timeout: float = DEFAULT_STOP_TIMEOUT,
    popen: subprocess.Popen[bytes] | None = None,
) -> bool:
    """Stop the process group led by ``pid``: SIGTERM, wait up to ``timeout``, then SIGKILL.

    The leader gets SIGTERM first and half the time to take its children down itself (gunicorn
    logs every worker that receives a signal from elsewhere as an error); then the whole group gets
    SIGTERM, and whatever is left after ``timeout`` gets SIGKILL. Works for our own children and
    for detached processes started by another Signoff run. Returns whether anything was running.
    """
    if pid <= 0:
        return False
    if not _anything_alive(pid):
        if popen is not None:
            popen.poll()
        return False
    deadline = time.monotonic() + timeout
    try:
        os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    if popen is not None:
        try:
            popen.wait(timeout=timeout / 2)
        except subprocess.TimeoutExpired:
            pass
    # The leader exiting does not mean its children did: wait for the whole group.
    if not _wait_until(lambda: not _anything_alive(pid), max(0.0, deadline - timeout / 2 - time.monotonic())):
        _signal_group(pid, signal.SIGTERM)
        if popen is not None:
            try:
                popen.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        if not _wait_until(lambda: not _anything_alive(pid), max(0.0, deadline - time.monotonic())):
            _signal_group(pid, signal.SIGKILL)
            _wait_until(lambda: not _anything_alive(pid), 5.0)
    if popen is not None:
        try:
            popen.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            pass
    return True


def stop_many(
    targets: Iterable[tuple[int, subprocess.Popen[bytes] | None]],
    *,
    timeout: float = DEFAULT_STOP_TIMEOUT,
) -> None:
    """:func:`stop_pid` on several process groups at once: each shutdown's wait overlaps the others'
    (gunicorn and the job manager take about half a second each to exit)."""
    items = list(targets)
    threads: list[threading.Thread] = []
    for pid, popen in items[1:]:
        thread = threading.Thread(
            target=stop_pid, args=(pid,), kwargs={"timeout": timeout, "popen": popen}, daemon=True
        )
        try:
            thread.start()
        except RuntimeError:
            # No new threads during interpreter shutdown (atexit on newer Pythons): one by one.
            stop_pid(pid, timeout=timeout, popen=popen)
            continue
        threads.append(thread)
    for pid, popen in items[:1]:
        stop_pid(pid, timeout=timeout, popen=popen)
    for thread in threads:
        thread.join()


def pids_with_env(name: str, value: str) -> list[int]:
    """Pids whose initial environment holds ``name=value`` (finds an instance's processes even
    when its state file is lost: their command lines do not name the instance)."""
    wanted = f"{name}={value}".encode()
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environ.split(b"\0") and pid_alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _signal_group(pgid: int, signum: int) -> bool:
    """Send ``signum`` to the group; fall back to the single pid if it leads no group."""
    try:
        os.killpg(pgid, signum)
        return True
    except ProcessLookupError:
        pass
    except PermissionError:
        return False
    try:
        os.kill(pgid, signum)
        return True
    except (ProcessLookupError, PermissionError):
        return False


def _wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(POLL_INTERVAL, remaining))


class ProcessRegistry:
    """Every attached process still running; stopped at interpreter exit or on SIGTERM/SIGHUP."""

    def __init__(self) -> None:
        self._processes: list[ManagedProcess] = []
        self._lock = threading.Lock()
        self._installed = False

    def add(self, process: ManagedProcess) -> None:
        with self._lock:
            self._processes.append(process)
        self._install()

    def discard(self, process: ManagedProcess) -> None:
        with self._lock:
            self._processes = [p for p in self._processes if p is not process]

    @property
    def processes(self) -> list[ManagedProcess]:
        with self._lock:
            return list(self._processes)

    def stop_all(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """Stop every registered process, all at once."""
        with self._lock:
            processes, self._processes = self._processes, []
        try:
            stop_many(((p.pid, p.popen) for p in processes), timeout=timeout)
        except Exception:
            pass

    def _install(self) -> None:
        if self._installed:
            return
        self._installed = True
        atexit.register(self.stop_all)
        # Signal handlers can only be set from the main thread; elsewhere pdeathsig still applies.
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous = signal.getsignal(signum)
            if previous in (signal.SIG_IGN, None):
                continue
            signal.signal(signum, self._make_handler(signum, previous))

    def _make_handler(
        self, signum: int, previous: Callable[[int, FrameType | None], object] | int
    ) -> Callable[[int, FrameType | None], None]:
        def handler(received: int, frame: FrameType | None) -> None:
            self.stop_all()
            if callable(previous):
                previous(received, frame)
                return
            # Default disposition: die from the same signal so our parent sees the usual status.
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        return handler


#: The one registry of this interpreter.
REGISTRY = ProcessRegistry()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def http_status(url: str, timeout: float = 5.0) -> int | None:
    """The HTTP status of a GET on ``url`` (redirects followed), or None when nothing answers."""
    request = urllib.request.Request(url, headers={"User-Agent": "signoff"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_until_healthy(
    url: str,
    *,
    timeout: float,
    processes: Iterable[ManagedProcess] = (),
    expect_status: int = 200,
    what: str = "the CRM",
) -> None:
    """Wait until a GET on ``url`` answers ``expect_status``.

    Raises TargetError when ``timeout`` passes, or at once when one of ``processes`` dies; the
    message carries the last lines of that process's log.
    """
    watched = list(processes)
    deadline = time.monotonic() + timeout
    last_status: int | None = None
    while True:
        for process in watched:
            if not process.alive():
                code = process.returncode
                raise TargetError(
                    f"{what}: {process.name} exited"
                    + (f" with code {code}" if code is not None else "")
                    + f" before {url} answered; last lines of {process.log_path}:\n{process.tail()}"
                )
        last_status = http_status(url, timeout=min(5.0, max(0.5, deadline - time.monotonic())))
        if last_status == expect_status:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        # Pause by waiting on the first process: returns early if it dies.
        pause = min(POLL_INTERVAL * 2, remaining)
        if watched:
            watched[0].wait_exit(pause)
        else:
            time.sleep(pause)
    answer = f"it answered HTTP {last_status}" if last_status is not None else "nothing answered"
    logs = "".join(f"\nlast lines of {p.log_path}:\n{p.tail()}" for p in watched)
    raise TargetError(f"{what} at {url} is not healthy after {timeout:g} s ({answer}){logs}")


def tail_file(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a text file ('' when it does not exist)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read()
    except OSError as error:
        if error.errno == errno.ENOENT:
            return ""
        raise
    return "\n".join(data.decode("utf-8", errors="replace").splitlines()[-lines:])
