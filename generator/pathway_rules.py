"""Pathway rules at build time: check them against the engine's inputs and the version's
recommendations, prove every patient gets an answer, and compile them for the calculator.

The input space is small enough to reason about exactly: each rule constrains each input
independently, so "can this rule ever fire?" is a per-input question, and "does every patient
get an option?" is a search over the inputs that prunes as soon as the answer is known.
An offered recommendation can never also be advised against: offer takes only recommendations
that are not not_recommended, and avoid only those that are.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Iterator

from calculators import pathway
from calculators.grade import CATEGORIES
from calculators.grade_inputs import SITES
from generator.loader import FieldPath, LoadedFile
from generator.model import Recommendation, Version
from generator.validate import Reporter, did_you_mean

RANGE_INPUTS = ("prior_lines", "ki67_percent")
RANGE_KEYS = ("min", "max", "below")
CORE = ("category", "site", "stage")
MAX_EXAMPLES = 5


def domains(rules: list[dict[str, Any]], limits: dict[str, Any] | None = None
            ) -> dict[str, list[Any]]:
    """Every input with the values worth trying: each choice, and for numbers one value in
    each interval the rules' (and the grades' Ki-67 limits') bounds cut out."""
    lines, ki67 = {0}, {0.0, 100.0}
    for rule in [*rules, *({"when": {"ki67_percent": b}} for b in (limits or {}).values())]:
        for name, bounds in _ranges(rule):
            for key, bound in bounds.items():
                if name == "prior_lines":
                    lines.update({int(bound), int(bound) + 1} if key != "below" else {int(bound)})
                else:
                    ki67.update(v for v in (bound - 0.001, bound, bound + 0.001) if 0 <= v <= 100)
    return {
        "category": list(CATEGORIES),
        "site": list(SITES),
        "stage": list(pathway.STAGES),
        "sstr_positive": [True, False, None],
        "functional_syndrome": [None, *pathway.SYNDROMES],
        **{flag: [False, True] for flag in pathway.FLAGS},
        "prior_lines": sorted(lines),
        "ki67_percent": [None, *sorted(ki67)],
    }


def _ranges(rule: dict[str, Any]) -> Iterator[tuple[str, dict[str, float]]]:
    for name, condition in rule.get("when", {}).items():
        if isinstance(condition, dict):
            yield name, condition


def consistent(category: str, site: str) -> bool:
    """Lung categories belong to the lung and only there (as the engine checks)."""
    return (site == "lung") == (category in pathway.LUNG_CATEGORIES)


@dataclass
class PathwayCheck:
    """Checks one version's pathway.yaml; problems go to the reporter."""

    loaded: LoadedFile
    recommendations: dict[str, Recommendation]
    ki67_limits: dict[str, Any]
    report: Reporter

    def run(self) -> None:
        start = len(self.report.problems)
        data = self.loaded.data
        for index, scope in enumerate(data.get("out_of_scope", [])):
            self._check_when(scope["when"], ("out_of_scope", index), core_only=True)
        seen: dict[str, int] = {}
        for index, rule in enumerate(data["rules"]):
            path = ("rules", index)
            if rule["id"] in seen:
                self.report.add(path + ("id",), f"duplicate rule id '{rule['id']}' (first used "
                                                f"by rules[{seen[rule['id']]}])")
            seen.setdefault(rule["id"], index)
            self._check_when(rule["when"], path)
            self._check_targets(rule, path)
        if len(self.report.problems) > start:
            return  # the searches below assume well-formed rules
        rules = data["rules"]
        space = domains(rules, self.ki67_limits)
        for index, rule in enumerate(rules):
            if not self._can_fire(rule, space, data.get("out_of_scope", [])):
                self.report.add(("rules", index, "when"), f"rule '{rule['id']}' can never fire: "
                                "no patient matches all its conditions (a lung category "
                                "needs site lung; other categories need another site)")
        self._check_coverage(rules, data.get("out_of_scope", []), space)

    def _check_when(self, when: dict[str, Any], path: FieldPath, core_only: bool = False) -> None:
        allowed_inputs = CORE if core_only else tuple(pathway.PARSERS)
        all_domains = domains([])
        for name, condition in when.items():
            where = path + ("when", name)
            if name not in allowed_inputs:
                extra = " (out_of_scope may use category, site and stage only)" if core_only else ""
                self.report.add(where, f"unknown input '{name}'{did_you_mean(name, allowed_inputs)}"
                                       f"; known: {', '.join(allowed_inputs)}{extra}")
            elif name in RANGE_INPUTS:
                self._check_range(condition, where)
            elif not isinstance(condition, list) or not condition:
                self.report.add(where, "expected a list of values, e.g. [true] or "
                                       "[pancreas, small_intestine]")
            else:
                choices = [_show(v) for v in all_domains[name]]
                for index, value in enumerate(condition):
                    if value not in all_domains[name]:
                        self.report.add(where + (index,), f"unknown value '{_show(value)}' for "
                                        f"{name}{did_you_mean(_show(value), choices)}; allowed: "
                                        f"{', '.join(choices)}")

    def _check_range(self, condition: Any, where: FieldPath) -> None:
        if not isinstance(condition, dict) or not condition:
            self.report.add(where, "expected a range such as {min: 1} or {below: 10}")
            return
        for key, bound in condition.items():
            if key not in RANGE_KEYS:
                self.report.add(where + (key,), f"unknown range key '{key}' (use min, max or "
                                                "below)")
            elif isinstance(bound, bool) or not isinstance(bound, (int, float)) or \
                    not math.isfinite(bound) or bound < 0:
                self.report.add(where + (key,), f"expected a number of 0 or more, got {bound!r}")

    def _check_targets(self, rule: dict[str, Any], path: FieldPath) -> None:
        if not rule.get("offer") and not rule.get("avoid") and not rule.get("note"):
            self.report.add(path, f"rule '{rule['id']}' neither offers, avoids nor notes "
                                  "anything; give offer, avoid or note")
        for kind in ("offer", "avoid"):
            for index, rec_id in enumerate(rule.get(kind, [])):
                where = path + (kind, index)
                rec = self.recommendations.get(rec_id)
                if rec is None:
                    self.report.add(where, f"unknown recommendation '{rec_id}'"
                                           f"{did_you_mean(rec_id, self.recommendations)}")
                elif kind == "offer" and rec.strength == "not_recommended":
                    self.report.add(where, f"'{rec_id}' is a not_recommended recommendation; "
                                           "list it under avoid")
                elif kind == "avoid" and rec.strength != "not_recommended":
                    self.report.add(where, f"'{rec_id}' is {rec.strength}, not "
                                           "not_recommended; list it under offer")

    def _can_fire(self, rule: dict[str, Any], space: dict[str, list[Any]],
                  scopes: list[dict[str, Any]]) -> bool:
        when = rule["when"]
        for name, values in space.items():
            if name not in CORE and not any(_accepts(when, name, v) for v in values):
                return False
        core = (space[name] for name in CORE)
        for category, site, stage in itertools.product(*core):
            patient = {"category": category, "site": site, "stage": stage}
            if consistent(category, site) and all(_accepts(when, k, v) for k, v in patient.items()) \
                    and not any(pathway.matches(s["when"], patient) for s in scopes):
                return True
        return False

    def _check_coverage(self, rules: list[dict[str, Any]], scopes: list[dict[str, Any]],
                        space: dict[str, list[Any]]) -> None:
        offering = [rule for rule in rules if rule.get("offer")]
        found: dict[tuple, dict[str, Any]] = {}
        _search(list(space), space, {}, offering, scopes, found, self.ki67_limits)
        gaps = list(found.values())
        for gap in gaps[:MAX_EXAMPLES]:
            self.report.add(("rules",), f"no rule offers any option for {_describe(gap)} "
                                        "(whatever the other inputs); add a rule or an "
                                        "out_of_scope entry")
        if len(gaps) > MAX_EXAMPLES:
            self.report.add(("rules",), f"... and {len(gaps) - MAX_EXAMPLES} more situations "
                                        "without any option")


def _accepts(when: dict[str, Any], name: str, value: Any) -> bool:
    return name not in when or pathway.matches({name: when[name]}, {name: value})


def _search(names: list[str], space: dict[str, list[Any]], patient: dict[str, Any],
            candidates: list[dict[str, Any]], scopes: list[dict[str, Any]],
            gaps: dict[tuple, dict[str, Any]], limits: dict[str, Any],
            core_rules: list[dict[str, Any]] | None = None) -> None:
    """Depth-first over the inputs; stops a branch once it is known to be covered or not.
    A gap is recorded with the core inputs and only those other inputs that ruled out a rule
    which fits the core, so one missing rule reads as one situation, not thousands."""
    if core_rules is None and all(name in patient for name in CORE):
        if any(pathway.matches(scope["when"], patient) for scope in scopes):
            return  # out of scope: answered with an explanation, not options
        core_rules = candidates
    if not candidates and core_rules is not None:
        gap = {name: value for name, value in patient.items() if name in CORE or any(
            not _accepts(rule["when"], name, value) for rule in core_rules)}
        gaps.setdefault(tuple(gap.items()), gap)
        return
    remaining = names[len(patient):]
    if any(all(name not in rule["when"] for name in remaining) for rule in candidates):
        return  # one rule fires whatever the remaining inputs are
    name = remaining[0]
    for value in space[name]:
        if name == "site" and not consistent(patient["category"], value):
            continue
        if name == "ki67_percent" and not pathway.ki67_fits(patient["category"], value, limits):
            continue  # the engine refuses it as an input error
        patient[name] = value
        _search(names, space, patient, [r for r in candidates if _accepts(r["when"], name, value)],
                scopes, gaps, limits, core_rules)
        del patient[name]


def _show(value: Any) -> str:
    """A value as YAML authors write it: null, true, false."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _describe(patient: dict[str, Any]) -> str:
    return ", ".join(f"{name}={_show(value)}" for name, value in patient.items())


def ki67_limits(grading: dict[str, Any]) -> dict[str, dict[str, float]]:
    """The Ki-67 each NET grade allows, from the version's grading rules."""
    bands = grading["digestive"]["ki67_percent"]
    return {"NET G1": {"below": bands["g2_from"]}, "NET G2": {"max": bands["g2_to"]}}


def compile_rules(version: Version) -> dict[str, Any]:
    """The JSON the pathway calculator reads: the rules plus the recommendations they name."""
    index = version.recommendation_index()
    used = {rec_id for rule in version.pathway["rules"]
            for rec_id in (*rule.get("offer", []), *rule.get("avoid", []))}
    return {
        "version": version.version,
        "ki67_limits": ki67_limits(version.grading),
        "out_of_scope": version.pathway.get("out_of_scope", []),
        "rules": version.pathway["rules"],
        "recommendations": {
            rec_id: {"title": index[rec_id].heading, "number": index[rec_id].recommendation.number,
                     "text": index[rec_id].recommendation.text,
                     "strength": index[rec_id].recommendation.strength,
                     "citations": list(index[rec_id].recommendation.citations),
                     "page": index[rec_id].page, "anchor": index[rec_id].recommendation.anchor}
            for rec_id in sorted(used)},
    }
