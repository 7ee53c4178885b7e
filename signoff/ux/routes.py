"""Page kinds: which pages are "the same page" for a UX audit.

A CRM shows thousands of URLs but a few dozen kinds of page: ``/persons/contact/12`` and
``/persons/contact/57`` are one detail page. Auditing each kind once keeps the run fast and the
scorecard readable. A page kind is the URL's *route*: the path without query or fragment, with every
path segment that is an identifier (a number, a UUID, a long hex id) replaced by ``{id}``.

:class:`PageKindRegistry` remembers which kinds were already audited in this run: in memory (thread
safe) and, when given a folder, also on disk so that parallel pytest-xdist workers share the record.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

ID_PLACEHOLDER = "{id}"

_NUMBER = re.compile(r"^\d+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
# 8+ hex digits with at least one digit: Mongo ObjectIds, hashes, short git-like ids. Requiring a
# digit keeps words spelt only with the letters a-f ("facade", "acceded") part of the route.
_HEX_ID = re.compile(r"^(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}$")


def is_id_segment(segment: str) -> bool:
    """Whether a path segment is a record identifier rather than part of the route."""
    return bool(_NUMBER.match(segment) or _UUID.match(segment) or _HEX_ID.match(segment))


def route_of(url: str) -> str:
    """The route template of ``url``: ``https://crm/persons/contact/12/?tab=2#x`` -> ``/persons/contact/{id}``.

    Query and fragment are dropped, percent-escapes decoded, empty segments and a trailing slash
    removed (``/a/`` and ``/a`` are one page to a user), identifier segments become ``{id}``.
    Only the path counts: one run audits one CRM, so scheme and host add nothing but noise.
    """
    parts = urlsplit(url)
    if parts.scheme in ("about", "data", "blob", "javascript"):
        # Pages without a path (set_content, data: URLs) are one kind per scheme.
        return f"{parts.scheme}:" + (parts.path if parts.scheme == "about" else "")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    return "/" + "/".join(ID_PLACEHOLDER if is_id_segment(s) else s for s in segments)


class PageKindRegistry:
    """Remembers which page kinds were audited, so that each kind is audited once per run.

    Without ``folder`` the record lives in this object (share one object across threads). With
    ``folder`` each audited kind is also a file there, created with ``O_CREAT | O_EXCL``: the file
    system decides atomically which process claims a kind first, so parallel workers pointed at the
    same folder audit each kind once between them. Clear the folder (:meth:`reset`) at run start.
    """

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None
        self._claimed: set[str] = set()
        self._lock = threading.Lock()
        if self._folder is not None:
            self._folder.mkdir(parents=True, exist_ok=True)

    def claim(self, url: str) -> bool:
        """True when the page kind of ``url`` was not audited yet: the caller audits it now.

        False when this or another worker already claimed that kind.
        """
        kind = route_of(url)
        with self._lock:
            if kind in self._claimed:
                return False
            if self._folder is not None and not self._claim_file(kind):
                self._claimed.add(kind)
                return False
            self._claimed.add(kind)
            return True

    def seen(self, url: str) -> bool:
        """Whether the page kind of ``url`` was already claimed (by this process or, with a folder, any)."""
        kind = route_of(url)
        with self._lock:
            if kind in self._claimed:
                return True
        return self._folder is not None and self._marker(kind).exists()

    def kinds(self) -> list[str]:
        """Every claimed page kind, sorted (with a folder: those of all workers)."""
        with self._lock:
            found = set(self._claimed)
        if self._folder is not None:
            for marker in self._folder.glob("*.kind"):
                try:
                    found.add(marker.read_text(encoding="utf-8"))
                except OSError:
                    # A marker being written right now has no text yet; its writer still counts it.
                    continue
        return sorted(k for k in found if k)

    def reset(self) -> None:
        """Forget every claimed kind (and remove this registry's marker files)."""
        with self._lock:
            self._claimed.clear()
            if self._folder is not None:
                for marker in self._folder.glob("*.kind"):
                    marker.unlink(missing_ok=True)

    def _marker(self, kind: str) -> Path:
        assert self._folder is not None
        # Routes hold "/" and "{}": a digest makes a portable, fixed-length file name.
        return self._folder / (hashlib.sha1(kind.encode("utf-8")).hexdigest() + ".kind")

    def _claim_file(self, kind: str) -> bool:
        try:
            fd = os.open(self._marker(kind), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(kind)
        return True
