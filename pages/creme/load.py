"""Creme CRM's load journeys: locust users that work in the CRM like sales staff over a day.

Loaded only by the load generator's own processes (:mod:`signoff.performance.runner`), never by
pytest or the CLI: importing locust patches the process with gevent.

Each simulated user signs in with one of the run's real CRM accounts (CSRF token and session
cookie like a browser), then works by weighted tasks with think times between them, in locust's
own example style. Requests are named ``<journey> · <page>`` so the report shows each journey's
pages. A page that answers with the sign-in form is an error: the journey lost its session.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
from collections.abc import Iterator
from typing import Any

from locust import HttpUser, between, task

from pages.creme.fastpath import form_fields

LOGIN_PATH = "/creme_login/"
CONTACTS = "/persons/contacts"
ORGANISATIONS = "/persons/organisations"
OPPORTUNITIES = "/opportunities/opportunities"
CONTACT_ADD = "/persons/contact/add"
#: Only a signed-in page has the sign-out link.
SIGNED_IN_MARK = "/creme_logout"

_CONTACT_LINK = re.compile(r'href="(/persons/contact/\d+)"')
_OPPORTUNITY_LINK = re.compile(r'href="(/opportunities/opportunity/\d+)"')
_CSRF = re.compile(r"""name=["']csrfmiddlewaretoken["']\s+value=["']([^"']+)["']""")

#: A few letters users search the lists for.
SEARCHES = ("a", "e", "o", "Load", "Smith")

_accounts: Iterator[tuple[str, str]] = iter(())
_accounts_lock = threading.Lock()


def _next_account() -> tuple[str, str]:
    with _accounts_lock:
        return next(_accounts)


class CremeUser(HttpUser):
    """A sales person: lists, searches and opens contacts and organisations, adds a contact, opens
    an opportunity. ``wait_time`` is set by :func:`configure` from the plan's think times."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username, self.password = _next_account()
        self.contacts: list[str] = []
        #: The last sign-in got no answer or a server error (under load): it is tried again before
        #: the next page. A refused sign-in is not: its pages then count as "got the sign-in page".
        self.retry_sign_in = True
        self.sign_in(self.password)

    def sign_in(self, password: str) -> None:
        """Sign in; a sign-in the server did not answer leaves :attr:`retry_sign_in` set."""
        self.retry_sign_in = True
        with self.client.get(LOGIN_PATH, name="sign in · sign-in page", catch_response=True) as page:
            if page.url is None:
                return  # the request failed (a timeout): locust records that error, not "no form"
            token = _CSRF.search(page.text or "")
            if token is None:
                page.failure("no sign-in form")
                return
        with self.client.post(
            LOGIN_PATH,
            data={"csrfmiddlewaretoken": token.group(1), "username": self.username, "password": password},
            headers={"Referer": f"{self.host}{LOGIN_PATH}"},
            name="sign in · submit",
            catch_response=True,
        ) as answer:
            # No URL: the request itself failed (a timeout): locust records that error already.
            if answer.url is not None and LOGIN_PATH in answer.url:
                answer.failure(f"user {self.username} could not sign in")
            self.retry_sign_in = answer.url is None or answer.status_code >= 500

    def _page(self, path: str, name: str, **options: Any) -> str:
        """GET a page a signed-in user sees; the sign-in page or a missing sign-out link is a failure.

        A user whose sign-in got no answer (a timeout or a server error under load) signs in again
        first, as a person would, instead of counting every later page as "got the sign-in page".
        """
        if self.retry_sign_in:
            self.sign_in(self.password)
            if self.retry_sign_in:
                return ""
        return self._open(path, name, **options)

    def _open(self, path: str, name: str, **options: Any) -> str:
        with self.client.get(path, name=name, catch_response=True, **options) as response:
            if response.url is None:
                return ""  # the request failed (a timeout): locust records that error already
            text = response.text or ""
            if LOGIN_PATH in response.url or SIGNED_IN_MARK not in text:
                response.failure("got the sign-in page: the session was not signed in")
                return ""
            return text

    @task(5)
    def browse_contacts(self) -> None:
        text = self._page(CONTACTS, "browse contacts · contact list")
        self.contacts = _CONTACT_LINK.findall(text) or self.contacts

    @task(3)
    def search_contacts(self) -> None:
        # Creme's quick search is the list's search row sent as GET parameters.
        self._page(
            CONTACTS,
            "search contacts · contact list searched",
            params={"search-regular_field-last_name": random.choice(SEARCHES)},
        )

    @task(4)
    def open_contact(self) -> None:
        if not self.contacts:
            self.browse_contacts()
        if self.contacts:
            self._page(random.choice(self.contacts), "open a contact · contact page")

    @task(2)
    def browse_organisations(self) -> None:
        self._page(ORGANISATIONS, "browse organisations · organisation list")

    @task(1)
    def add_contact(self) -> None:
        text = self._page(CONTACT_ADD, "add a contact · new contact form")
        if not text:
            return
        fields = [(name, value) for name, value in form_fields(text) if name not in ("last_name", "first_name")]
        fields += [("first_name", "Load"), ("last_name", f"Tester {random.randint(1, 10**9)}")]
        with self.client.post(
            CONTACT_ADD,
            data=fields,
            headers={"Referer": f"{self.host}{CONTACT_ADD}"},
            name="add a contact · save contact",
            catch_response=True,
        ) as saved:
            if saved.url is None:
                return
            if LOGIN_PATH in saved.url:
                saved.failure("got the sign-in page: the session was not signed in")
            elif not re.search(r"/persons/contact/\d+$", saved.url):
                saved.failure("the contact was not saved (the form came back)")

    @task(1)
    def open_opportunity(self) -> None:
        text = self._page(OPPORTUNITIES, "open an opportunity · opportunity list")
        links = _OPPORTUNITY_LINK.findall(text)
        if links:
            self._page(random.choice(links), "open an opportunity · opportunity page")


def configure(accounts: list[tuple[str, str]], think_min: float, think_max: float) -> list[type[HttpUser]]:
    """The user classes of a run: accounts handed out in turn, the plan's think times."""
    global _accounts
    if not accounts:
        raise ValueError("a load run needs at least one CRM account")
    _accounts = itertools.cycle(accounts)
    CremeUser.wait_time = between(think_min, think_max)
    return [CremeUser]
