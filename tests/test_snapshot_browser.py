"""In Chromium the worker starts from the memory snapshot the lock file names, and when the
snapshot is missing, changed, from another Pyodide build or no snapshot at all, it starts
normally, says so on the console only, and gives the same answer."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest

from conftest import serving, site_copy

pytestmark = pytest.mark.browser
GRADE = "/2025.1/calculators/grade/?site=pancreas&differentiation=well&ki67=10"
CALC = "2025.1/assets/calc"
WITHOUT = "starts without its snapshot"


def _replace(path, data: bytes):
    """Change a file and drop its precompressed copies, which the server would prefer."""
    path.write_bytes(data)
    for suffix in (".gz", ".br"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _snapshot(site):
    return next((site / CALC).glob("snapshot.*.bin"))


def _vouch_for(site, data: bytes):
    """Give the snapshot new bytes and put their sha256 in the lock, as a build would: only
    loadPyodide can then find out that they are wrong."""
    _replace(_snapshot(site), data)
    lock_path = site / CALC / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    lock["tool"]["nenguide"]["snapshot"]["sha256"] = hashlib.sha256(data).hexdigest()
    _replace(lock_path, json.dumps(lock).encode())


def _remove(site):
    _snapshot(site).unlink()


def _corrupt(site):
    data = bytearray(_snapshot(site).read_bytes())
    data[len(data) // 2] ^= 0xFF
    _replace(_snapshot(site), bytes(data))


def _another_build(site):
    memory = bytearray(gzip.decompress(_snapshot(site).read_bytes()))
    memory[16] ^= 0xFF  # the header's build id
    _vouch_for(site, gzip.compress(bytes(memory), compresslevel=1))


def _not_gzip(site):
    _vouch_for(site, b"not a snapshot")


def _answer(browser, site) -> tuple[str, list[str], list[str]]:
    """The grade answer, the console's lines and the requested file names, for one visit."""
    with serving(site) as base:
        context = browser.new_context()
        try:
            page = context.new_page()
            console, requests = [], []
            page.on("console", lambda message: console.append(message.text))
            context.on("request",
                       lambda request: requests.append(request.url.rsplit("/", 1)[-1]))
            page.goto(base + GRADE)
            page.locator(".nen-result__category").wait_for(timeout=90_000)
            return page.locator(".nen-result__category").inner_text(), console, requests
        finally:
            context.close()


def test_the_grade_calculator_answers_from_the_snapshot(browser, built_site, tmp_path):
    answer, console, requests = _answer(browser, site_copy(built_site, tmp_path))
    assert answer == "NET G2"
    assert any(name.startswith("snapshot.") for name in requests), requests
    assert not any(WITHOUT in line for line in console), console
    # The wheel is fetched once, to be checked: its bytes stay the ones the pages expect.
    assert sum(name.endswith(".whl") for name in requests) == 1, requests


@pytest.mark.parametrize("tamper", [_remove, _corrupt, _another_build, _not_gzip],
                         ids=["removed", "corrupt", "another-build", "not-gzip"])
def test_without_a_usable_snapshot_the_answer_is_the_same(browser, built_site, tmp_path,
                                                           tamper):
    site = site_copy(built_site, tmp_path)
    tamper(site)
    answer, console, requests = _answer(browser, site)
    assert answer == "NET G2"
    assert any(WITHOUT in line for line in console), console
    assert any(name.endswith(".whl") for name in requests), requests
