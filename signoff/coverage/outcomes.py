"""How a scenario that did not pass is read: a CRM defect, or a check the kit could not perform.

The people who sign off act on the two differently: a CRM defect goes to the vendor, a check that
could not be performed goes back to the kit (a stale selector, a changed screen, a navigation that
timed out, the CRM or browser not reachable) and says nothing about the CRM yet. Neither is a pass.

The one rule, :func:`failure_kind`:

- :class:`CRMServerError` (the CRM answered HTTP 5xx during the step) is a CRM defect;
- an ``AssertionError`` raised by a step is a CRM defect: a business expectation was not met;
- an ``AssertionError`` raised inside Playwright (``expect(...)`` in a page object, waiting for
  an element that never showed) is a wait of the kit that ran out: could not check. Steps never
  touch Playwright (see :mod:`signoff.crm`), so such an assertion always comes from a page object;
- ``pytest.fail`` is the author's own verdict, a CRM defect, except pytest-timeout's
  ``Timeout (>Ns)`` which is a hung run: could not check;
- any other exception (Playwright's ``TimeoutError`` and ``Error``, a Signoff kit error, an
  undefined step, a fixture that could not start the CRM) is could not check.

Allure reads exceptions its own way (``AssertionError`` and ``pytest.fail`` are "failed", anything
else "broken"); :class:`CouldNotCheck` lets the plugin turn a Playwright assertion into a broken
result, and :class:`CRMServerError` turns a timeout behind a server error into a failed one.
"""

from __future__ import annotations

from types import TracebackType
from typing import Final, Literal

import pytest

FailureKind = Literal["crm_defect", "could_not_check"]
CRM_DEFECT: Final = "crm_defect"
COULD_NOT_CHECK: Final = "could_not_check"

_PYTEST_TIMEOUT_PREFIX = "Timeout (>"


class CouldNotCheck(Exception):
    """A step the kit could not perform (its page object waited for the screen in vain)."""


class CRMServerError(AssertionError):
    """The CRM answered with a server error (HTTP 5xx) while a step ran: a CRM defect.

    An ``AssertionError`` so that Allure marks the result failed and files it under CRM defects.
    """

    def __init__(self, method: str, url: str, status: int, excerpt: str = "") -> None:
        self.method = method
        self.url = url
        self.status = status
        self.excerpt = excerpt
        super().__init__(f"the CRM answered HTTP {status} on {method} {url}")


def failure_kind(error: BaseException) -> FailureKind:
    """Whether ``error`` (what a test phase raised) is a CRM defect or a check that could not be made."""
    if isinstance(error, CouldNotCheck):
        return COULD_NOT_CHECK
    if isinstance(error, CRMServerError):
        return CRM_DEFECT
    if isinstance(error, pytest.fail.Exception):
        return COULD_NOT_CHECK if str(error.msg).startswith(_PYTEST_TIMEOUT_PREFIX) else CRM_DEFECT
    if isinstance(error, AssertionError):
        return COULD_NOT_CHECK if raised_by_playwright(error) else CRM_DEFECT
    return COULD_NOT_CHECK


def raised_by_playwright(error: BaseException) -> bool:
    """Whether the innermost frame of ``error``'s traceback is Playwright's own code."""
    frame_module = _innermost_module(error.__traceback__)
    return frame_module == "playwright" or frame_module.startswith("playwright.")


def _innermost_module(traceback: TracebackType | None) -> str:
    name = ""
    while traceback is not None:
        name = str(traceback.tb_frame.f_globals.get("__name__", ""))
        traceback = traceback.tb_next
    return name
