"""Page kinds by route, and the registry that audits each kind once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from signoff.ux.routes import PageKindRegistry, is_id_segment, route_of


@pytest.mark.parametrize(
    ("url", "route"),
    [
        ("https://crm.example/persons/contact/12", "/persons/contact/{id}"),
        ("https://crm.example/persons/contact/57/?tab=2#notes", "/persons/contact/{id}"),
        ("/persons/contact/12/edit", "/persons/contact/{id}/edit"),
        ("/x/550e8400-e29b-41d4-a716-446655440000", "/x/{id}"),
        ("/orgs/5f8d0d55b54764421b7156c9/people", "/orgs/{id}/people"),
        ("/persons/contacts", "/persons/contacts"),
        ("/facade/cafe", "/facade/cafe"),  # hex letters but no digit: words, not ids
        ("/reports/2024", "/reports/{id}"),
        ("/", "/"),
        ("https://crm.example", "/"),
        ("/%E5%AE%A2%E6%88%B7/3", "/客户/{id}"),
        ("about:blank", "about:blank"),
    ],
)
def test_route_of(url: str, route: str) -> None:
    assert route_of(url) == route


def test_id_segments() -> None:
    assert is_id_segment("12")
    assert is_id_segment("deadbeef01")
    assert not is_id_segment("v2")
    assert not is_id_segment("contact")
    assert not is_id_segment("abc123")  # too short for a hex id


def test_two_records_are_one_page_kind() -> None:
    registry = PageKindRegistry()
    assert registry.claim("http://crm/persons/contact/12")
    assert not registry.claim("http://crm/persons/contact/57?x=1")
    assert registry.claim("http://crm/persons/contacts")
    assert registry.seen("/persons/contact/99")
    assert not registry.seen("/persons/organisation/1")
    assert registry.kinds() == ["/persons/contact/{id}", "/persons/contacts"]


def test_reset_forgets(tmp_path: Path) -> None:
    registry = PageKindRegistry(tmp_path)
    assert registry.claim("/a/1")
    registry.reset()
    assert registry.claim("/a/2")


def test_folder_is_shared_between_registries(tmp_path: Path) -> None:
    first = PageKindRegistry(tmp_path / "audited")
    second = PageKindRegistry(tmp_path / "audited")
    assert first.claim("/persons/contact/12")
    assert not second.claim("/persons/contact/13")
    assert second.seen("/persons/contact/1")
    assert second.claim("/persons/organisation/3")
    assert first.kinds() == ["/persons/contact/{id}", "/persons/organisation/{id}"]


def _claim_all(folder: str, urls: list[str], out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    registry = PageKindRegistry(folder)
    out.put([url for url in urls if registry.claim(url)])


def test_parallel_processes_claim_each_kind_once(tmp_path: Path) -> None:
    urls = [f"/kind{k}/{n}" for n in range(5) for k in range(20)]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    workers = [ctx.Process(target=_claim_all, args=(str(tmp_path), urls, out)) for _ in range(3)]
    for worker in workers:
        worker.start()
    claimed = [url for _ in workers for url in out.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(route_of(u) for u in claimed) == sorted(f"/kind{k}/{{id}}" for k in range(20))
