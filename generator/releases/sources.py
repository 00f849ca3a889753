"""Where a version's data and calculators come from: a draft's from today's YAML and code, a
published release's from its record, whatever today's code would make of its YAML."""

from __future__ import annotations

import json
from typing import Any

from generator import runtime
from generator.model import Guideline, Release, Version
from generator.pathway_rules import compile_rules
from generator.releases import diff, record
from generator.releases.engine import Engine
from generator.releases.export import export_version

CALCULATORS = ("grade", "pathway")


def calculator_rules(version: Version) -> dict[str, dict]:
    """Calculator name -> the rules it applies for a draft (compiled from its YAML)."""
    return {"grade": version.grading, "pathway": compile_rules(version)}


def engine_for(version: Version | Release) -> Engine:
    """The calculators that answer for this version, with its rules."""
    if isinstance(version, Release):
        calc = version.folder / record.CALC
        files = {name: calc / "rules" / f"{name}.json" for name in CALCULATORS}
        return Engine({name: path.read_text(encoding="utf-8") for name, path in files.items()},
                      wheel=runtime.wheel_in(calc), rules_files=files)
    return Engine({name: json.dumps(rules) for name, rules in calculator_rules(version).items()})


def export_of(guideline: Guideline, version: Version | Release) -> dict[str, Any]:
    """The version as data (releases/export.py); a release's as frozen at publication."""
    if isinstance(version, Release):
        return json.loads((version.folder / record.EXPORT).read_text(encoding="utf-8"))
    return export_version(guideline, version)


def changes_for(guideline: Guideline, version: Version | Release) -> dict[str, Any] | None:
    """What changed since the previous published release, or None if there is none."""
    previous = guideline.previous_release(version.version)
    if previous is None:
        return None
    return diff.compare(export_of(guideline, previous), export_of(guideline, version),
                        engine_for(previous), engine_for(version))
