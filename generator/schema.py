"""The content schema, declared once as data with a one-line doc per field.

The validator walks these declarations; the authors' field reference (docs/content-fields.md)
is generated from the same declarations, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ID_PATTERN = r"[a-z0-9]+(-[a-z0-9]+)*"
REFERENCE_ID_PATTERN = r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*"
# year.number, and .number again for an erratum; no leading zeros, so 2025.1 and 2025.01 cannot
# both exist
VERSION_PATTERN = r"\d{4}\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?"
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}"
# The characters Crossref DOIs use (its recommended pattern): nothing that can end an attribute
# or open a tag.
DOI_PATTERN = r"10\.\d{4,9}/[-._;()/:A-Za-z0-9]+"
PMID_PATTERN = r"[1-9]\d{0,8}"

# Section ids that would overwrite a page the build writes itself.
RESERVED_SECTION_IDS = ("index", "changes", "references", "disclaimer", "calculators", "assets",
                        "search", "404", "sitemap", "latest", "questions", "about", "print")

STRENGTHS = ("recommended", "suggested", "option", "not_recommended")
# trial: a randomised or prospective trial; study: an observational cohort, series or
# meta-analysis; review: a narrative review; guideline: a guideline, consensus or
# classification; label: a medicine's product information.
REFERENCE_KINDS = ("trial", "study", "review", "guideline", "label")
EVIDENCE = ("rct", "prospective", "retrospective", "guideline", "consensus")


@dataclass(frozen=True)
class Field:
    """One field: its kind (str, markdown, int, bool, list, object), doc and constraints."""

    kind: str  # str, markdown, int, number, bool, list, object, mapping (free keys)
    doc: str
    required: bool = True
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    pattern_hint: str = ""
    item: Field | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    min_items: int = 0
    minimum: float | None = None
    maximum: float | None = None


def text(doc: str, **options) -> Field:
    return Field("str", doc, **options)


def markdown(doc: str, **options) -> Field:
    return Field("markdown", doc, **options)


def integer(doc: str, **options) -> Field:
    return Field("int", doc, **options)


def boolean(doc: str, **options) -> Field:
    return Field("bool", doc, **options)


def list_of(item: Field, doc: str, **options) -> Field:
    return Field("list", doc, item=item, **options)


def obj(doc: str, required: bool = True, **fields: Field) -> Field:
    return Field("object", doc, required=required, fields=fields)


def _id(doc: str) -> Field:
    return text(doc, pattern=ID_PATTERN,
                pattern_hint="use lowercase letters, digits and single hyphens, e.g. nec-first-line")


def number(doc: str, **options) -> Field:
    return Field("number", doc, **options)


def _citations(doc: str = "reference ids that support this (at least one)") -> Field:
    return list_of(text("a reference id from references.yaml", pattern=REFERENCE_ID_PATTERN,
                        pattern_hint="use the reference's id, e.g. NETTER-1"), doc, min_items=1)


RECOMMENDATION = obj(
    "a recommendation: a cited, graded statement of what to do",
    id=_id("stable id, unique in the version; it becomes the URL anchor #rec-<id>"),
    text=markdown("the recommendation itself, one to three sentences"),
    strength=text("how strongly it is recommended", choices=STRENGTHS),
    evidence=text("the best evidence behind it", choices=EVIDENCE),
    citations=_citations(),
    rationale=markdown("key numbers from the evidence", required=False),
)

POINT = obj(
    "a cited statement that is not a recommendation: a fact, caveat or pitfall",
    text=markdown("the statement"),
    citations=_citations(),
)

TABLE = obj(
    "a table, e.g. a classification",
    id=_id("table id, unique in the version"),
    caption=text("what the table shows"),
    header=list_of(text("a column heading"), "column headings", min_items=1),
    rows=list_of(list_of(text("a cell; quote it"), "one row, as many cells as headings"),
                 "the rows", min_items=1),
    notes=markdown("text under the table", required=False),
    citations=_citations(),
)

# Tables drawn from grading.yaml at build time (generator/grading_tables.py).
GENERATED_TABLE_NAMES = ("grading-digestive", "grading-lung", "grading-boundaries")

# A plain-language version of a clinician text, for patients and families. `written_for` is
# the fingerprint of the clinician text it explains (generator.reader_views): when that text
# changes, `check` asks for the plain version to be reread, so the two cannot drift apart.
WRITTEN_FOR = text("the fingerprint `check` gives for the clinician text this explains; "
                   "when that text changes, reread and update the plain version, then copy "
                   "the new fingerprint", pattern=r"[0-9a-f]{8}",
                   pattern_hint="copy the 8-character fingerprint that `check` prints")

PATIENT_INTRO = obj(
    "the opening text in plain language, for patients and families: fresh sentences, the same "
    "facts and citations, a reading level `check` measures",
    required=False,
    text=markdown("the plain-language text"),
    written_for=WRITTEN_FOR,
)

_BLOCKS = dict(
    intro=markdown("opening text", required=False),
    patient_intro=PATIENT_INTRO,
    generated_tables=list_of(text("a table drawn from grading.yaml", choices=GENERATED_TABLE_NAMES),
                             "tables made from this version's grading rules, shown before "
                             "the other tables", required=False),
    tables=list_of(TABLE, "tables", required=False),
    recommendations=list_of(RECOMMENDATION, "recommendations", required=False),
    points=list_of(POINT, "cited statements", required=False),
)

SUBSECTION = obj(
    "a part of a section, with its own heading",
    id=_id("subsection id, unique in the file; it becomes the heading anchor"),
    title=text("heading"),
    **_BLOCKS,
)

REVIEW_STATUSES = ("draft", "under_review", "approved")

REVIEW = obj(
    "the clinical review of this page; never name a reviewer who has not signed off",
    status=text("draft, under_review, or approved (needs reviewers and next_review_due)",
                choices=REVIEW_STATUSES),
    reviewers=list_of(obj("a clinician who reviewed and signed off this page",
                          name=text("the reviewer's name as they sign"),
                          role=text("the reviewer's role, e.g. medical oncologist"),
                          date=text("the day they signed off, quoted", pattern=DATE_PATTERN,
                                    pattern_hint="write YYYY-MM-DD and quote it")),
                      "who signed off (required when approved)", required=False),
    next_review_due=text("when the page must be reviewed again, quoted", required=False,
                         pattern=DATE_PATTERN, pattern_hint="write YYYY-MM-DD and quote it"),
    note=text("one sentence about the review", required=False),
)

SECTION = obj(
    "one page of the guideline: content/<guideline>/<version>/<id>.yaml",
    id=_id("equals the file name without .yaml"),
    title=text("page title"),
    review=REVIEW,
    **_BLOCKS,
    subsections=list_of(SUBSECTION, "parts of the page", required=False),
)

REFERENCE = obj(
    "one reference",
    id=text("reference id used in citations", pattern=REFERENCE_ID_PATTERN,
            pattern_hint="use capitals, digits and hyphens, e.g. NETTER-1"),
    authors=list_of(text("an author, e.g. Nagtegaal ID"), "authors as listed (may be empty)"),
    et_al=boolean("true when the author list is cut short"),
    title=text("title of the article"),
    journal=text("journal name (or the publisher of a web guideline or a drug label)"),
    year=integer("year of publication; leave it out when it was not confirmed", minimum=1900,
                 maximum=2100, required=False),
    kind=text("what the source is; the evidence label of a recommendation must match the "
              "kind of its citations", choices=REFERENCE_KINDS),
    volume=text("volume", required=False),
    issue=text("issue", required=False),
    pages=text("pages or article number", required=False),
    doi=text("DOI, verified against the article", required=False, pattern=DOI_PATTERN,
             pattern_hint="write the bare DOI, e.g. 10.1111/his.13975"),
    pmid=text("PubMed id, verified", required=False, pattern=PMID_PATTERN,
              pattern_hint="write the digits only and quote them, e.g. \"30140036\""),
    pmcid=text("PubMed Central id, verified", required=False, pattern=r"PMC[1-9]\d{0,9}",
               pattern_hint="write PMC and the digits, e.g. PMC5637287"),
    note=text("a short note", required=False),
)

REFERENCES = obj(
    "content/<guideline>/<version>/references.yaml",
    references=list_of(REFERENCE, "every reference of the version", min_items=1),
)

RELEASE_STATUSES = ("draft", "published", "withdrawn")

RELEASE = obj(
    "content/<guideline>/<version>/release.yaml: what this version is",
    guideline=_id("the guideline id, equal to the folder name"),
    version=text("version, quoted, equal to the folder name", pattern=VERSION_PATTERN,
                 pattern_hint="write year.number (an erratum: year.number.number) and quote "
                              "it, e.g. \"2025.1\""),
    date=text("the date the content reflects: evidence considered up to this day, quoted",
              pattern=DATE_PATTERN,
              pattern_hint="write YYYY-MM-DD and quote it, e.g. \"2025-10-01\""),
    status=text("write draft; `nenguide release` publishes and `nenguide withdraw` withdraws",
                choices=RELEASE_STATUSES),
    corrects=text("an erratum: the published version it corrects, quoted", required=False,
                  pattern=VERSION_PATTERN, pattern_hint="quote the version, e.g. \"2025.1\""),
    notes=markdown("release notes: what this version changes, and for an erratum what it "
                   "corrects", required=False),
    summary=markdown("the direct answer shown first on the home page"),
    next_review_due=text("when this version is due to be reviewed again, quoted; leave it "
                         "out until the editors set it", required=False, pattern=DATE_PATTERN,
                         pattern_hint="write YYYY-MM-DD and quote it"),
    sections=list_of(_id("a section id"), "section ids in reading order", min_items=1),
)

def _bands(doc: str, maximum: float | None = None) -> Field:
    return obj(doc,
               g2_from=number("lowest G2 value; anything below is G1", minimum=0,
                              maximum=maximum),
               g2_to=number("highest G2 value (inclusive); anything above is G3", minimum=0,
                            maximum=maximum))


GRADING = obj(
    "content/<guideline>/<version>/grading.yaml: the WHO rules the grade calculator applies "
    "and the classification page shows",
    digestive=obj(
        "WHO rules for digestive sites and unknown primary",
        edition=text("the classification's name as results show it, e.g. WHO 2019 digestive"),
        citations=_citations(),
        ki67_percent=_bands("Ki-67 bands, in %", maximum=100),
        mitoses_per_2mm2=_bands("mitotic count bands, per 2 mm²"),
        net_g3_typical_ki67_below=number("descriptive: NET G3 above this Ki-67 gets a warning",
                                         minimum=0),
    ),
    lung=obj(
        "WHO rules for lung neuroendocrine neoplasms",
        edition=text("the classification's name as results show it, e.g. WHO 2021 thoracic"),
        citations=_citations(),
        typical_carcinoid_mitoses_below=number("typical carcinoid: fewer mitoses than this",
                                               minimum=0),
        atypical_carcinoid_mitoses_to=number("atypical carcinoid: up to and including this",
                                             minimum=0),
    ),
    minen=obj(
        "MiNEN definition",
        citations=_citations(),
        min_component_percent=number("each component at least this share, in %", minimum=0,
                                     maximum=50),
    ),
    interpretations=Field("mapping", "category -> one-sentence interpretation shown with the "
                          "result; every category needs one", item=text("the interpretation")),
    calculator_page=obj(
        "text of the grade calculator page",
        when_to_use=markdown("when to use the calculator"),
        pitfalls=list_of(POINT, "pitfalls shown on the calculator page", min_items=1),
    ),
)

_WHEN = Field("mapping", "input -> the values it must take (a list, null for not given); for "
              "a number a range {min, max, below, above, known: true} (an unknown number "
              "matches unless known is true); for treatments_given {any: [...], none: [...]}",
              item=Field("any", "a condition"))

PATHWAY = obj(
    "content/<guideline>/<version>/pathway.yaml: the treatment pathway rules",
    out_of_scope=list_of(obj("situations the pathway does not cover",
                             when=_WHEN, why=text("what to tell the reader instead")),
                         "situations answered with an explanation instead of options",
                         required=False),
    rules=list_of(obj(
        "one rule",
        id=_id("rule id, unique in the file"),
        when=_WHEN,
        offer=list_of(text("a recommendation id"), "recommendations offered", required=False),
        avoid=list_of(text("a not_recommended recommendation id"),
                      "recommendations advised against", required=False),
        why=text("why the rule applies, shown with its options"),
        note=text("a note shown when the rule applies", required=False),
        repeat=list_of(text("a treatment code"), "treatments this rule may offer again after "
                       "the disease progressed on them (PRRT retreatment)", required=False),
    ), "the rules, applied in order", min_items=1),
    treatments=Field("mapping", "treatment code -> how recommendations name it and what a "
                     "patient needs for it; the build checks every offered option against it",
                     item=obj("one treatment",
                              words=list_of(text("a word or phrase that names it"),
                                            "words naming it in a recommendation's text",
                                            min_items=1),
                              sites=list_of(text("a site"), "the only sites it is for",
                                            required=False),
                              needs=Field("mapping", "input -> the values a patient needs",
                                          required=False, item=Field("any", "allowed values")),
                              mentioned_only_in=list_of(text("a recommendation id"),
                                                        "recommendations that mention it "
                                                        "without offering it", required=False)),
                     required=False),
)

QUESTION = obj(
    "a clinical question answered from the version's recommendations",
    id=_id("question id, unique in the file; the page is questions/<id>/"),
    question=text("the question as a reader asks it"),
    review=REVIEW,
    short_answer=list_of(text("a recommendation id"), "the recommendations that answer the "
                         "question in brief, shown first", min_items=1),
    parts=list_of(obj("one part of the detailed answer",
                      title=text("heading of the part"),
                      recommendations=list_of(text("a recommendation id"),
                                              "the recommendations shown in this part",
                                              min_items=1)),
                  "the detailed answer, part by part", min_items=1),
    patient=obj("the answer in plain language, for patients and families",
                short_answer=markdown("the brief answer, cited"),
                parts=list_of(markdown("one part in plain words, cited"),
                              "one text per part of the detailed answer, in the same order",
                              min_items=1),
                written_for=WRITTEN_FOR),
)

QUESTIONS = obj(
    "content/<guideline>/<version>/questions.yaml (optional): questions readers ask, each "
    "answered by the version's own recommendations",
    questions=list_of(QUESTION, "the questions, in the order the Questions page lists them",
                      min_items=1),
)

FEEDBACK = obj(
    "where readers report an error or an outdated statement (one of email, url)",
    required=False,
    email=text("an address that reaches the editors", required=False,
               pattern=r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}",
               pattern_hint="write a plain address, e.g. editors@example.org"),
    url=text("a web page or form that reaches the editors", required=False,
             pattern=r"https?://[^\s<>\"']+", pattern_hint="write the full https:// address"),
)

GUIDELINE = obj(
    "content/<guideline>/guideline.yaml: what does not change between versions",
    id=_id("the guideline id, equal to the folder name"),
    title=text("guideline title"),
    site_url=text("the address the site is served from, e.g. https://guidelines.example.org/; "
                  "the sitemap and the version menu use it to keep a reader on the same page "
                  "(default: http://127.0.0.1:8000/, as `nenguide serve`)", required=False,
                  pattern=r"https?://\S+/", pattern_hint="write the full address with a "
                  "trailing slash, e.g. https://guidelines.example.org/"),
    description=text("one sentence: what it covers and for whom"),
    disclaimer=markdown("the disclaimer page"),
    editors=list_of(obj("an editor responsible for the guideline's content",
                        name=text("the editor's name as they sign"),
                        role=text("their role, e.g. medical oncologist")),
                    "the editors; leave it out until they are confirmed (the About page "
                    "then says they are not recorded)", required=False),
    method=markdown("how the guideline is written and reviewed, for the About page",
                    required=False),
    licence=text("the licence of the content, e.g. CC BY 4.0; leave it out until the "
                 "editors have chosen one (the footer then says it is not stated)",
                 required=False),
    feedback=FEEDBACK,
)

# Letters and digits, with single spaces, hyphens or apostrophes between them: what a reader
# types into the search box (generator/search_synonyms.py checks the groups, generator/search.py
# applies them to each version's search index).
SEARCH_WORD_PATTERN = r"[^\W_]+(?:[ '\-][^\W_]+)*"

SEARCH = obj(
    "content/<guideline>/search.yaml (optional): words readers search for that the guideline "
    "may write differently, for every version",
    synonyms=list_of(list_of(text("a word or phrase as a reader types it, e.g. 177Lu-DOTATATE",
                                  pattern=SEARCH_WORD_PATTERN,
                                  pattern_hint="use letters and digits, with single spaces or "
                                               "hyphens between them, e.g. 177Lu-DOTATATE"),
                             "words that mean the same to a reader: searching for any of them "
                             "finds the pages that use the others", min_items=2),
                     "groups of words that mean the same to a reader, each a list such as "
                     "[Ki67, Ki-67, MIB-1]; a word belongs to one group", min_items=1),
)


def _markdown_field_names(spec: Field) -> set[str]:
    names = set()
    for name, child in spec.fields.items():
        if child.kind == "markdown":
            names.add(name)
        names |= _markdown_field_names(child)
        if child.item is not None:
            names |= _markdown_field_names(child.item)
    return names


# Every field that may hold [@ID] citation marks: checked against references.yaml.
MARKDOWN_FIELDS = frozenset().union(*(_markdown_field_names(spec) for spec in (
    RELEASE, SECTION, GRADING, GUIDELINE, QUESTIONS)))
