"""A Content-Security-Policy for every page: script runs only from the site's own files and
from the theme's few inline scripts, by hash.

The policy is written into each built page as the first element of its <head> (so it holds
wherever the site is served from, even a plain static server), and the union of all pages'
hashes is written to site/.nenguide-csp, which `nenguide serve` sends as a header too.

  script-src 'self' 'wasm-unsafe-eval' 'sha256-…'   own files, Pyodide's WebAssembly, and the
                                                    theme's inline scripts as built; nothing
                                                    else: no 'unsafe-inline', no eval
  style-src 'self' 'unsafe-inline'                  the theme sets style attributes; a style
                                                    cannot run script
  img-src 'self' data:                              the theme's icons are data: SVG in CSS
  connect-src 'self'                                fetch() of the runtime, rules and search
  object-src 'none'; base-uri 'none'; form-action 'self'; default-src 'self'

A hash covers exactly one script text, so an injected inline script, an event handler
attribute or a javascript: URL does not run, whatever the content says.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

POLICY_FILE = ".nenguide-csp"
META_ID = "nen-csp"
INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
SCRIPT_TYPES = ("", "text/javascript", "application/javascript", "module")
HEAD = re.compile(r"<head(\s[^>]*)?>", re.I)
CHARSET = re.compile(r"\s*<meta charset=[^>]*>", re.I)


def policy(hashes: set[str]) -> str:
    sources = " ".join(f"'sha256-{h}'" for h in sorted(hashes))
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'wasm-unsafe-eval'{' ' + sources if sources else ''}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ))


def inline_hashes(page: str) -> set[str]:
    """The sha256 (base64) of every inline script a browser would run in this page."""
    found = set()
    for script in INLINE_SCRIPT.finditer(page):
        attrs = script.group("attrs")
        if re.search(r"\ssrc\s*=", attrs, re.I):
            continue
        kind = re.search(r"""\stype\s*=\s*["']?([^"'\s>]*)""", attrs, re.I)
        if (kind.group(1).lower() if kind else "") not in SCRIPT_TYPES:
            continue  # data blocks (application/json) do not run
        digest = hashlib.sha256(script.group("body").encode("utf-8")).digest()
        found.add(base64.b64encode(digest).decode("ascii"))
    return found


def protect_pages(folder: Path) -> None:
    """Give every page under folder that has none its policy, as the first thing in <head>.
    Pages that have one are left untouched (a one-version rebuild does not rewrite the rest)."""
    for page in sorted(folder.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if f'id="{META_ID}"' in text:
            continue
        head = HEAD.search(text)
        if head is None:
            continue
        # After the charset declaration, which must stay in the first 1024 bytes; before any
        # script.
        charset = CHARSET.match(text, head.end())
        at = charset.end() if charset else head.end()
        meta = (f'<meta id="{META_ID}" http-equiv="Content-Security-Policy" '
                f'content="{policy(inline_hashes(text))}">')
        page.write_text(text[:at] + meta + text[at:], encoding="utf-8")


def write_site_policy(site: Path) -> str:
    """The policy for the whole site (every page's inline scripts), for the server's header."""
    hashes: set[str] = set()
    for page in site.rglob("*.html"):
        hashes |= inline_hashes(page.read_text(encoding="utf-8"))
    text = policy(hashes)
    (site / POLICY_FILE).write_text(text + "\n", encoding="utf-8")
    return text
