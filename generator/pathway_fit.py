"""Every option fits its patient: checked at build time over every patient the rules can tell
apart, without listing them.

pathway.yaml names the treatments a recommendation can offer, with the words that name them
and what a patient needs for them:

    treatments:
      sunitinib: {words: [sunitinib], sites: [pancreas]}
      prrt: {words: ["177Lu", PRRT], needs: {sstr_uptake: [equal_liver, above_liver]}}
      ssa: {words: [somatostatin analogue, SSA], mentioned_only_in: [tx-si-net-everolimus]}

An option names a treatment when its recommendation's text holds one of the words (unless
the recommendation only mentions it, for example "after progression on an SSA"). For every
rule that offers such an option, the check proves that no patient the rule applies to:
  * has a site the treatment is not for, or lacks what it needs;
  * has progressed after that same treatment (unless the rule says it may repeat it);
  * gets, in the same answer, a not_recommended option naming the same treatment.
Rules constrain each input independently, so "some patient matches both rules" is decided
input by input (an unknown number matches every range), with the engine's refusals of
contradictory inputs taken into account.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from calculators import pathway
from calculators.pathway_inputs import LISTS, NUMBERS
from generator.model import Recommendation
from generator.pathway_space import CORE, accepts, consistent, engine_accepts
from generator.validate import Reporter


@dataclass
class FitCheck:
    rules: list[dict[str, Any]]
    scopes: list[dict[str, Any]]
    recommendations: dict[str, Recommendation]
    treatments: dict[str, dict[str, Any]]
    space: dict[str, list[Any]]
    limits: dict[str, Any]
    report: Reporter

    def run(self) -> None:
        patterns = {name: re.compile(r"(?<![\w-])(?:" + "|".join(
            re.escape(word) for word in spec["words"]) + ")", re.IGNORECASE)
            for name, spec in self.treatments.items()}
        self.named = {rec_id: {name for name, pattern in patterns.items()
                               if pattern.search(rec.text)
                               and rec_id not in self.treatments[name].get("mentioned_only_in", [])}
                      for rec_id, rec in self.recommendations.items()}
        for index, rule in enumerate(self.rules):
            for rec_id in rule.get("offer", []):
                for treatment in sorted(self.named.get(rec_id, ())):
                    self._check_option(index, rule, rec_id, treatment)

    def _check_option(self, index: int, rule: dict[str, Any], rec_id: str,
                      treatment: str) -> None:
        spec, where = self.treatments[treatment], ("rules", index, "offer")
        sites = spec.get("sites")
        if sites:
            example = self.patient([rule["when"]], {"site": [s for s in self.space["site"]
                                                             if s not in sites]})
            if example:
                self._fail(where, rule, rec_id, treatment, f"is for {', '.join(sites)} only",
                           example)
        for name, allowed in spec.get("needs", {}).items():
            example = self.patient([rule["when"]], {name: [v for v in self.space[name]
                                                           if v not in allowed]})
            if example:
                self._fail(where, rule, rec_id, treatment, f"needs {name} in "
                           f"{', '.join(_show(v) for v in allowed)}", example)
        if treatment not in rule.get("repeat", []):
            example = self.patient([rule["when"]], {"progressing": [True]},
                                   must_have=treatment)
            if example:
                self._fail(where, rule, rec_id, treatment, "was already given and the disease "
                           "progressed (a rule that may repeat it says repeat: "
                           f"[{treatment}])", example)
        for other in self.rules:
            for avoided in other.get("avoid", []):
                if treatment in self.named.get(avoided, ()):
                    example = self.patient([rule["when"], other["when"]], {})
                    if example:
                        self._fail(where, rule, rec_id, treatment, f"is advised against in "
                                   f"the same answer by '{avoided}' (rule '{other['id']}')",
                                   example)

    def _fail(self, where, rule, rec_id, treatment, why, example) -> None:
        shown = ", ".join(f"{k}={_show(v)}" for k, v in example.items())
        self.report.add(where, f"rule '{rule['id']}' offers '{rec_id}', which names "
                               f"{treatment}; {treatment} {why}, yet the rule applies to "
                               f"{shown}")

    def patient(self, whens: list[dict[str, Any]], only: dict[str, list[Any]],
                must_have: str | None = None) -> dict[str, Any] | None:
        """A patient (the inputs that matter) whom every condition in `whens` accepts, with the
        inputs in `only` restricted to those values; None when there is none."""
        allowed: dict[str, list[Any]] = {}
        for name, values in self.space.items():
            if name in LISTS or name in NUMBERS:
                continue  # below; an unknown number matches every range anyway
            values = [v for v in values if all(accepts(w, name, v) for w in whens)]
            if name in only:
                values = [v for v in values if v in only[name]]
            if not values:
                return None
            allowed[name] = values
        treatments = _treatments_for(whens, must_have)
        if treatments is None:
            return None
        for core in itertools.product(*(allowed[name] for name in CORE)):
            patient = dict(zip(CORE, core))
            if not consistent(patient["category"], patient["site"]) or \
                    any(pathway.matches(s["when"], patient) for s in self.scopes):
                continue
            found = self._complete(patient, allowed, treatments)
            if found is not None:
                return {**found, **({"treatments_given": treatments} if treatments else {})}
        return None

    def _complete(self, patient: dict[str, Any], allowed: dict[str, list[Any]],
                  treatments: list[str]) -> dict[str, Any] | None:
        """The core inputs plus a choice for the inputs that the engine checks against them."""
        linked = ("sstr_positive", "sstr_uptake", "functional_syndrome", "gastric_type")
        for combo in itertools.product(*(allowed[name] for name in linked)):
            candidate = {**patient, **dict(zip(linked, combo)), "treatments_given": treatments}
            if engine_accepts(candidate, self.limits):
                narrowed = {name: candidate[name] for name in linked
                            if len(allowed[name]) < len(self.space[name])}
                flags = {name: allowed[name][0] for name in pathway.FLAGS
                         if len(allowed[name]) < len(self.space[name])}
                return {**patient, **narrowed, **flags}
        return None


def _treatments_for(whens: list[dict[str, Any]], must_have: str | None) -> list[str] | None:
    """A list of treatments given that every condition accepts (with `must_have` in it)."""
    excluded = {t for w in whens for t in w.get("treatments_given", {}).get("none", ())}
    chosen = [must_have] if must_have else []
    if must_have in excluded:
        return None
    for when in whens:
        wanted = when.get("treatments_given", {}).get("any")
        if wanted and not set(wanted) & set(chosen):
            usable = [t for t in wanted if t not in excluded]
            if not usable:
                return None
            chosen.append(usable[0])
    return chosen


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return str(value)
