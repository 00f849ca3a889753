"""Validate loaded content: every problem in one run, each with file, line and field path.

Two passes. The shape pass walks each file against its schema (types, required and unknown
fields, allowed values, id patterns), with hints for YAML 1.1 traps. The reference pass checks
what spans files: citations, unique ids, sections named in release.yaml.
"""

from __future__ import annotations

import datetime
import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from generator.loader import FieldPath, LoadedFile
from generator.problems import Problem, format_path
from generator.schema import DATE_PATTERN, Field
from generator.text_safety import text_problems

CITATION_MARK = re.compile(r"\[@([^\]\s]+)\]")


@dataclass
class Reporter:
    """Collects problems for one file, turning field paths into lines."""

    loaded: LoadedFile
    display_name: str
    problems: list[Problem]

    def add(self, path: FieldPath, message: str) -> None:
        self.problems.append(Problem(self.display_name, self.loaded.line_of(path),
                                     format_path(path), message))


def check_shape(value: Any, spec: Field, path: FieldPath, report: Reporter) -> None:
    """Check `value` against `spec`, reporting every mismatch."""
    if spec.kind == "object":
        _check_object(value, spec, path, report)
    elif spec.kind == "list":
        _check_list(value, spec, path, report)
    elif spec.kind in ("str", "markdown"):
        _check_string(value, spec, path, report)
    elif spec.kind in ("int", "number"):
        _check_number(value, spec, path, report)
    elif spec.kind == "mapping":
        _check_mapping(value, spec, path, report)
    # "any": checked by the code that understands it (pathway conditions)
    elif spec.kind == "bool":
        if not isinstance(value, bool):
            report.add(path, f"expected true or false, got {_describe(value, path, report)}")


def _check_object(value: Any, spec: Field, path: FieldPath, report: Reporter) -> None:
    if not isinstance(value, dict):
        report.add(path, f"expected a mapping of fields ({', '.join(spec.fields)}), "
                         f"got {_describe(value, path, report)}")
        return
    for key in value:
        if key not in spec.fields:
            report.add(path + (key,), f"unknown field '{key}'{did_you_mean(key, spec.fields)}")
    for name, child in spec.fields.items():
        if name in value:
            check_shape(value[name], child, path + (name,), report)
        elif child.required:
            report.add(path, f"missing required field '{name}' ({child.doc})")


def _check_list(value: Any, spec: Field, path: FieldPath, report: Reporter) -> None:
    if not isinstance(value, list):
        report.add(path, f"expected a list, got {_describe(value, path, report)}")
        return
    if len(value) < spec.min_items:
        report.add(path, f"needs at least {spec.min_items} item(s): {spec.doc}")
    assert spec.item is not None
    for index, item in enumerate(value):
        check_shape(item, spec.item, path + (index,), report)


def _check_string(value: Any, spec: Field, path: FieldPath, report: Reporter) -> None:
    if not isinstance(value, str):
        hint = ""
        raw = report.loaded.raw.get(path)
        if raw is not None and not isinstance(value, (dict, list)):
            hint = f" — quote it: \"{raw}\""
        report.add(path, f"expected a string, got {_describe(value, path, report)}{hint}")
        return
    if not value.strip():
        report.add(path, "is empty; write a value or remove the field")
        return
    for problem in text_problems(value):
        report.add(path, problem)
    if spec.choices and value not in spec.choices:
        report.add(path, f"'{value}' is not allowed (allowed: {', '.join(spec.choices)})"
                         f"{did_you_mean(value, spec.choices)}")
    if spec.pattern and not re.fullmatch(spec.pattern, value):
        report.add(path, f"'{value}' is not valid: {spec.pattern_hint}")
    elif spec.pattern == DATE_PATTERN:
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            report.add(path, f"'{value}' is not a date in the calendar; check the day and the "
                             "month")
    if "[@" in value:
        _check_citation_marks(value, spec, path, report)


def _check_citation_marks(value: str, spec: Field, path: FieldPath, report: Reporter) -> None:
    """[@ID] marks become links in Markdown fields only, and only when written exactly so."""
    if spec.kind != "markdown":
        report.add(path, "citation marks ([@ID]) are not linked in this field and would show "
                         "as written; cite with the citations: list instead")
        return
    for mark in re.finditer(r"\[@[^\]]*\]?", value):
        if not CITATION_MARK.fullmatch(mark.group(0)):
            report.add(path, f"'{mark.group(0)}' is not a citation mark: write each reference "
                             "as [@ID], several as [@A] [@B]")


def _check_mapping(value: Any, spec: Field, path: FieldPath, report: Reporter) -> None:
    """Free keys (checked elsewhere), each value of one kind."""
    if not isinstance(value, dict):
        report.add(path, f"expected a mapping, got {_describe(value, path, report)}")
        return
    assert spec.item is not None
    for key, item in value.items():
        check_shape(item, spec.item, path + (key,), report)


def _check_number(value: Any, spec: Field, path: FieldPath, report: Reporter) -> None:
    wanted = (int,) if spec.kind == "int" else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted) or \
            isinstance(value, float) and not math.isfinite(value):
        expected = "a whole number" if spec.kind == "int" else "a number"
        report.add(path, f"expected {expected}, got {_describe(value, path, report)}")
        return
    if spec.minimum is not None and value < spec.minimum or \
            spec.maximum is not None and value > spec.maximum:
        low = "" if spec.minimum is None else _number_text(spec.minimum)
        high = "" if spec.maximum is None else _number_text(spec.maximum)
        report.add(path, f"{_number_text(value)} is out of range ({low}–{high})")


def _describe(value: Any, path: FieldPath, report: Reporter) -> str:
    """Name what YAML made of the text, quoting the source where YAML changed it."""
    raw = report.loaded.raw.get(path)
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads {raw} as a boolean)" if raw else "a boolean"
    if isinstance(value, float):
        if raw is not None and raw != repr(value):
            return f"{_number_text(value)} (a number; YAML read {raw} as {_number_text(value)})"
        return f"{_number_text(value)} (a number)"
    if isinstance(value, int):
        return f"{value} (a number)"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the string '{value}'"
    return f"{value} (a {type(value).__name__})"


def _number_text(value: float) -> str:
    return repr(value) if math.isfinite(value) else str(value)


def did_you_mean(word: str, options) -> str:
    """' (did you mean 'x'?)' for the closest option, or nothing."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def citation_marks(markdown_text: str) -> list[str]:
    """The reference ids written inline as [@ID]."""
    return CITATION_MARK.findall(markdown_text)


def check_review(review: dict[str, Any], path: FieldPath, report: Reporter) -> None:
    """An approval names who signed off and when the page is due again; no date is in the
    future (a sign-off cannot be recorded before it happens)."""
    today = datetime.date.today().isoformat()
    reviewers = review.get("reviewers", [])
    if review["status"] == "approved":
        if not reviewers:
            report.add(path + ("reviewers",), "an approved page names at least one reviewer "
                                              "who signed off (name, role, date)")
        if "next_review_due" not in review:
            report.add(path + ("next_review_due",), "an approved page says when it is due "
                                                    "for review again")
    for index, reviewer in enumerate(reviewers):
        if reviewer["date"] > today:
            report.add(path + ("reviewers", index, "date"),
                       f"{reviewer['date']} is in the future; record a sign-off once it happened")
        if review.get("next_review_due") and review["next_review_due"] <= reviewer["date"]:
            report.add(path + ("next_review_due",), "must come after the sign-off dates")
