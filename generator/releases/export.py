"""A version as data: site/<version>/guideline.json, for systems that would otherwise scrape
the HTML, and the form in which `nenguide diff` compares two versions.

The shape is described by generator/releases/guideline.schema.json (JSON Schema 2020-12),
published beside the versions as site/guideline.schema.json. A published release's export is
frozen in its record, so a later change of this module does not change an old release's data;
FORMAT names the shape and changes whenever the shape does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.model import Guideline, Reference, Version
from generator.pathway_rules import compile_rules

FORMAT = "nenguide-guideline/1"
SCHEMA_FILE = Path(__file__).with_name("guideline.schema.json")


def export_version(guideline: Guideline, version: Version,
                   publication: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a version says, as plain data. `publication` carries what `nenguide
    release` stamps (published, unreviewed); a draft has none."""
    publication = publication or {}
    return {
        "format": FORMAT,
        "guideline": {"id": guideline.id, "title": guideline.title,
                      "description": guideline.description},
        "release": {
            "version": version.version,
            "status": publication.get("status", "draft"),
            "date": version.date,
            "published": publication.get("published"),
            "unreviewed": publication.get("unreviewed", False),
            "corrects": version.corrects,
            "notes": version.notes,
        },
        "sections": [_section(section) for section in version.sections],
        "references": [_reference(ref) for ref in version.references],
        "grading": version.grading,
        "pathway": compile_rules(version),
    }


def _section(section) -> dict[str, Any]:
    review = section.review
    recommendations = []
    for part in (section, *section.subsections):
        heading = part.title
        for rec in part.recommendations:
            recommendations.append({
                "id": rec.id, "number": rec.number, "heading": heading,
                "text": rec.text, "strength": rec.strength, "evidence": rec.evidence,
                "citations": list(rec.citations), "rationale": rec.rationale,
                "anchor": rec.anchor})
    return {
        "id": section.id,
        "title": section.title,
        "review": {"status": review.status,
                   "reviewers": [{"name": r.name, "role": r.role, "date": r.date}
                                 for r in review.reviewers],
                   "next_review_due": review.next_review_due, "note": review.note},
        "recommendations": recommendations,
    }


def _reference(ref: Reference) -> dict[str, Any]:
    return {"id": ref.id, "number": ref.number, "authors": list(ref.authors),
            "et_al": ref.et_al, "title": ref.title, "journal": ref.journal, "year": ref.year,
            "kind": ref.kind, "volume": ref.volume, "issue": ref.issue, "pages": ref.pages,
            "doi": ref.doi, "pmid": ref.pmid, "pmcid": ref.pmcid, "note": ref.note,
            "anchor": ref.anchor}


def recommendations_of(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Recommendation id -> the recommendation, with the section it is on."""
    return {rec["id"]: {**rec, "section": section["id"]}
            for section in export["sections"] for rec in section["recommendations"]}
