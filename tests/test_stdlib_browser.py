"""In Chromium the worker starts Python from the precompiled standard library, and only from
the one its lock file names: a changed or unnamed zip ends in the calculators' plain
mismatch message, never in an answer."""

from __future__ import annotations

import json
import re

import pytest

from conftest import serving, site_copy, wait_until

pytestmark = pytest.mark.browser
GRADE = "/2025.1/calculators/grade/?site=pancreas&differentiation=well&ki67=10"
LOCK = "2025.1/assets/calc/pyodide-lock.json"


def test_the_grade_calculator_answers_from_the_precompiled_stdlib(page, site_url):
    page.goto(site_url + GRADE)
    page.locator(".nen-result__category").wait_for(timeout=90_000)
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    stdlibs = [url.rsplit("/", 1)[-1] for url in page.requests if "python_stdlib" in url]
    assert len(stdlibs) == 1 and re.fullmatch(r"python_stdlib_pyc\.[0-9a-f]{16}\.zip",
                                              stdlibs[0]), stdlibs


def _replace(path, data: bytes):
    """Change a file as a partial update would: its precompressed copies, which the server
    prefers, go too (else the server would still send the old bytes)."""
    path.write_bytes(data)
    for suffix in (".gz", ".br"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _change_the_compiled_stdlib(site):
    path = next(site.glob("_pyodide/**/python_stdlib_pyc.*.zip"))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    _replace(path, bytes(data))


def _drop_the_stdlib_from_the_lock(site):
    path = site / LOCK
    lock = json.loads(path.read_text(encoding="utf-8"))
    del lock["tool"]["nenguide"]
    _replace(path, json.dumps(lock).encode())


@pytest.mark.parametrize("tamper", [_change_the_compiled_stdlib, _drop_the_stdlib_from_the_lock],
                         ids=["changed-zip", "lock-without-stdlib"])
def test_a_stdlib_the_lock_does_not_vouch_for_is_refused(browser, built_site, tmp_path, tamper):
    site = site_copy(built_site, tmp_path)
    tamper(site)
    with serving(site) as base:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(base + GRADE)
            wait_until(page, "document.getElementById('grade-status').dataset.state === "
                             "'failed'", 90_000)
            status = page.locator("#grade-status-text").inner_text()
            assert "this release's calculator files do not match its pages" in status, status
            assert page.locator(".nen-result__category").count() == 0  # no answer at all
        finally:
            context.close()
