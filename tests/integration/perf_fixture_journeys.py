"""Locust journeys of the fixture site: a fast list page and a page a test can make slow."""

from __future__ import annotations

from locust import HttpUser, constant, task


class Visitor(HttpUser):
    wait_time = constant(0.05)

    @task(2)
    def list_page(self) -> None:
        self.client.get("/list", name="browse · list page")

    @task(1)
    def report_page(self) -> None:
        self.client.get("/report", name="browse · report page")


def configure(accounts: list[tuple[str, str]], think_min: float, think_max: float) -> list[type[HttpUser]]:
    return [Visitor]
