"""The browser context a feature file's scenarios share (signoff.pytest_plugin.FeatureContexts), in a real browser.

What a scenario must not inherit from the one before is put back: its pages are closed and its
cookies are exactly the saved sign-in's (a scenario that signed in as someone else leaves no trace).
A new feature file, or a new saved sign-in (the CRM was reset), gets a new context. The CRM's
server errors (HTTP 5xx, a CRM defect) are noted on the scenario running now, in a shared context
as in a new one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import Browser, BrowserContext, Error, Route

from signoff.pytest_plugin import SERVER_ERRORS_KEY, FeatureContexts

pytestmark = pytest.mark.browser

ORIGIN = "http://crm.test"


def _saved_sign_in(folder: Path, name: str, value: str) -> Path:
    cookie = {
        "name": "sessionid",
        "value": value,
        "domain": "crm.test",
        "path": "/",
        "expires": -1,
        "httpOnly": True,
        "secure": False,
        "sameSite": "Lax",
    }
    path = folder / name
    path.write_text(json.dumps({"cookies": [cookie], "origins": []}), encoding="utf-8")
    return path


def _cookies(context: Any) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in context.cookies(ORIGIN)}


def test_scenarios_of_a_feature_share_a_context_and_start_with_only_the_saved_sign_in(
    browser: Browser, tmp_path: Path
) -> None:
    state = _saved_sign_in(tmp_path, "admin.json", "admin-session")
    contexts = FeatureContexts(browser, {})
    first, second, third = (cast(pytest.Item, object()) for _ in range(3))
    try:
        context = contexts.for_scenario(first, "customers.feature", state)
        assert contexts.scenario is first
        page = context.new_page()
        # The scenario signs in as someone else and leaves a cookie of its own.
        context.add_cookies(
            [
                {"name": "sessionid", "value": "other-user", "url": ORIGIN},
                {"name": "left-behind", "value": "1", "url": ORIGIN},
            ]
        )
        assert _cookies(context) == {"sessionid": "other-user", "left-behind": "1"}

        same = contexts.for_scenario(second, "customers.feature", state)
        assert same is context
        assert contexts.scenario is second
        assert page.is_closed()
        assert _cookies(same) == {"sessionid": "admin-session"}

        other_feature = contexts.for_scenario(third, "sales.feature", state)
        assert other_feature is not context
        with pytest.raises(Error):
            context.new_page()  # the last feature's context is closed
        assert _cookies(other_feature) == {"sessionid": "admin-session"}
    finally:
        contexts.close()


def test_a_new_saved_sign_in_gets_a_new_context(browser: Browser, tmp_path: Path) -> None:
    before = _saved_sign_in(tmp_path, "generation-0.json", "before-reset")
    after = _saved_sign_in(tmp_path, "generation-1.json", "after-reset")
    contexts = FeatureContexts(browser, {})
    item = cast(pytest.Item, object())
    try:
        context = contexts.for_scenario(item, "customers.feature", before)
        renewed = contexts.for_scenario(item, "customers.feature", after)
        assert renewed is not context
        assert _cookies(renewed) == {"sessionid": "after-reset"}
    finally:
        contexts.close()


class _Scenario:
    """Stands in for a pytest item: the server-error watch only writes to its stash."""

    def __init__(self) -> None:
        self.stash = pytest.Stash()

    def server_errors(self) -> list[int]:
        return [response.status for response in self.stash.get(SERVER_ERRORS_KEY, [])]


def _crm(context: BrowserContext) -> BrowserContext:
    """The CRM stand-in: ``/boom`` answers HTTP 500, any other page 200."""

    def answer(route: Route) -> None:
        failing = route.request.url.endswith("/boom")
        route.fulfill(status=500 if failing else 200, content_type="text/html", body="<h1>page</h1>")

    context.route(f"{ORIGIN}/**", answer)
    return context


def test_a_server_error_is_noted_on_the_scenario_running_now_in_a_shared_context(
    browser: Browser, tmp_path: Path
) -> None:
    state = _saved_sign_in(tmp_path, "admin.json", "admin-session")
    contexts = FeatureContexts(browser, {})
    first, clean, failing, next_feature = (_Scenario() for _ in range(4))
    try:
        for scenario, path in ((first, "/boom"), (clean, "/ok"), (failing, "/boom")):
            context = _crm(contexts.for_scenario(cast(pytest.Item, scenario), "sales.feature", state))
            context.new_page().goto(f"{ORIGIN}{path}")
        assert first.server_errors() == [500]
        assert clean.server_errors() == []  # the clean twin: nothing carried over from the first
        assert failing.server_errors() == [500]  # the shared context still watches, for this scenario

        context = _crm(contexts.for_scenario(cast(pytest.Item, next_feature), "users.feature", state))
        context.new_page().goto(f"{ORIGIN}/boom")
        assert next_feature.server_errors() == [500]  # a new feature's context is watched too
        assert failing.server_errors() == [500]
    finally:
        contexts.close()
