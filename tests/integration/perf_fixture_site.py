"""A tiny fixture site on 127.0.0.1 for the load generator's tests (no CRM): every page answers a
small HTML page at once, except the report pages while :data:`SLOW` asks them to sleep."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Seconds the report pages (paths under ``/report``) sleep before answering: the planted slow page.
SLOW = {"delay": 0.0}


class Site(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/report"):
            time.sleep(SLOW["delay"])
        body = b"<html><body><h1>fixture</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def serving() -> Iterator[str]:
    """The site's base URL while it serves on an ephemeral loopback port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
