"""The guideline as frozen dataclasses, built from content that has passed validation."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator


@dataclass(frozen=True)
class Reference:
    id: str
    number: int
    authors: tuple[str, ...]
    et_al: bool
    title: str
    journal: str
    year: int | None
    kind: str
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    note: str | None = None
    pmcid: str | None = None

    @property
    def anchor(self) -> str:
        return "ref-" + self.id.lower()

    @property
    def title_recorded(self) -> bool:
        """False when the title is a description in square brackets: the source was read,
        but its exact title was not recorded."""
        return not (self.title.startswith("[") and self.title.endswith("]"))


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
    patient_intro: str | None = None  # the intro in plain language, for patients


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: str
    date: str


@dataclass(frozen=True)
class Review:
    """The clinical review of one page (section)."""

    status: str  # draft, under_review, approved
    reviewers: tuple[Reviewer, ...] = ()
    next_review_due: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Section(Subsection):
    subsections: tuple[Subsection, ...] = ()
    review: Review = Review("draft")

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
class QuestionPart:
    title: str
    recommendations: tuple[str, ...]  # ids; the page shows the recommendations themselves
    patient_text: str  # the same part in plain language


@dataclass(frozen=True)
class Question:
    """A question readers ask, answered by recommendations of the version: the page shows
    their words, so the answer cannot drift from them."""

    id: str
    question: str
    review: Review
    short_answer: tuple[str, ...]  # recommendation ids
    patient_short_answer: str
    parts: tuple[QuestionPart, ...]

    @property
    def recommendation_ids(self) -> tuple[str, ...]:
        """Every recommendation the answer shows, in order, each once."""
        ids = [*self.short_answer, *(rec for part in self.parts for rec in part.recommendations)]
        return tuple(dict.fromkeys(ids))


def version_key(version: str) -> tuple[int, ...]:
    """Versions in release order: 2024.1 < 2024.2 < 2024.2.1 (an erratum) < 2025.1."""
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Version:
    """A version read from its YAML: a draft, built from today's templates and code."""

    guideline: str
    version: str
    date: str  # the content reflects the evidence up to this day
    status: str  # always "draft": published versions are Release records
    summary: str
    sections: tuple[Section, ...]
    references: tuple[Reference, ...]
    notes: str | None = None
    corrects: str | None = None
    questions: tuple[Question, ...] = ()
    next_review_due: str | None = None
    # The grading rules exactly as validated: the calculator reads them as JSON.
    grading: dict[str, Any] = field(default_factory=dict, compare=False)
    # The pathway rules exactly as validated (pathway.yaml).
    pathway: dict[str, Any] = field(default_factory=dict, compare=False)
    folder: Path | None = field(default=None, compare=False)  # content/<guideline>/<version>

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
class Release:
    """A published or withdrawn version, as `nenguide release` froze it in its record folder
    (releases/<guideline>/<version>/): its pages, calculators and content are read from there,
    never re-made from today's YAML, templates or code."""

    guideline: str
    version: str
    status: str  # published, withdrawn
    date: str  # the content reflects the evidence up to this day
    published: str  # the day `nenguide release` published it
    unreviewed: bool  # published without clinical review: stamped on every page
    folder: Path
    notes: str | None = None
    corrects: str | None = None
    withdrawn: str | None = None  # the day it was withdrawn
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class Guideline:
    id: str
    title: str
    description: str
    disclaimer: str
    versions: tuple[Version, ...]  # drafts
    releases: tuple[Release, ...] = ()  # published and withdrawn versions
    site_url: str | None = None
    editors: tuple[Reviewer, ...] = ()  # name and role; date unused
    method: str | None = None
    licence: str | None = None
    feedback_email: str | None = None
    feedback_url: str | None = None
    # search.yaml: groups of words a reader may type for the same thing (the site's search)
    search_synonyms: tuple[tuple[str, ...], ...] = ()

    def all_versions(self) -> list[Version | Release]:
        """Every version, drafts and releases, oldest first."""
        return sorted((*self.versions, *self.releases), key=lambda v: version_key(v.version))

    def find(self, version: str) -> Version | Release | None:
        return next((v for v in self.all_versions() if v.version == version), None)

    @property
    def latest(self) -> Release | None:
        """The newest published release (never a draft, never a withdrawn one)."""
        published = [r for r in self.releases if r.status == "published"]
        return max(published, key=lambda r: version_key(r.version), default=None)

    @property
    def current(self) -> Version:
        """The newest draft: the content being worked on."""
        if not self.versions:
            raise LookupError(f"guideline {self.id} has no draft version")
        return max(self.versions, key=lambda v: version_key(v.version))

    def previous_release(self, version: str) -> Release | None:
        """The newest published release older than `version`: what its changes compare with."""
        older = [r for r in self.releases if r.status == "published"
                 and version_key(r.version) < version_key(version)]
        return max(older, key=lambda r: version_key(r.version), default=None)


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
        title=data["title"], journal=data["journal"], year=data.get("year"), kind=data["kind"],
        volume=data.get("volume"), issue=data.get("issue"), pages=data.get("pages"),
        doi=data.get("doi"), pmid=data.get("pmid"), note=data.get("note"),
        pmcid=data.get("pmcid"))


def build_review(data: dict[str, Any]) -> Review:
    return Review(status=data["status"],
                  reviewers=tuple(Reviewer(r["name"], r["role"], r["date"])
                                  for r in data.get("reviewers", [])),
                  next_review_due=data.get("next_review_due"), note=data.get("note"))


def build_section(data: dict[str, Any], number: int = 0) -> Section:
    """A section; `number` is its place in the reading order, which numbers its
    recommendations 3.1, 3.2, ... through its subsections in order (0: unnumbered)."""
    ordinals = itertools.count(1)
    return Section(
        review=build_review(data["review"]),
        id=data["id"], title=data["title"], intro=data.get("intro"),
        patient_intro=_patient_intro(data),
        generated_tables=tuple(data.get("generated_tables", [])), tables=_tables(data),
        recommendations=_recommendations(data, number, ordinals), points=_points(data),
        subsections=tuple(
            Subsection(id=sub["id"], title=sub["title"], intro=sub.get("intro"),
                       patient_intro=_patient_intro(sub),
                       generated_tables=tuple(sub.get("generated_tables", [])),
                       tables=_tables(sub),
                       recommendations=_recommendations(sub, number, ordinals),
                       points=_points(sub))
            for sub in data.get("subsections", [])))


def _patient_intro(data: dict[str, Any]) -> str | None:
    return data["patient_intro"]["text"] if "patient_intro" in data else None


def build_question(data: dict[str, Any]) -> Question:
    patient = data["patient"]
    return Question(
        id=data["id"], question=data["question"], review=build_review(data["review"]),
        short_answer=tuple(data["short_answer"]), patient_short_answer=patient["short_answer"],
        parts=tuple(QuestionPart(part["title"], tuple(part["recommendations"]), plain)
                    for part, plain in zip(data["parts"], patient["parts"])))


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
