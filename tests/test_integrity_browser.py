"""The calculators run only the files their page was built with: tampered or stale rules, a
changed lock file or wheel give a plain message, never a wrong answer or a traceback."""

from __future__ import annotations

import json

import pytest

from conftest import serving, site_copy, wait_until

pytestmark = pytest.mark.browser
GRADE = "/2025.1/calculators/grade/?site=pancreas&differentiation=well&ki67=10"
CALC = "2025.1/assets/calc"


def _raise_g2_threshold(site):
    """The reported case: g2_from 3 -> 50 makes Ki-67 10 % a NET G1 under a 3 % table."""
    path = site / CALC / "rules" / "grade.json"
    rules = json.loads(path.read_text(encoding="utf-8"))
    rules["digestive"]["ki67_percent"]["g2_from"] = 50
    path.write_text(json.dumps(rules, indent=1), encoding="utf-8")


def _change_the_wheel(site):
    wheel = next((site / CALC).glob("*.whl"))
    data = bytearray(wheel.read_bytes())
    data[-30] ^= 0xFF
    wheel.write_bytes(bytes(data))


def _point_the_lock_elsewhere(site):
    path = site / CALC / "pyodide-lock.json"
    lock = json.loads(path.read_text(encoding="utf-8"))
    lock["packages"]["nenguide-calculators"]["sha256"] = "0" * 64
    path.write_text(json.dumps(lock), encoding="utf-8")


@pytest.mark.parametrize("tamper", [_raise_g2_threshold, _change_the_wheel,
                                    _point_the_lock_elsewhere],
                         ids=["rules", "wheel", "lock"])
def test_tampered_calculator_files_are_refused_with_a_message(browser, built_site, tmp_path,
                                                             tamper):
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
            assert "contact the site's editors" in status
            assert "No module named" not in status and "Traceback" not in status
            assert page.locator(".nen-result__category").count() == 0  # no answer at all
        finally:
            context.close()


def test_the_untampered_copy_answers(browser, built_site, tmp_path):
    """The same copy, untouched: the check passes and the answer is NET G2 (3 % threshold)."""
    with serving(site_copy(built_site, tmp_path)) as base:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(base + GRADE)
            page.locator(".nen-result__category").wait_for(timeout=90_000)
            assert page.locator(".nen-result__category").inner_text() == "NET G2"
        finally:
            context.close()
