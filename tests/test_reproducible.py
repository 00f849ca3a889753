"""The same commit builds to the same bytes, whatever the day: no clock reaches the site."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import shutil
import struct
import time

from conftest import FIXTURES
from generator import build


def tree(site):
    return {str(path.relative_to(site)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_builds_are_byte_identical_and_carry_the_content_date(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "minimal", content)
    build.build_site(content, tmp_path / "one")
    time.sleep(1.1)  # a gzip header's time has whole seconds: a clock would show here
    build.build_site(content, tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    # The dates in the site are the version's content date (2025-10-01), not the build day.
    sitemap = (tmp_path / "one" / "2025.1" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2025-10-01</lastmod>" in sitemap
    assert datetime.date.today().isoformat() not in sitemap
    header = (tmp_path / "one" / "2025.1" / "sitemap.xml.gz").read_bytes()[:10]
    assert struct.unpack("<I", header[4:8])[0] == int(datetime.datetime(
        2025, 10, 1, tzinfo=datetime.timezone.utc).timestamp())
    gzip.decompress((tmp_path / "one" / "2025.1" / "sitemap.xml.gz").read_bytes())
