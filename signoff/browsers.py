"""Which browser executable Playwright launches.

Order: the executable named in the plan; Playwright's own browser when it is installed (a user's
machine); the system browser (Debian's ``chromium``, ``firefox-esr``); on a root Debian machine
the set-up installs Debian's package. Otherwise a one-line instruction.

Debian's Firefox is driven through Playwright's WebDriver BiDi channel (``moz-firefox``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.errors import BrowserError

#: System executables tried for each Playwright browser, in order.
SYSTEM_EXECUTABLES: dict[str, tuple[str, ...]] = {
    "chromium": ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
    "firefox": ("firefox-esr", "firefox"),
}
#: Debian packages that provide them.
DEBIAN_PACKAGES: dict[str, tuple[str, ...]] = {
    "chromium": ("chromium", "fonts-noto-cjk"),
    "firefox": ("firefox-esr", "fonts-noto-cjk"),
}
#: Flags that keep a system Chromium quiet on a machine with a closed network.
CHROMIUM_QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@dataclass(frozen=True)
class BrowserChoice:
    """How to launch one browser."""

    name: str
    executable: str | None
    source: str  # "plan", "playwright", "system"
    launch_args: dict[str, Any] = field(default_factory=dict)


def playwright_executable(name: str) -> str | None:
    """The path of Playwright's own browser build, when it is installed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser_type = getattr(playwright, name, None)
        if browser_type is None:
            return None
        try:
            path = browser_type.executable_path
        except Exception:  # Playwright raises when it knows no build for this platform
            return None
    return path if path and Path(path).exists() else None


def system_executable(name: str) -> str | None:
    for candidate in SYSTEM_EXECUTABLES.get(name, ()):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def resolve(name: str, explicit: str = "", *, own_executable: str | bool | None = False) -> BrowserChoice:
    """Decide how to launch browser ``name``.

    ``own_executable`` is Playwright's own build path when the caller already knows it (``None``:
    not installed); the default asks Playwright.
    """
    if name not in SYSTEM_EXECUTABLES:
        raise BrowserError(f"browser '{name}' is not supported here; choose one of: {', '.join(SYSTEM_EXECUTABLES)}")
    if explicit:
        if not (Path(explicit).exists() or shutil.which(explicit)):
            raise BrowserError(f"browser executable not found: {explicit}")
        return BrowserChoice(
            name, shutil.which(explicit) or explicit, "plan", _launch_args(name, explicit, system=True)
        )
    own = playwright_executable(name) if own_executable is False else own_executable
    if own:
        return BrowserChoice(name, None, "playwright", {})
    system = system_executable(name)
    if system:
        return BrowserChoice(name, system, "system", _launch_args(name, system, system=True))
    raise BrowserError(
        f"no {name} browser found: run 'python -m playwright install {name}', or on Debian "
        f"'apt-get install -y {' '.join(DEBIAN_PACKAGES[name])}'"
    )


def _launch_args(name: str, executable: str, *, system: bool) -> dict[str, Any]:
    args: dict[str, Any] = {"executable_path": executable}
    if name == "chromium":
        args["args"] = list(CHROMIUM_QUIET_ARGS)
    elif name == "firefox" and system:
        args["channel"] = "moz-firefox"
    return args


def ensure_installed(name: str) -> BrowserChoice:
    """Set-up: make sure browser ``name`` can be launched, installing Debian's package when root.

    Also makes sure a CJK font is there: without one, Chinese names render as empty boxes in
    screenshots and the user manual.
    """
    try:
        choice = resolve(name)
    except BrowserError:
        if not _can_apt_install():
            raise
        _apt_install(DEBIAN_PACKAGES[name])
        choice = resolve(name)
    if not has_cjk_font():
        if _can_apt_install():
            _apt_install(("fonts-noto-cjk",))
        else:
            print("signoff: no Chinese font found; install fonts-noto-cjk for readable screenshots", file=sys.stderr)
    return choice


def has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    result = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True)
    return bool(result.stdout.strip())


def _apt_install(packages: tuple[str, ...]) -> None:
    print(f"signoff: installing {' '.join(packages)} with apt-get ...", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise BrowserError(f"'{' '.join(command)}' failed: {last[0]}")


def _can_apt_install() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get") is not None
