"""Gather a content tree, validate all of it, and build the model.

Layout: content/<guideline>/guideline.yaml and content/<guideline>/<version>/ holding
release.yaml, references.yaml and one <section>.yaml per section named in release.yaml.
Everything is read and checked before anything is built; problems are collected, never raised
one at a time.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from calculators.grade import CATEGORIES
from generator import model, schema, search_synonyms
from generator.loader import FieldPath, LoadedFile, load_file
from generator.pathway_rules import PathwayCheck, ki67_limits
from generator.problems import ContentError, Problem
from generator.releases import lock, record
from generator.questions import check_patient_intros, check_questions
from generator.validate import (Reporter, check_review, check_shape, citation_marks,
                                did_you_mean)

RELEASE_FILE = "release.yaml"
REFERENCES_FILE = "references.yaml"
GRADING_FILE = "grading.yaml"
PATHWAY_FILE = "pathway.yaml"
QUESTIONS_FILE = "questions.yaml"  # optional
DATA_FILES = (RELEASE_FILE, REFERENCES_FILE, GRADING_FILE, PATHWAY_FILE, QUESTIONS_FILE)
GUIDELINE_FILE = "guideline.yaml"


@dataclass
class VersionFiles:
    folder: Path
    release: LoadedFile | None = None
    references: LoadedFile | None = None
    grading: LoadedFile | None = None
    pathway: LoadedFile | None = None
    questions: LoadedFile | None = None
    sections: dict[str, LoadedFile] = field(default_factory=dict)
    complete: bool = True
    # Every file that parsed, clean or not: citations are checked in all of them, so an author
    # sees unknown references in the same run as shape problems.
    parsed: list[LoadedFile] = field(default_factory=list)


def load_guidelines(content_root: Path, releases_root: Path | None = None
                    ) -> list[model.Guideline]:
    """Every guideline under `content_root`, validated. Raises ContentError with all problems.

    A version with a release record (releases/<guideline>/<version>/, beside content/) is a
    published release: its YAML is checked against the record's lock, not read again, so it
    stays valid whatever later changes the content schema."""
    problems: list[Problem] = []
    guidelines = []
    releases = releases_root or record.releases_root(content_root)
    links = [*symbolic_links(content_root), *symbolic_links(releases)]
    if links:  # nothing is read through a link: it could publish or print any file
        raise ContentError([Problem(_display(link), 1, "", "is a symbolic link; content and "
                                    "release records must be plain files and folders inside "
                                    "the tree (replace the link with the file itself)")
                            for link in links])
    folders = sorted(p for p in content_root.iterdir() if p.is_dir()) if content_root.is_dir() else []
    if not folders:
        raise ContentError([Problem(_display(content_root), 1, "", "no guideline folders found")])
    for extra in folders[1:]:  # the site, the CLI and releases serve one guideline
        problems.append(Problem(_display(extra), 1, "", f"a second guideline folder; a content "
                                                        f"folder holds one guideline "
                                                        f"({folders[0].name}): move {extra.name} "
                                                        "to a content folder of its own"))
    for folder in folders:
        guideline = _load_guideline(folder, releases / folder.name, problems)
        if guideline is not None:
            guidelines.append(guideline)
    if problems:
        raise ContentError(problems)
    return guidelines


def symbolic_links(root: Path) -> list[Path]:
    """Every symbolic link under root (root itself included), without following any."""
    if root.is_symlink():
        return [root]
    found = []
    for folder, subfolders, files in os.walk(root):  # os.walk does not follow links
        found += [Path(folder) / name for name in (*subfolders, *files)
                  if (Path(folder) / name).is_symlink()]
    return sorted(found)


def _load_guideline(folder: Path, records: Path,
                    problems: list[Problem]) -> model.Guideline | None:
    for stray in sorted(folder.glob("*.yml")):
        problems.append(Problem(_display(stray), 1, "", f"content files end in .yaml; rename "
                                                        f"it to {stray.stem}.yaml"))
    head, head_ok = _load_checked(folder / GUIDELINE_FILE, schema.GUIDELINE, problems)
    synonyms = _load_search_synonyms(folder, problems)
    versions, releases = [], []
    version_folders = sorted((p for p in folder.iterdir() if p.is_dir()), key=_version_key)
    if not version_folders:
        problems.append(Problem(_display(folder), 1, "", "no version folder (e.g. 2025.1/)"))
    for version_folder in version_folders:
        record_folder = records / version_folder.name
        if (record_folder / record.RECORD_FILE).is_file():
            release = _load_release(version_folder, record_folder, problems)
            if release is not None:
                releases.append(release)
            continue
        files = _load_version_files(version_folder, problems)
        if _check_version(folder.name, files, problems):
            versions.append(_build_version(files))
    known = {p.name for p in version_folders}
    for stray in sorted(records.iterdir() if records.is_dir() else []):
        if stray.is_dir() and stray.name not in known and not stray.name.startswith("."):
            problems.append(Problem(_display(stray), 1, "", f"a release record without "
                                    f"content: {_display(folder / stray.name)} is missing"))
    _check_errata(versions, releases, problems)
    if head is None or not head_ok:
        return None
    if head.data["id"] != folder.name:
        _reporter(head, problems).add(("id",), f"'{head.data['id']}' does not match the folder "
                                              f"name; write id: {folder.name}")
    if not versions and not releases:
        return None
    data = head.data
    feedback = data.get("feedback", {})
    if head_ok and "feedback" in data and not feedback:
        _reporter(head, problems).add(("feedback",), "give email or url (or leave feedback "
                                                     "out until the editors have one)")
        return None
    return model.Guideline(id=data["id"], title=data["title"], description=data["description"],
                           disclaimer=data["disclaimer"], versions=tuple(versions),
                           releases=tuple(releases), site_url=data.get("site_url"),
                           editors=tuple(model.Reviewer(e["name"], e["role"], "")
                                         for e in data.get("editors", [])),
                           method=data.get("method"), licence=data.get("licence"),
                           feedback_email=feedback.get("email"),
                           feedback_url=feedback.get("url"), search_synonyms=synonyms)


def _load_release(folder: Path, record_folder: Path,
                  problems: list[Problem]) -> model.Release | None:
    """A published release: its record, and its YAML checked against the record's lock."""
    try:
        data = record.read_record(record_folder)
        release = record.release_from(data, record_folder)
    except (OSError, ValueError, KeyError) as exc:
        problems.append(Problem(_display(record_folder / record.RECORD_FILE), 1, "",
                                f"cannot read the release record: {exc!r}"))
        return None
    start = len(problems)
    problems.extend(lock.check_lock(folder, data["content"], release.version, _display))
    for damage in record.damaged_files(record_folder, data):
        problems.append(Problem(_display(record_folder / record.RECORD_FILE), 1, "",
                                f"{damage}: a release record is written by `nenguide "
                                "release` only; restore it from version control"))
    line, status = status_line(folder / RELEASE_FILE)
    if status != release.status:
        problems.append(Problem(_display(folder / RELEASE_FILE), line, "status",
                                f"says {status or 'nothing'}, but version {release.version} was "
                                f"published on {release.published} and is {release.status} "
                                f"(see {_display(record_folder / record.RECORD_FILE)}); write "
                                f"status: {release.status}"))
    return release if len(problems) == start else None


def status_line(path: Path) -> tuple[int, str | None]:
    """The line of release.yaml's `status:` and the status written there."""
    loaded, _ = load_file(path, path.name)
    if loaded is None or not isinstance(loaded.data, dict):
        return 1, None
    return loaded.line_of(("status",)), loaded.data.get("status")


def _check_errata(versions: list[model.Version], releases: list[model.Release],
                  problems: list[Problem]) -> None:
    """An erratum names the published release it corrects, which must be older, and says in
    its notes what it corrects."""
    published = {r.version for r in releases if r.status in ("published", "withdrawn")}
    for version in versions:
        if version.corrects is None:
            continue
        path = version.folder / RELEASE_FILE
        if version.corrects not in published:
            line = _line(path, ("corrects",))
            problems.append(Problem(_display(path), line, "corrects",
                                    f"\"{version.corrects}\" is not a published release; an "
                                    "erratum corrects a published one"))
        elif model.version_key(version.corrects) >= model.version_key(version.version):
            problems.append(Problem(_display(path), _line(path, ("corrects",)), "corrects",
                                    f"an erratum comes after the release it corrects; "
                                    f"{version.version} is not newer than {version.corrects}"))
        if not version.notes:
            problems.append(Problem(_display(path), 1, "notes", "an erratum needs release "
                                    "notes that say what it corrects"))


def _line(path: Path, field_path: FieldPath) -> int:
    loaded, _ = load_file(path, path.name)
    return loaded.line_of(field_path) if loaded is not None else 1


def _load_version_files(folder: Path, problems: list[Problem]) -> VersionFiles:
    """Load and shape-check every file of a version. Only files with a clean shape are kept."""
    files = VersionFiles(folder)
    release, files.complete = _load_checked(folder / RELEASE_FILE, schema.RELEASE, problems)
    files.release = release if files.complete else None
    references, ok = _load_checked(folder / REFERENCES_FILE, schema.REFERENCES, problems)
    # With a broken reference list every citation would look unknown: check them only once
    # the list itself is clean.
    files.references = references if references is not None and references.shape_ok else None
    files.complete &= ok
    grading, ok = _load_checked(folder / GRADING_FILE, schema.GRADING, problems)
    files.grading = grading if ok else None
    files.complete &= ok
    pathway_file, ok = _load_checked(folder / PATHWAY_FILE, schema.PATHWAY, problems)
    files.pathway = pathway_file if ok else None
    files.complete &= ok
    if (folder / QUESTIONS_FILE).is_file():
        questions, ok = _load_checked(folder / QUESTIONS_FILE, schema.QUESTIONS, problems)
        files.questions = questions if ok else None
        files.complete &= ok
        files.parsed += [questions] if questions is not None else []
    files.parsed += [loaded for loaded in (release, grading) if loaded is not None]
    listed = release.data.get("sections") if release and isinstance(release.data, dict) else None
    if not isinstance(listed, list):
        return files
    for index, section_id in enumerate(listed):
        if not isinstance(section_id, str):
            continue  # the shape check has reported it
        path = folder / f"{section_id}.yaml"
        if section_id in schema.RESERVED_SECTION_IDS:
            files.complete = False
            _reporter(release, problems).add(
                ("sections", index), f"'{section_id}' is the name of a page the build writes "
                                     "itself; choose another section id (reserved: "
                                     f"{', '.join(schema.RESERVED_SECTION_IDS)})")
        elif section_id in files.sections:
            files.complete = False
            _reporter(release, problems).add(("sections", index),
                                             f"section '{section_id}' is listed twice")
        elif not path.is_file():
            files.complete = False
            _reporter(release, problems).add(
                ("sections", index), f"no file {section_id}.yaml in {_display(folder)}")
        else:
            loaded, ok = _load_checked(path, schema.SECTION, problems)
            files.complete &= ok
            if loaded is not None:
                files.parsed.append(loaded)
            if ok:
                files.sections[section_id] = loaded
    for stray in sorted(folder.glob("*.yml")):
        files.complete = False
        problems.append(Problem(_display(stray), 1, "", f"content files end in .yaml; rename "
                                                        f"it to {stray.stem}.yaml"))
    for stray in sorted(folder.glob("*.yaml")):
        if stray.stem not in listed and stray.name not in DATA_FILES:
            files.complete = False
            problems.append(Problem(_display(stray), 1, "",
                                    f"not listed in {RELEASE_FILE} sections; add "
                                    f"'{stray.stem}' there or remove the file"))
    return files


def _load_checked(path: Path, spec: schema.Field,
                  problems: list[Problem]) -> tuple[LoadedFile | None, bool]:
    """Load one file and check its shape. Returns the file (if it parsed) and whether it is clean."""
    if not path.is_file():
        problems.append(Problem(_display(path), 1, "", f"missing file ({spec.doc})"))
        return None, False
    loaded, load_problems = load_file(path, _display(path))
    problems.extend(load_problems)
    if loaded is None:
        return None, False
    start = len(problems)
    check_shape(loaded.data, spec, (), _reporter(loaded, problems))
    loaded.shape_ok = len(problems) == start
    return loaded, loaded.shape_ok and not load_problems



def _load_search_synonyms(folder: Path,
                          problems: list[Problem]) -> search_synonyms.SynonymGroups:
    """search.yaml, optional: the words readers search for (generator/search_synonyms.py)."""
    path = folder / search_synonyms.SEARCH_FILE
    if not path.is_file():
        return ()
    loaded, ok = _load_checked(path, schema.SEARCH, problems)
    groups = search_synonyms.synonym_groups(loaded, _reporter(loaded, problems)) if ok else None
    return groups or ()


def _check_version(guideline_id: str, files: VersionFiles, problems: list[Problem]) -> bool:
    """Checks that span files, on every file whose shape is clean. True when all is clean."""
    start = len(problems)
    release = files.release
    if release is not None:
        report = _reporter(release, problems)
        if release.data["guideline"] != guideline_id:
            report.add(("guideline",), f"'{release.data['guideline']}' does not match the "
                                       f"folder; write guideline: {guideline_id}")
        if release.data["version"] != files.folder.name:
            report.add(("version",), f"\"{release.data['version']}\" does not match the "
                                     f"folder name; write version: \"{files.folder.name}\"")
        if release.data["status"] != "draft":
            report.add(("status",), f"{release.data['status']}, but version "
                                    f"{files.folder.name} has no release record: only "
                                    f"`nenguide release {files.folder.name}` publishes a "
                                    "version (and `nenguide withdraw` withdraws one); write "
                                    "status: draft")
    if files.references is not None:
        reference_ids = _check_reference_ids(files.references, problems)
        for loaded in files.parsed:
            _check_citations(loaded, reference_ids, problems)
        kinds = {ref["id"]: ref.get("kind") for ref in files.references.data["references"]
                 if isinstance(ref, dict)} if files.references.shape_ok else {}
        for loaded in files.sections.values():
            _check_evidence(loaded, kinds, problems)
    if files.grading is not None:
        _check_grading(files.grading, problems)
    seen_recommendations: dict[str, str] = {}
    # Generated tables take their names as ids; authored tables must not reuse them.
    seen_tables = {name: "grading.yaml, as a generated table" for name in schema.GENERATED_TABLE_NAMES}
    for section_id, loaded in files.sections.items():
        if loaded.data["id"] != section_id:
            _reporter(loaded, problems).add(("id",), f"'{loaded.data['id']}' does not match the "
                                                     f"file name; write id: {section_id}")
        _check_unique(loaded, "recommendations", seen_recommendations, problems)
        _check_unique(loaded, "tables", seen_tables, problems)
        _check_subsections(loaded, problems)
        _check_review(loaded, problems)
    if files.complete and len(problems) == start:
        # Needs every recommendation, so only once the sections are clean.
        sections = [model.build_section(files.sections[s].data) for s in files.sections]
        recommendations = {rec_id: place.recommendation for rec_id, place in
                           model.recommendation_index(sections).items()}
        for loaded in files.sections.values():
            check_patient_intros(loaded, _reporter(loaded, problems))
        if files.questions is not None:
            check_questions(files.questions, recommendations,
                            _reporter(files.questions, problems))
        if files.pathway is not None:
            limits = ki67_limits(files.grading.data) if files.grading else {}
            PathwayCheck(files.pathway, recommendations, limits,
                         _reporter(files.pathway, problems)).run()
    return files.complete and len(problems) == start


def _check_grading(grading: LoadedFile, problems: list[Problem]) -> None:
    """Rules the schema cannot express: bands in order, an interpretation per category."""
    report = _reporter(grading, problems)
    data = grading.data
    for index in ("ki67_percent", "mitoses_per_2mm2"):
        bands = data["digestive"][index]
        if not bands["g2_from"] < bands["g2_to"]:
            report.add(("digestive", index, "g2_to"), f"must be above g2_from ({bands['g2_from']})")
    if not data["minen"]["min_component_percent"] > 0:
        report.add(("minen", "min_component_percent"), "must be above 0: a tumour without a "
                                                       "second component is not mixed")
    lung = data["lung"]
    if not 0 < lung["typical_carcinoid_mitoses_below"] <= lung["atypical_carcinoid_mitoses_to"]:
        report.add(("lung", "atypical_carcinoid_mitoses_to"),
                   "must not be below typical_carcinoid_mitoses_below, which must be above 0")
    interpretations = data["interpretations"]
    for category in interpretations:
        if category not in CATEGORIES:
            report.add(("interpretations", category), f"unknown category '{category}'"
                                                      f"{did_you_mean(category, CATEGORIES)}")
    missing = [category for category in CATEGORIES if category not in interpretations]
    if missing:
        report.add(("interpretations",), f"missing an interpretation for {', '.join(missing)}")


def _check_reference_ids(references: LoadedFile, problems: list[Problem]) -> list[str]:
    """The reference ids, read defensively: the file may have shape problems of its own."""
    report = _reporter(references, problems)
    ids: list[str] = []
    entries = references.data.get("references") if isinstance(references.data, dict) else None
    for index, ref in enumerate(entries if isinstance(entries, list) else []):
        ref_id = ref.get("id") if isinstance(ref, dict) else None
        if not isinstance(ref_id, str):
            continue
        if ref_id in ids:
            report.add(("references", index, "id"), f"duplicate reference id '{ref_id}'")
        ids.append(ref_id)
    return ids


def _check_citations(loaded: LoadedFile, known: list[str], problems: list[Problem]) -> None:
    report = _reporter(loaded, problems)
    for path, value in _walk(loaded.data, ()):
        if path and path[-2:-1] == ("citations",) and isinstance(value, str):
            cited = [value]
        elif path and path[-1] in schema.MARKDOWN_FIELDS and isinstance(value, str):
            cited = citation_marks(value)
        else:
            continue
        for reference_id in cited:
            if reference_id not in known:
                report.add(path, f"unknown reference '{reference_id}'"
                                 f"{did_you_mean(reference_id, known)}")


# The evidence label a recommendation shows -> the kinds of source that can carry it.
EVIDENCE_SOURCES = {"rct": ("trial",), "prospective": ("trial", "study"),
                    "retrospective": ("study", "review", "trial"),
                    "guideline": ("guideline", "label"), "consensus": ("guideline", "review")}


def _check_evidence(loaded: LoadedFile, kinds: dict[str, str], problems: list[Problem]) -> None:
    """A recommendation's evidence label is true of one of its citations: "Randomised trial"
    needs a trial among them, "Guideline statement" a guideline or a drug label."""
    report = _reporter(loaded, problems)
    for path, rec in _items(loaded.data, "recommendations"):
        cited = [kinds.get(ref) for ref in rec["citations"] if kinds.get(ref)]
        wanted = EVIDENCE_SOURCES[rec["evidence"]]
        if cited and not set(cited) & set(wanted):
            shown = ", ".join(f"{ref} ({kinds[ref]})" for ref in rec["citations"] if ref in kinds)
            report.add(path + ("evidence",), f"{rec['evidence']} needs a citation of kind "
                       f"{' or '.join(wanted)}; cited: {shown}; label the evidence by what "
                       "the citations are")


def _check_unique(loaded: LoadedFile, kind: str, seen: dict[str, str],
                  problems: list[Problem]) -> None:
    """Ids of recommendations and tables become URL anchors: unique across the version."""
    report = _reporter(loaded, problems)
    for path, item in _items(loaded.data, kind):
        where = f"{_display(loaded.path)}:{loaded.line_of(path + ('id',))}"
        if item["id"] in seen:
            report.add(path + ("id",), f"duplicate id '{item['id']}' (first used at "
                                       f"{seen[item['id']]}); ids must be unique in a version")
        else:
            seen[item["id"]] = where
        if kind == "tables":
            width = len(item["header"])
            for row_index, row in enumerate(item["rows"]):
                if len(row) != width:
                    report.add(path + ("rows", row_index),
                               f"has {len(row)} cells but the header has {width}")


def _check_review(loaded: LoadedFile, problems: list[Problem]) -> None:
    check_review(loaded.data["review"], ("review",), _reporter(loaded, problems))


def _check_subsections(loaded: LoadedFile, problems: list[Problem]) -> None:
    report = _reporter(loaded, problems)
    seen: set[str] = set()
    for index, sub in enumerate(loaded.data.get("subsections", [])):
        if sub["id"] in seen:
            report.add(("subsections", index, "id"), f"duplicate subsection id '{sub['id']}'")
        seen.add(sub["id"])


def _items(data: dict[str, Any], kind: str) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    for index, item in enumerate(data.get(kind, [])):
        yield (kind, index), item
    for sub_index, sub in enumerate(data.get("subsections", [])):
        for index, item in enumerate(sub.get(kind, [])):
            yield ("subsections", sub_index, kind, index), item


def _walk(value: Any, path: FieldPath) -> Iterator[tuple[FieldPath, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _walk(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, path + (index,))


def _build_version(files: VersionFiles) -> model.Version:
    assert files.release is not None and files.references is not None
    assert files.grading is not None and files.pathway is not None
    release = files.release.data
    references = tuple(model.build_reference(ref, number)
                       for number, ref in enumerate(files.references.data["references"], 1))
    return model.Version(
        guideline=release["guideline"], version=release["version"], date=release["date"],
        status=release["status"], summary=release["summary"],
        sections=tuple(model.build_section(files.sections[s].data, number)
                       for number, s in enumerate(release["sections"], 1)),
        references=references, notes=release.get("notes"), corrects=release.get("corrects"),
        next_review_due=release.get("next_review_due"),
        questions=tuple(model.build_question(q) for q in files.questions.data["questions"])
        if files.questions is not None else (),
        grading=files.grading.data, pathway=files.pathway.data, folder=files.folder)


def _reporter(loaded: LoadedFile, problems: list[Problem]) -> Reporter:
    return Reporter(loaded, _display(loaded.path), problems)


def _display(path: Path) -> str:
    """Paths in messages are relative to the working directory when possible. Links are not
    resolved: a message names the link, never where it points."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(os.path.abspath(Path.cwd())))
    except ValueError:
        return str(path)


def _version_key(folder: Path) -> tuple:
    """Version folders in release order; a misnamed one first (its release.yaml says so)."""
    parts = folder.name.split(".")
    if all(part.isdigit() for part in parts):
        return (1, model.version_key(folder.name), "")
    return (0, (), folder.name)
