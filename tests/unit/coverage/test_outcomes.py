"""How a failure is read: a CRM defect, or a check the kit could not perform."""

from __future__ import annotations

import pytest

from signoff.coverage.outcomes import (
    COULD_NOT_CHECK,
    CRM_DEFECT,
    CouldNotCheck,
    CRMServerError,
    failure_kind,
    raised_by_playwright,
)
from signoff.errors import TargetError


def _raised(error: BaseException, module: str = __name__) -> BaseException:
    """``error`` raised from code whose module is ``module`` (its traceback ends there)."""
    namespace = {"__name__": module, "error": error}
    try:
        exec(compile("raise error", f"<{module}>", "exec"), namespace)
    except BaseException as raised:
        return raised
    raise AssertionError("not raised")


def _pytest_fail(message: str) -> BaseException:
    try:
        pytest.fail(message)
    except pytest.fail.Exception as error:
        return error
    raise AssertionError("not raised")


def test_a_business_expectation_of_a_step_is_a_crm_defect() -> None:
    assert failure_kind(_raised(AssertionError("expected 2 contacts, found 1"), "steps.customers")) == CRM_DEFECT
    assert failure_kind(_pytest_fail("the CRM kept the deleted contact")) == CRM_DEFECT


def test_a_server_error_of_the_crm_is_a_crm_defect() -> None:
    error = CRMServerError("GET", "/opportunities/7", 500, "<h1>Server Error (500)</h1>")
    assert str(error) == "the CRM answered HTTP 500 on GET /opportunities/7"
    assert isinstance(error, AssertionError)  # Allure: failed, under "CRM defects"
    assert failure_kind(error) == CRM_DEFECT


def test_a_playwright_wait_that_ran_out_is_a_check_the_kit_could_not_make() -> None:
    # expect(locator).to_be_visible() in a page object raises AssertionError from Playwright's own code.
    expect = _raised(AssertionError("Locator expected to be visible"), "playwright._impl._assertions")
    assert raised_by_playwright(expect)
    assert failure_kind(expect) == COULD_NOT_CHECK
    assert not raised_by_playwright(_raised(AssertionError("x"), "pages.creme.users"))


@pytest.mark.parametrize(
    "error",
    [
        _raised(TimeoutError("Locator.click: Timeout 30000ms exceeded."), "playwright._impl._connection"),
        TargetError("Creme did not answer on http://127.0.0.1:8000 in 60 s"),
        ConnectionRefusedError("[Errno 111] Connection refused"),
        CouldNotCheck('could not check: the kit could not perform "When I open the contact"'),
        _pytest_fail("Timeout (>30.0s) from pytest-timeout."),
    ],
    ids=["playwright-timeout", "kit-error", "environment", "could-not-check", "pytest-timeout"],
)
def test_anything_else_is_could_not_check(error: BaseException) -> None:
    assert failure_kind(error) == COULD_NOT_CHECK
