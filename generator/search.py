"""Make a built version's search find what readers type.

Material for MkDocs writes search/search_index.json for each version: one entry per heading
with an id, searched with lunr in the reader's browser by a web worker. Right after MkDocs has
built a version, `improve_index` rewrites the index and the worker:

- references: the references page is one list under one heading, so every hit on it showed
  reference 1 as its snippet; each reference becomes an entry of its own, with its own text;
- flowcharts: the box labels of the pathway flowcharts read as run-together fragments. The
  template keeps them out (data-search-exclude); a release published before that keeps its
  frozen Markdown, so their entries are emptied here;
- long entries: the computed pathway comparison on the What changed page is hundreds of
  thousands of characters; whole, it made the worker take seconds per keystroke to highlight
  it. Entries are cut to MOST_TEXT characters;
- weights: pages that repeat other pages' words, and pages without sections, which Material's
  ranking puts above every section, weigh less (weigh_entries);
- synonyms: each entry gets fields that lunr searches and the page never shows, holding the
  words of search.yaml that stand for words of its title and of its text ("lutetium" where it
  says 177Lu-DOTATATE). The snippet a reader sees stays the page's own text;
- the worker runs assets/search-query.js before Material's own code: it replaces a query word
  that begins no word of the index by the indexed words one letter away ("etopside"), and asks
  for every part of a word written with a hyphen ("NETTER-2").

Search is chrome, like the theme: these changes reach published releases too; their words,
checked in the pages, do not change.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from generator.search_synonyms import SynonymGroups

INDEX = Path("search") / "search_index.json"
WORKERS = Path("assets") / "javascripts" / "workers"
QUERY_SCRIPT = "search-query.js"  # generator/assets/, copied to each version's assets/
REFERENCES_PAGE = "references/"
FLOWCHART_FRAME = "nen-flowchart-frame"

# An entry's text is cut after this many characters. Only the computed pathway comparison on
# the What changed page comes near: one line per patient situation answered differently.
MOST_TEXT = 20_000

# Material multiplies the score of a page's entry by 5 and of a section's by 2 (when every word
# of the query is found), to rank a page whose opening mentions a word above its sections.
PAGE_OVER_SECTION = 5 / 2

# Pages that repeat the words of the other pages, and the weight of their entries, so that for
# the same words the page that says them in full ranks first: the home page sums the guideline
# up; the What changed page quotes the changed passages twice (old and new) and lists the
# pathway situations answered differently, each naming a dozen sites and treatments.
REPEATING_PAGES = {"": 0.5, "changes/": 0.25}

# The searched, never shown fields that hold synonyms, each with its boost: a share of the
# boost of the field whose words they stand for (Material's title 1000, text 1). The share is
# below 1 / PAGE_OVER_SECTION, so that a section using the reader's own word ranks above a page
# using a synonym of it.
SYNONYM_SHARE = 0.3
SYNONYM_FIELDS = {"title": ("title_synonyms", 1000 * SYNONYM_SHARE),
                  "text": ("text_synonyms", 1 * SYNONYM_SHARE)}
# A synonym is repeated as often as the words it stands for occur, as far as this: lunr's
# scoring barely rises past a few occurrences.
MOST_REPEATS = 8


class SearchIndexError(Exception):
    """The built search files are not laid out as this module expects (a new Material)."""


def improve_index(site: Path, synonyms: SynonymGroups) -> None:
    """Rewrite the search index and the search worker of one built version folder."""
    index = json.loads((site / INDEX).read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    docs = split_references(index["docs"], _page_html(site, REFERENCES_PAGE))
    docs = weigh_entries(shorten_long_entries(empty_flowcharts(docs, site)))
    add_synonyms(docs, synonyms, separator)
    index["docs"] = docs
    for field, boost in SYNONYM_FIELDS.values():
        index["config"]["fields"][field] = {"boost": boost}
    # Compact, as Material writes it: the reader's browser downloads this file.
    (site / INDEX).write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                              encoding="utf-8")
    load_query_script_first(site)


# --- references -------------------------------------------------------------------------------
REFERENCE_ANCHOR = re.compile(r'<li><span id="([^"]+)"></span>')
LIST_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
ORDERED_LIST = re.compile(r"\s*<ol>.*</ol>", re.S)


def split_references(docs: list[dict], page_html: str) -> list[dict]:
    """The references page's entry without its list, followed by one entry per reference
    ("Reference 3", its text), located at the reference's anchor."""
    anchors = REFERENCE_ANCHOR.findall(page_html)
    position = next((i for i, doc in enumerate(docs) if doc["location"] == REFERENCES_PAGE), None)
    if position is None or not anchors:
        return docs
    page = docs[position]
    items = LIST_ITEM.findall(page["text"])
    if len(items) != len(anchors):
        raise SearchIndexError(f"the references page lists {len(anchors)} references, its "
                               f"search entry {len(items)}: see split_references")
    references = [{"location": f"{REFERENCES_PAGE}#{anchor}", "title": f"Reference {number}",
                   "text": text.strip()}
                  for number, (anchor, text) in enumerate(zip(anchors, items), start=1)]
    intro = {**page, "text": ORDERED_LIST.sub("", page["text"]).strip()}
    return [*docs[:position], intro, *references, *docs[position + 1:]]


# --- flowcharts -------------------------------------------------------------------------------
class _FlowchartHeadings(HTMLParser):
    """The ids of the headings whose section holds a flowchart."""

    def __init__(self) -> None:
        super().__init__()
        self.heading: str | None = None
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag) and attributes.get("id"):
            self.heading = attributes["id"]
        elif FLOWCHART_FRAME in (attributes.get("class") or "").split() and self.heading:
            self.ids.add(self.heading)


def empty_flowcharts(docs: list[dict], site: Path) -> list[dict]:
    """The entries of flowchart sections keep their heading and lose the chart's labels."""
    charts = set()
    for page in {doc["location"].partition("#")[0] for doc in docs}:
        html = _page_html(site, page)
        if FLOWCHART_FRAME in html:
            parser = _FlowchartHeadings()
            parser.feed(html)
            charts |= {f"{page}#{heading}" for heading in parser.ids}
    return [{**doc, "text": ""} if doc["location"] in charts else doc for doc in docs]


# --- long entries -----------------------------------------------------------------------------
def shorten_long_entries(docs: list[dict]) -> list[dict]:
    """Entries cut to MOST_TEXT characters, at the end of a list item where there is one."""
    return [{**doc, "text": _shortened(doc["text"])} if len(doc["text"]) > MOST_TEXT else doc
            for doc in docs]


def _shortened(text: str) -> str:
    item_end = text.rfind("</li>", 0, MOST_TEXT)
    end = item_end + len("</li>") if item_end > 0 else text.rfind(" ", 0, MOST_TEXT)
    return text[:end] if end > 0 else text[:MOST_TEXT]


# --- weights ----------------------------------------------------------------------------------
def weigh_entries(docs: list[dict]) -> list[dict]:
    """Entries with a document boost (lunr multiplies the entry's score by it) where Material's
    ranking misleads:

    - a page without headings is a single entry: the bonus for pages would rank all its text
      above every section of the site that says more about a word; it is weighted as a section;
    - the home page and the What changed page repeat the words of the other pages
      (REPEATING_PAGES).
    """
    sectioned = {doc["location"].partition("#")[0] for doc in docs if "#" in doc["location"]}
    weighed = []
    for doc in docs:
        page, _, section = doc["location"].partition("#")
        weight = 1 / PAGE_OVER_SECTION if not section and page not in sectioned else 1
        weight *= REPEATING_PAGES.get(page, 1)
        weighed.append({**doc, "boost": doc.get("boost", 1) * weight} if weight != 1 else doc)
    return weighed


# --- synonyms ---------------------------------------------------------------------------------
def add_synonyms(docs: list[dict], synonyms: SynonymGroups, separator: re.Pattern) -> None:
    """Give each entry whose title or text contains a word of a group the group's other
    words, in the synonym field of the title or of the text."""
    groups = [[_tokens(word, separator) for word in group] for group in synonyms]
    for doc in docs:
        for source, (field, _) in SYNONYM_FIELDS.items():
            words = synonym_text(_tokens(doc[source], separator), groups)
            if words:
                doc[field] = words


def synonym_text(tokens: list[str], groups: list[list[list[str]]]) -> str:
    """The words that stand for what `tokens` say: for each group with a word in them, the
    group's other words, as often as the group's words occur (at most MOST_REPEATS)."""
    places = _positions(tokens)
    found = []
    for group in groups:
        counts = [_occurrences(word, tokens, places) for word in group]
        repeats = min(sum(counts), MOST_REPEATS)
        for word, count in zip(group, counts):
            if repeats and not count:
                found += [" ".join(_as_found(word))] * repeats
    return " ".join(found)


def _tokens(text: str, separator: re.Pattern) -> list[str]:
    """Lowercase words, split as lunr splits them in the browser (the index's separator)."""
    return [token for token in separator.split(re.sub(r"<[^>]*>", " ", text).lower()) if token]


def _positions(tokens: list[str]) -> dict[str, list[int]]:
    places: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        places.setdefault(token, []).append(position)
    return places


def _occurrences(word: list[str], tokens: list[str], places: dict[str, list[int]]) -> int:
    """How often a word (one or more tokens) occurs; its last token also as a plural."""
    *head, last = word
    endings = {last, last + "s", last + "es"}
    starts = places.get(word[0], []) if head else \
        [p for ending in endings for p in places.get(ending, [])]
    return sum(1 for start in starts
               if tokens[start:start + len(head)] == head
               and start + len(head) < len(tokens) and tokens[start + len(head)] in endings)


def _as_found(word: list[str]) -> list[str]:
    """A word as stored for the search: ending in letters, in the plural. A query is matched on
    word beginnings, so "tumors" is found by a query for "tumor" and for "tumors"."""
    *head, last = word
    return [*head, last + "s"] if last.isalpha() and not last.endswith("s") else word


# --- the worker -------------------------------------------------------------------------------
def load_query_script_first(site: Path) -> None:
    """Material's worker file becomes a two-line worker that loads the site's query script,
    then Material's worker under a new name (its source map stays beside it). The page finds
    the worker where Material's configuration says; the script's message listener comes first."""
    workers = sorted(path for path in (site / WORKERS).glob("search.*.js")
                     if re.fullmatch(r"search\.[0-9a-f]+\.min\.js", path.name))
    if len(workers) != 1:
        raise SearchIndexError(f"expected one Material search worker in {site / WORKERS}, "
                               f"found {len(workers)}: see load_query_script_first")
    worker = workers[0]
    material = worker.with_name(f"material-{worker.name}")
    worker.rename(material)
    worker.write_text("// Material for MkDocs' search worker, after the site's query "
                      "corrections (generator/search.py).\n"
                      f'importScripts("../../{QUERY_SCRIPT}", "./{material.name}");\n',
                      encoding="utf-8")


def _page_html(site: Path, page: str) -> str:
    path = site / page / "index.html"
    return path.read_text(encoding="utf-8") if path.is_file() else ""
