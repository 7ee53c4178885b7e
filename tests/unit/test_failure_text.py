"""What an analyst reads when a step fails (a pytester project, no CRM, no browser).

The failure pytest prints names the feature, scenario and step in the feature's language, with the
step's data table, the business message (expected against shown) and the screenshot's path; not
pytest-bdd's fixture machinery. ``--tb=long`` keeps the traceback for the kit's developers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from signoff.failures import FailedStep, business_message, readable, save_screenshot

CONFTEST = """
import pytest
from pytest_bdd import given, parsers, then

from signoff.pytest_plugin import PAGE_KEY

pytest_plugins = ["signoff.pytest_plugin"]


class FakePage:
    # Stands in for the browser page whose screenshot a failed step keeps.
    def is_closed(self):
        return False

    def screenshot(self, **_):
        return b"\\x89PNG fake"


@pytest.fixture(autouse=True)
def fake_page(request):
    request.node.stash[PAGE_KEY] = FakePage()


@then(parsers.parse('the contact "{name}" shows:'))
@then(parsers.parse('联系人"{name}"显示：'))
def contact_shows(name, datatable):
    shown = {"phone": "010-1234"}
    wrong = [f'the {field} is "{shown.get(field, "")}", not "{value}"' for field, value in datatable if shown.get(field) != value]
    assert not wrong, f'the contact "{name}" shows other values: ' + "; ".join(wrong)


@given("nothing")
@given("无")
def nothing():
    pass
"""

FEATURE = """\
Feature: Contacts
  Scenario: A contact's phone is kept exactly
    Given nothing
    Then the contact "Li Lei" shows:
      | phone | 0086-10-12345678 |
"""

FEATURE_ZH = """\
# language: zh-CN
功能: 联系人
  场景: 联系人电话原样保存
    假如 无
    那么 联系人"李雷"显示：
      | phone | 0086-10-12345678 |
"""


def _project(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.mkdir("features")
    (pytester.path / "features" / "contacts.feature").write_text(FEATURE, encoding="utf-8")
    (pytester.path / "features" / "contacts.zh.feature").write_text(FEATURE_ZH, encoding="utf-8")


def test_a_failed_step_reads_as_the_analyst_wrote_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the short summary line is cut to the terminal's width
    _project(pytester)
    result = pytester.runpytest_subprocess("features", "-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(failed=2)
    out = result.stdout.str()
    assert "call_fixture_func" not in out and "fixturefunc" not in out and "def contact_shows" not in out
    result.stdout.fnmatch_lines(
        [
            'What failed: the contact "Li Lei" shows other values: the phone is "010-1234", not "0086-10-12345678"',
            "Feature: Contacts (*contacts.feature)",
            "Scenario: A contact's phone is kept exactly",
            'Step: Then the contact "Li Lei" shows: (line 4)',
            "  | phone | 0086-10-12345678 |",
            "Screenshot: */reports/screenshots/contacts-test_a_contacts_phone_is_kept_exactly*.png",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            '失败原因: the contact "李雷" shows other values: the phone is "010-1234", not "0086-10-12345678"',
            "功能: 联系人 (*contacts.zh.feature)",
            "场景: 联系人电话原样保存",
            '步骤: 那么 联系人"李雷"显示： (第5行)',
            "  | phone | 0086-10-12345678 |",
            "截图: */reports/screenshots/contacts.zh-test_联系人电话原样保存*.png",
        ]
    )
    # pytest's short summary line starts with the business message.
    result.stdout.fnmatch_lines(['FAILED *contacts.feature::* - What failed: the contact "Li Lei" shows other values*'])
    shots = sorted((pytester.path / "reports" / "screenshots").glob("*.png"))
    assert len(shots) == 2 and shots[0].read_bytes() == b"\x89PNG fake"
    # The one-line summary keeps the business message too, not an assert statement.
    assert "assert not" not in out


def test_a_long_traceback_is_kept_when_asked_for(pytester: pytest.Pytester) -> None:
    _project(pytester)
    result = pytester.runpytest_subprocess("features/contacts.feature", "-p", "no:cacheprovider", "--tb=long")
    result.assert_outcomes(failed=1)
    assert "def contact_shows" in result.stdout.str()
    assert "What failed:" not in result.stdout.str()


def test_the_message_drops_pytest_s_rewritten_assertion() -> None:
    try:
        shown = "010"
        assert shown == "0086", f'the phone is "{shown}", not "0086"'
    except AssertionError as error:
        assert business_message(error) == 'the phone is "010", not "0086"'


def test_without_a_page_the_text_says_there_is_no_screenshot(tmp_path: Path) -> None:
    failed = FailedStep("Contacts", "features/c.feature", "en", "S", "Then ", "x", 3, (), "boom", None)
    assert readable(failed).splitlines()[-1] == "Screenshot: none (no page was open)"


def test_a_long_scenario_name_keeps_its_start_and_end(tmp_path: Path) -> None:
    nodeid = "features/data/import.feature::test_" + "x" * 200 + "[chromium]"
    path = save_screenshot(tmp_path, nodeid, b"png")
    assert path.name.startswith("import-test_xxx") and path.name.endswith("xxx-chromium.png")
    assert len(path.name) < 130 and path.read_bytes() == b"png"
