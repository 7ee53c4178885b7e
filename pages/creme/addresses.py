"""The detail-page addresses of the records a scenario saved or already looked up, shared by the areas.

Finding a record by name means opening a list, typing into its quick search and waiting for the
list to reload: the slowest part of most steps. A record the scenario itself saved has its address
already (the page a save goes to, or the fast path's redirect), and one found once keeps its
address while the scenario goes on, so every area of the adapter asks here first. The adapter
lives for one scenario; a record renamed or deleted through the adapter is forgotten (or moved)
here, so that no step acts on a record that is no longer what its name says.

Checks that a record *can be found* (it exists, a user sees it in a list) never ask here: they
search the list as a user does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from urllib.parse import urlsplit


class KnownAddresses:
    """Record kind and name (a contact: its first and last name) → the record's detail-page path."""

    def __init__(self) -> None:
        self._paths: dict[tuple[str, Hashable], str] = {}

    def remember(self, kind: str, name: Hashable, url: str) -> None:
        """Note the address of a record just saved or found (a full URL or a path)."""
        if url:
            self._paths[(kind, name)] = urlsplit(url).path

    def get(self, kind: str, name: Hashable) -> str | None:
        return self._paths.get((kind, name))

    def find(self, kind: str, name: Hashable, search: Callable[[], str | None]) -> str | None:
        """The known address, or the one ``search`` finds (then remembered); ``None`` if not found."""
        known = self._paths.get((kind, name))
        if known is not None:
            return known
        found = search()
        if not found:
            return None
        self.remember(kind, name, found)
        return self._paths[(kind, name)]

    def forget(self, kind: str, name: Hashable) -> None:
        """The record was deleted (or merged away): its name no longer leads to it."""
        self._paths.pop((kind, name), None)

    def rename(self, kind: str, old: Hashable, new: Hashable) -> None:
        path = self._paths.pop((kind, old), None)
        if path is not None:
            self._paths[(kind, new)] = path
