"""Serve the built site over HTTP on the loopback interface only.

Pyodide, search and the version menu all use fetch(), so the site needs HTTP, not file://.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path

# Python's table lacks or varies on these; Pyodide needs the exact wasm type to stream-compile.
CONTENT_TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".whl": "application/zip",
    ".zip": "application/zip",
}


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not getattr(self.server, "quiet", False):
            super().log_message(format, *args)


def make_server(site_dir: Path, host: str = "127.0.0.1", port: int = 8000,
                quiet: bool = False) -> http.server.ThreadingHTTPServer:
    """A server for site_dir; port 0 picks a free port (see server.server_address)."""
    handler = functools.partial(SiteHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.quiet = quiet
    return server
