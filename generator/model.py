"""The guideline as frozen dataclasses, built from content that has passed validation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass(frozen=True)
class Reference:
    id: str
    number: int
    authors: tuple[str, ...]
    et_al: bool
    title: str
    journal: str
    year: int
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    note: str | None = None

    @property
    def anchor(self) -> str:
        return "ref-" + self.id.lower()


@dataclass(frozen=True)
class Recommendation:
    id: str
    text: str
    strength: str
    evidence: str
    citations: tuple[str, ...]
    rationale: str | None = None
    # "3.12": the section's place in the reading order and the recommendation's place in the
    # section. What readers cite and see; the id stays the anchor, so links survive renumbering.
    number: str = ""

    @property
    def anchor(self) -> str:
        return "rec-" + self.id


@dataclass(frozen=True)
class Point:
    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    citations: tuple[str, ...]
    notes: str | None = None


@dataclass(frozen=True)
class Subsection:
    """A heading with its content blocks; a Section is one with subsections of its own."""

    id: str
    title: str
    intro: str | None
    generated_tables: tuple[str, ...]
    tables: tuple[Table, ...]
    recommendations: tuple[Recommendation, ...]
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Section(Subsection):
    subsections: tuple[Subsection, ...] = ()

    def all_recommendations(self) -> Iterator[Recommendation]:
        yield from self.recommendations
        for subsection in self.subsections:
            yield from subsection.recommendations


@dataclass(frozen=True)
class RecommendationPlace:
    """Where a recommendation is shown: its page (section id) and the heading above it."""

    recommendation: Recommendation
    page: str
    heading: str


@dataclass(frozen=True)
class Version:
    guideline: str
    version: str
    date: str
    status: str
    review_status: str
    review_note: str | None
    summary: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    # The grading rules exactly as validated: the calculator reads them as JSON.
    grading: dict[str, Any] = field(default_factory=dict, compare=False)
    # The pathway rules exactly as validated (pathway.yaml).
    pathway: dict[str, Any] = field(default_factory=dict, compare=False)

    def reference(self, reference_id: str) -> Reference:
        """The reference with this id (validation has made sure it exists)."""
        for ref in self.references:
            if ref.id == reference_id:
                return ref
        raise KeyError(f"version {self.version} has no reference '{reference_id}'")

    def recommendation_index(self) -> dict[str, RecommendationPlace]:
        """Recommendation id -> the recommendation and where it is shown."""
        return recommendation_index(self.sections)


@dataclass(frozen=True)
class Guideline:
    id: str
    title: str
    description: str
    disclaimer: str
    versions: tuple[Version, ...]

    @property
    def latest(self) -> Version:
        return self.versions[-1]


def recommendation_index(sections) -> dict[str, RecommendationPlace]:
    index = {}
    for section in sections:
        for rec in section.recommendations:
            index[rec.id] = RecommendationPlace(rec, section.id, section.title)
        for sub in section.subsections:
            for rec in sub.recommendations:
                index[rec.id] = RecommendationPlace(rec, section.id, sub.title)
    return index


def build_reference(data: dict[str, Any], number: int) -> Reference:
    return Reference(
        id=data["id"], number=number, authors=tuple(data["authors"]), et_al=data["et_al"],
        title=data["title"], journal=data["journal"], year=data["year"],
        volume=data.get("volume"), issue=data.get("issue"), pages=data.get("pages"),
        doi=data.get("doi"), pmid=data.get("pmid"), note=data.get("note"))


def build_section(data: dict[str, Any], number: int = 0) -> Section:
    """A section; `number` is its place in the reading order, which numbers its
    recommendations 3.1, 3.2, ... through its subsections in order (0: unnumbered)."""
    ordinals = itertools.count(1)
    return Section(
        id=data["id"], title=data["title"], intro=data.get("intro"),
        generated_tables=tuple(data.get("generated_tables", [])), tables=_tables(data),
        recommendations=_recommendations(data, number, ordinals), points=_points(data),
        subsections=tuple(
            Subsection(id=sub["id"], title=sub["title"], intro=sub.get("intro"),
                       generated_tables=tuple(sub.get("generated_tables", [])),
                       tables=_tables(sub),
                       recommendations=_recommendations(sub, number, ordinals),
                       points=_points(sub))
            for sub in data.get("subsections", [])))


def _tables(data: dict[str, Any]) -> tuple[Table, ...]:
    return tuple(Table(id=t["id"], caption=t["caption"], header=tuple(t["header"]),
                       rows=tuple(tuple(row) for row in t["rows"]),
                       citations=tuple(t["citations"]), notes=t.get("notes"))
                 for t in data.get("tables", []))


def _recommendations(data: dict[str, Any], section_number: int,
                     ordinals: Iterator[int]) -> tuple[Recommendation, ...]:
    return tuple(Recommendation(id=r["id"], text=r["text"], strength=r["strength"],
                                evidence=r["evidence"], citations=tuple(r["citations"]),
                                rationale=r.get("rationale"),
                                number=f"{section_number}.{next(ordinals)}" if section_number
                                else "")
                 for r in data.get("recommendations", []))


def _points(data: dict[str, Any]) -> tuple[Point, ...]:
    return tuple(Point(text=p["text"], citations=tuple(p["citations"]))
                 for p in data.get("points", []))
