"""Search: the synonyms file (exact errors), the changes made to a built search index, and the
query corrections that run in Material's search worker (under Node.js, as in the browser)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator import search
from generator.content import load_guidelines
from generator.problems import ContentError
from generator.search_synonyms import search_key

ROOT = Path(__file__).resolve().parent.parent
QUERY_SCRIPT = ROOT / "generator" / "assets" / search.QUERY_SCRIPT
NODE = shutil.which("node")
# How words are split: the separator of mkdocs.yml, as the built index carries it.
SEPARATOR = re.compile(next(
    plugin["search"]["separator"]
    for plugin in yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["plugins"]
    if isinstance(plugin, dict) and "search" in plugin))


# --- content/<guideline>/search.yaml ----------------------------------------------------------
HINT = ("is not valid: use letters and digits, with single spaces or hyphens between them, "
        "e.g. 177Lu-DOTATATE")
BAD_FILES = [
    ("synonym:\n  - [a, b]\n", [
        "content/nen/search.yaml:1: missing required field 'synonyms' (groups of words that "
        "mean the same to a reader, each a list such as [Ki67, Ki-67, MIB-1]; a word belongs "
        "to one group)",
        "content/nen/search.yaml:1: synonym: unknown field 'synonym' (did you mean "
        "'synonyms'?)"]),
    ("synonyms: []\n", [
        "content/nen/search.yaml:1: synonyms: needs at least 1 item(s): groups of words that "
        "mean the same to a reader, each a list such as [Ki67, Ki-67, MIB-1]; a word belongs "
        "to one group"]),
    ("synonyms:\n  - lutetium\n", [
        "content/nen/search.yaml:2: synonyms[0]: expected a list, got the string 'lutetium'"]),
    ("synonyms:\n  - [lutetium]\n", [
        "content/nen/search.yaml:2: synonyms[0]: needs at least 2 item(s): words that mean the "
        "same to a reader: searching for any of them finds the pages that use the others"]),
    ("synonyms:\n  - [Ki-67!, ki67]\n  - [\"a  b\", c]\n  - [\"-x\", y]\n", [
        f"content/nen/search.yaml:2: synonyms[0][0]: 'Ki-67!' {HINT}",
        f"content/nen/search.yaml:3: synonyms[1][0]: 'a  b' {HINT}",
        f"content/nen/search.yaml:4: synonyms[2][0]: '-x' {HINT}"]),
    ("synonyms:\n  - [5, five]\n", [
        "content/nen/search.yaml:2: synonyms[0][0]: expected a string, got 5 (a number) — "
        "quote it: \"5\""]),
    ("synonyms:\n  - [\"\", y]\n", [
        "content/nen/search.yaml:2: synonyms[0][0]: is empty; write a value or remove the "
        "field"]),
    ("synonyms:\n  - [carcinoid, NET]\n  - [pNET, pancreatic NET]\n"
     "  - [net, neuroendocrine tumour]\n", [
        "content/nen/search.yaml:4: synonyms[2][0]: 'net' is already in the group at line 2; "
        "a word belongs to one group: merge the two groups, or remove it from one"]),
    ("synonyms:\n  - [Ki-67, ki 67, Ki67]\n", [
        "content/nen/search.yaml:2: synonyms[0][1]: 'ki 67' is listed twice in this group"]),
]


def problems_with_search_file(content: Path, text: str) -> list[str]:
    (content / "nen" / "search.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_guidelines(content)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("text, expected", BAD_FILES)
def test_a_bad_synonyms_file_is_refused_at_its_line(content_copy, text, expected):
    assert problems_with_search_file(content_copy, text) == expected


def test_the_synonyms_file_is_optional_and_read_once_for_every_version(content_copy):
    [without] = load_guidelines(content_copy)
    assert without.search_synonyms == ()
    (content_copy / "nen" / "search.yaml").write_text(
        "synonyms:\n  - [tumour, tumor]\n  - [Ki67, Ki-67, MIB-1]\n", encoding="utf-8")
    [guideline] = load_guidelines(content_copy)
    assert guideline.search_synonyms == (("tumour", "tumor"), ("Ki67", "Ki-67", "MIB-1"))


def test_the_guideline_declares_the_words_readers_use():
    [guideline] = load_guidelines(ROOT / "content")
    group_of = {search_key(word): set(map(search_key, group))
                for group in guideline.search_synonyms for word in group}
    for words in (["lutetium", "Lu-177", "177Lu-DOTATATE", "PRRT", "radioligand"],
                  ["Ki67", "Ki-67", "MIB-1"],
                  ["carcinoid", "NET", "neuroendocrine tumour", "neuroendocrine tumor"],
                  ["SSA", "somatostatin analogue", "somatostatin analog", "octreotide",
                   "lanreotide"],
                  ["NEC", "neuroendocrine carcinoma"], ["tumour", "tumor"],
                  ["CAPTEM", "capecitabine temozolomide"], ["grade", "grading"],
                  ["pNET", "pancreatic NET"]):
        keys = set(map(search_key, words))
        assert keys <= group_of[search_key(words[0])], words


# --- the built index --------------------------------------------------------------------------
REFERENCES_HTML = ('<ol>\n<li><span id="ref-who2019"></span>Nagtegaal ID, et al. <em>The 2019 '
                   'WHO classification</em>.</li>\n<li><span id="ref-rindi2018"></span>Rindi G, '
                   'et al. A common framework.</li>\n</ol>')


def test_each_reference_becomes_an_entry_with_its_own_text():
    docs = [{"location": "", "title": "Home", "text": "x"},
            {"location": "references/", "title": "References",
             "text": "<p>Numbered as cited.</p> <ol> <li>Nagtegaal ID, et al. The 2019 WHO "
                     "classification.</li> <li>Rindi G, et al. A common framework.</li> </ol>"},
            {"location": "treatment/", "title": "Treatment", "text": "y"}]
    assert search.split_references(docs, REFERENCES_HTML) == [
        docs[0],
        {"location": "references/", "title": "References", "text": "<p>Numbered as cited.</p>"},
        {"location": "references/#ref-who2019", "title": "Reference 1",
         "text": "Nagtegaal ID, et al. The 2019 WHO classification."},
        {"location": "references/#ref-rindi2018", "title": "Reference 2",
         "text": "Rindi G, et al. A common framework."},
        docs[2]]


def test_references_that_do_not_pair_with_their_anchors_stop_the_build():
    docs = [{"location": "references/", "title": "References",
             "text": "<ol> <li>Nagtegaal ID, et al.</li> </ol>"}]
    with pytest.raises(search.SearchIndexError, match="lists 2 references, its search entry 1"):
        search.split_references(docs, REFERENCES_HTML)


def test_flowchart_sections_keep_their_heading_and_lose_their_labels(tmp_path):
    page = tmp_path / "calculators" / "pathway"
    page.mkdir(parents=True)
    (page / "index.html").write_text(
        '<h2 id="patient">Patient</h2><p>Form</p>'
        '<h3 id="flowchart-nec">NEC</h3><div class="nen-flowchart-frame"><svg><text>NEC'
        '(digestiveor unknownprimary)</text></svg></div>', encoding="utf-8")
    docs = [{"location": "calculators/pathway/#patient", "title": "Patient", "text": "Form"},
            {"location": "calculators/pathway/#flowchart-nec", "title": "NEC",
             "text": "NEC(digestiveor unknownprimary)"}]
    assert search.empty_flowcharts(docs, tmp_path) == [
        docs[0], {"location": "calculators/pathway/#flowchart-nec", "title": "NEC", "text": ""}]


def test_a_long_entry_is_cut_at_the_end_of_a_list_item():
    item = "<li>" + "situation " * 99 + "</li>"
    docs = [{"location": "changes/#treatment-pathway", "title": "Pathway",
             "text": "<ul>" + item * 100 + "</ul>"},
            {"location": "treatment/", "title": "Treatment", "text": "short"}]
    long, short = search.shorten_long_entries(docs)
    assert len(long["text"]) <= search.MOST_TEXT and long["text"].endswith("</li>")
    assert docs[0]["text"].startswith(long["text"]) and short == docs[1]


def test_weights_for_pages_that_mislead_the_ranking():
    docs = [{"location": "", "title": "Home", "text": ""},
            {"location": "#about", "title": "About", "text": ""},
            {"location": "diagnosis/", "title": "Diagnosis", "text": ""},
            {"location": "treatment/", "title": "Treatment", "text": ""},
            {"location": "treatment/#nec", "title": "NEC", "text": ""},
            {"location": "changes/", "title": "What changed", "text": ""},
            {"location": "changes/#added", "title": "Added", "text": ""}]
    weights = [doc.get("boost") for doc in search.weigh_entries(docs)]
    # Home sums up; a page without sections weighs as a section; What changed quotes.
    assert weights == [0.5, 0.5, 0.4, None, None, 0.25, 0.25]


def tokens(text: str) -> list[str]:
    return search._tokens(text, SEPARATOR)


GROUPS = [[tokens(word) for word in group] for group in (
    ("lutetium", "177Lu-DOTATATE", "PRRT"), ("tumour", "tumor"),
    ("carcinoid", "NET", "neuroendocrine tumour"), ("Ki67", "Ki-67", "MIB-1"))]


@pytest.mark.parametrize("text, words", [
    # The group's other words, stored in the plural (a query matches word beginnings).
    ("Consider 177Lu-DOTATATE.", "lutetiums prrts"),
    # A phrase is found whole, its last word also in the plural; case does not count.
    ("Neuroendocrine Tumours of the small bowel", "tumors carcinoids nets"),
    ("neuroendocrine markers in a tumour", "tumors"),
    # A word the text has already is not repeated; numbers stay as they are.
    ("Ki-67 (MIB-1)", "ki67 ki67"),
    # As often as the group's words occur, at most MOST_REPEATS (8) times.
    ("PRRT, PRRT and PRRT", "lutetiums " * 3 + "177lu dotatates " * 3),
    ("NET " * 20, ("carcinoids " * 8) + ("neuroendocrine tumours " * 8)),
    ("networks and nettle", ""),
])
def test_synonyms_stand_for_the_words_of_the_text(text, words):
    assert search.MOST_REPEATS == 8
    assert search.synonym_text(tokens(text), GROUPS).split() == words.split()


def test_synonyms_go_to_the_field_of_the_title_or_of_the_text():
    docs = [{"location": "treatment/#prrt", "title": "First-line PRRT", "text": "Give it."},
            {"location": "x/", "title": "Other", "text": "A neuroendocrine tumor."}]
    search.add_synonyms(docs, (("lutetium", "PRRT"), ("tumour", "tumor")), SEPARATOR)
    assert docs == [
        {"location": "treatment/#prrt", "title": "First-line PRRT", "text": "Give it.",
         "title_synonyms": "lutetiums"},
        {"location": "x/", "title": "Other", "text": "A neuroendocrine tumor.",
         "text_synonyms": "tumours"}]


def test_the_worker_loads_the_query_script_then_material(tmp_path):
    workers = tmp_path / search.WORKERS
    workers.mkdir(parents=True)
    (workers / "search.a7633da7.min.js").write_text("material();\n", encoding="utf-8")
    (workers / "search.a7633da7.min.js.map").write_text("{}", encoding="utf-8")
    search.load_query_script_first(tmp_path)
    assert (workers / "material-search.a7633da7.min.js").read_text() == "material();\n"
    assert (workers / "search.a7633da7.min.js").read_text().splitlines()[-1] == (
        'importScripts("../../search-query.js", "./material-search.a7633da7.min.js");')


def test_a_missing_worker_stops_the_build(tmp_path):
    (tmp_path / search.WORKERS).mkdir(parents=True)
    with pytest.raises(search.SearchIndexError, match="expected one Material search worker"):
        search.load_query_script_first(tmp_path)


# --- the query script, in Node.js -------------------------------------------------------------
RUNNER = r"""
const fs = require("fs"), vm = require("vm");
const { script, docs, separator, queries, pairs } = JSON.parse(fs.readFileSync(0, "utf8"));
const listeners = [];
const scope = { importScripts() {}, addEventListener: (type, fn) => listeners.push(fn) };
scope.self = scope;
vm.runInNewContext(script, scope);
const search = scope.nenguideSearch;
const vocabulary = new search.Vocabulary(docs, separator);
// As in the worker: the listener learns the index, then rewrites a query message in place.
const setup = { type: 0, data: { config: { separator }, docs } };
const query = { type: 2, data: "etopside" };
for (const message of [setup, query]) listeners.forEach((fn) => fn({ data: message }));
console.log(JSON.stringify({
  queries: queries.map((q) => search.correctQuery(q, vocabulary)),
  pairs: pairs.map(([a, b]) => search.withinOneEdit(a, b)),
  message: query.data,
  listeners: listeners.length,
}));
"""

DOCS = [{"location": "treatment/", "title": "Treatment by setting",
         "text": "<p>Give platinum-etoposide; etoposide again. Everolimus, everolimus.</p>"},
        {"location": "treatment/#nec", "title": "Advanced NEC",
         "text": "NETTER-2 enrolled grade 2 tumours; 177Lu-DOTATATE.",
         "text_synonyms": "lutetiums"}]
QUERIES = {
    "etopside": "etoposide",              # a letter left out
    "etoposdie": "etoposide",             # two letters swapped
    "everolimsu": "everolimus",
    "lutetum": "lutetiums",               # a synonym is a word of the index too (plural)
    "etoposide": "etoposide",             # found: left as typed
    "etopo": "etopo",                     # the beginning of a word: the reader is typing
    "grae": "grae",                       # too short to guess
    "xylophone": "xylophone",             # nothing one letter away: no results, as typed
    "etopside~2": "etopside~2",           # lunr's syntax is the reader's own
    "+etopside": "+etopside",
    "NETTER-2": "+netter +2",             # every part, numbers whole
    "177Lu-DOTA": "+177lu +dota*",        # the last part may still be typed
    "platinum-etopside": "+platinum +etoposide*",
    "tumours etopside": "tumours etoposide",
}
EDITS = [("etoposide", "etopside", True), ("etoposide", "etoposidex", True),
         ("etoposide", "etoposdie", True), ("etoposide", "etopsoide", True),
         ("etoposide", "etoposide", True), ("etoposide", "etopsdie", False),
         ("grade", "grace", True), ("grade", "trades", False), ("ab", "ba", True)]


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
def test_query_corrections_in_the_worker():
    given = {"script": QUERY_SCRIPT.read_text(encoding="utf-8"), "docs": DOCS,
             "separator": SEPARATOR.pattern, "queries": list(QUERIES),
             "pairs": [[a, b] for a, b, _ in EDITS]}
    finished = subprocess.run([NODE, "-e", RUNNER], input=json.dumps(given), text=True,
                              capture_output=True, timeout=60, check=True)
    result = json.loads(finished.stdout)
    assert dict(zip(QUERIES, result["queries"])) == QUERIES
    assert result["pairs"] == [expected for _, _, expected in EDITS]
    assert result["listeners"] == 1 and result["message"] == "etoposide"
