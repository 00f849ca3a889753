"""Releases side by side in headless Chromium: latest, the version menu, banners, and each
release answering with its own calculators; and the site on a plain static server."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest

from test_browser import CALCULATOR_TIMEOUT_MS, open_page

pytestmark = pytest.mark.browser
# 2025.1 also asks for the uptake that PRRT needs; 2024.1's frozen form ignores the parameter.
NETTER2_QUERY = ("?category=NET+G2&site=small_intestine&stage=unresectable_metastatic"
                 "&sstr=true&uptake=above_liver&ki67=15")


def test_latest_serves_every_page_of_the_newest_release(page, site_url):
    for path in ("", "treatment/", "changes/", "calculators/grade/"):
        response = page.goto(f"{site_url}/latest/{path}")
        assert response.status == 200, path
        assert "version 2024.1" in " ".join(page.locator(".nen-release").inner_text().split())
    open_page(page, site_url + "/latest/calculators/grade/?site=pancreas&differentiation=well"
              "&ki67=2,5", "grade")
    page.locator(".nen-result__category").wait_for(timeout=CALCULATOR_TIMEOUT_MS)
    assert page.locator(".nen-result__category").inner_text() == "NET G1"


def test_switching_version_keeps_the_page(page, site_url):
    page.goto(site_url + "/2024.1/treatment/")
    for target in ("2025.1", "2024.1"):
        # With the keyboard: focus opens the menu, Tab walks its links, Enter follows one.
        page.locator(".md-version__current").focus()
        for _ in range(5):
            page.keyboard.press("Tab")
            if target in page.evaluate("document.activeElement.textContent"):
                break
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/{target}/treatment/")


def test_banners_say_what_a_version_is(page, site_url):
    page.goto(site_url + "/2025.1/treatment/")
    draft = page.locator(".nen-banner--draft")
    assert "Draft." in draft.inner_text() and "not for patient care" in draft.inner_text()
    draft.get_by_role("link", name="Read this page in version 2024.1").click()
    page.wait_for_url("**/2024.1/treatment/")
    stamp = page.locator(".nen-banner--unreviewed")
    assert "Not clinically reviewed." in stamp.inner_text()
    assert page.locator(".nen-banner--superseded").count() == 0  # 2024.1 is the latest


def test_a_release_built_before_a_newer_one_learns_it_from_versions_json(page, site_url):
    """2024.1 was built when it was the latest; the site's versions.json now names a newer
    release, and the page says so when it is read."""
    newer = [{"version": "2026.1", "title": "2026.1", "aliases": ["latest"],
              "properties": {"status": "published", "published": "2026-12-01"}},
             {"version": "2024.1", "title": "2024.1", "aliases": [],
              "properties": {"status": "published", "published": "2026-11-27"}}]
    page.context.route("**/versions.json", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(newer)))
    page.goto(site_url + "/2024.1/treatment/")
    banner = page.locator(".nen-banner--superseded")
    banner.wait_for()
    assert "Superseded by version 2026.1." in banner.inner_text()
    # 2026.1 does not exist on this site: the link falls back to its home page.
    assert banner.get_by_role("link").get_attribute("href").endswith("/2026.1/")


def test_the_releases_answer_the_netter2_situation_as_each_was_published(page, site_url):
    answers = {}
    for version in ("2024.1", "2025.1"):
        open_page(page, f"{site_url}/{version}/calculators/pathway/{NETTER2_QUERY}", "pathway")
        page.locator(".nen-option").first.wait_for(timeout=CALCULATOR_TIMEOUT_MS)
        answers[version] = page.locator(".nen-options").inner_text()
    assert "first-line 177Lu-DOTATATE" in answers["2025.1"]
    assert "first-line 177Lu-DOTATATE" not in answers["2024.1"]
    assert "grade" in answers["2024.1"].lower()  # restage at grade-dependent intervals


def test_the_what_changed_page_links_both_versions(page, site_url):
    page.goto(site_url + "/2025.1/changes/")
    assert "Compared with version 2024.1" in page.locator("article").inner_text()
    old = page.locator('a[href^="../../2024.1/"]').first
    old.click()
    page.wait_for_url("**/2024.1/**")


def test_the_site_works_on_a_plain_static_server(built_site, open_context):
    """Python's own static file server, with nothing of nenguide's: the MIME types it knows
    (text/javascript for .mjs, application/wasm for .wasm) are all the site needs."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = open_context().new_page()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        open_page(page, url + "/latest/calculators/grade/?site=pancreas&differentiation=well"
                  "&ki67=25", "grade")
        page.locator(".nen-result__category").wait_for(timeout=CALCULATOR_TIMEOUT_MS)
        assert page.locator(".nen-result__category").inner_text() == "NET G3"
    finally:
        server.shutdown()
        server.server_close()
