"""The content lock of a published release: the YAML it was published from may not change.

At publication every YAML file of the version folder is recorded as the sha256 of its text and
one short hash per line, so a later edit is reported at its exact line, with the field there.
The `status:` line of release.yaml is the one line the tools still write (published, then
perhaps withdrawn), so it is left out of the lock.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from generator.loader import FieldPath, load_file
from generator.problems import Problem, format_path

STATUS_LINE = re.compile(r"status:\s*\S+\s*(#.*)?$")
RELEASE_FILE = "release.yaml"


def content_lock(folder: Path) -> dict[str, dict[str, Any]]:
    """{file name: {"sha256", "lines"}} for every YAML file of a version folder."""
    return {path.name: _file_lock(path) for path in sorted(folder.glob("*.yaml"))}


def _file_lock(path: Path) -> dict[str, Any]:
    lines = _locked_lines(path)
    return {"sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
            "lines": [_line_hash(line) for line in lines]}


def _locked_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.name == RELEASE_FILE:
        lines = ["status: (set by nenguide)" if STATUS_LINE.match(line) else line
                 for line in lines]
    return lines


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()[:12]


def check_lock(folder: Path, lock: dict[str, dict[str, Any]], version: str,
               display: callable) -> list[Problem]:
    """Every difference between the version folder and its lock, as file:line problems."""
    advice = (f"version {version} is published and its content is frozen; undo the change, "
              f"or correct it in an erratum: `nenguide erratum {version}` starts the new "
              "version as a copy")
    problems = []
    present = {path.name: path for path in sorted(folder.glob("*.yaml"))}
    for name in sorted(set(lock) - set(present)):
        problems.append(Problem(display(folder / name), 1, "", f"deleted: {advice}"))
    for name in sorted(set(present) - set(lock)):
        problems.append(Problem(display(present[name]), 1, "", f"added: {advice}"))
    for name in sorted(set(lock) & set(present)):
        path = present[name]
        try:
            current = _file_lock(path)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(display(path), 1, "", f"cannot read the file: {exc}"))
            continue
        if current["sha256"] == lock[name]["sha256"]:
            continue
        line = _first_changed_line(lock[name]["lines"], current["lines"])
        problems.append(Problem(display(path), line, _field_at(path, line),
                                f"changed since publication: {advice}"))
    return problems


def _first_changed_line(old: list[str], new: list[str]) -> int:
    for number, (before, after) in enumerate(zip(old, new), 1):
        if before != after:
            return number
    return min(len(old), len(new)) + 1


def _field_at(path: Path, line: int) -> str:
    """The field written on (or just above) a line, for the message; "" if none is found."""
    loaded, _ = load_file(path, path.name)
    if loaded is None:
        return ""
    best: FieldPath | None = None
    for field_path, field_line in loaded.lines.items():
        if field_line <= line and (best is None or (field_line, len(field_path)) >=
                                   (loaded.lines[best], len(best))):
            best = field_path
    return format_path(best) if best else ""
