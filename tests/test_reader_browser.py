"""The reader's pages in Chromium: question answers in the clinician and patient views (the
choice kept across pages and releases), the "Page not found" page at any depth, the footer,
the About page, and the draft banner on every page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

ARTICLE = "/2025.1/questions/nec-treatment/"
PATIENT = "Patient, family member or carer: plain language"
CLINICIAN = "Healthcare professional"


def visible(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def test_the_clinician_view_is_the_default(page, site_url):
    page.goto(site_url + ARTICLE)
    assert page.get_by_label(CLINICIAN).is_checked()
    assert visible(page, ".nen-view--clinician")
    assert not visible(page, ".nen-view--patient")
    assert page.get_by_role("heading", name="Short answer").is_visible()


def test_the_reader_chooses_the_patient_view_with_the_keyboard(page, site_url):
    page.goto(site_url + ARTICLE)
    page.get_by_label(CLINICIAN).focus()
    page.keyboard.press("ArrowDown")  # radio buttons: the arrow keys move the choice
    assert page.get_by_label(PATIENT).is_checked()
    assert visible(page, ".nen-view--patient")
    assert not visible(page, ".nen-view--clinician")
    notice = page.locator(".nen-view--patient .nen-patient-notice")
    assert notice.is_visible() and "talk to your care team" in notice.inner_text()
    # The warnings of the answer stay in the patient view, in the guideline's own words.
    warning = page.locator(".nen-view--patient .nen-rec--warning").filter(
        has_text="Do not treat advanced NEC with NET therapies")
    assert warning.is_visible()
    assert page.get_by_text("In plain language, for patients and families.").is_visible()


def test_the_choice_is_kept_across_pages_and_releases(page, site_url):
    page.goto(site_url + ARTICLE)
    page.get_by_label(PATIENT).check()
    page.goto(site_url + "/2025.1/treatment/")
    assert page.get_by_label(PATIENT).is_checked()
    assert visible(page, ".nen-view--patient")
    assert "cannot" not in page.locator(".nen-view--patient").first.inner_text()
    page.goto(site_url + "/2024.1/treatment/")  # a release without plain-language texts
    assert page.evaluate("document.documentElement.dataset.nenReader") == "patient"
    page.goto(site_url + "/2025.1/questions/net-grading/")
    assert visible(page, ".nen-view--patient")
    page.get_by_label(CLINICIAN).check()
    page.goto(site_url + ARTICLE)
    assert visible(page, ".nen-view--clinician")


def test_a_new_reader_starts_in_the_clinician_view(open_context, site_url):
    first = open_context().new_page()
    first.goto(site_url + ARTICLE)
    first.get_by_label(PATIENT).check()
    second = open_context().new_page()  # another browser profile
    second.goto(site_url + ARTICLE)
    assert second.get_by_label(CLINICIAN).is_checked()


def test_without_script_the_clinician_view_shows_and_no_dead_choice(open_context, site_url):
    page = open_context(java_script_enabled=False).new_page()
    page.goto(site_url + ARTICLE)
    assert visible(page, ".nen-view--clinician")
    assert not page.locator("fieldset.nen-reader").is_visible()


def test_both_views_are_searchable(site_url):
    with urllib.request.urlopen(site_url + "/2025.1/search/search_index.json") as answer:
        index = json.load(answer)
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "If you have a carcinoma, the team will see you about every 2 to 3 months" in text
    assert "give carboplatin plus etoposide as first-line treatment" in text
    assert any(doc["location"].startswith("questions/nec-treatment/") for doc in index["docs"])


def test_the_questions_page_lists_the_answers_with_their_review_status(page, site_url):
    page.goto(site_url + "/2025.1/questions/")
    link = page.get_by_role("link", name="What is the treatment approach for neuroendocrine "
                                         "carcinoma?").first
    assert link.is_visible()
    assert page.locator(".nen-review-badge").count() == 3
    link.click()
    page.wait_for_url("**/questions/nec-treatment/")
    assert "Last reviewed: never" in page.locator(".nen-review").inner_text()


@pytest.mark.parametrize("path", ["/2025.1/no-such-page/", "/2025.1/a/b/c/d/",
                                  "/nothing/here/at/all", "/2024.1/treatmnt/"])
def test_a_missing_page_is_the_site_page_not_found_styled_at_any_depth(page, site_url, path):
    answer = page.goto(site_url + path)
    assert answer.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    # Styled: the theme's header bar, not a bare page with a giant logo.
    assert page.locator("header.md-header").is_visible()
    logo = page.locator(".md-header .md-logo img, .md-header .md-logo svg").first
    assert logo.bounding_box()["height"] < 60
    for name in ("Home page of version", "The latest published version"):
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name="Page not found").count() == 0, name
        page.go_back()


def test_the_server_sends_the_page_not_found_only_for_missing_pages(site_url):
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(site_url + "/2025.1/missing/")
    assert missing.value.code == 404
    assert b"Page not found" in missing.value.read()
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(site_url + "/2025.1/%00/")
    assert bad.value.code == 400


def test_the_footer_says_version_release_licence_and_where_to_report(page, site_url):
    page.goto(site_url + "/2025.1/treatment/")
    footer = page.locator("footer .nen-footer").inner_text()
    assert "version 2025.1" in footer and "draft, not released" in footer
    assert "Content licence: not stated yet" in footer
    assert "Report an error: no address set yet" in footer
    page.locator("footer").get_by_role("link", name="About and how to cite").click()
    page.wait_for_url("**/2025.1/about/")
    assert page.get_by_role("heading", name="How to cite").is_visible()
    assert "Version 2025.1 (draft, not published; content as of 2025-10-01)" in \
        page.locator(".nen-citation").inner_text()
    page.goto(site_url + "/2024.1/treatment/")
    footer = page.locator("footer .nen-footer").inner_text()
    assert "version 2024.1 · released 2025-" in footer or "version 2024.1 · released" in footer


@pytest.mark.parametrize("path", ["/2025.1/", "/2025.1/calculators/grade/",
                                  "/2025.1/calculators/pathway/", ARTICLE, "/2025.1/about/",
                                  "/2025.1/no-such-page/"])
def test_the_draft_banner_is_on_every_page(page, site_url, path):
    page.goto(site_url + path)
    banner = page.locator(".nen-banner--draft")
    assert banner.is_visible()
    assert "not for patient care" in banner.inner_text()


def test_the_patient_view_at_375px_does_not_scroll_sideways(open_context, site_url):
    page = open_context(viewport={"width": 375, "height": 800}).new_page()
    page.goto(site_url + ARTICLE)
    page.get_by_label(PATIENT).check()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
