"""Creme's sign-in page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from pages.creme.widgets import navigation

SIGN_IN_PATH = "/creme_login/"


class SignInPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.username = page.get_by_label("Username")
        self.password = page.get_by_label("Password")
        self.submit_button = page.get_by_role("button", name="Log in")
        self.errors = page.locator(".errorlist li, .non-field-errors, p.errornote").filter(has_text=re.compile(r"\S"))

    def open(self) -> None:
        self.page.goto(SIGN_IN_PATH)

    def sign_in(self, username: str, password: str) -> None:
        if not self.is_shown():
            self.open()
        expect(self.username).to_be_visible()
        self.username.fill(username)
        self.password.fill(password)
        if not password:
            # The browser refuses an empty required field before anything reaches the CRM.
            self.submit_button.click()
            return
        with navigation(self.page):
            self.submit_button.click()

    def is_shown(self) -> bool:
        # Creme redirects to "/creme_login?next=..." (no trailing slash) from pages behind sign-in.
        path = urlsplit(self.page.url).path.rstrip("/")
        return path == SIGN_IN_PATH.rstrip("/") and self.username.is_visible()

    def error(self) -> str | None:
        if self.errors.count() == 0:
            return None
        return " ".join(text.strip() for text in self.errors.all_inner_texts())
