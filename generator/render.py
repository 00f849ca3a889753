"""Render one guideline version into a plain MkDocs docs folder: {relative path: Markdown}.

Nothing here writes files or knows about MkDocs internals; build.py does the writing.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from calculators import grade, labels, pathway
from calculators.grade_inputs import SITES
from generator.flowchart import pathway_flowcharts
from generator.grading_tables import generated_tables
from generator.labels import EVIDENCE_LABELS, STRENGTH_LABELS, STRENGTH_MEANINGS
from generator.pathway_rules import compile_rules
from generator.pathway_space import consistent
from generator.model import Guideline, Question, Reference, Version
from generator.reader_views import READING_MEASURE, reading_grade
from generator.validate import CITATION_MARK

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_SITE_URL = "http://127.0.0.1:8000/"  # where `nenguide serve` serves the site

def render_version(guideline: Guideline, version: Version, *,
                   publication: dict | None = None, changes: dict | None = None,
                   integrity: dict | None = None) -> dict[str, str]:
    """Every page of one version, keyed by its path in the docs folder.

    `publication` is what `nenguide release` stamps ({"published", "unreviewed"}), None for a
    draft; `changes` is the comparison with the previous published release (releases/diff.py),
    None when there is none; `integrity` the checksums of the calculator files
    (build.calculator_integrity), carried by the calculator pages."""
    pages: dict[str, str] = {}
    generated = generated_tables(version)
    common = dict(guideline=guideline, generated=generated, publication=publication,
                  changes=changes, previous=changes["from"]["version"] if changes else None,
                  integrity=script_json(integrity or {}))
    for section in version.sections:
        pages[f"{section.id}.md"] = _render("section.md.j2", version, f"{section.id}.md",
                                            section=section, **common)
    extra = {
        "index.md": "index.md.j2",
        "changes.md": "changes.md.j2",
        "references.md": "references.md.j2",
        "disclaimer.md": "disclaimer.md.j2",
        "calculators/grade.md": "grade.md.j2",
        "calculators/pathway.md": "pathway.md.j2",
    }
    for path, template in extra.items():
        pages[path] = _render(template, version, path,
                              reference_index=_reference_index(version, path),
                              **_calculator_forms(version, path), **common)
    for question in version.questions:
        path = f"questions/{question.id}.md"
        pages[path] = _render("question.md.j2", version, path, question=question,
                              **_question_parts(version, question), **common)
    if version.questions:
        pages["questions/index.md"] = _render("questions.md.j2", version, "questions/index.md",
                                              **common)
    pages["about.md"] = _render("about.md.j2", version, "about.md",
                                about=about_facts(guideline, version), **common)
    pages[PRINT_PAGE] = _citations_within_page(_render("print.md.j2", version, PRINT_PAGE,
                                                       **common))
    return pages


# The whole guideline on one page, to print (drafts and releases published since it exists;
# an older release keeps the pages it was published with).
PRINT_PAGE = "print.md"


def _citations_within_page(markdown: str) -> str:
    """The print page holds the references itself: its citation links, written for the
    references page by _citation_links ("references.md#ref-x"), go to the same anchor on it."""
    return markdown.replace("](references.md#", "](#")


def _question_parts(version: Version, question: Question) -> dict:
    """A question's recommendations by id, with where each is shown, and its reading levels."""
    index = version.recommendation_index()
    texts = [question.patient_short_answer, *(part.patient_text for part in question.parts)]
    return {"places": {rec_id: index[rec_id] for rec_id in question.recommendation_ids},
            "reading_grade": max(reading_grade(text) for text in texts),
            "reading_measure": READING_MEASURE}


def about_facts(guideline: Guideline, version: Version) -> dict:
    """What the About page and the footer say of a version: who, how, when, how to cite."""
    reviews = [section.review for section in version.sections]
    reviews += [question.review for question in version.questions]
    return {
        "approved": sum(review.status == "approved" for review in reviews),
        "pages": len(reviews),
        "next_review_due": version.next_review_due,
        "citation": citation_text(guideline, version.version, version.date, None),
    }


def citation_text(guideline: Guideline, version: str, date: str, published: str | None) -> str:
    """How to cite a version: title, version, status and date, and its address."""
    address = f"{(guideline.site_url or DEFAULT_SITE_URL).rstrip('/')}/{version}/"
    status = f"published {published}" if published else "draft, not published"
    return (f"{guideline.title}. Version {version} ({status}; content as of {date}). "
            f"Available at: {address}")


def _calculator_forms(version: Version, page_path: str) -> dict:
    """What the calculator pages' forms and flowcharts need: the calculators' own labels for
    their fields and codes, and which grade results the pathway does not cover."""
    to_root = "../" * (page_path.count("/") + 1)  # from the built page to the version root
    form = {
        "sites": list(labels.SITE_LABELS.items()),
        "differentiations": list(labels.DIFFERENTIATION_LABELS.items()),
        "necrosis_options": list(labels.NECROSIS_LABELS.items()),
        "category_options": [(category, category) for category in grade.CATEGORIES],
        "stages": list(labels.STAGE_LABELS.items()),
        "syndromes": list(labels.SYNDROME_LABELS.items()),
        "uptakes": list(labels.SSTR_UPTAKE_LABELS.items()),
        "gastric_types": list(labels.GASTRIC_TYPE_LABELS.items()),
        "treatments": list(labels.TREATMENT_LABELS.items()),
        "ecog_levels": list(labels.ECOG_LABELS.items()),
        "field_labels": (labels.PATHWAY_FIELDS if page_path == "calculators/pathway.md"
                         else labels.GRADE_FIELDS),
        "grading_section": next((s for s in version.sections
                                 if "grading-digestive" in s.generated_tables
                                 or any("grading-digestive" in sub.generated_tables
                                        for sub in s.subsections)), None),
    }
    if page_path == "calculators/grade.md":
        form["pathway_scope"] = script_json(_pathway_scope(version))
    if page_path == "calculators/pathway.md":
        # The SVG is built with every text escaped (generator.flowchart): markup as it is.
        form["flowcharts"] = [dataclasses.replace(chart, svg=Markup(chart.svg))
                              for chart in pathway_flowcharts(version, to_root)]
    return form


def _pathway_scope(version: Version) -> dict[str, dict[str, str]]:
    """{category: {site: why}} for the grade results the pathway does not cover, as the
    pathway engine decides it, so the grade page offers no hand-off to a dead end."""
    rules = compile_rules(version)
    scope: dict[str, dict[str, str]] = {}
    for category in grade.CATEGORIES:
        for site in SITES:
            why = pathway.out_of_scope({"category": category, "site": site}, rules,
                                       pathway.SCOPE_FIELDS)
            if why is not None and consistent(category, site):
                scope.setdefault(category, {})[site] = why
    return scope


def script_json(data) -> Markup:
    """JSON to embed in a <script> element: <, > and & escaped, so no text in the data can end
    the element or open a comment that swallows the next script."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("&", "\\u0026"))


def _reference_index(version: Version, page_path: str) -> Markup:
    """Reference id -> number, title and URL, for the calculator pages' scripts.

    The URL is relative to the built HTML page: with directory URLs, a/b.md becomes a/b/.
    """
    to_root = "../" * (page_path.count("/") + 1)
    index = {ref.id: {"number": ref.number, "title": ref.title,
                      "url": f"{to_root}references/#{ref.anchor}"}
             for ref in version.references}
    return script_json(index)


def navigation(version: Version) -> list:
    """The MkDocs nav for a version: home, the sections in reading order, tools, references."""
    return [
        {"Home": "index.md"},
        # The theme prints nav titles unescaped, also inside attributes: escape them here.
        *({html.escape(section.title, quote=True): f"{section.id}.md"}
          for section in version.sections),
        # One tap from the menu on a phone: the calculators are not nested in a group.
        {"WHO grade calculator": "calculators/grade.md"},
        {"Treatment pathway calculator": "calculators/pathway.md"},
        *([{"Questions": [{"All questions": "questions/index.md"},
                          *({html.escape(q.question, quote=True): f"questions/{q.id}.md"}
                            for q in version.questions)]}] if version.questions else []),
        {"What changed": "changes.md"},
        {"References": "references.md"},
        {"Disclaimer": "disclaimer.md"},
        {"About": "about.md"},
        {"Whole guideline (print)": PRINT_PAGE},
    ]


def _render(template: str, version: Version, page_path: str, **context) -> str:
    prefix = "../" * page_path.count("/")
    env = _environment()
    env.filters["cite"] = lambda text: _cite_inline(text, version, prefix)
    env.globals["citations"] = lambda ids: _citation_links(ids, version, prefix)
    env.globals["page_prefix"] = prefix
    changes = context.get("changes")
    if changes:  # links into the version compared with, from <version>/changes/
        old = changes["from"]["version"]
        env.globals["old_link"] = lambda page, anchor, text: Markup(
            f'<a href="../../{escape(old)}/{escape(page)}/#{escape(anchor)}">{plain(text)}</a>')
        env.globals["answer"] = lambda answer, in_old: Markup(_pathway_answer(answer, in_old,
                                                                              old))
        env.globals["moved"] = lambda item: Markup(_pathway_moves(item, version.version, old))
    return env.get_template(template).render(version=version, **context).rstrip() + "\n"


def plain(value) -> Markup:
    """Text shown as written: citation marks as [ID], nothing read as Markdown or HTML."""
    text = CITATION_MARK.sub(lambda m: f"[{m.group(1)}]", str(value))
    text = html.escape(text, quote=False)  # text, never an attribute: quotes stay as typed
    return Markup(re.sub(r"([\\`*_\[\]#|~])", r"\\\1", " ".join(text.split())))


def _word_diff(parts) -> Markup:
    tags = {"-": "del", "+": "ins"}
    return Markup("".join(f"<{tags[op]}>{_plain_keep_spaces(text)}</{tags[op]}>" if op in tags
                   else _plain_keep_spaces(text) for op, text in parts).strip())


def _plain_keep_spaces(text: str) -> str:
    """plain() for a piece of a sentence: its spaces at either end are kept."""
    lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return (" " if lead else "") + plain(text) + (" " if trail and text.strip() else "")


def _pathway_moves(item: dict, new: str, old: str) -> str:
    """"2025.1 now offers Recommendation 3.19; no longer offers 3.14." (the gist of a change)"""
    parts = []
    for kind, verb in (("offers", "offers"), ("advises_against", "advises against")):
        added = ", ".join(f"[{o['number']}]({o['page']}.md#{o['anchor']})"
                          for o in item[kind]["added"])
        removed = ", ".join(f'<a href="../../{old}/{o["page"]}/#{o["anchor"]}">{o["number"]}</a>'
                            for o in item[kind]["removed"])
        if added:
            parts.append(f"now {verb} recommendation {added}")
        if removed:
            parts.append(f"no longer {verb} recommendation {removed} of {old}")
    if not parts:
        return "The answer changed."
    return f"Version {new} " + "; ".join(parts) + "."


def _pathway_answer(answer: dict, in_old: bool, old: str) -> str:
    """A pathway answer in a line: its options and what it advises against, linked."""
    if answer["kind"] == "error":
        return "no options: " + plain("; ".join(answer["errors"]))
    if answer["kind"] == "out_of_scope":
        return "not covered: " + plain(answer["why"])

    def link(option: dict) -> str:
        words = option["text"].split()
        gist = " ".join(words[:12]) + ("…" if len(words) > 12 else "")
        text = f"Recommendation {option['number']}"
        target = (f'<a href="../../{old}/{option["page"]}/#{option["anchor"]}">{text}</a>'
                  if in_old else f"[{text}]({option['page']}.md#{option['anchor']})")
        return f"{target} ({STRENGTH_LABELS[option['strength']]}: {plain(gist)})"

    shown = "; ".join(link(o) for o in answer["options"]) or "none"
    if answer["not_recommended"]:
        shown += "; advises against " + "; ".join(link(o) for o in answer["not_recommended"])
    return shown


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Every value is HTML-escaped unless a filter below built it as markup: content text
        # cannot open a tag or leave an attribute (generator.text_safety refuses it first).
        autoescape=True,
    )
    env.filters["reference_line"] = lambda ref: Markup(format_reference(ref))
    env.filters["plain"] = plain
    env.filters["word_diff"] = _word_diff
    env.filters["cell"] = _cell
    env.globals.update(strength_labels=STRENGTH_LABELS, strength_meanings=STRENGTH_MEANINGS,
                       evidence_labels=EVIDENCE_LABELS)
    return env


def _cell(text) -> Markup:
    """A table cell: escaped (unless already markup), on one line (a line break would end the
    row), with its pipes escaped."""
    text = text if isinstance(text, Markup) else escape(text)
    return Markup(" ".join(str(text).split()).replace("|", "\\|"))


def _citation_links(ids, version: Version, prefix: str) -> Markup:
    """Numbered links to the references page: [1][4]."""
    return Markup("".join(f"[[{version.reference(ref_id).number}]]"
                          f"({prefix}references.md#{version.reference(ref_id).anchor})"
                          for ref_id in ids))


def _cite_inline(text: str, version: Version, prefix: str) -> Markup:
    """Content Markdown, HTML-escaped, with its [@ID] marks turned into numbered links."""
    return Markup(CITATION_MARK.sub(lambda m: _citation_links([m.group(1)], version, prefix),
                                    str(escape(text.strip()))))


def format_reference(ref: Reference) -> str:
    """Vancouver-style reference line with DOI and PubMed links where known."""
    authors = ", ".join(str(escape(name)) for name in ref.authors)
    if ref.et_al:
        authors += ", et al" if authors else "et al"
    parts = [f"{authors}." if authors else "", _sentence(str(escape(ref.title))),
             f"*{escape(ref.journal)}*"]
    where = str(ref.year) if ref.year else "Year not confirmed"
    if ref.volume:
        where += f";{escape(ref.volume)}"
        if ref.issue:
            where += f"({escape(ref.issue)})"
    if ref.pages:
        where += f":{escape(ref.pages)}"
    parts.append(where + ".")
    if ref.note:
        parts.append(_sentence(str(escape(ref.note))))
    links = []
    if ref.doi:
        links.append(f"[doi:{ref.doi}](https://doi.org/{ref.doi})")
    if ref.pmid:
        links.append(f"[PubMed {ref.pmid}](https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/)")
    if ref.pmcid:
        links.append(f"[{ref.pmcid}](https://pmc.ncbi.nlm.nih.gov/articles/{ref.pmcid}/)")
    line = " ".join(part for part in parts if part)
    return line + (" " + " · ".join(links) if links else "")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if re.search(r"[.?!…]$", text) else text + "."
