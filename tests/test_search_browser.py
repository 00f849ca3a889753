"""Search on version 2025.1 as a reader uses it: typing into Material's search box in Chromium,
then reading the results the page shows.

The table says, for each query, the page that must come first and, where it matters, the entry
of that page that must come first (a section, or one reference). A page of the Questions (what
readers ask, answered by the recommendations) may rightly come before the guideline's own page:
such rows accept either.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import wait_until

VERSION = "2025.1"
SHOTS = Path(__file__).parent.parent / "test-results"

LUTETIUM_PAGES = ("questions/lutetium-dotatate/", "treatment/")
# query, the page (or pages) that must come first, the entry that must come first there
SEARCHES = [
    ("etoposide", "treatment/", None),
    ("etopside", "treatment/", None),                       # a letter left out
    ("lutetium", LUTETIUM_PAGES, None),                     # the site says 177Lu-DOTATATE
    ("Lu-177", LUTETIUM_PAGES, None),
    ("ki67", "treatment/", None),                           # the site says Ki-67
    ("Ki-67", "treatment/", None),
    ("MIB-1", "classification/", None),
    ("carcinoid", "treatment/", "#advanced-lung-carcinoid"),
    ("octreotide", ("treatment/", "questions/lutetium-dotatate/"), None),
    ("somatostatin analog", ("questions/lutetium-dotatate/", "treatment/"), None),
    ("CAPTEM", "treatment/", None),
    ("NETTER-2", "diagnosis/", None),
    ("CLARINET", "treatment/", "#advanced-net-ssa"),
    ("Rindi", "references/", "#ref-rindi2018"),             # an author: the reference itself
    ("Strosberg", "references/", "#ref-netter-1"),
    ("insulinoma", "treatment/", "#functional-syndromes"),
    ("gastrinoma", "treatment/", "#functional-syndromes"),
    ("appendix", "treatment/", None),
    ("rectal", "treatment/", "#resectable-disease"),
    ("MEN1", "diagnosis/", None),
    ("everolimus", "treatment/", None),
    ("sunitinib", "treatment/", None),
    ("tumor", ("questions/net-grading/", "treatment/"), None),  # US spelling
    ("grade calculator", "calculators/grade/", None),
    ("pNET", "treatment/", "#advanced-net-pancreas"),
    ("grading", "classification/", None),
    ("neuroendocrine carcinoma", ("questions/nec-treatment/", "treatment/"), None),
]
# Queries that must find what another query finds first: the synonym or the correct spelling.
SAME_FIRST_PAGE = [("etopside", "etoposide"), ("ki67", "Ki-67"), ("tumor", "tumour")]

READ_RESULTS = r"""() => [...document.querySelectorAll(".md-search-result__item")].map(item =>
  [...item.querySelectorAll("a.md-search-result__link")].map(link => {
    const article = link.querySelector("article");
    const shown = [...article.childNodes].filter(node => !(node.matches &&
      node.matches("h1, h2, nav, .md-search-result__icon, .md-search-result__terms")));
    return {url: link.href, title: article.querySelector("h1, h2").textContent,
            text: shown.map(node => node.textContent).join("").replace(/\s+/g, " ").trim(),
            missing: article.querySelector(".md-search-result__terms")?.textContent || ""};
  }))"""


class SearchBox:
    """Material's search box on one page, driven with the keyboard."""

    def __init__(self, page, site_url):
        self.page = page
        self.base = f"{site_url}/{VERSION}/"
        page.goto(self.base)
        self.box = page.get_by_role("textbox", name="Search")
        self.box.click()
        self._wait_for_meta("Type to start searching")  # the index is loaded

    def search(self, query: str) -> list[list[dict]]:
        """Type `query` into the emptied box; the results once they stop changing, grouped by
        page, each a list of {page, entry, title, text, missing}."""
        self.box.press("Control+a")
        self.box.press("Backspace")
        self._wait_for_meta("Type to start searching")
        self.box.press_sequentially(query)
        # Each keystroke is a query; the last one's results are those that stay.
        results, unchanged_since = None, time.monotonic()
        deadline = time.monotonic() + 30
        while time.monotonic() - unchanged_since < 1.0:
            assert time.monotonic() < deadline, f"the results for {query!r} keep changing"
            current = self.page.evaluate(READ_RESULTS)
            if current != results:
                results, unchanged_since = current, time.monotonic()
            time.sleep(0.1)
        return [[self._located(link) for link in group] for group in results]

    def _located(self, link: dict) -> dict:
        url = link["url"]
        assert url.startswith(self.base), url
        page, _, entry = url[len(self.base):].partition("#")
        return {**link, "page": page.split("?")[0], "entry": f"#{entry}" if entry else None}

    def _wait_for_meta(self, text: str) -> None:
        wait_until(self.page, "(text) => document.querySelector('.md-search-result__meta')"
                              ".textContent.includes(text)", arg=text)


@pytest.fixture
def search_box(page, site_url):
    return SearchBox(page, site_url)


def page_words(site_url: str, page: str) -> set[str]:
    with urllib.request.urlopen(f"{site_url}/{VERSION}/{page}") as answer:
        html = answer.read().decode("utf-8")
    return set(re.findall(r"\w+", re.sub(r"<[^>]*>", " ", html).lower()))


def test_the_table_of_searches(search_box, site_url):
    assert len(SEARCHES) >= 20
    first_pages, failures = {}, []
    for query, pages, entry in SEARCHES:
        groups = search_box.search(query)
        assert groups, f"{query!r} found nothing"
        first = groups[0]
        first_pages[query] = first[0]["page"]
        wanted = (pages,) if isinstance(pages, str) else pages
        if first[0]["page"] not in wanted:
            failures.append(f"{query!r}: first {first[0]['page']!r}, wanted {wanted}")
        sections = [link for link in first if link["entry"]]
        if entry and (not sections or sections[0]["entry"] != entry):
            failures.append(f"{query!r}: first entry "
                            f"{sections[0]['entry'] if sections else None!r}, wanted {entry!r}")
        # What a result shows is the page's own text, never the synonyms it was found by.
        words = page_words(site_url, first[0]["page"])
        for link in first[:2]:
            shown = set(re.findall(r"\w+", link["text"].lower()))
            assert shown <= words, f"{query!r}: {sorted(shown - words)} not on the page"
    assert failures == []
    for query, same_as in SAME_FIRST_PAGE:
        if same_as not in first_pages:
            first_pages[same_as] = search_box.search(same_as)[0][0]["page"]
        assert first_pages[query] == first_pages[same_as], (query, same_as)


def test_flowcharts_are_no_hits(search_box):
    for query in ("etoposide", "localized", "digestive"):
        links = [link for group in search_box.search(query) for link in group]
        assert links and not any("flowchart-" in (link["entry"] or "") and link["text"]
                                  for link in links), query


def test_a_corrected_typo_lists_no_missing_word(search_box):
    [article, *_] = search_box.search("etopside")[0]
    assert "etoposide" in article["url"]  # the word the page highlights
    assert all(not link["missing"] for group in search_box.search("etopside")
               for link in group)


def test_each_reference_shows_its_own_text(search_box):
    groups = search_box.search("Sorbye")
    [references] = [group for group in groups if group[0]["page"] == "references/"]
    shown = [link for link in references if link["entry"]]
    assert len(shown) >= 3
    assert len({link["entry"] for link in shown}) == len(shown)
    assert len({link["text"] for link in shown}) == len(shown)
    assert all("Sorbye H" in link["text"] for link in shown), shown
    SHOTS.mkdir(exist_ok=True)
    search_box.page.screenshot(path=str(SHOTS / "search-references.png"))


def test_a_synonym_finds_the_page_and_shows_its_words(search_box):
    groups = search_box.search("lutetium")
    assert any("177Lu-DOTATATE" in link["text"] or "PRRT" in link["text"]
               for link in groups[0])
    SHOTS.mkdir(exist_ok=True)
    search_box.page.screenshot(path=str(SHOTS / "search-lutetium.png"))


# --- the built indexes ------------------------------------------------------------------------
def built_index(site: Path, version: str) -> dict:
    return json.loads((site / version / "search" / "search_index.json").read_text("utf-8"))


@pytest.mark.parametrize("version", ["2024.1", VERSION])
def test_every_version_has_the_improved_index(built_site, version):
    """2025.1 from today's templates, 2024.1 from its frozen pages: both are chrome."""
    index = built_index(built_site, version)
    docs = {doc["location"]: doc for doc in index["docs"]}
    assert {"title_synonyms", "text_synonyms"} <= set(index["config"]["fields"])
    charts = [doc for location, doc in docs.items() if "#flowchart-" in location]
    assert charts and all(doc["text"] == "" for doc in charts)
    assert not any("unknownprimary" in doc["text"] for doc in docs.values())
    references = [doc for location, doc in docs.items() if location.startswith("references/#")]
    html = (built_site / version / "references" / "index.html").read_text("utf-8")
    assert len(references) == html.count('<li><span id="ref-') > 20
    assert all(len(doc["text"]) <= 20_000 for doc in docs.values())
    worker = next((built_site / version / "assets/javascripts/workers").glob("search.*.min.js"))
    assert "search-query.js" in worker.read_text("utf-8")
