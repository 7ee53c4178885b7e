"""The embedded Creme target against the real Creme CRM.

Uses the shared home (``$SIGNOFF_HOME``, else ``.signoff`` at the repository root) so that the
expensive provision happens once and is reused; instance labels start with ``itest`` so the tests
never touch an instance someone else is using (``dev``, ``main``).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from signoff.targets import creme_settings
from signoff.targets.base import Credentials
from signoff.targets.creme import LOGIN_PATH, EmbeddedCreme
from signoff.targets.processes import http_status, pid_alive, pids_with_env

pytestmark = [pytest.mark.crm, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
HOME = Path(os.environ.get("SIGNOFF_HOME") or ROOT / ".signoff")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "solo")


def label(name: str) -> str:
    return f"itest-{name}-{WORKER}"


@pytest.fixture(scope="module")
def creme() -> Iterator[EmbeddedCreme]:
    target = EmbeddedCreme(HOME, label=label("main"), start_timeout=120)
    target.start()
    yield target
    target.stop()


def instance_pids(target: EmbeddedCreme) -> set[int]:
    """Every process of an instance: by environment (job manager) and by command line (gunicorn)."""
    by_env = set(pids_with_env(creme_settings.ENV_DB, str(target.db_path)))
    pgrep = subprocess.run(["pgrep", "-f", str(target.instance_dir) + "/"], capture_output=True, text=True)
    by_cmdline = {int(pid) for pid in pgrep.stdout.split()}
    return {pid for pid in by_env | by_cmdline if pid_alive(pid)}


def signed_in(base_url: str) -> urllib.request.OpenerDirector:
    """A cookie-keeping opener signed in as root."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + LOGIN_PATH, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = {"csrfmiddlewaretoken": token.group(1), "username": "root", "password": "root"}
    request = urllib.request.Request(
        base_url + LOGIN_PATH,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": base_url + LOGIN_PATH},
    )
    with opener.open(request, timeout=30) as response:
        assert LOGIN_PATH not in response.url
    return opener


def create_organisation(base_url: str, name: str) -> None:
    opener = signed_in(base_url)
    add_url = base_url + "/persons/organisation/add"
    page = opener.open(add_url, timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    form = {"csrfmiddlewaretoken": token.group(1), "user": "1", "name": name, "subject_to_vat": "on"}
    request = urllib.request.Request(add_url, data=urllib.parse.urlencode(form).encode(), headers={"Referer": add_url})
    with opener.open(request, timeout=60) as response:
        # Saved: Creme redirects to the new organisation's page.
        assert re.search(r"/persons/organisation/\d+$", response.url), response.url


def organisations_named(target: EmbeddedCreme, name: str) -> int:
    with sqlite3.connect(target.db_path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM persons_organisation WHERE name = ?", (name,)).fetchone()
    db.close()
    return int(count)


def test_provisioned_and_answering(creme: EmbeddedCreme) -> None:
    assert creme.is_provisioned()
    assert creme.snapshot_path.is_file()
    assert http_status(creme.base_url + LOGIN_PATH) == 200
    # Creme serves its own static files with DEBUG off; generatemedia built the bundles.
    home = signed_in(creme.base_url).open(creme.base_url + "/", timeout=30).read().decode()
    bundles = re.findall(r'(/static_media/[^"\']+\.(?:css|js))', home)
    assert bundles, "the home page loads no generated bundle"
    for bundle in bundles[:4]:
        assert http_status(creme.base_url + bundle) == 200, bundle
    status = creme.status()
    assert status.running and status.healthy
    assert status.base_url == creme.base_url


def test_describe_reads_the_installed_version(creme: EmbeddedCreme) -> None:
    facts = creme.describe()
    assert facts["CRM"] == "Creme CRM"
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?", facts["CRM version"])
    assert facts["CRM version"] == creme.installed_version()
    assert facts["Target URL"] == creme.base_url


def test_sign_in_check(creme: EmbeddedCreme) -> None:
    assert creme.check_credentials(creme.admin)
    assert not creme.check_credentials(Credentials("root", "not-the-password"))
    assert not creme.check_credentials(Credentials("nobody", "root"))


def test_reset_brings_back_the_pristine_data(creme: EmbeddedCreme) -> None:
    name = f"Reset check {WORKER}"
    create_organisation(creme.base_url, name)
    assert organisations_named(creme, name) == 1
    url = creme.base_url
    creme.reset()
    assert creme.base_url == url  # same port: browsers and page objects keep their base URL
    assert organisations_named(creme, name) == 0
    assert creme.check_credentials(creme.admin)


def database_rows(path: Path) -> list[str]:
    """Every table's content as SQL (sessions aside: a sign-in writes one)."""
    with closing(sqlite3.connect(path)) as db:
        return [line for line in db.iterdump() if '"django_session"' not in line]


@pytest.mark.parametrize("restart", [False, True], ids=["in place", "by restart"])
def test_both_resets_give_the_snapshot_and_a_working_instance(creme: EmbeddedCreme, restart: bool) -> None:
    name = f"Reset twin {WORKER}"
    create_organisation(creme.base_url, name)
    before = creme.read_state()
    assert before is not None
    creme.reset(restart=restart)
    assert creme.last_reset == ("restart" if restart else "in place")
    assert database_rows(creme.db_path) == database_rows(creme.snapshot_path)
    after = creme.read_state()
    assert after is not None and after.port == before.port
    # A new job manager, listening; old sign-ins are void, new ones work.
    assert after.pids["job_manager"] != before.pids["job_manager"]
    assert pid_alive(after.pids["job_manager"]) and not pid_alive(before.pids["job_manager"])
    assert creme._job_socket_path().exists()
    assert organisations_named(creme, name) == 0
    assert creme.check_credentials(creme.admin)
    create_organisation(creme.base_url, name)
    assert organisations_named(creme, name) == 1


def test_an_instance_whose_job_manager_died_is_reset_by_restart(creme: EmbeddedCreme) -> None:
    state = creme.read_state()
    assert state is not None
    os.kill(state.pids["job_manager"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(state.pids["job_manager"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    creme.reset()
    assert creme.last_reset == "restart"
    assert creme.status().healthy
    assert creme.check_credentials(creme.admin)


def test_stop_leaves_no_process() -> None:
    target = EmbeddedCreme(HOME, label=label("stop"), start_timeout=120)
    target.start()
    running = instance_pids(target)
    # gunicorn master + workers + job manager
    assert len(running) >= 4, running
    target.stop()
    assert instance_pids(target) == set()
    assert not target.state_path.exists()
    assert not target.status().running
    target.stop()  # twice is fine


def test_detached_instance_is_found_used_and_stopped_from_other_processes(creme: EmbeddedCreme) -> None:
    detached_label = label("detached")
    code = textwrap.dedent(
        f"""
        from signoff.targets.creme import EmbeddedCreme
        EmbeddedCreme({str(HOME)!r}, label={detached_label!r}, start_timeout=120).start(detached=True)
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    other = EmbeddedCreme(HOME, label=detached_label)
    try:
        status = other.status()
        assert status.running and status.healthy, status
        assert status.details["detached"] == "yes"
        # Side by side with the module's instance: its own port and its own database.
        assert other.base_url != creme.base_url
        assert other.db_path != creme.db_path
        # A run that finds it running uses it and leaves it running.
        with EmbeddedCreme(HOME, label=detached_label) as user:
            assert isinstance(user, EmbeddedCreme) and user.adopted
            assert user.base_url == other.base_url
            user.reset()  # restarted detached, still not this run's to stop
            assert user.adopted
        user.stop()  # a run that found it running (the pytest plugin calls stop()) leaves it be
        status = other.status()
        assert status.running and status.healthy, status
        assert status.details["detached"] == "yes"
    finally:
        other.stop()
    assert instance_pids(other) == set()
    assert http_status(creme.base_url + LOGIN_PATH) == 200  # the other instance is untouched
