"""Steps about signing in and out."""

from __future__ import annotations

from signoff.crm import CRM, MODULES
from signoff.targets.base import Credentials, Target
from signoff.vocabulary import closed_set, given, then, when

closed_set("module", MODULES)


@given("I am not signed in", "我尚未登录")
def not_signed_in(crm: CRM) -> None:
    """Start as a visitor who has not signed in."""
    crm.session.forget_sign_in()


@given("I am signed in as the administrator", "我以管理员身份登录")
def signed_in_as_administrator(crm: CRM, crm_target: Target) -> None:
    """Start signed in as the CRM's administrator (the saved sign-in, renewed if the CRM dropped it)."""
    # The scenario's browser context carries the administrator's saved sign-in, checked when it
    # was made: a page visit here to check it again cost a page load per scenario. If the CRM has
    # dropped it, the first page a step opens is the sign-in page, and the failing step says so.
    if crm.session.is_on_sign_in_page():
        crm.session.sign_in(crm_target.admin)


@when("I sign in as the administrator", "我以管理员身份登录")
def sign_in_as_administrator(crm: CRM, crm_target: Target) -> None:
    """Sign in as the administrator through the sign-in page."""
    crm.session.sign_in(crm_target.admin)


@when(
    'I sign in as the administrator with the password "{password}"',
    '我以管理员身份使用密码"{password}"登录',
)
def sign_in_with_password(crm: CRM, crm_target: Target, password: str) -> None:
    """Try to sign in as the administrator with the password given (right or wrong)."""
    crm.session.sign_in(Credentials(crm_target.admin.username, password))


@when("I open the {module:module}", "我打开{module:module}列表")
def open_module(crm: CRM, module: str) -> None:
    """Open a module's main page from the CRM."""
    crm.session.open_module(module)


@then("I am signed in", "我已登录")
def is_signed_in(crm: CRM) -> None:
    """The CRM shows a signed-in page, not the sign-in page."""
    assert crm.session.is_signed_in(), "expected to be signed in, but the CRM shows the sign-in page"


@then("I am not signed in", "我尚未登录")
def is_not_signed_in(crm: CRM) -> None:
    """The CRM did not let me in."""
    assert not crm.session.is_signed_in(), "expected to be refused, but the CRM let me in"


@then("I see a sign-in error", "我看到登录错误提示")
def sees_sign_in_error(crm: CRM) -> None:
    """The sign-in page shows an error message."""
    message = crm.session.sign_in_error()
    assert message, "the sign-in page shows no error message"


@then("I am asked to sign in", "系统要求我登录")
def asked_to_sign_in(crm: CRM) -> None:
    """The CRM shows its sign-in page."""
    assert crm.session.is_on_sign_in_page(), "expected the sign-in page"
