"""Printing for the tumour board, as Chromium prints it: every printed sheet names the
guideline version, its content date and its status; the whole guideline prints from one page
with every recommendation; a calculator prints its answer, not its form; and every page has a
Print button. The PDFs are read back as text (pypdf); they are kept in test-results/print/
to look at. The margin text itself is checked for escaping without a browser."""

from __future__ import annotations

import html.parser
import io
import json
import re
from collections import Counter
from pathlib import Path

import jinja2
import material
import pypdf
import pytest

from conftest import ROOT, wait_until
from generator.content import load_guidelines
from test_browser import CALCULATOR_TIMEOUT_MS, GRADE_PAGE, PATHWAY_PAGE

pytestmark = pytest.mark.browser
OUTPUT = ROOT / "test-results" / "print"
DRAFT, RELEASE = "2025.1", "2024.1"
# Words of the calculator forms that must not reach paper: help texts, a legend, the buttons.
FORM_WORDS = {
    "grade": ["Leave empty if not done", "hot-spot count", "Classify", "Inputs", "Pitfalls"],
    "pathway": ["Course and spread", "Show options", "Choose the stage",
                "leave all unticked if none"],
}


def version_of(name: str):
    guideline = load_guidelines(ROOT / "content")[0]
    return next(v for v in guideline.all_versions() if v.version == name)


def recommendation_numbers(version) -> list[str]:
    return [rec.number for section in version.sections
            for part in (section, *section.subsections) for rec in part.recommendations]


def print_to_pdf(page, name: str) -> list[str]:
    """The page as Chromium prints it (A4, the page's own @page rules): the text of each
    sheet, spaces and line breaks made single. The PDF is kept to look at."""
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / f"{name}.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [" ".join(sheet.extract_text().split()) for sheet in reader.pages]


def open_printable(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def assert_every_sheet_is_labelled(sheets: list[str], *labels: str) -> None:
    assert len(sheets) > 1, "a page that prints on several sheets is needed to show this"
    for number, text in enumerate(sheets, start=1):
        for label in labels:
            assert label in text, f"sheet {number} of {len(sheets)} lacks “{label}”: {text[:300]}"
        assert f"Page {number} of {len(sheets)}" in text, f"sheet {number} has no page number"


# --- version, date and status on every sheet -------------------------------------------------

def test_every_printed_sheet_of_a_draft_page_names_version_date_and_draft(page, site_url):
    draft = version_of(DRAFT)
    open_printable(page, f"{site_url}/{DRAFT}/treatment/")
    sheets = print_to_pdf(page, "treatment-draft")
    assert_every_sheet_is_labelled(
        sheets, f"version {DRAFT}", f"content as of {draft.date}", "DRAFT, not published",
        "Treatment by setting")  # the page's title, at the foot of each sheet


def test_every_printed_sheet_of_a_published_release_names_its_publication(page, site_url):
    release = version_of(RELEASE)
    assert release.unreviewed  # the stamp this release carries for good
    open_printable(page, f"{site_url}/{RELEASE}/treatment/")
    sheets = print_to_pdf(page, "treatment-release")
    assert_every_sheet_is_labelled(
        sheets, f"version {RELEASE}", f"content as of {release.date}",
        f"Published {release.published}", "not clinically reviewed")


def test_chrome_stays_off_paper(page, site_url):
    open_printable(page, f"{site_url}/{DRAFT}/treatment/")
    text = " ".join(print_to_pdf(page, "treatment-chrome"))
    for word in ("Print the whole guideline", "Table of contents", "Search"):
        assert word not in text
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".nen-print-actions"):
        assert not page.locator(selector).first.is_visible(), selector


# --- the whole guideline on one page ---------------------------------------------------------

def test_the_print_page_holds_every_recommendation_and_the_references(page, site_url):
    draft = version_of(DRAFT)
    open_printable(page, f"{site_url}/{DRAFT}/print/")
    sheets = print_to_pdf(page, "whole-guideline")
    assert_every_sheet_is_labelled(sheets, f"version {DRAFT}", f"content as of {draft.date}",
                                   "DRAFT, not published")
    text = " ".join(sheets)
    missing = [number for number in recommendation_numbers(draft)
               if not re.search(rf"Recommendation {re.escape(number)}(?!\d)", text)]
    assert missing == []
    positions = [text.index(section.title) for section in draft.sections]
    assert positions == sorted(positions), "sections out of reading order"
    last = draft.references[-1]
    assert text.rindex("References") > positions[-1]
    assert last.title[:40] in text


class _Page(html.parser.HTMLParser):
    """Ids and links of a built page."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def built_page(built_site: Path, url: str) -> _Page:
    parsed = _Page()
    parsed.feed((built_site / url / "index.html").read_text(encoding="utf-8"))
    return parsed


def test_print_page_ids_are_unique_and_citations_stay_on_it(built_site):
    page = built_page(built_site, f"{DRAFT}/print")
    assert [i for i, n in Counter(page.ids).items() if n > 1] == []
    citations = [link for link in page.links if "ref-" in link]
    assert citations and all(link.startswith("#ref-") for link in citations)
    assert set(link[1:] for link in citations) <= set(page.ids)
    draft = version_of(DRAFT)
    rec_anchors = {rec.anchor for section in draft.sections
                   for part in (section, *section.subsections) for rec in part.recommendations}
    assert rec_anchors <= set(page.ids)  # print/#rec-x finds what treatment/#rec-x finds


def test_print_page_is_in_the_draft_menu_and_out_of_search(built_site):
    index = json.loads((built_site / DRAFT / "search" / "search_index.json").read_text("utf-8"))
    assert not [doc for doc in index["docs"] if doc["location"].startswith("print/")]
    assert any(doc["location"].startswith("treatment/") for doc in index["docs"])
    treatment = built_page(built_site, f"{DRAFT}/treatment")
    assert "../print/" in treatment.links
    # The published release is frozen: it keeps the pages it was published with.
    assert not (built_site / RELEASE / "print").exists()
    assert not [link for link in built_page(built_site, f"{RELEASE}/treatment").links
                if "print/" in link]


# --- the Print button --------------------------------------------------------------------------

def test_the_print_button_opens_the_print_dialog(page, site_url):
    open_printable(page, f"{site_url}/{DRAFT}/treatment/")
    # window.print() blocks a headless page; count the calls instead (evaluate is not
    # governed by the page's Content-Security-Policy).
    # (The trailing "0": Playwright would call a function that the expression ends with.)
    page.evaluate("window.nenPrinted = 0; window.print = () => { window.nenPrinted += 1; }; 0")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.nenPrinted") == 1
    link = page.get_by_role("link", name="Print the whole guideline")
    link.click()
    page.wait_for_url("**/2025.1/print/")
    assert page.get_by_role("button", name="Print").is_visible()
    assert page.get_by_role("link", name="Print the whole guideline").count() == 0


def test_the_release_has_a_print_button_and_no_link_to_a_missing_page(page, site_url):
    open_printable(page, f"{site_url}/{RELEASE}/treatment/")
    assert page.get_by_role("button", name="Print").is_visible()
    assert page.get_by_role("link", name="Print the whole guideline").count() == 0


# --- calculators print their answer ------------------------------------------------------------

def wait_for_answer(page, prefix: str) -> None:
    wait_until(page, f"(document.getElementById('{prefix}-result').dataset.answers || '0') "
                     "!== '0'", CALCULATOR_TIMEOUT_MS)


def test_a_grade_result_prints_as_a_summary_not_a_form(page, site_url):
    page.goto(site_url + GRADE_PAGE + "?site=pancreas&differentiation=well&ki67=5&mitoses=1")
    wait_for_answer(page, "grade")
    sheets = print_to_pdf(page, "grade-result")
    text = " ".join(sheets)
    assert len(sheets) == 1
    for expected in ("NET G2", "Based on: Primary site: Pancreas", "Ki-67 index: 5 %",
                     "Rule applied:", "Classification:", f"version {DRAFT}",
                     "DRAFT, not published", "Page 1 of 1"):
        assert expected in text
    assert re.search(r"\[1\] The 2019 WHO classification", text)  # a citation, with its title
    for word in FORM_WORDS["grade"] + ["Use this result in the treatment pathway",
                                       "Link to this result", "No result calculated"]:
        assert word not in text


def test_a_pathway_result_prints_as_a_summary_not_a_form(page, site_url):
    page.goto(site_url + PATHWAY_PAGE + "?category=NET+G2&site=small_intestine"
              "&stage=unresectable_metastatic&sstr=true&ki67=12")
    wait_for_answer(page, "pathway")
    sheets = print_to_pdf(page, "pathway-result")
    text = " ".join(sheets)
    for expected in (f"Options in guideline version {DRAFT}", "Based on: WHO category: NET G2",
                     "Stage: Unresectable or metastatic", "Recommendation", "Why:"):
        assert expected in text
    for word in FORM_WORDS["pathway"]:
        assert word not in text
    # The answer first, then the whole pathway as flowcharts, from a new sheet.
    charts = next(i for i, sheet in enumerate(sheets) if "The pathway as a flowchart" in sheet)
    assert charts > 0 and "Options in guideline version" not in sheets[charts]
    assert "Resect type 1 gastric NET larger than 10 mm endoscopically" in " ".join(
        sheets[charts:])


def test_a_calculator_without_an_answer_prints_that_there_is_none(page, site_url):
    open_printable(page, site_url + GRADE_PAGE)
    text = " ".join(print_to_pdf(page, "grade-empty"))
    assert "No result calculated." in text
    assert f"version {DRAFT}" in text
    for word in FORM_WORDS["grade"]:
        assert word not in text


# --- the margin text cannot break out of its style sheet ---------------------------------------

def test_margin_text_is_a_css_string_whatever_the_title_says():
    """The theme writes the release data into CSS strings: a quote, a backslash or a closing
    tag in a title stays text (rendered here as MkDocs renders themes: no autoescaping)."""
    theme = ROOT / "generator" / "theme"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(
        [str(theme), str(Path(material.__file__).parent / "templates")]))
    env.filters["url"] = lambda value: value
    hostile = 'NEN "x" \\ </style><script>alert(1)</script>'
    release = {"guideline_title": hostile, "version": "9.9", "date": "2025-01-01",
               "status": "draft", "published": None, "withdrawn": None, "unreviewed": False,
               "banner": None}
    page = type("Page", (), {"title": "A &amp; B", "url": "treatment/"})()
    nav = type("Nav", (), {"pages": [type("Page", (), {"url": "print/"})()]})()
    out = env.get_template("partials/nen-print.html").render(
        config={"extra": {"release": release}}, page=page, nav=nav, base_url="..")
    style = out[out.index("<style"):out.index("</style>")]
    assert "<script" not in style and "</" not in style
    assert r'content: "NEN \22 x\22  \5c  \3c /style>\3c script>alert(1)\3c /script>' in style
    assert 'content: "A & B"' in style  # the page title as text, its entities read
    assert out.count("</style>") == 1
