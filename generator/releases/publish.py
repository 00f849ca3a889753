"""The only ways a version's status changes: `nenguide release`, `withdraw` and `erratum`.

release:  a valid, clinically approved draft (or, with --unreviewed, any valid draft, stamped
          "Not clinically reviewed" for good) is frozen in its record folder, and its
          release.yaml says published.
withdraw: a published release stays readable, with the reason on every page, and stops being
          the latest.
erratum:  a new draft version that copies a release and says which release it corrects.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from generator import build, content, render, runtime
from generator.loader import load_file
from generator.model import Guideline, Release, Version, version_key
from generator.releases import lock, record, texts
from generator.releases.diff import patient_space, patients_to_ask
from generator.releases.sources import engine_for, export_of
from generator.grading_tables import boundary_cases

CASE_SAMPLE = 20  # one pathway patient in this many is recorded as a case


class ReleaseRefused(Exception):
    """The version cannot change status now; every reason is listed."""

    def __init__(self, action: str, reasons: list[str]):
        self.action = action
        self.reasons = reasons
        super().__init__(action)

    def report(self) -> str:
        count = len(self.reasons)
        return "\n".join([*self.reasons, f"{count} {'reason' if count == 1 else 'reasons'}; "
                                         f"{self.action}."])


# --- release ------------------------------------------------------------------------------------
def release(content_root: Path, version: str, *, unreviewed: bool, today: str) -> Release:
    """Publish a draft: check, freeze, and mark it published. Raises ContentError (invalid
    content, every problem listed) or ReleaseRefused (every reason listed)."""
    guideline = _guideline(content_root)
    target = guideline.find(version)
    refused = f"version {version} was not published"
    if not isinstance(target, Version):
        raise ReleaseRefused(refused, [_not_a_draft(guideline, version, target)])
    reasons = []
    newer = [r.version for r in guideline.releases
             if version_key(r.version) >= version_key(version)]
    if newer:
        reasons.append(f"version {', '.join(newer)} is already published: a release must be "
                       f"newer than every published one (an erratum gets a version such as "
                       f"{newer[0]}.1; `nenguide erratum {newer[0]}` starts it)")
    if target.date > today:
        reasons.append(f"{_where(target, 'release.yaml', ('date',))}: date: {target.date} is "
                       f"after the publication date {today}")
    if not unreviewed:
        reasons += _review_reasons(target, today)
    if not (guideline.feedback_email or guideline.feedback_url):
        reasons.append("guideline.yaml: feedback: a published release tells its readers where "
                       "to report an error; add feedback: {email: ...} or {url: ...}")
    if reasons:
        raise ReleaseRefused(refused, reasons)
    publication = {"status": "published", "published": today, "unreviewed": unreviewed}
    folder = record.record_folder(content_root, guideline.id, version)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".nenguide-release-", dir=folder.parent) as tmp:
        staging = Path(tmp) / version
        _freeze(guideline, target, publication, staging, Path(tmp) / "work")
        staging.rename(folder)
    _set_line(target.folder / lock.RELEASE_FILE, "status", "published")
    return record.release_from(record.read_record(folder), folder)


def _review_reasons(version: Version, today: str) -> list[str]:
    reasons = []
    for section in version.sections:
        review, name = section.review, f"{section.id}.yaml"
        if review.status != "approved":
            reasons.append(f"{_where(version, name, ('review', 'status'))}: review.status: "
                           f"{review.status}: no clinical reviewer has approved this page "
                           "(to publish without review, use --unreviewed: every page of the "
                           "release then says \"Not clinically reviewed\", for good)")
        elif review.next_review_due and review.next_review_due <= today:
            reasons.append(f"{_where(version, name, ('review', 'next_review_due'))}: "
                           f"review.next_review_due: {review.next_review_due} has passed: "
                           "review the page again before publishing it")
    for index, question in enumerate(version.questions):
        if question.review.status != "approved":
            where = _where(version, "questions.yaml", ("questions", index, "review", "status"))
            reasons.append(f"{where}: questions[{index}].review.status: "
                           f"{question.review.status}: no clinical reviewer has approved this "
                           "answer (to publish without review, use --unreviewed)")
    return reasons


def _freeze(guideline: Guideline, version: Version, publication: dict[str, Any],
            staging: Path, work: Path) -> None:
    """Write the record folder: words, calculators, data, the words as built, cases, lock."""
    docs = work / "docs"
    build.write_draft_docs(guideline, version, docs, publication)
    staging.mkdir(parents=True)
    shutil.move(str(docs / "assets" / "calc"), staging / record.CALC)
    (staging / record.CALC / "pyodide-lock.json").unlink()  # follows the runtime at each build
    for snapshot in (staging / record.CALC).glob(runtime.SNAPSHOT_GLOB):
        snapshot.unlink()  # made from the runtime at each build too
    shutil.rmtree(docs / "assets")  # the theme's assets stay chrome: today's at each build
    shutil.move(str(docs / record.EXPORT), staging / record.EXPORT)
    shutil.move(str(docs), staging / record.DOCS)
    data = {
        "record_format": record.RECORD_FORMAT, "guideline": guideline.id,
        "version": version.version, "status": "published", "date": version.date,
        "published": publication["published"], "unreviewed": publication["unreviewed"],
        "notes": version.notes, "corrects": version.corrects, "withdrawn": None,
        "nav": render.navigation(version), "content": lock.content_lock(version.folder),
    }
    record.write_record(staging, {**data, "files": {}})
    frozen = record.release_from(data, staging)
    built = work / "site"
    build.build_version(guideline, frozen, work / "src", built, build.DEFAULT_SITE_URL)
    (staging / record.TEXTS).write_text(json.dumps(texts.site_texts(built), indent=1,
                                                   sort_keys=True, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    (staging / record.CASES).write_text("".join(json.dumps(case, sort_keys=True) + "\n"
                                                for case in recorded_cases(guideline, frozen)),
                                        encoding="utf-8")
    record.write_record(staging, {**data, "files": record.file_hashes(staging)})


def recorded_cases(guideline: Guideline, release: Release) -> list[dict[str, Any]]:
    """Questions with the sha256 of the release's answer: the grade boundary cases and a
    systematic sample of the pathway's patients."""
    export = export_of(guideline, release)
    engine = engine_for(release)
    grade = [{"site": "pancreas", "differentiation": "well", **fields}
             for _, _, fields in boundary_cases(export["grading"])]
    rules = export["pathway"]
    space = patient_space(rules, rules)
    patients = [{name: p.get(name, space[name][0]) for name in space}
                for p in patients_to_ask(rules, rules, space)][::CASE_SAMPLE]
    cases = []
    for calculator, inputs in (("grade", grade), ("pathway", patients)):
        texts_in = [json.dumps(item, sort_keys=True, ensure_ascii=False) for item in inputs]
        for question, answer in zip(texts_in, engine.answer(calculator, texts_in)):
            cases.append({"calculator": calculator, "inputs": question,
                          "sha256": record.sha256(answer.encode())})
    return cases


def changed_cases(release: Release) -> list[str]:
    """The recorded cases this release's calculators no longer answer as at publication."""
    cases = [json.loads(line) for line in
             (release.folder / record.CASES).read_text(encoding="utf-8").splitlines()]
    engine = engine_for(release)
    problems = []
    for calculator in ("grade", "pathway"):
        mine = [case for case in cases if case["calculator"] == calculator]
        answers = engine.answer(calculator, [case["inputs"] for case in mine])
        problems += [f"{calculator} {case['inputs']}" for case, answer in zip(mine, answers)
                     if record.sha256(answer.encode()) != case["sha256"]]
    return problems


# --- withdraw -----------------------------------------------------------------------------------
def withdraw(content_root: Path, version: str, *, reason: str, today: str) -> Release:
    guideline = _guideline(content_root)
    target = guideline.find(version)
    refused = f"version {version} was not withdrawn"
    if not isinstance(target, Release) or target.status != "published":
        raise ReleaseRefused(refused, [_not_published(guideline, version, target)])
    if not reason.strip():
        raise ReleaseRefused(refused, ["give the reason readers will see: --reason \"...\""])
    data = record.read_record(target.folder)
    data.update(status="withdrawn", withdrawn={"date": today, "reason": " ".join(reason.split())})
    record.write_record(target.folder, data)
    _set_line(content_root / guideline.id / version / lock.RELEASE_FILE, "status", "withdrawn")
    return record.release_from(data, target.folder)


# --- erratum ------------------------------------------------------------------------------------
def erratum(content_root: Path, version: str) -> Path:
    """Start the draft that corrects a release: a copy of its YAML under the next erratum
    version, with `corrects` set. Its notes must then say what it corrects."""
    guideline = _guideline(content_root)
    target = guideline.find(version)
    if not isinstance(target, Release):
        raise ReleaseRefused("no erratum was started", [_not_published(guideline, version,
                                                                       target)])
    base = version if version.count(".") == 1 else version.rsplit(".", 1)[0]
    number = 1
    while guideline.find(f"{base}.{number}") is not None or \
            (content_root / guideline.id / f"{base}.{number}").exists():
        number += 1
    new = f"{base}.{number}"
    source, folder = content_root / guideline.id / version, content_root / guideline.id / new
    shutil.copytree(source, folder)
    release_file = folder / lock.RELEASE_FILE
    _set_line(release_file, "status", "draft")
    _set_line(release_file, "version", f'"{new}"')
    text = release_file.read_text(encoding="utf-8")
    text = re.sub(r"^corrects:.*\n", "", text, flags=re.M)
    text = re.sub(r"^(version:.*\n)", rf'\1corrects: "{version}"\n', text, count=1, flags=re.M)
    release_file.write_text(text, encoding="utf-8")
    return folder


# --- shared ---------------------------------------------------------------------------------------
def _guideline(content_root: Path) -> Guideline:
    guidelines = content.load_guidelines(content_root)
    if len(guidelines) != 1:
        raise ReleaseRefused("nothing was changed", ["one guideline per content folder is "
                                                     "supported"])
    return guidelines[0]


def _not_a_draft(guideline: Guideline, version: str, found) -> str:
    if found is None:
        known = ", ".join(v.version for v in guideline.all_versions())
        return f"there is no version {version} (known: {known})"
    return (f"version {version} is already {found.status} (published {found.published}); "
            f"a published release never changes: correct it in an erratum "
            f"(`nenguide erratum {version}`)")


def _not_published(guideline: Guideline, version: str, found) -> str:
    if found is None or isinstance(found, Version):
        return _not_a_draft(guideline, version, found) if found is None else (
            f"version {version} is a draft, not a published release")
    return f"version {version} is already {found.status}"


def _where(version: Version, file_name: str, field_path: tuple) -> str:
    path = version.folder / file_name
    loaded, _ = load_file(path, path.name)
    line = loaded.line_of(field_path) if loaded is not None else 1
    return f"{content._display(path)}:{line}"


def _set_line(path: Path, key: str, value: str) -> None:
    """Rewrite the top-level `key:` line of a YAML file, leaving every other line as it is."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(rf"^{key}:.*$", f"{key}: {value}", text, count=1, flags=re.M)
    if count != 1:
        raise ReleaseRefused("nothing was changed", [f"{path}: no top-level `{key}:` line"])
    path.write_text(new, encoding="utf-8")
