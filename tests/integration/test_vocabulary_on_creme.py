"""The analyst's vocabulary on the real Creme: stated values that are wrong fail with the business message.

``features/wrong_and_right_values.feature.txt`` (a fixture, not an acceptance feature: named so that
pytest does not collect it from tests/, and copied beside the features for the run) holds pairs of
scenarios on one contact: each "wrong" one states a value Creme does not show (a phone, a count, a
cell of a field/value table, a message) and its "right" twin the value Creme shows. One
``signoff run`` of that file on the embedded Creme (one reset, eight short scenarios) must fail
exactly the wrong ones, each with its expected value and what the CRM showed, and pass the twins.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.integration.test_acceptance_run import ROOT, results, signoff, write_plan

pytestmark = [pytest.mark.crm, pytest.mark.browser, pytest.mark.slow]

FIXTURE = Path(__file__).parent / "features" / "wrong_and_right_values.feature.txt"

#: What each wrong scenario's failure must say: the value stated and the value Creme showed.
EXPECTED_MESSAGES = {
    "wrong phone": ['the phone is "+1 555 0100", not "+1 555 0199"'],
    "wrong count": ["the contact list shows 1 contact(s), not 2"],
    "wrong table cell": ['the email is "grace@wrong.example", not "grace@right.example"'],
    "wrong message": ['the CRM did not say "this name is too long"', "fill out this field"],
}


def test_wrong_values_fail_with_the_business_message_and_their_twins_pass(tmp_path: Path) -> None:
    # Beside the acceptance features, as the planted feature of test_acceptance_run: the project's
    # pytest configuration (plugins, steps) applies there.
    feature = ROOT / "features" / "functional" / f"zz_wrong_values_{os.getpid()}.feature"
    feature.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    try:
        plan = write_plan(tmp_path)
        run = signoff("--plan", str(plan), "run", str(feature), "--no-report", timeout=300)
    finally:
        feature.unlink()
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    outcome = {result["name"]: result for result in results(tmp_path)}
    assert set(outcome) == {*EXPECTED_MESSAGES, *(name.replace("wrong", "right") for name in EXPECTED_MESSAGES)}
    for name, fragments in EXPECTED_MESSAGES.items():
        wrong, right = outcome[name], outcome[name.replace("wrong", "right")]
        assert right["status"] == "passed", (name, right.get("statusDetails"))
        # A stated value Creme does not show is a CRM defect (failed), not a step the kit could not do.
        assert wrong["status"] == "failed", (name, wrong.get("statusDetails"))
        message = wrong["statusDetails"]["message"]
        for fragment in fragments:
            assert fragment in message, (name, message)
            # The terminal shows the analyst the same business message.
            assert fragment in run.stdout, (name, run.stdout[-3000:])
    assert "call_fixture_func" not in run.stdout
