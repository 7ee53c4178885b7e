"""The embedded Creme CRM target: Signoff installs, runs and resets Creme CRM by itself.

Layout under the home cache folder (``.signoff`` next to the plan by default)::

    <home>/creme/
        venv/                         Creme's own virtual environment (its Django is not ours)
        signoff_creme/                the project made by ``creme creme_start_project``
            signoff_creme/settings.py     generated, plus Signoff's block (creme_settings.py)
        build/                        the database the snapshot is built in, provisioning logs
        snapshot/pristine.sqlite3     the database right after migrate + populate
        provisioned.json              what was built (marker): a changed recipe rebuilds
        provision.lock                two processes provisioning at once take turns
        instances/<label>/            one running Creme each ("main", "gw0", "dev" ...)
            db.sqlite3                a copy of the snapshot
            snapshot.id               which snapshot the copy came from
            broker/                   the job manager's unix socket folder
            media/                    uploaded and generated files
            logs/                     gunicorn.log, access.log, job_manager.log
            state.json                pids, port and URL, for status/down from another process
            instance.lock             start, stop and reset of one label take turns

Each instance runs ``gunicorn signoff_creme.wsgi:application`` and ``creme creme_job_manager``;
all per-instance values reach Creme's settings through environment variables.
"""

from __future__ import annotations

import http.cookiejar
import importlib.metadata
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from signoff.errors import TargetError
from signoff.files import write_atomically
from signoff.targets import creme_settings
from signoff.targets.base import Credentials, Target, TargetStatus
from signoff.targets.processes import (
    REGISTRY,
    ManagedProcess,
    free_port,
    http_status,
    pid_alive,
    pids_with_env,
    port_in_use,
    spawn,
    stop_many,
    stop_pid,
    tail_file,
    wait_until_healthy,
)

#: The recipe. Changing any of these (or the settings block) rebuilds the snapshot.
CREME_VERSION = "2.8.6"
#: 23.0.0 is the release seen serving Creme 2.8 / Django 5.2 on these machines (plain WSGI).
GUNICORN_VERSION = "23.0.0"
#: Bump when the provisioning steps change in a way the pins and settings do not show.
RECIPE_REVISION = 1

PROJECT_NAME = "signoff_creme"
LOGIN_PATH = "/creme_login/"
ADMIN = Credentials("root", "root")

#: Seconds one provisioning step may take before it is considered hung.
STEP_TIMEOUT = 1200.0
#: Seconds a process waits for another one that provisions the same home.
PROVISION_LOCK_TIMEOUT = 1800.0
#: Seconds a health probe of a running instance may take before it counts as not answering.
HEALTH_PROBE_TIMEOUT = 30.0
#: Unix socket paths longer than this do not fit in sockaddr_un (108 bytes with the NUL).
MAX_SOCKET_PATH = 100

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_CSRF_INPUT = re.compile(r"""name=["']csrfmiddlewaretoken["']\s+value=["']([^"']+)["']""")


def default_progress(message: str) -> None:
    """Progress lines go to stderr: a cold provision takes minutes."""
    print(f"signoff: creme: {message}", file=sys.stderr, flush=True)


def recipe() -> dict[str, Any]:
    """What a provisioned Creme is built from; stored in the marker file."""
    return {
        "creme_version": CREME_VERSION,
        "gunicorn_version": GUNICORN_VERSION,
        "settings_hash": creme_settings.settings_hash(),
        "revision": RECIPE_REVISION,
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
    }


def recipe_id() -> str:
    """A short stable id of :func:`recipe` (names the snapshot an instance was copied from)."""
    import hashlib

    return hashlib.sha256(json.dumps(recipe(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class InstanceState:
    """The content of ``state.json``: enough for another process to find and stop an instance."""

    label: str
    url: str
    port: int
    detached: bool
    #: process name -> pid (each pid leads its own process group)
    pids: dict[str, int]
    #: process name -> start time in clock ticks since boot, so a reused pid is never signalled
    start_ticks: dict[str, int] = field(default_factory=dict)
    started_at: str = ""
    creme_version: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> InstanceState:
        data = json.loads(text)
        return cls(
            label=str(data["label"]),
            url=str(data["url"]),
            port=int(data["port"]),
            detached=bool(data["detached"]),
            pids={str(k): int(v) for k, v in data["pids"].items()},
            start_ticks={str(k): int(v) for k, v in data.get("start_ticks", {}).items()},
            started_at=str(data.get("started_at", "")),
            creme_version=str(data.get("creme_version", "")),
        )

    def write(self, path: Path) -> None:
        write_atomically(path, self.to_json())

    @classmethod
    def read(cls, path: Path) -> InstanceState | None:
        """The state at ``path``; None when there is none or it is unreadable (treated as stale)."""
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def process_start_ticks(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    # fields[0] is field 3 (state), so field 22 is fields[19].
    return int(fields[19]) if len(fields) > 19 else None


def _same_process(pid: int, ticks: int | None) -> bool:
    """Whether ``pid`` is still the process recorded in a state file (not a reused pid)."""
    if not pid_alive(pid):
        return False
    return ticks is None or process_start_ticks(pid) == ticks


def copy_database(source: Path, destination: Path) -> None:
    """Replace the SQLite database ``destination`` (and its journal files) by a copy of ``source``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(destination.name + ".copying")
    shutil.copyfile(source, temporary)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(str(destination) + suffix).unlink(missing_ok=True)
    os.replace(temporary, destination)


def snapshot_database(source: Path, destination: Path) -> None:
    """A consistent copy of a (possibly open) SQLite database, via SQLite's backup API."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(destination.name + ".tmp")
    temporary.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(temporary) as dst:
        src.backup(dst)
    # sqlite3's context manager commits but does not close.
    src.close()
    dst.close()
    os.replace(temporary, destination)


def restore_database(snapshot: Path, live: Path) -> None:
    """Write ``snapshot`` into the database file ``live`` while other processes may have it open.

    SQLite's backup API replaces every page inside one write transaction: readers opening the
    file afterwards see the snapshot, and one still in a transaction is waited for (the busy
    timeout), never torn.
    """
    try:
        with closing(sqlite3.connect(snapshot)) as src, closing(sqlite3.connect(live, timeout=30)) as dst:
            src.backup(dst)
    except sqlite3.Error as error:
        raise TargetError(f"cannot restore the snapshot into {live}: {error}") from None


def _children(pid: int) -> list[int]:
    """The pids whose parent is ``pid`` (a /proc scan)."""
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except OSError:
        return []


class EmbeddedCreme(Target):
    """Creme CRM installed under ``<home>/creme`` and run on a free loopback port."""

    kind = "creme"
    name = "creme"

    def __init__(
        self,
        home: str | os.PathLike[str],
        label: str = "main",
        start_timeout: float = 60.0,
        *,
        workers: int = 2,
        port: int | None = None,
        progress: Callable[[str], None] | None = default_progress,
    ) -> None:
        if not _LABEL.match(label):
            raise TargetError(f"invalid Creme instance label {label!r} (letters, digits, '.', '_', '-'; at most 40)")
        self.home = Path(home).expanduser().resolve()
        self.label = label
        self.start_timeout = start_timeout
        self.workers = workers
        self._requested_port = port
        self._progress = progress or (lambda message: None)
        #: Processes started by this object (None when started elsewhere or not running).
        self._processes: dict[str, ManagedProcess] = {}
        self._state: InstanceState | None = None
        #: True when start() found this label already running and used it as it was.
        self.adopted = False
        #: How the last :meth:`reset` went: "in place" or "restart" (for benchmarks and tests).
        self.last_reset = ""

    # -- paths ----------------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.home / "creme"

    @property
    def venv(self) -> Path:
        return self.root / "venv"

    @property
    def project_dir(self) -> Path:
        """The outer project folder: commands run from here."""
        return self.root / PROJECT_NAME

    @property
    def settings_path(self) -> Path:
        return self.project_dir / PROJECT_NAME / "settings.py"

    @property
    def snapshot_path(self) -> Path:
        return self.root / "snapshot" / "pristine.sqlite3"

    @property
    def marker_path(self) -> Path:
        return self.root / "provisioned.json"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def instance_dir(self) -> Path:
        return self.root / "instances" / self.label

    @property
    def db_path(self) -> Path:
        return self.instance_dir / "db.sqlite3"

    @property
    def logs_dir(self) -> Path:
        return self.instance_dir / "logs"

    @property
    def state_path(self) -> Path:
        return self.instance_dir / "state.json"

    @property
    def broker_dir(self) -> Path:
        """The job manager's socket folder; moved to /tmp when the path would be too long."""
        return broker_dir_for(self.instance_dir)

    def _bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    def nudge_job_manager(self) -> None:
        """Ask Creme's job manager to look at its system jobs now (e.g. a campaign sending just saved).

        Creme tells its job manager about a new sending from inside the transaction that saves it,
        so the manager does not see it yet and falls back to a wake-up 30 s later (its scheduler
        says so: "UGLY HACK"). Once the sending is saved, this sends the same REFRESH command on
        the instance's own unix socket, with no new data: the manager recomputes each job's next
        wake-up from the database, which now holds the sending. A manager that is not listening
        is no error: the job then simply runs at its own time.
        """
        try:
            database = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
            try:
                job_ids = [row[0] for row in database.execute("SELECT id FROM creme_core_job WHERE user_id IS NULL")]
            finally:
                database.close()
        except sqlite3.Error:
            return
        socket_path = self._job_socket_path()
        for job_id in job_ids:
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                    client.connect(str(socket_path))
                    client.sendall(f"REFRESH-{job_id}-{{}}".encode())
            except OSError:
                return

    # -- Target contract ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        state = self._state or self.read_state()
        if state is None:
            raise TargetError(f"the Creme instance '{self.label}' is not running (signoff target up)")
        return state.url

    @property
    def admin(self) -> Credentials:
        return ADMIN

    @property
    def can_reset(self) -> bool:
        return True

    def provision(self) -> None:
        """Install Creme and build the pristine snapshot, unless the same recipe is already built."""
        if self.is_provisioned():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / "provision.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            self._progress("another Signoff process is provisioning Creme; waiting for it")
            try:
                lock.acquire(timeout=PROVISION_LOCK_TIMEOUT)
            except Timeout:
                raise TargetError(f"gave up waiting for another process to provision Creme in {self.root}") from None
        try:
            if self.is_provisioned():
                return
            self._build()
        finally:
            lock.release()

    def start(self, pristine: bool = False, detached: bool = False) -> None:
        """Provision if needed, then run this label's Creme and wait until it answers.

        When a healthy instance of this label already runs (e.g. after ``signoff target up``), it
        is used as it is (:attr:`adopted`) and :meth:`stop` leaves it running. Otherwise
        ``pristine`` starts it on a fresh copy of the snapshot, not on what an earlier run left.
        """
        self.provision()
        with self._instance_lock():
            state = self.read_state()
            if state is not None and self._state_alive(state):
                # Generous: a busy instance (a load test on 2 cores) is slow, not broken.
                if http_status(state.url + LOGIN_PATH, timeout=HEALTH_PROBE_TIMEOUT) == 200:
                    self._state = state
                    self.adopted = not self._processes
                    return
                self._progress(f"instance '{self.label}' runs but does not answer; restarting it")
            if state is not None:
                self._stop_state(state)
            if pristine:
                self._restore_snapshot()
            port = self._requested_port or (state.port if state is not None else None)
            self._start_locked(detached=detached, port=port)

    def stop(self) -> None:
        """Stop this label's processes. Safe to call twice.

        An object that never started anything (``signoff target down``) stops whatever runs under
        its label. One whose :meth:`start` found the instance already running (:attr:`adopted`)
        leaves it alone: it belongs to whoever started it (``signoff target up``).
        """
        if self.adopted:
            return
        with self._instance_lock():
            self._stop_locked()

    def reset(self, detached: bool | None = None, *, restart: bool = False) -> None:
        """Bring the instance's data back to the pristine snapshot, on the same port.

        A running instance is reset in place (:meth:`_reset_in_place`): the snapshot is written
        into the live database and gunicorn's workers are renewed, which costs a fraction of a
        restart. ``restart=True``, an instance that is not running, a change between attached and
        detached, or an in-place reset that fails, take the old road: stop, copy, start.

        ``detached=None`` keeps the instance the way it ran before (attached when it was not
        running); ``signoff target reset`` passes True so the instance outlives the command.
        """
        self.provision()
        # An instance found running stays someone else's after the reset (restarted detached).
        adopted = self.adopted
        with self._instance_lock():
            state = self.read_state()
            if detached is None:
                detached = state.detached if state is not None else False
            # The new job manager belongs to this process unless detached: only an instance that
            # outlives us, or whose gunicorn we started, is reset in place.
            in_place = state is not None and state.detached == detached and (detached or "gunicorn" in self._processes)
            if not restart and in_place and state is not None and self._state_alive(state):
                try:
                    self._reset_in_place(state)
                    self.last_reset = "in place"
                    return
                except TargetError as error:
                    self._progress(f"instance '{self.label}' could not be reset in place ({error}); restarting it")
            port = state.port if state is not None else self._requested_port
            self._stop_locked()
            self._restore_snapshot()
            self._start_locked(detached=detached, port=port)
            self.last_reset = "restart"
        self.adopted = adopted and detached

    def status(self) -> TargetStatus:
        state = self.read_state()
        if state is None or not self._state_alive(state):
            details = {"label": self.label, "home": str(self.root)}
            if state is not None:
                details["note"] = "stale state file (processes gone)"
            return TargetStatus(name=self.name, running=False, details=details)
        healthy = http_status(state.url + LOGIN_PATH, timeout=HEALTH_PROBE_TIMEOUT) == 200
        details = {
            "label": self.label,
            "port": str(state.port),
            "detached": "yes" if state.detached else "no",
            "state file": str(self.state_path),
            "logs": str(self.logs_dir),
            **{f"{name} pid": str(pid) for name, pid in state.pids.items()},
        }
        return TargetStatus(name=self.name, running=True, base_url=state.url, healthy=healthy, details=details)

    def describe(self) -> dict[str, str]:
        facts = {"CRM": "Creme CRM", "CRM version": self.installed_version() or "not installed"}
        state = self._state or self.read_state()
        if state is not None:
            facts["Target URL"] = state.url
        return facts

    # -- facts -----------------------------------------------------------------------------------

    def installed_version(self) -> str | None:
        """Creme's version as installed in its venv (read from the package metadata)."""
        for site in sorted((self.venv / "lib").glob("python*/site-packages")):
            for dist in importlib.metadata.distributions(path=[str(site)]):
                if (dist.metadata["Name"] or "").lower().replace("_", "-") == "creme-crm":
                    return dist.version
        return None

    def is_provisioned(self) -> bool:
        """Whether the marker matches the current recipe and the built files are all there."""
        try:
            marker = json.loads(self.marker_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            marker.get("recipe") == recipe()
            and self.snapshot_path.is_file()
            and self.settings_path.is_file()
            and self._bin("gunicorn").is_file()
            and self._bin("creme").is_file()
        )

    def read_state(self) -> InstanceState | None:
        return InstanceState.read(self.state_path)

    @classmethod
    def labels(cls, home: str | os.PathLike[str]) -> list[str]:
        """Labels of the instances that have a folder under ``home`` (running or not)."""
        instances = Path(home).expanduser().resolve() / "creme" / "instances"
        if not instances.is_dir():
            return []
        return sorted(p.name for p in instances.iterdir() if p.is_dir() and _LABEL.match(p.name))

    def check_credentials(self, credentials: Credentials) -> bool:
        """Whether signing in with ``credentials`` works (a plain HTTP login, no browser)."""
        return check_creme_login(self.base_url, credentials)

    # -- provisioning ----------------------------------------------------------------------------

    def _build(self) -> None:
        started = time.monotonic()
        self.build_dir.mkdir(parents=True, exist_ok=True)
        log = self.build_dir / "provision.log"
        self._progress(f"provisioning Creme CRM {CREME_VERSION} in {self.root} (a few minutes; log: {log})")
        self.marker_path.unlink(missing_ok=True)

        if not self._venv_works():
            self._progress("creating a virtual environment")
            shutil.rmtree(self.venv, ignore_errors=True)
            self._run_step("create venv", [sys.executable, "-m", "venv", str(self.venv)], log, cwd=self.root)
        self._progress(f"installing creme-crm=={CREME_VERSION} and gunicorn=={GUNICORN_VERSION} (about 1 min)")
        self._run_step(
            "pip install",
            [
                str(self._bin("python")),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                f"creme-crm=={CREME_VERSION}",
                f"gunicorn=={GUNICORN_VERSION}",
            ],
            log,
            cwd=self.root,
        )

        if not self.settings_path.is_file():
            self._progress("creating the Creme project")
            shutil.rmtree(self.project_dir, ignore_errors=True)
            # The project's settings do not exist yet: run on Creme's own default settings.
            bare = self._env()
            del bare["DJANGO_SETTINGS_MODULE"]
            self._run_step(
                "creme_start_project",
                [str(self._bin("creme")), "creme_start_project", PROJECT_NAME],
                log,
                cwd=self.root,
                env=bare,
            )
        text = self.settings_path.read_text(encoding="utf-8")
        self.settings_path.write_text(creme_settings.apply_settings(text), encoding="utf-8")

        build_db = self.build_dir / "build.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(build_db) + suffix).unlink(missing_ok=True)
        env = self._env(
            db=build_db, url="http://127.0.0.1:8000", broker=self.build_dir / "broker", media=self.build_dir / "media"
        )
        creme = str(self._bin("creme"))
        self._progress("creating the database (migrate, about 1 min)")
        self._run_step("migrate", [creme, "migrate", "--noinput"], log, env=env)
        self._progress("loading Creme's initial data (creme_populate)")
        self._run_step("creme_populate", [creme, "creme_populate"], log, env=env)
        self._progress("building static assets (generatemedia)")
        self._run_step("generatemedia", [creme, "generatemedia"], log, env=env)

        snapshot_database(build_db, self.snapshot_path)
        installed = self.installed_version()
        if installed != CREME_VERSION:
            raise TargetError(f"Creme {CREME_VERSION} was asked for but {installed} got installed (see {log})")
        marker = {
            "recipe": recipe(),
            "recipe_id": recipe_id(),
            "installed_version": installed,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.monotonic() - started, 1),
        }
        write_atomically(self.marker_path, json.dumps(marker, indent=2) + "\n")
        self._progress(f"Creme provisioned in {time.monotonic() - started:.0f} s")

    def _venv_works(self) -> bool:
        return venv_works(self._bin("python"))

    def _run_step(
        self,
        step: str,
        argv: list[str],
        log: Path,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Run one provisioning command, output appended to ``log``; TargetError when it fails."""
        run_step("provisioning Creme", step, argv, log, cwd=cwd or self.project_dir, env=env or self._env())

    # -- running ---------------------------------------------------------------------------------

    def _env(
        self,
        *,
        db: Path | None = None,
        url: str | None = None,
        broker: Path | None = None,
        media: Path | None = None,
    ) -> dict[str, str]:
        """The environment of every Creme command: our values, and nothing of our own venv."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")
        }
        env.update(
            {
                "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
                "VIRTUAL_ENV": str(self.venv),
                "PYTHONPATH": str(self.project_dir),
                "PYTHONWARNINGS": "ignore",
                "PYTHONUNBUFFERED": "1",
                "DJANGO_SETTINGS_MODULE": f"{PROJECT_NAME}.settings",
                creme_settings.ENV_DB: str(db or self.db_path),
                creme_settings.ENV_BROKER_DIR: str(broker or self.broker_dir),
                creme_settings.ENV_MEDIA_DIR: str(media or self.instance_dir / "media"),
                creme_settings.ENV_SMTP_HOST: os.environ.get(
                    creme_settings.ENV_SMTP_HOST, creme_settings.DEFAULT_SMTP_HOST
                ),
                creme_settings.ENV_SMTP_PORT: os.environ.get(
                    creme_settings.ENV_SMTP_PORT, str(creme_settings.DEFAULT_SMTP_PORT)
                ),
            }
        )
        if url is not None:
            env[creme_settings.ENV_URL] = url
        return env

    def _reset_in_place(self, state: InstanceState) -> None:
        """Write the snapshot into the live database and renew what holds state in memory.

        Between two feature files no request of the kit is in flight. The job manager keeps jobs
        and a database connection across its life: it is stopped first and started again after.
        gunicorn's workers close their database connection after every request (Django's default
        ``CONN_MAX_AGE = 0``), so the copy through SQLite's backup API (which waits for any
        transaction still open) is all the database needs; the workers are then replaced by fresh
        ones forked from the master (SIGHUP), which never touched the database, so nothing a
        worker kept in memory (Django's content types, Creme's per-process caches) survives.
        Sessions live in the database: every sign-in made before the reset is void after it.
        """
        gunicorn_pid = state.pids.get("gunicorn")
        job_manager_pid = state.pids.get("job_manager")
        if gunicorn_pid is None or job_manager_pid is None:
            raise TargetError("the state file does not name both gunicorn and the job manager")
        started = time.monotonic()
        own = self._processes.get("job_manager")
        stop_pid(job_manager_pid, popen=own.popen if own is not None and own.pid == job_manager_pid else None)
        if own is not None:
            REGISTRY.discard(own)
        self._job_socket_path().unlink(missing_ok=True)
        restore_database(self.snapshot_path, self.db_path)
        (self.instance_dir / "snapshot.id").write_text(recipe_id() + "\n")
        # The job manager boots (loads Django) while gunicorn renews its workers.
        job_manager = self._spawn_job_manager(self._env(url=state.url), state.detached)
        self._processes["job_manager"] = job_manager
        self._renew_workers(gunicorn_pid)
        self._wait_for_job_manager(job_manager, time.monotonic() - started)
        state.pids["job_manager"] = job_manager.pid
        ticks = process_start_ticks(job_manager.pid)
        if ticks is not None:
            state.start_ticks["job_manager"] = ticks
        state.write(self.state_path)
        self._state = state

    def _renew_workers(self, master_pid: int) -> None:
        """Replace gunicorn's workers with fresh forks of the master and wait until they answer."""
        old_workers = set(_children(master_pid))
        try:
            os.kill(master_pid, signal.SIGHUP)
        except ProcessLookupError:
            raise TargetError("gunicorn is gone") from None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            workers = set(_children(master_pid))
            if len(workers) >= self.workers and not workers & old_workers:
                break
            time.sleep(0.05)
        else:
            raise TargetError("gunicorn's workers were not renewed in time")
        state = self._state or self.read_state()
        url = state.url if state is not None else ""
        wait_until_healthy(
            url + LOGIN_PATH, timeout=self.start_timeout, processes=[], what=f"Creme instance '{self.label}'"
        )

    def _restore_snapshot(self) -> None:
        """Copy the pristine snapshot over the instance database (the instance is not running)."""
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        copy_database(self.snapshot_path, self.db_path)
        (self.instance_dir / "snapshot.id").write_text(recipe_id() + "\n")

    def _prepare_instance(self) -> None:
        """Give the instance its own copy of the snapshot (again when the snapshot was rebuilt)."""
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        (self.instance_dir / "media").mkdir(exist_ok=True)
        self.logs_dir.mkdir(exist_ok=True)
        stamp = self.instance_dir / "snapshot.id"
        current = stamp.read_text().strip() if stamp.exists() else ""
        if not self.db_path.exists() or current != recipe_id():
            self._restore_snapshot()

    def _start_locked(self, *, detached: bool, port: int | None) -> None:
        self._prepare_instance()
        if port and port_in_use(port):
            raise TargetError(f"cannot start Creme instance '{self.label}': port {port} is already in use")
        # A port we picked ourselves may be taken between the pick and gunicorn's bind: retry.
        attempts = 1 if port else 3
        for attempt in range(attempts):
            chosen = port or free_port()
            try:
                self._launch(chosen, detached)
                return
            except TargetError as error:
                if attempt + 1 < attempts and "Address already in use" in str(error):
                    continue
                raise

    def _launch(self, port: int, detached: bool) -> None:
        url = f"http://127.0.0.1:{port}"
        env = self._env(url=url)
        started = time.monotonic()
        job_manager = self._spawn_job_manager(env, detached)
        self._processes = {"job_manager": job_manager}
        try:
            gunicorn = spawn(
                "gunicorn",
                [
                    self._bin("gunicorn"),
                    f"{PROJECT_NAME}.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(self.workers),
                    # Django and Creme load once in the master, then fork: on 2 busy cores this
                    # cuts a (re)start's CPU by a third. Creme opens no database connection while
                    # loading, so the workers share none.
                    "--preload",
                    # Imports and exports of big files run inside a request on 2 slow cores.
                    "--timeout",
                    "300",
                    # A test CRM needs no long goodbye: workers still booting would hold a stop for 5 s.
                    "--graceful-timeout",
                    "1",
                    "--access-logfile",
                    str(self.logs_dir / "access.log"),
                    "--error-logfile",
                    "-",
                    "--name",
                    f"signoff-creme-{self.label}",
                ],
                log_path=self.logs_dir / "gunicorn.log",
                cwd=self.project_dir,
                env=env,
                detached=detached,
            )
            self._processes["gunicorn"] = gunicorn
            wait_until_healthy(
                url + LOGIN_PATH,
                timeout=self.start_timeout,
                processes=[gunicorn, job_manager],
                what=f"Creme instance '{self.label}'",
            )
            self._wait_for_job_manager(job_manager, time.monotonic() - started)
        except BaseException:
            stop_many((p.pid, p.popen) for p in self._processes.values())
            for process in self._processes.values():
                REGISTRY.discard(process)
            self._processes = {}
            raise
        self._state = InstanceState(
            label=self.label,
            url=url,
            port=port,
            detached=detached,
            pids={name: p.pid for name, p in self._processes.items()},
            start_ticks={
                name: ticks for name, p in self._processes.items() if (ticks := process_start_ticks(p.pid)) is not None
            },
            started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            creme_version=self.installed_version() or "",
        )
        self._state.write(self.state_path)
        self.adopted = False

    def _spawn_job_manager(self, env: dict[str, str], detached: bool) -> ManagedProcess:
        return spawn(
            "creme job manager",
            [self._bin("creme"), "creme_job_manager"],
            log_path=self.logs_dir / "job_manager.log",
            cwd=self.project_dir,
            env=env,
            detached=detached,
        )

    def _job_socket_path(self) -> Path:
        return self.broker_dir / f"private-{_user()}" / "socket"

    def _wait_for_job_manager(self, job_manager: ManagedProcess, elapsed: float) -> None:
        """Jobs queued before the job manager listens are only picked up at its next poll."""
        socket_path = self._job_socket_path()
        deadline = time.monotonic() + max(5.0, self.start_timeout - elapsed)
        while not socket_path.exists():
            if not job_manager.alive():
                raise TargetError(
                    f"Creme instance '{self.label}': the job manager exited; last lines of "
                    f"{job_manager.log_path}:\n{job_manager.tail()}"
                )
            if time.monotonic() > deadline:
                raise TargetError(f"Creme instance '{self.label}': the job manager did not open {socket_path}")
            job_manager.wait_exit(0.1)

    def _stop_locked(self) -> None:
        state = self.read_state()
        targets: dict[int, subprocess.Popen[bytes] | None] = {p.pid: p.popen for p in self._processes.values()}
        if state is not None:
            for name, pid in state.pids.items():
                if pid not in targets and _same_process(pid, state.start_ticks.get(name)):
                    targets[pid] = None
        stop_many(targets.items())
        for process in self._processes.values():
            REGISTRY.discard(process)
        self._stop_strays()
        self._processes = {}
        self._state = None
        self.state_path.unlink(missing_ok=True)

    def _stop_strays(self) -> None:
        """Stop processes of this instance that no state file names (state lost or overwritten)."""
        strays = set(pids_with_env(creme_settings.ENV_DB, str(self.db_path)))
        for pid in sorted(strays):
            try:
                pgid = os.getpgid(pid)
            except ProcessLookupError:
                continue
            # A group we started is stopped through its leader; a lone stray is signalled alone.
            if pgid == pid or pgid not in strays:
                stop_pid(pid)

    def _stop_state(self, state: InstanceState) -> None:
        """Stop the processes a state file names, if they are still the same processes."""
        stop_many((pid, None) for name, pid in state.pids.items() if _same_process(pid, state.start_ticks.get(name)))
        self.state_path.unlink(missing_ok=True)

    def _state_alive(self, state: InstanceState) -> bool:
        return all(_same_process(pid, state.start_ticks.get(n)) for n, pid in state.pids.items())

    @contextmanager
    def _instance_lock(self) -> Iterator[None]:
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.instance_dir / "instance.lock"))
        try:
            lock.acquire(timeout=max(120.0, self.start_timeout * 2))
        except Timeout:
            raise TargetError(
                f"Creme instance '{self.label}' is busy (another process is starting or stopping it)"
            ) from None
        try:
            yield
        finally:
            lock.release()


def broker_dir_for(instance_dir: Path) -> Path:
    """The job broker folder of an instance: inside it, or under /tmp when the path is too long."""
    preferred = instance_dir / "broker"
    socket_path = preferred / f"private-{_user()}" / "socket"
    if len(str(socket_path)) <= MAX_SOCKET_PATH:
        return preferred
    import hashlib
    import tempfile

    digest = hashlib.sha256(str(instance_dir).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"signoff-creme-{digest}"


def _user() -> str:
    import getpass

    return getpass.getuser()


def venv_works(python: Path) -> bool:
    """Whether the virtual environment of ``python`` runs, on the same Python version as ours."""
    if not python.exists():
        return False
    try:
        result = subprocess.run(
            [str(python), "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == str(sys.version_info[:2])


def run_step(
    what: str,
    step: str,
    argv: list[str],
    log: Path,
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = STEP_TIMEOUT,
) -> None:
    """Run one set-up command (``what``: "provisioning Creme", "installing sqlmap" ...), output
    appended to ``log``, in its own session; stopped on timeout and Ctrl-C; TargetError when it fails."""
    with open(log, "ab") as handle:
        handle.write(f"\n=== {time.strftime('%H:%M:%S')} {step}: {' '.join(argv)}\n".encode())
        handle.flush()
        try:
            # start_new_session: a Ctrl-C reaches us, and we stop the step ourselves below.
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise TargetError(f"{what} failed at '{step}': {error}") from None
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_pid(process.pid, popen=process)
            raise TargetError(f"{what} hung at '{step}' (see {log})") from None
        except BaseException:
            stop_pid(process.pid, popen=process)
            raise
    if code != 0:
        raise TargetError(f"{what} failed at '{step}' (exit {code}); last lines of {log}:\n" + _filtered_tail(log))


def _filtered_tail(log: Path, lines: int = 15) -> str:
    # pip's warnings about this machine's unreachable extra indexes drown the real error.
    text = tail_file(log, 200)
    kept = [line for line in text.splitlines() if "is ignored: it is neither a file nor a directory" not in line]
    return "\n".join(kept[-lines:])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def check_creme_login(base_url: str, credentials: Credentials, timeout: float = 30.0) -> bool:
    """Sign in on Creme's login form over plain HTTP; True when Creme redirects away from it.

    Raises TargetError when the CRM does not answer or the page has no login form.
    """
    login_url = base_url.rstrip("/") + LOGIN_PATH
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    try:
        with opener.open(login_url, timeout=timeout) as response:
            page = response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError) as error:
        raise TargetError(f"the CRM at {base_url} does not answer ({_reason(error)})") from None
    match = _CSRF_INPUT.search(page)
    if match is None:
        raise TargetError(f"no Creme login form at {login_url}")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": match.group(1),
            "username": credentials.username,
            "password": credentials.password,
        }
    ).encode()
    request = urllib.request.Request(
        login_url, data=form, headers={"Referer": login_url, "Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            # 200: the form came back with an error message.
            return False
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303):
            location = error.headers.get("Location", "")
            return LOGIN_PATH not in urllib.parse.urlsplit(location).path
        if error.code == 403:
            raise TargetError(f"the CRM at {base_url} refused the login form (HTTP 403, CSRF?)") from None
        raise TargetError(f"the CRM at {base_url} answered HTTP {error.code} to a sign-in") from None
    except (urllib.error.URLError, OSError) as error:
        raise TargetError(f"the CRM at {base_url} does not answer ({_reason(error)})") from None


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    return str(getattr(reason, "strerror", None) or reason)
