"""pytest plugin: an interrupt stops the run between scenarios, however it arrives.

A terminal's Ctrl-C reaches the whole process group: the browser driver dies with pytest and the
run ends at once. An interrupt sent to the test process alone (``signoff`` forwarding a CI
runner's cancel, ``timeout -s INT``) raises :class:`KeyboardInterrupt` in the main thread, where
Playwright's synchronous API may be waiting inside its event loop and lose it: the run then went
on to its last scenario. This plugin also asks pytest to stop before the next test, which pytest
honours even when the exception was swallowed; the caller escalates to SIGTERM if even that does
not end the run soon (see :func:`signoff.cli._run_child`).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

import pytest

#: What pytest prints when it stops for this reason.
STOP_REASON = "interrupted"


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        session.shouldstop = STOP_REASON
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
