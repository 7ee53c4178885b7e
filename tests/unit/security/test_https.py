"""Over HTTPS, HSTS and the session cookie's Secure flag are judged (over plain HTTP they do not apply).

The fixture app is served over TLS on 127.0.0.1 with a self-signed certificate made for the test
(the ``openssl`` command); the checks' HTTP client trusts it through ``REQUESTS_CA_BUNDLE``, as a
company's own CA would be trusted. No CRM, no browser.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from signoff.findings import Finding
from signoff.security.checks import CheckContext, run_check
from signoff.security.checks.headers import check_headers
from signoff.security.checks.sessions import check_sessions
from signoff.security.plan import SecuritySection
from tests.unit.security.fixtures.adapter import FixtureSecurity
from tests.unit.security.fixtures.app import self_signed, serve

Check = Callable[[CheckContext], list[Finding]]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(autouse=True)
def trusted(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))


def run(flaw: str | None, check: Check, certificate: tuple[Path, Path]) -> list[Finding]:
    with serve(flaw, tls=certificate) as (url, _state):
        assert url.startswith("https://127.0.0.1:")
        result = run_check("check", check, CheckContext(FixtureSecurity(url), SecuritySection()))
    return list(result.findings)


@pytest.mark.parametrize(
    ("flaw", "check", "rule"),
    [("no-hsts", check_headers, "missing-hsts"), ("cookie-not-secure", check_sessions, "cookie-secure")],
)
def test_over_https_the_missing_protection_is_a_finding(
    flaw: str, check: Check, rule: str, certificate: tuple[Path, Path]
) -> None:
    findings = run(flaw, check, certificate)
    assert [(f.status, f.details["rule"]) for f in findings] == [("failed", rule)], [f.to_data() for f in findings]
    assert findings[0].details["cwe"] and findings[0].fix


@pytest.mark.parametrize("check", [check_headers, check_sessions], ids=lambda c: c.__name__)
def test_over_https_the_clean_twin_with_hsts_and_secure_cookies_passes(
    check: Check, certificate: tuple[Path, Path]
) -> None:
    assert run(None, check, certificate) == []


def test_an_untrusted_certificate_is_could_not_check_never_a_pass(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    findings = run("no-hsts", check_headers, certificate)
    assert [f.status for f in findings] == ["could-not-check"] and "SSL" in findings[0].actual
