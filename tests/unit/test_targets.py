"""Targets without a real CRM: process handling, state files, settings block, remote target, plans.

Process tests start ``sleep`` children and small Python parents; every one of them is waited on
with a deadline, never with a fixed sleep.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from signoff.errors import TargetError
from signoff.plan import load_plan
from signoff.targets import HOME_ENV, creme_settings, make_target, make_target_from_url
from signoff.targets.base import Credentials
from signoff.targets.creme import (
    EmbeddedCreme,
    InstanceState,
    broker_dir_for,
    check_creme_login,
    copy_database,
    process_start_ticks,
    recipe_id,
)
from signoff.targets.processes import (
    REGISTRY,
    ProcessRegistry,
    free_port,
    pid_alive,
    pids_with_env,
    spawn,
    stop_pid,
    wait_until_healthy,
)
from signoff.targets.remote import RemoteTarget

ROOT = Path(__file__).parents[2]


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``condition`` until true or ``timeout``; returns its final value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def run_python(code: str, **kwargs: object) -> subprocess.Popen[str]:
    """A Python child that can import signoff, with ``code`` as its program."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[Callable[..., object]]:
    started: list[int] = []

    def start(detached: bool = False, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        process = spawn(
            "sleeper",
            ["sleep", "300"],
            log_path=tmp_path / "logs" / "sleep.log",
            detached=detached,
            env=env,
        )
        started.append(process.pid)
        return process

    yield start
    for pid in started:
        stop_pid(pid, timeout=2)


# -- processes ---------------------------------------------------------------------------------


def test_free_port_is_bindable_on_loopback() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_spawn_logs_to_file_and_stop_kills_the_group(tmp_path: Path) -> None:
    # A shell with a background grandchild: stopping the leader must take the grandchild too.
    process = spawn(
        "shell",
        ["sh", "-c", "echo hello; sleep 300 & echo child=$!; wait"],
        log_path=tmp_path / "shell.log",
    )
    assert eventually(lambda: process.log_path.read_text().count("child=") == 2)
    child = int(process.log_path.read_text().rsplit("child=", 1)[1].split()[0])
    assert process in REGISTRY.processes
    process.stop(timeout=3)
    assert not process.alive()
    assert eventually(lambda: not pid_alive(child))
    assert process not in REGISTRY.processes
    assert "hello" in process.tail()
    process.stop()  # twice is fine


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    process = spawn(
        "stubborn",
        ["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"],
        log_path=tmp_path / "stubborn.log",
    )
    assert eventually(lambda: process.log_path.read_text().count("ready") == 2)
    started = time.monotonic()
    process.stop(timeout=1.0)
    assert not process.alive()
    assert time.monotonic() - started < 8


def test_registry_stop_all_stops_every_attached_child(sleeper: Callable[..., object]) -> None:
    registry = ProcessRegistry()
    first = sleeper()
    second = sleeper()
    for process in (first, second):
        registry.add(process)  # type: ignore[arg-type]
    registry.stop_all(timeout=2)
    assert not first.alive()  # type: ignore[attr-defined]
    assert not second.alive()  # type: ignore[attr-defined]
    assert registry.processes == []


def test_detached_children_are_not_registered(sleeper: Callable[..., object]) -> None:
    process = sleeper(detached=True)
    assert process not in REGISTRY.processes
    assert process.alive()  # type: ignore[attr-defined]


def _child_pid_of(parent: subprocess.Popen[str]) -> int:
    assert parent.stdout is not None
    line = parent.stdout.readline()
    assert line.startswith("child "), line
    return int(line.split()[1])


SPAWN_CHILD = """
    import sys, time
    from pathlib import Path
    from signoff.targets.processes import spawn
    p = spawn("sleeper", ["sleep", "300"], log_path=Path(sys.argv[1]) / "s.log", detached={detached})
    print("child", p.pid, flush=True)
    {then}
"""


@pytest.mark.parametrize("then", ["pass", "raise SystemExit(3)"])
def test_children_are_stopped_when_the_interpreter_exits(tmp_path: Path, then: str) -> None:
    parent = run_python(SPAWN_CHILD.format(detached=False, then=then).replace("sys.argv[1]", repr(str(tmp_path))))
    child = _child_pid_of(parent)
    parent.wait(timeout=30)
    assert eventually(lambda: not pid_alive(child))


def test_children_are_stopped_when_the_parent_gets_sigterm(tmp_path: Path) -> None:
    code = SPAWN_CHILD.format(detached=False, then="time.sleep(300)").replace("sys.argv[1]", repr(str(tmp_path)))
    parent = run_python(code)
    child = _child_pid_of(parent)
    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=30) == -signal.SIGTERM
    assert eventually(lambda: not pid_alive(child))


def test_pdeathsig_child_dies_when_parent_is_sigkilled(tmp_path: Path) -> None:
    code = SPAWN_CHILD.format(detached=False, then="time.sleep(300)").replace("sys.argv[1]", repr(str(tmp_path)))
    parent = run_python(code)
    child = _child_pid_of(parent)
    assert pid_alive(child)
    parent.kill()  # no atexit, no handler: only the kernel's parent-death signal is left
    parent.wait(timeout=30)
    assert eventually(lambda: not pid_alive(child))


def test_detached_child_outlives_a_sigkilled_parent_and_can_be_stopped_by_pid(tmp_path: Path) -> None:
    code = SPAWN_CHILD.format(detached=True, then="time.sleep(300)").replace("sys.argv[1]", repr(str(tmp_path)))
    parent = run_python(code)
    child = _child_pid_of(parent)
    try:
        parent.kill()
        parent.wait(timeout=30)
        # Still alive a moment after the parent is gone (it would be dead by now with pdeathsig).
        assert not eventually(lambda: not pid_alive(child), timeout=1.0)
        assert stop_pid(child, timeout=3)  # not our child: stopped through its pid only
        assert eventually(lambda: not pid_alive(child))
    finally:
        stop_pid(child, timeout=1)


def test_pids_with_env_finds_processes_by_their_environment(sleeper: Callable[..., object]) -> None:
    marker = f"marker-{os.getpid()}-{time.monotonic_ns()}"
    process = sleeper(env={**os.environ, "SIGNOFF_TEST_MARKER": marker})
    assert pids_with_env("SIGNOFF_TEST_MARKER", marker) == [process.pid]  # type: ignore[attr-defined]
    assert pids_with_env("SIGNOFF_TEST_MARKER", marker + "x") == []


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_wait_until_healthy_returns_when_the_url_answers(http_server: str) -> None:
    wait_until_healthy(http_server + "/ok", timeout=5)


def test_wait_until_healthy_times_out_with_the_last_answer(http_server: str) -> None:
    # Long enough for one answer even on a loaded machine.
    with pytest.raises(TargetError, match=r"is not healthy after 3 s \(it answered HTTP 404\)"):
        wait_until_healthy(http_server + "/missing", timeout=3)


def test_wait_until_healthy_fails_fast_with_log_lines_when_the_process_dies(tmp_path: Path) -> None:
    process = spawn("server", ["sh", "-c", "echo 'Error: port taken'; exit 4"], log_path=tmp_path / "server.log")
    started = time.monotonic()
    with pytest.raises(TargetError) as caught:
        wait_until_healthy(f"http://127.0.0.1:{free_port()}/", timeout=30, processes=[process])
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert "server exited with code 4" in message
    assert "Error: port taken" in message


# -- Creme target, no CRM needed -------------------------------------------------------------


def test_state_file_round_trip(tmp_path: Path) -> None:
    state = InstanceState(
        label="gw0",
        url="http://127.0.0.1:4321",
        port=4321,
        detached=True,
        pids={"gunicorn": 11, "job_manager": 12},
        start_ticks={"gunicorn": 5},
        started_at="now",
        creme_version="2.8.6",
    )
    path = tmp_path / "instances" / "gw0" / "state.json"
    state.write(path)
    assert InstanceState.read(path) == state
    assert json.loads(path.read_text())["pids"] == {"gunicorn": 11, "job_manager": 12}
    path.write_text("{not json")
    assert InstanceState.read(path) is None
    assert InstanceState.read(tmp_path / "absent.json") is None


def test_settings_addition_content() -> None:
    block = creme_settings.settings_addition()
    assert "from .local_settings import *" in block
    for name in (
        "SIGNOFF_CREME_DB",
        "SIGNOFF_CREME_BROKER_DIR",
        "SIGNOFF_CREME_URL",
        "SIGNOFF_SMTP_HOST",
        "SIGNOFF_SMTP_PORT",
    ):
        assert name in block
    assert "JOBMANAGER_BROKER = 'unix_socket://'" in block


def _exec_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    for key in list(os.environ):
        if key.startswith("SIGNOFF_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    namespace: dict[str, object] = {
        "__name__": "fake_settings",
        "BASE_DIR": Path("/srv/proj/proj"),
        "INSTALLED_APPS": ["creme.creme_core", "creme.geolocation", "creme.persons"],
        "INSTALLED_CREME_APPS": ["creme.creme_core", "creme.geolocation"],
        "DEBUG": True,
    }
    exec(compile(creme_settings.settings_addition(), "settings_block", "exec"), namespace)
    return namespace


def test_settings_addition_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _exec_settings(
        {
            "SIGNOFF_CREME_DB": "/data/x.sqlite3",
            "SIGNOFF_CREME_BROKER_DIR": "/run/broker",
            "SIGNOFF_CREME_URL": "http://127.0.0.1:5000/",
            "SIGNOFF_SMTP_HOST": "127.0.0.2",
            "SIGNOFF_SMTP_PORT": "2626",
        },
        monkeypatch,
    )
    assert settings["DATABASES"]["default"]["NAME"] == "/data/x.sqlite3"  # type: ignore[index]
    assert settings["JOBMANAGER_BROKER"] == "unix_socket:///run/broker/"
    assert settings["SITE_DOMAIN"] == "http://127.0.0.1:5000"
    assert settings["EMAIL_HOST"] == "127.0.0.2"
    assert settings["EMAIL_PORT"] == 2626
    assert "creme.geolocation" not in settings["INSTALLED_APPS"]  # type: ignore[operator]
    assert "creme.geolocation" not in settings["INSTALLED_CREME_APPS"]  # type: ignore[operator]
    assert "creme.persons" in settings["INSTALLED_APPS"]  # type: ignore[operator]
    assert settings["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert settings["TIME_ZONE"] == "UTC"
    assert settings["DEBUG"] is False
    assert settings["LANGUAGE_CODE"] == "en"


def test_settings_addition_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _exec_settings({}, monkeypatch)
    assert settings["EMAIL_HOST"] == "127.0.0.1"
    assert settings["EMAIL_PORT"] == 2525
    assert settings["DATABASES"]["default"]["NAME"] == "/srv/proj/db.sqlite3"  # type: ignore[index]


def test_apply_settings_is_idempotent_and_replaces_an_older_block() -> None:
    generated = "from creme.settings import *\nSITE_DOMAIN = 'http://mydomain'\n"
    once = creme_settings.apply_settings(generated)
    assert creme_settings.apply_settings(once) == once
    assert once.count(creme_settings.BEGIN_MARKER) == 1
    older = once.replace("TIME_ZONE = 'UTC'", "TIME_ZONE = 'Europe/Paris'")
    assert creme_settings.apply_settings(older) == once
    assert once.startswith(generated)


def test_recipe_id_follows_the_settings_block(monkeypatch: pytest.MonkeyPatch) -> None:
    before = recipe_id()
    monkeypatch.setattr(creme_settings, "SETTINGS_ADDITION", creme_settings.SETTINGS_ADDITION + "# x\n")
    assert recipe_id() != before


def test_an_unprovisioned_home_is_not_provisioned_and_not_running(tmp_path: Path) -> None:
    target = EmbeddedCreme(tmp_path, label="gw1")
    assert not target.is_provisioned()
    status = target.status()
    assert not status.running and not status.healthy
    with pytest.raises(TargetError, match="'gw1' is not running"):
        target.base_url
    target.stop()  # nothing to stop: fine
    assert target.describe()["CRM"] == "Creme CRM"
    assert target.admin == Credentials("root", "root")
    assert target.can_reset
    assert (target.kind, target.name) == ("creme", "creme")


def test_a_changed_marker_means_not_provisioned(tmp_path: Path) -> None:
    target = EmbeddedCreme(tmp_path)
    for path in (
        target.snapshot_path,
        target.settings_path,
        target.venv / "bin" / "gunicorn",
        target.venv / "bin" / "creme",
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    from signoff.targets.creme import recipe

    target.marker_path.write_text(json.dumps({"recipe": recipe()}))
    assert target.is_provisioned()
    target.marker_path.write_text(json.dumps({"recipe": {**recipe(), "creme_version": "0.1"}}))
    assert not target.is_provisioned()


CONCURRENT_PROVISION = """
    import sys, time
    from pathlib import Path
    from signoff.targets.creme import EmbeddedCreme

    class Stub(EmbeddedCreme):
        def is_provisioned(self):
            return (self.root / "built").exists()

        def _build(self):
            with open(self.root / "builds", "a") as log:
                log.write("build\\n")
            time.sleep(1.0)  # a build takes a while: the other process must wait for the lock
            (self.root / "built").write_text("")

    Stub(Path(sys.argv[1]), progress=lambda message: print(message, flush=True)).provision()
"""


def test_two_processes_provisioning_at_once_build_once(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = textwrap.dedent(CONCURRENT_PROVISION)
    both = [
        subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for process in both:
        process.communicate(timeout=60)
    assert [process.returncode for process in both] == [0, 0]
    assert (tmp_path / "creme" / "builds").read_text() == "build\n"
    assert (tmp_path / "creme" / "built").exists()


@pytest.mark.parametrize("label", ["", "a/b", "../x", "x" * 41, "-x"])
def test_bad_instance_labels_are_refused(tmp_path: Path, label: str) -> None:
    with pytest.raises(TargetError, match="invalid Creme instance label"):
        EmbeddedCreme(tmp_path, label=label)


def test_stale_state_file_reads_as_not_running(tmp_path: Path) -> None:
    target = EmbeddedCreme(tmp_path, label="old")
    dead = subprocess.Popen(["true"])
    dead.wait()
    InstanceState(label="old", url="http://127.0.0.1:1", port=1, detached=True, pids={"gunicorn": dead.pid}).write(
        target.state_path
    )
    status = target.status()
    assert not status.running
    assert "stale" in status.details["note"]
    target.stop()
    assert not target.state_path.exists()


def test_a_reused_pid_is_not_taken_for_the_recorded_process(tmp_path: Path, sleeper: Callable[..., object]) -> None:
    process = sleeper()
    target = EmbeddedCreme(tmp_path, label="reuse")
    pid = process.pid  # type: ignore[attr-defined]
    ticks = process_start_ticks(pid)
    assert ticks is not None
    InstanceState(
        label="reuse",
        url="http://127.0.0.1:1",
        port=1,
        detached=True,
        pids={"gunicorn": pid},
        start_ticks={"gunicorn": ticks + 1},
    ).write(target.state_path)
    assert not target.status().running
    target.stop()
    assert process.alive()  # type: ignore[attr-defined]


def test_stop_finds_instance_processes_without_a_state_file(tmp_path: Path, sleeper: Callable[..., object]) -> None:
    target = EmbeddedCreme(tmp_path, label="lost")
    process = sleeper(detached=True, env={**os.environ, "SIGNOFF_CREME_DB": str(target.db_path)})
    target.stop()
    assert eventually(lambda: not process.alive())  # type: ignore[attr-defined]


def test_labels_lists_instance_folders(tmp_path: Path) -> None:
    assert EmbeddedCreme.labels(tmp_path) == []
    for label in ("main", "gw0"):
        (tmp_path / "creme" / "instances" / label).mkdir(parents=True)
    assert EmbeddedCreme.labels(tmp_path) == ["gw0", "main"]


def test_broker_dir_moves_to_tmp_when_the_socket_path_would_be_too_long(tmp_path: Path) -> None:
    short = Path("/s/creme/instances/main")
    assert broker_dir_for(short) == short / "broker"
    deep = tmp_path / ("d" * 120) / "instances" / "main"
    moved = broker_dir_for(deep)
    assert len(str(moved)) < 60
    assert moved == broker_dir_for(deep)  # stable for the same instance


def test_copy_database_replaces_journal_files(tmp_path: Path) -> None:
    source = tmp_path / "pristine.sqlite3"
    source.write_bytes(b"pristine")
    destination = tmp_path / "i" / "db.sqlite3"
    destination.parent.mkdir()
    destination.write_bytes(b"dirty")
    Path(str(destination) + "-wal").write_bytes(b"wal")
    copy_database(source, destination)
    assert destination.read_bytes() == b"pristine"
    assert not Path(str(destination) + "-wal").exists()


class _LoginHandler(http.server.BaseHTTPRequestHandler):
    """Just enough of Creme's login page: a CSRF token, a redirect on the right password."""

    def do_GET(self) -> None:
        body = b'<form><input type="hidden" name="csrfmiddlewaretoken" value="tok123"></form>'
        self.send_response(200)
        self.send_header("Set-Cookie", "csrftoken=c1; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if form.get("csrfmiddlewaretoken") != ["tok123"] or "csrftoken=c1" not in (self.headers["Cookie"] or ""):
            self.send_response(403)
            self.end_headers()
        elif form.get("password") == ["root"]:
            self.send_response(302)
            self.send_header("Location", "/")
            self.end_headers()
        else:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"Please enter a correct username and password.")

    def log_message(self, *args: object) -> None:
        pass


def test_check_creme_login_against_a_fake_login_page() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LoginHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert check_creme_login(url, Credentials("root", "root")) is True
        assert check_creme_login(url, Credentials("root", "wrong")) is False
    finally:
        server.shutdown()
        server.server_close()


def test_remote_creme_target_checks_credentials_on_the_login_form() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LoginHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        target = RemoteTarget(url, credentials=Credentials("root", "root"))
        assert target.check_credentials() is True
        assert target.check_credentials(Credentials("root", "wrong")) is False
        assert RemoteTarget(url, pages_kind="djangocrm").check_credentials(Credentials("a", "b")) is None
    finally:
        server.shutdown()
        server.server_close()


def test_check_creme_login_when_nothing_answers() -> None:
    with pytest.raises(TargetError, match="does not answer"):
        check_creme_login(f"http://127.0.0.1:{free_port()}", Credentials("root", "root"), timeout=2)


# -- remote target -----------------------------------------------------------------------------


def test_remote_target_on_an_unreachable_loopback_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNOFF_USERNAME", "admin")
    monkeypatch.setenv("SIGNOFF_PASSWORD", "secret")
    url = f"http://127.0.0.1:{free_port()}"
    target = RemoteTarget(url)
    with pytest.raises(TargetError) as caught:
        target.start()
    assert str(caught.value) == f"the CRM at {url} does not answer"
    assert not target.status().running


def test_remote_target_answers(http_server: str) -> None:
    target = RemoteTarget(http_server + "/", credentials=Credentials("a", "b"))
    target.start()
    assert target.base_url == http_server
    assert target.status().running
    assert target.describe()["Target URL"] == http_server
    target.stop()


def test_remote_target_missing_credentials_name_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_USER", raising=False)
    monkeypatch.delenv("CRM_PASS", raising=False)
    target = RemoteTarget("http://127.0.0.1:1", username_env="CRM_USER", password_env="CRM_PASS")
    with pytest.raises(TargetError, match="credentials are missing: set CRM_USER and CRM_PASS"):
        target.admin
    with pytest.raises(TargetError, match="CRM_USER and CRM_PASS"):
        target.start()
    monkeypatch.setenv("CRM_USER", "u")
    with pytest.raises(TargetError, match=r"set CRM_PASS$"):
        target.admin
    monkeypatch.setenv("CRM_PASS", "p")
    assert target.admin == Credentials("u", "p")


def test_remote_target_refuses_a_non_http_url() -> None:
    with pytest.raises(TargetError, match="not an http"):
        RemoteTarget("ftp://example.org")


# -- make_target --------------------------------------------------------------------------------


def _plan(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "acceptance.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_plan(path)


def test_make_target_default_plan_is_embedded_creme_with_home_next_to_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)
    target = make_target(_plan(tmp_path, ""), label="gw3")
    assert isinstance(target, EmbeddedCreme)
    assert target.home == (tmp_path / ".signoff").resolve()
    assert target.label == "gw3"
    assert target.start_timeout == 60.0


def test_make_target_home_and_timeout_from_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)
    target = make_target(_plan(tmp_path, '[target]\nhome = "cache/x"\nstart_timeout = 5\n'))
    assert isinstance(target, EmbeddedCreme)
    assert target.home == (tmp_path / "cache" / "x").resolve()
    assert target.start_timeout == 5.0


def test_signoff_home_overrides_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "shared"))
    target = make_target(_plan(tmp_path, ""))
    assert isinstance(target, EmbeddedCreme)
    assert target.home == (tmp_path / "shared").resolve()


def test_make_target_remote(tmp_path: Path) -> None:
    target = make_target(
        _plan(
            tmp_path,
            """
        [target]
        kind = "remote"
        url = "https://crm.example.org/"
        pages = "djangocrm"
        username_env = "CRM_USER"
        password_env = "CRM_PASS"
    """,
        )
    )
    assert isinstance(target, RemoteTarget)
    assert target.base_url == "https://crm.example.org"
    assert target.kind == "djangocrm"
    assert (target.username_env, target.password_env) == ("CRM_USER", "CRM_PASS")


def test_make_target_remote_without_url_is_a_target_error(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="needs a url"):
        make_target(_plan(tmp_path, '[target]\nkind = "remote"\n'))


def test_make_target_from_url() -> None:
    target = make_target_from_url("http://127.0.0.1:9/", credentials=Credentials("a", "b"))
    assert target.base_url == "http://127.0.0.1:9"
    assert target.admin == Credentials("a", "b")


def test_the_job_manager_is_nudged_for_every_system_job(tmp_path: Path) -> None:
    """What Creme's web process sends on a new sending, sent again once the sending is saved."""
    import getpass
    import socket
    import sqlite3
    import threading

    target = EmbeddedCreme(tmp_path / "home", label="nudge")
    target.db_path.parent.mkdir(parents=True)
    with sqlite3.connect(target.db_path) as database:
        database.execute("CREATE TABLE creme_core_job (id INTEGER PRIMARY KEY, user_id INTEGER)")
        database.executemany("INSERT INTO creme_core_job VALUES (?, ?)", [(3, None), (5, 1), (8, None)])
    database.close()
    socket_path = target.broker_dir / f"private-{getpass.getuser()}" / "socket"
    socket_path.parent.mkdir(parents=True)
    received: list[str] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(socket_path))
        server.listen()

        def serve() -> None:
            for _ in range(2):
                connection, _address = server.accept()
                with connection:
                    received.append(connection.recv(1024).decode())

        listener = threading.Thread(target=serve)
        listener.start()
        target.nudge_job_manager()
        listener.join(timeout=10)
    assert received == ["REFRESH-3-{}", "REFRESH-8-{}"]


def test_no_job_manager_listening_is_no_error(tmp_path: Path) -> None:
    target = EmbeddedCreme(tmp_path / "home", label="nudge")
    target.nudge_job_manager()  # no database, no socket: nothing to do, nothing raised
