"""One locust user for bench_load: signs in like Creme's journeys, then opens the contact list
again and again with no think time."""

from __future__ import annotations

from locust import HttpUser, constant, task

from pages.creme import load


class OnePage(HttpUser):
    wait_time = constant(0)
    # The same sign-in as the journeys (CSRF, the run's accounts in turn).
    on_start = load.CremeUser.on_start
    sign_in = load.CremeUser.sign_in

    @task
    def contact_list(self) -> None:
        self.client.get(load.CONTACTS, name="contact list")


def configure(accounts: list[tuple[str, str]], think_min: float, think_max: float) -> list[type[HttpUser]]:
    load.configure(accounts, think_min, think_max)
    return [OnePage]
