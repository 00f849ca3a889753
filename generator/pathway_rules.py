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
from typing import Any

from calculators import pathway
from calculators.pathway_inputs import LISTS, NUMBERS
from generator.loader import FieldPath, LoadedFile
from generator.model import Recommendation, Version
from generator.pathway_fit import FitCheck
from generator.pathway_space import (CORE, LIST_KEYS, RANGE_KEYS, Alike, CoverageSearch, accepts,
                                     consistent, domains)
from generator.validate import Reporter, did_you_mean

MAX_EXAMPLES = 5


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
        if len(self.report.problems) == start:
            FitCheck(rules, data.get("out_of_scope", []), self.recommendations,
                     data.get("treatments", {}), space, self.ki67_limits, self.report).run()

    def _check_when(self, when: dict[str, Any], path: FieldPath, core_only: bool = False) -> None:
        allowed_inputs = CORE if core_only else tuple(pathway.PARSERS)
        all_domains = domains([])
        for name, condition in when.items():
            where = path + ("when", name)
            if name not in allowed_inputs:
                extra = " (out_of_scope may use category, site and stage only)" if core_only else ""
                self.report.add(where, f"unknown input '{name}'{did_you_mean(name, allowed_inputs)}"
                                       f"; known: {', '.join(allowed_inputs)}{extra}")
            elif name in NUMBERS:
                self._check_range(condition, where)
            elif name in LISTS:
                self._check_list(condition, where)
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
            if key == "known":
                if bound is not True:
                    self.report.add(where + (key,), f"expected true (the number must be given "
                                                    f"for the rule to apply), got {bound!r}")
                continue
            if key not in RANGE_KEYS:
                self.report.add(where + (key,), f"unknown range key '{key}' (use min, max, "
                                                "below, above or known)")
            elif isinstance(bound, bool) or not isinstance(bound, (int, float)) or \
                    not math.isfinite(bound) or bound < 0:
                self.report.add(where + (key,), f"expected a number of 0 or more, got {bound!r}")

    def _check_list(self, condition: Any, where: FieldPath) -> None:
        if not isinstance(condition, dict) or not condition:
            self.report.add(where, "expected {any: [...]} (at least one was given) or "
                                   "{none: [...]} (none was given)")
            return
        for key, items in condition.items():
            if key not in LIST_KEYS:
                self.report.add(where + (key,), f"unknown key '{key}' (use any or none)")
            elif not isinstance(items, list) or not items:
                self.report.add(where + (key,), "expected a list of treatments")
            else:
                for index, item in enumerate(items):
                    if item not in pathway.TREATMENTS:
                        self.report.add(where + (key, index), f"unknown treatment "
                                        f"'{_show(item)}'{did_you_mean(str(item), pathway.TREATMENTS)}"
                                        f"; known: {', '.join(pathway.TREATMENTS)}")

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
            if name not in CORE and not any(accepts(when, name, v) for v in values):
                return False
        core = (space[name] for name in CORE)
        for category, site, stage in itertools.product(*core):
            patient = {"category": category, "site": site, "stage": stage}
            if consistent(category, site) and all(accepts(when, k, v) for k, v in patient.items()) \
                    and not any(pathway.matches(s["when"], patient) for s in scopes):
                return True
        return False

    def _check_coverage(self, rules: list[dict[str, Any]], scopes: list[dict[str, Any]],
                        space: dict[str, list[Any]]) -> None:
        gaps = CoverageSearch(space, rules, scopes, self.ki67_limits).run()
        for gap in gaps[:MAX_EXAMPLES]:
            self.report.add(("rules",), f"no rule offers any option for {_describe(gap)} "
                                        "(whatever the other inputs); add a rule or an "
                                        "out_of_scope entry")
        if len(gaps) > MAX_EXAMPLES:
            self.report.add(("rules",), f"... and {len(gaps) - MAX_EXAMPLES} more situations "
                                        "without any option")


def _show(value: Any) -> str:
    """A value as YAML authors write it: null, true, false."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Alike):  # any of these values
        shown = value.words()
        return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
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
