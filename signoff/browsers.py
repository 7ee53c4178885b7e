"""Which browser executable Playwright launches.

Order: the executable named in the plan; Playwright's own browser when it is installed (a user's
machine); the system browser (Debian's ``chromium``, ``firefox-esr``); on a root Debian machine
the set-up installs Debian's package. Otherwise a one-line instruction.

Debian's Firefox is driven through Playwright's WebDriver BiDi channel (``moz-firefox``). WebKit
has no system build that Playwright can drive: only Playwright's own WebKit will do.

:func:`select` decides which of a plan's browsers a run uses: a required browser that cannot be had
stops the run, any other is left out with one line, and the run goes on with the others.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signoff.errors import BrowserError

#: System executables tried for each Playwright browser, in order.
SYSTEM_EXECUTABLES: dict[str, tuple[str, ...]] = {
    "chromium": ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
    "firefox": ("firefox-esr", "firefox"),
    # Playwright drives only its own WebKit build; no system WebKit browser will do.
    "webkit": (),
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
        return BrowserChoice(name, shutil.which(explicit) or explicit, "plan", launch_args(name, explicit))
    own = playwright_executable(name) if own_executable is False else own_executable
    if own:
        return BrowserChoice(name, None, "playwright", {})
    system = system_executable(name)
    if system:
        return BrowserChoice(name, system, "system", launch_args(name, system))
    if name not in DEBIAN_PACKAGES:
        raise BrowserError(
            f"{name} cannot be had here: only Playwright's own {name} will do "
            f"('python -m playwright install {name}', which needs Playwright's download site)"
        )
    raise BrowserError(
        f"no {name} browser found: run 'python -m playwright install {name}', or on Debian "
        f"'apt-get install -y {' '.join(DEBIAN_PACKAGES[name])}'"
    )


def launch_args(name: str, executable: str) -> dict[str, Any]:
    """Playwright's launch options for a browser build that is not Playwright's own."""
    args: dict[str, Any] = {"executable_path": executable}
    if name == "chromium":
        args["args"] = list(CHROMIUM_QUIET_ARGS)
    elif name == "firefox":
        # A stock Firefox speaks WebDriver BiDi only, not the protocol of Playwright's patched build.
        args["channel"] = "moz-firefox"
    return args


def server_launch_options(options: dict[str, Any]) -> dict[str, Any]:
    """Launch options as a Playwright browser server reads them from a client (its JavaScript names).

    The server takes them from the ``x-playwright-launch-options`` header and ignores names it does
    not know, such as Python's ``executable_path``.
    """
    return {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value for key, value in options.items()}


def ensure_installed(name: str) -> BrowserChoice:
    """Set-up: make sure browser ``name`` can be launched, installing Debian's package when root.

    Also makes sure a CJK font is there: without one, Chinese names render as empty boxes in
    screenshots and the user manual.
    """
    try:
        choice = resolve(name)
    except BrowserError:
        if name not in DEBIAN_PACKAGES or not _can_apt_install():
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


@dataclass(frozen=True)
class Selection:
    """The browsers a run uses, and one line for each browser of the plan it leaves out."""

    names: tuple[str, ...]
    left_out: tuple[str, ...] = ()


def select(
    names: Sequence[str],
    required: Sequence[str] = (),
    *,
    install: Callable[[str], object] = ensure_installed,
) -> Selection:
    """Which of ``names`` this run uses: each is made ready with ``install`` (set-up, apt when root).

    A browser of ``required`` that cannot be had raises :class:`BrowserError` (the run stops); any
    other is left out with a line saying why, and the run goes on with the others. When none is
    left, the run cannot go on either.
    """
    wanted = list(dict.fromkeys([*names, *required]))
    usable: list[str] = []
    left_out: list[str] = []
    for name in wanted:
        try:
            install(name)
        except BrowserError as error:
            if name in required:
                raise BrowserError(f"{error} (the plan requires {name})") from None
            left_out.append(f"{name} left out: {error}")
            continue
        usable.append(name)
    if not usable:
        raise BrowserError("no browser of the plan can be had: " + "; ".join(left_out))
    return Selection(tuple(usable), tuple(left_out))
