"""The record of a published release: where it lives, what it holds, and its integrity.

releases/<guideline>/<version>/
    record.json      status, dates, review stamp, release notes, the content lock (lock.py)
                     and the sha256 of every other file below
    docs/            the pages as Markdown, rendered when the version was published: its words
    calc/            its calculators: the wheel, the compiled rules and the page scripts
    texts.json       the text readers read on each built page (texts.py), checked by each build
    guideline.json   the release as data (export.py): what `nenguide diff` compares
    cases.jsonl      calculator inputs with the sha256 of each answer at publication
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generator.model import Release

RECORD_FORMAT = 1
RECORD_FILE = "record.json"
DOCS = "docs"
CALC = "calc"
TEXTS = "texts.json"
EXPORT = "guideline.json"
CASES = "cases.jsonl"


def releases_root(content_root: Path) -> Path:
    """Release records sit beside the content folder: content/ and releases/."""
    return content_root.parent / "releases"


def record_folder(content_root: Path, guideline: str, version: str) -> Path:
    return releases_root(content_root) / guideline / version


def read_record(folder: Path) -> dict[str, Any]:
    return json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))


def write_record(folder: Path, record: dict[str, Any]) -> None:
    (folder / RECORD_FILE).write_text(json.dumps(record, indent=1, sort_keys=True,
                                                 ensure_ascii=False) + "\n", encoding="utf-8")


def release_from(record: dict[str, Any], folder: Path) -> Release:
    withdrawn = record.get("withdrawn") or {}
    return Release(guideline=record["guideline"], version=record["version"],
                   status=record["status"], date=record["date"],
                   published=record["published"], unreviewed=record["unreviewed"],
                   folder=folder, notes=record.get("notes"), corrects=record.get("corrects"),
                   withdrawn=withdrawn.get("date"), withdrawn_reason=withdrawn.get("reason"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file of a record except record.json, by path relative to the folder."""
    return {path.relative_to(folder).as_posix(): sha256(path.read_bytes())
            for path in sorted(folder.rglob("*"))
            if path.is_file() and path.name != RECORD_FILE}


def damaged_files(folder: Path, record: dict[str, Any]) -> list[str]:
    """What differs from the hashes written at publication: changed, missing or added files."""
    recorded: dict[str, str] = record["files"]
    found = file_hashes(folder)
    problems = [f"{name} has changed since publication" for name in sorted(recorded)
                if name in found and found[name] != recorded[name]]
    problems += [f"{name} is missing" for name in sorted(set(recorded) - set(found))]
    problems += [f"{name} was added after publication" for name in sorted(set(found) - set(recorded))]
    return problems
