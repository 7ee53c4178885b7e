"""The HTML acceptance report: Allure 2's command line, installed on demand, run offline.

:func:`ensure_allure` installs the npm package ``allure-commandline`` (pinned; it bundles every jar,
so nothing else is fetched, ever) into ``<home>/tools/allure`` once. :func:`build_report` turns an
``allure-results`` folder into a report, by default one self-contained ``index.html`` that opens from
``file://`` without a server or a network, and checks that the report really holds the tests.

The report runs on Java; the install needs npm. Both missing pieces are one-line
:class:`~signoff.errors.SignoffError`\\ s that say what to install.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Final

from filelock import FileLock, Timeout

from signoff.allure_env import write_categories
from signoff.errors import SignoffError

#: The npm package and its pinned version (Allure 2).
ALLURE_PACKAGE: Final = "allure-commandline"
ALLURE_VERSION: Final = "2.46.1"
#: The Java the report is built and tested with. (Allure 2.46.1's own jars are Java 8 bytecode.)
MIN_JAVA: Final = 17
JAVA_HINT: Final = "apt-get install -y openjdk-17-jre-headless"
NPM_HINT: Final = "apt-get install -y npm"

#: Seconds to wait for another process that is installing Allure into the same home.
INSTALL_LOCK_TIMEOUT: Final = 900.0
#: Seconds one npm install or one report build may take before it is taken as hung.
NPM_TIMEOUT: Final = 600.0
GENERATE_TIMEOUT: Final = 900.0

# Allure 2's single-file report embeds every data file as d('<path>','<base64>') in index.html.
_EMBEDDED = re.compile(r"""\bd\('([^']+)','([A-Za-z0-9+/=]*)'\)""")
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def allure_home(home: Path) -> Path:
    """The folder the Allure command line is installed into."""
    return Path(home) / "tools" / "allure"


def allure_executable(home: Path) -> Path:
    """The ``allure`` launcher inside an installation (a shell script that starts Java)."""
    # The shell launcher rather than node_modules/.bin/allure: the node wrapper only spawns it, and
    # calling it directly means building a report needs Java but not node.
    return allure_home(home) / "node_modules" / ALLURE_PACKAGE / "dist" / "bin" / "allure"


def java_executable() -> str:
    """The Java that Allure's launcher will run, checked to be Java :data:`MIN_JAVA` or later."""
    # Same order as Allure's launcher: JAVA_HOME wins over PATH, and a wrong JAVA_HOME is fatal there.
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        java = Path(java_home) / "bin" / "java"
        if not java.is_file():
            raise SignoffError(f"JAVA_HOME is {java_home} but it has no bin/java: fix or unset JAVA_HOME ({JAVA_HINT})")
        path = str(java)
    else:
        found = shutil.which("java")
        if found is None:
            raise SignoffError(f"Java {MIN_JAVA}+ is needed to build the HTML report: {JAVA_HINT}")
        path = found
    major = _java_major(path)
    if major is None:
        raise SignoffError(f"{path} does not run as Java (java -version failed): {JAVA_HINT}")
    if major < MIN_JAVA:
        raise SignoffError(f"Java {MIN_JAVA}+ is needed to build the HTML report, {path} is Java {major}: {JAVA_HINT}")
    return path


@functools.lru_cache(maxsize=8)
def _java_major(java: str) -> int | None:
    # Cached per executable path: a warm ensure_allure() should not pay for a JVM start each time.
    try:
        completed = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _JAVA_VERSION.search(completed.stderr + completed.stdout)
    if completed.returncode != 0 or match is None:
        return None
    major = int(match.group(1))
    # Java 8 and older call themselves "1.8.0_392".
    if major == 1 and match.group(2) is not None:
        major = int(match.group(2))
    return major


def ensure_allure(home: Path) -> Path:
    """Install Allure's command line into ``<home>/tools/allure`` unless it is there; return it.

    Idempotent and safe when several processes call it at once (a file lock serialises installs;
    a finished install is only published by a rename, so a killed install leaves nothing half-made).
    Needs npm and the npm registry once; afterwards everything runs offline.
    """
    target = allure_home(home)
    executable = allure_executable(home)
    marker = target / f".installed-{ALLURE_VERSION}"
    java_executable()  # the installed tool is useless without it: say so before any download
    if marker.is_file() and executable.is_file():
        return executable

    tools = target.parent
    tools.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(tools / "allure.lock", timeout=INSTALL_LOCK_TIMEOUT):
            if marker.is_file() and executable.is_file():  # another process installed it meanwhile
                return executable
            _install(target, marker)
    except Timeout:
        raise SignoffError(
            f"another process has been installing Allure into {target} for {INSTALL_LOCK_TIMEOUT:.0f} s: "
            f"wait for it, or delete {tools / 'allure.lock'} if no such process runs"
        ) from None
    return executable


def _install(target: Path, marker: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise SignoffError(f"npm is needed to install the Allure command line: {NPM_HINT}")
    tools = target.parent
    # Leftovers of installs that were killed: we hold the lock, so nobody else is using them.
    for stale in tools.glob("allure.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = tools / f"allure.partial-{os.getpid()}"
    staging.mkdir()
    try:
        command = [
            npm,
            "install",
            "--prefix",
            str(staging),
            f"{ALLURE_PACKAGE}@{ALLURE_VERSION}",
            # A tarball already in npm's cache is used without asking the registry.
            "--prefer-offline",
            # The package has no install scripts; refusing them keeps a registry compromise out.
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--no-update-notifier",
            "--loglevel=error",
        ]
        try:
            completed = subprocess.run(command, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise SignoffError(
                f"npm install {ALLURE_PACKAGE}@{ALLURE_VERSION} took over {NPM_TIMEOUT:.0f} s: "
                "is the npm registry reachable?"
            ) from None
        if completed.returncode != 0:
            raise SignoffError(
                f"npm could not install {ALLURE_PACKAGE}@{ALLURE_VERSION}: "
                f"{_last_line(completed.stderr or completed.stdout)}"
            )
        staged_executable = staging / "node_modules" / ALLURE_PACKAGE / "dist" / "bin" / "allure"
        version = _run_allure(staged_executable, ["--version"], timeout=120)
        if version.strip().splitlines()[-1:] != [ALLURE_VERSION]:
            raise SignoffError(
                f"npm installed an Allure that says {version.strip()!r}, expected {ALLURE_VERSION}: "
                "check the npm registry in use (npm config get registry)"
            )
        # The marker goes in before the rename so that the rename publishes a complete installation.
        (staging / marker.name).write_text(
            f"{ALLURE_PACKAGE}@{ALLURE_VERSION} installed {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
        )
        if target.exists():  # an older or broken installation: replaced whole
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build_report(
    results_dir: Path,
    report_dir: Path,
    home: Path,
    single_file: bool = True,
    title: str | None = None,
    *,
    language: str | None = None,
    keep_history: bool = True,
) -> Path:
    """Build the HTML report from ``results_dir`` into ``report_dir``; return its ``index.html``.

    ``single_file`` (the default) embeds everything into ``index.html`` so that it opens from
    ``file://`` offline and can be mailed. ``title`` is the report name; ``language`` one of Allure's
    UI languages (``en``, ``zh``, ``fr``, ...). With ``keep_history`` the history of the report that
    ``report_dir`` holds from the previous run is carried over, so trends show across nightly runs.
    ``report_dir`` is emptied first, so it must be a report folder or a new one. The kit's
    ``categories.json`` is written into ``results_dir`` first.
    """
    results_dir = Path(results_dir).resolve()
    report_dir = Path(report_dir).resolve()
    if not results_dir.is_dir() or not any(results_dir.glob("*-result.json")):
        raise SignoffError(f"no Allure results in {results_dir}: run the acceptance first")
    if report_dir == results_dir or report_dir in results_dir.parents:
        raise SignoffError(
            f"the report folder {report_dir} would contain the results {results_dir}: choose another one"
        )
    # Allure's --clean deletes the whole folder: never point it at something that is not a report.
    if report_dir.is_dir() and any(report_dir.iterdir()) and not (report_dir / "index.html").is_file():
        raise SignoffError(f"{report_dir} is not empty and is not an Allure report: refusing to overwrite it")

    executable = ensure_allure(home)
    # The kit's categories, whoever wrote the results (a run, a merge, an older kit): without them Allure
    # files every failure under its own "Product defects" / "Test defects".
    write_categories(results_dir)
    if keep_history:
        _carry_history(report_dir, results_dir)

    arguments = ["generate", str(results_dir), "-o", str(report_dir), "--clean"]
    if single_file:
        arguments.append("--single-file")
    if title:
        arguments += ["--name", title]
    if language:
        arguments += ["--lang", language]
    output = _run_allure(executable, arguments, timeout=GENERATE_TIMEOUT, what=f"build the report from {results_dir}")

    # Allure exits 0 on most troubles (it even ignores unknown options): judge by what it wrote.
    index = report_dir / "index.html"
    if not index.is_file():
        raise SignoffError(f"Allure wrote no {index}: {_last_line(output)}")
    try:
        summary = report_json(report_dir, "widgets/summary.json")
        total = int(summary["statistic"]["total"])
    except (FileNotFoundError, KeyError, TypeError, ValueError) as error:
        raise SignoffError(f"the report in {report_dir} has no readable summary: {error}") from None
    if total == 0:
        raise SignoffError(
            f"the report in {report_dir} shows no tests although {results_dir} has results: "
            "were they written by allure-pytest?"
        )
    return index


def report_files(report_dir: Path) -> dict[str, bytes]:
    """The data files of a report (``widgets/summary.json``, ``data/test-cases/*.json``, ...).

    Works for a folder report (read from disk) and a single-file one (decoded from ``index.html``).
    """
    report_dir = Path(report_dir)
    index = report_dir / "index.html"
    if (report_dir / "widgets").is_dir():
        return {
            path.relative_to(report_dir).as_posix(): path.read_bytes()
            for folder in ("data", "widgets", "history", "export")
            for path in sorted((report_dir / folder).rglob("*"))
            if path.is_file()
        }
    if not index.is_file():
        raise FileNotFoundError(f"no Allure report in {report_dir}")
    files: dict[str, bytes] = {}
    for match in _EMBEDDED.finditer(index.read_text(encoding="utf-8")):
        try:
            files[match.group(1)] = base64.b64decode(match.group(2), validate=True)
        except binascii.Error:
            continue  # not one of Allure's data blobs
    return files


def report_file(report_dir: Path, name: str) -> bytes:
    """One data file of a report, e.g. ``widgets/summary.json`` (see :func:`report_files`)."""
    direct = Path(report_dir) / name
    if direct.is_file():
        return direct.read_bytes()
    files = report_files(report_dir)
    if name not in files:
        raise FileNotFoundError(f"{name} is not in the report in {report_dir}")
    return files[name]


def report_json(report_dir: Path, name: str) -> Any:
    """One JSON data file of a report, parsed."""
    return json.loads(report_file(report_dir, name).decode("utf-8"))


def _carry_history(report_dir: Path, results_dir: Path) -> None:
    history = results_dir / "history"
    # Already decided for these results (an earlier build from them): taking the history of the report
    # built from these very results would count this run twice in the trends.
    if history.exists():
        return
    previous: dict[str, bytes] = {}
    if (report_dir / "index.html").is_file():
        try:
            previous = {name: data for name, data in report_files(report_dir).items() if name.startswith("history/")}
        except (OSError, UnicodeDecodeError):
            previous = {}  # an unreadable old report: start the trends again rather than fail
    history.mkdir()
    for name, data in previous.items():
        path = results_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _run_allure(executable: Path, arguments: list[str], *, timeout: float, what: str = "run") -> str:
    environment = dict(os.environ)
    environment["ALLURE_NO_ANALYTICS"] = "true"
    # Java decodes its command line with the locale: under LANG=C a Chinese --name arrives as "???".
    environment["LC_ALL"] = "C.UTF-8"
    try:
        completed = subprocess.run(
            [str(executable), *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=environment,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SignoffError(f"Allure did not {what} within {timeout:.0f} s") from None
    except OSError as error:
        raise SignoffError(f"Allure could not start ({executable}): {error}") from None
    if completed.returncode != 0:
        raise SignoffError(f"Allure could not {what}: {_last_line(completed.stderr or completed.stdout)}")
    return completed.stdout


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
