"""Render one guideline version into a plain MkDocs docs folder: {relative path: Markdown}.

Nothing here writes files or knows about MkDocs internals; build.py does the writing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2

from calculators import grade, labels, pathway
from calculators.grade_inputs import SITES
from generator.flowchart import pathway_flowcharts
from generator.grading_tables import generated_tables
from generator.labels import EVIDENCE_LABELS, REVIEW_LABELS, STRENGTH_LABELS, STRENGTH_MEANINGS
from generator.pathway_rules import compile_rules, consistent
from generator.model import Guideline, Reference, Version
from generator.validate import CITATION_MARK

TEMPLATES = Path(__file__).parent / "templates"

def render_version(guideline: Guideline, version: Version) -> dict[str, str]:
    """Every page of one version, keyed by its path in the docs folder."""
    pages: dict[str, str] = {}
    generated = generated_tables(version)
    for section in version.sections:
        pages[f"{section.id}.md"] = _render("section.md.j2", version, f"{section.id}.md",
                                            guideline=guideline, section=section,
                                            generated=generated)
    extra = {
        "index.md": "index.md.j2",
        "references.md": "references.md.j2",
        "disclaimer.md": "disclaimer.md.j2",
        "calculators/grade.md": "grade.md.j2",
        "calculators/pathway.md": "pathway.md.j2",
    }
    for path, template in extra.items():
        pages[path] = _render(template, version, path, guideline=guideline, generated=generated,
                              reference_index=_reference_index(version, path),
                              **_calculator_forms(version, path))
    return pages


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
        form["flowcharts"] = pathway_flowcharts(version, to_root)
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


def script_json(data) -> str:
    """JSON to embed in a <script> element: <, > and & escaped, so no text in the data can end
    the element or open a comment that swallows the next script."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _reference_index(version: Version, page_path: str) -> str:
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
        *({section.title: f"{section.id}.md"} for section in version.sections),
        {"Calculators": [{"WHO grade": "calculators/grade.md"},
                         {"Treatment pathway": "calculators/pathway.md"}]},
        {"References": "references.md"},
        {"Disclaimer": "disclaimer.md"},
    ]


def _render(template: str, version: Version, page_path: str, **context) -> str:
    prefix = "../" * page_path.count("/")
    env = _environment()
    env.filters["cite"] = lambda text: _cite_inline(text, version, prefix)
    env.globals["citations"] = lambda ids: _citation_links(ids, version, prefix)
    env.globals["page_prefix"] = prefix
    return env.get_template(template).render(version=version, **context).rstrip() + "\n"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # the output is Markdown written by the editors, not HTML
    )
    env.filters["reference_line"] = format_reference
    # A line break would end the table row: cells stay on one line.
    env.filters["cell"] = lambda text: " ".join(text.split()).replace("|", "\\|")
    env.globals.update(strength_labels=STRENGTH_LABELS, strength_meanings=STRENGTH_MEANINGS,
                       evidence_labels=EVIDENCE_LABELS,
                       review_labels=REVIEW_LABELS)
    return env


def _citation_links(ids, version: Version, prefix: str) -> str:
    """Numbered links to the references page: [1][4]."""
    return "".join(f"[[{version.reference(ref_id).number}]]"
                   f"({prefix}references.md#{version.reference(ref_id).anchor})"
                   for ref_id in ids)


def _cite_inline(text: str, version: Version, prefix: str) -> str:
    """Turn [@ID] marks in Markdown into numbered links."""
    return CITATION_MARK.sub(lambda m: _citation_links([m.group(1)], version, prefix), text.strip())


def format_reference(ref: Reference) -> str:
    """Vancouver-style reference line with DOI and PubMed links where known."""
    authors = ", ".join(ref.authors)
    if ref.et_al:
        authors += ", et al" if authors else "et al"
    parts = [f"{authors}." if authors else "", f"{_sentence(ref.title)}", f"*{ref.journal}*"]
    where = str(ref.year)
    if ref.volume:
        where += f";{ref.volume}"
        if ref.issue:
            where += f"({ref.issue})"
    if ref.pages:
        where += f":{ref.pages}"
    parts.append(where + ".")
    if ref.note:
        parts.append(_sentence(ref.note))
    links = []
    if ref.doi:
        links.append(f"[doi:{ref.doi}](https://doi.org/{ref.doi})")
    if ref.pmid:
        links.append(f"[PubMed {ref.pmid}](https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/)")
    line = " ".join(part for part in parts if part)
    return line + (" " + " · ".join(links) if links else "")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if re.search(r"[.?!…]$", text) else text + "."
