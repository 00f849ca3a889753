"""The space of patients the pathway rules can tell apart, and the search over it.

Each rule constrains each input independently, so the values worth trying for an input are
few: every choice; for a number, the rules' bounds and a value on each side of them (and
"not given", which every range accepts); for the treatments already given, one list per
combination of the groups of treatments that the rules name together. The coverage search
walks the inputs depth first, stops a branch as soon as one rule fires whatever the
remaining inputs are, and remembers the branches it has proved covered: two branches with
the same rules still possible and the same inputs left have the same answer.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

from calculators import pathway
from calculators.grade import CATEGORIES
from calculators.grade_inputs import SITES
from calculators.labels import GASTRIC_TYPE_LABELS, SSTR_UPTAKE_LABELS
from calculators.pathway_inputs import (LISTS, LUNG_CATEGORIES, NUMBERS, PANCREATIC_SYNDROMES,
                                        PANCREATIC_SYNDROME_SITES)

CORE = ("category", "site", "stage")
KI67_GRADED = ("NET G1", "NET G2")  # the categories whose Ki-67 the engine checks
VALUE_CHECKED = ("ki67_percent",)  # inputs whose every value engine_accepts compares
RANGE_KEYS = ("min", "max", "below", "above")
LIST_KEYS = ("any", "none")
# Whole numbers step by 1, the others by a hair's breadth around each bound.
WHOLE = ("ecog",)
TOP = {"ki67_percent": 100.0, "tumour_size_mm": 500.0, "ecog": 4, "age": 120.0,
       "prrt_pfs_months": 600.0}


def consistent(category: str, site: str) -> bool:
    """Lung categories belong to the lung and only there (as the engine checks)."""
    return (site == "lung") == (category in pathway.LUNG_CATEGORIES)


def domains(rules: list[dict[str, Any]], limits: dict[str, Any] | None = None
            ) -> dict[str, list[Any]]:
    """Every input with the values worth trying (see the module docstring)."""
    bounds: dict[str, set[float]] = {name: {0, TOP[name]} for name in NUMBERS}
    ranges = [*_ranges(rules), *(("ki67_percent", b) for b in (limits or {}).values())]
    for name, condition in ranges:
        for key, bound in condition.items():
            if key not in RANGE_KEYS:
                continue  # "known": not a bound
            step = 1 if name in WHOLE else 0.001
            bounds[name].update(v for v in (bound - step, bound, bound + step)
                                if 0 <= v <= TOP[name])
    space: dict[str, list[Any]] = {
        "category": list(CATEGORIES),
        "site": list(SITES),
        "stage": list(pathway.STAGES),
        "sstr_positive": [True, False, None],
        "sstr_uptake": [None, *SSTR_UPTAKE_LABELS],
        "functional_syndrome": [None, *pathway.SYNDROMES],
        "gastric_type": [None, *GASTRIC_TYPE_LABELS],
        **{flag: [False, True] for flag in pathway.FLAGS},
        "treatments_given": treatment_lists(rules),
    }
    for name in NUMBERS:
        values = sorted(bounds[name])
        space[name] = [None, *(int(v) if name in WHOLE else v for v in values)]
    return {name: space[name] for name in pathway.PARSERS}


def treatment_lists(rules: list[dict[str, Any]]) -> list[list[str]]:
    """One list of treatments per combination that the rules can tell apart. Treatments that
    appear in exactly the same rule conditions cannot be told apart, so one stands for all."""
    sets = [frozenset(condition.get(key, ())) for rule in rules
            for name, condition in rule.get("when", {}).items() if name in LISTS
            for key in LIST_KEYS]
    named = sorted(set().union(*sets), key=list(pathway.TREATMENTS).index) if sets else []
    groups: dict[tuple, str] = {}
    for treatment in named:
        groups.setdefault(tuple(treatment in s for s in sets), treatment)
    atoms = list(groups.values())
    return [list(combo) for size in range(len(atoms) + 1)
            for combo in itertools.combinations(atoms, size)]


def _ranges(rules: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, float]]]:
    for rule in rules:
        for name, condition in rule.get("when", {}).items():
            if name in NUMBERS and isinstance(condition, dict):
                yield name, condition


def accepts(when: dict[str, Any], name: str, value: Any) -> bool:
    return name not in when or pathway.matches({name: when[name]}, {name: value})


def engine_accepts(patient: dict[str, Any], limits: dict[str, Any]) -> bool:
    """Whether the engine answers this (partial) patient, rather than refusing the input as
    contradictory (calculators.pathway_inputs)."""
    category, site = patient.get("category"), patient.get("site")
    if category is not None and site is not None and not consistent(category, site):
        return False
    if "ki67_percent" in patient and category is not None and \
            not pathway.ki67_fits(category, patient["ki67_percent"], limits):
        return False
    if site is not None:
        if patient.get("functional_syndrome") in PANCREATIC_SYNDROMES and \
                site not in PANCREATIC_SYNDROME_SITES:
            return False
        if patient.get("gastric_type") is not None and site != "stomach":
            return False
    if patient.get("sstr_uptake") is not None and "sstr_positive" in patient and \
            patient["sstr_positive"] is not True:
        return False
    if patient.get("prrt_pfs_months") is not None and "treatments_given" in patient and \
            "prrt" not in patient["treatments_given"]:
        return False
    return True


class CoverageSearch:
    """Finds the patients for whom no rule offers anything.

    Depth first, with three reductions that keep it fast as inputs grow: which rules accept
    each value of each input is worked out once (as bit masks); the next input is the one the
    most remaining rules look at; and the values of an input that the remaining rules accept
    or refuse alike (and that the engine's later checks treat alike) are tried once, the first
    standing for all of them (a gap then names them all).
    """

    def __init__(self, space: dict[str, list[Any]], rules: list[dict[str, Any]],
                 scopes: list[dict[str, Any]], limits: dict[str, Any]):
        self.space, self.names = space, list(space)
        self.scopes, self.limits = scopes, limits
        self.rules = [rule for rule in rules if rule.get("offer")]
        self.accepting = {name: [sum(1 << i for i, rule in enumerate(self.rules)
                                     if accepts(rule["when"], name, value))
                                 for value in values] for name, values in space.items()}
        self.later = {name: [_later_checks(name, value) for value in values]
                      for name, values in space.items()}
        self.looks_at = [sum(1 << self.names.index(name) for name in rule["when"])
                         for rule in self.rules]
        self.gaps: dict[tuple, dict[str, Any]] = {}
        self.stands_for: dict[str, list[Any]] = {}  # the values each chosen one stands for
        self.nodes = 0

    def run(self) -> list[dict[str, Any]]:
        self._search({}, (1 << len(self.rules)) - 1, None)
        return list(self.gaps.values())

    def _search(self, patient: dict[str, Any], candidates: int, core_rules: int | None) -> None:
        """A gap is recorded with the core inputs and only those other inputs that ruled out
        a rule which fits the core, so one missing rule reads as one situation."""
        self.nodes += 1
        if core_rules is None and all(name in patient for name in CORE):
            if any(pathway.matches(scope["when"], patient) for scope in self.scopes):
                return  # out of scope: answered with an explanation, not options
            core_rules = candidates
        if not candidates and core_rules is not None:
            self._record_gap(patient, core_rules)
            return
        remaining = sum(1 << i for i, name in enumerate(self.names) if name not in patient)
        rules = [i for i in range(len(self.rules)) if candidates >> i & 1]
        if any(not self.looks_at[i] & remaining for i in rules):
            return  # one rule fires whatever the remaining inputs are
        name = self._next_input(remaining, rules)
        classes: dict[tuple, list[Any]] = {}
        for index, value in enumerate(self.space[name]):
            kept = candidates & self.accepting[name][index]
            classes.setdefault((kept, self.later[name][index]), []).append(value)
        for (kept, _), values in classes.items():
            if name in VALUE_CHECKED:  # the engine compares the value itself: check each one
                values = [v for v in values if engine_accepts({**patient, name: v}, self.limits)]
            elif not engine_accepts({**patient, name: values[0]}, self.limits):
                continue  # the values of a class pass or fail the engine's checks alike
            if values:
                patient[name], self.stands_for[name] = values[0], values
                self._search(patient, kept, core_rules)
                del patient[name], self.stands_for[name]

    def _next_input(self, remaining: int, rules: list[int]) -> str:
        names = [n for i, n in enumerate(self.names) if remaining >> i & 1]
        core = [name for name in names if name in CORE]
        if core:
            return core[0]
        return max(names, key=lambda name: (
            sum(self.looks_at[i] >> self.names.index(name) & 1 for i in rules),
            -names.index(name)))

    def _record_gap(self, patient: dict[str, Any], core_rules: int) -> None:
        """The gap names every value each input stands for: one message per situation."""
        rules = [rule for i, rule in enumerate(self.rules) if core_rules >> i & 1]
        gap = {name: Alike(self.stands_for[name], self.space[name])
               if len(self.stands_for[name]) > 1 else value
               for name, value in patient.items() if name in CORE or any(
                   not accepts(rule["when"], name, value) for rule in rules)}
        gap = {name: gap[name] for name in self.names if name in gap}
        self.gaps.setdefault(tuple((k, repr(v)) for k, v in gap.items()), gap)


class Alike(list):
    """Values of one input that the search treated alike (a gap holds for each of them), with
    the input's values worth trying: a number stands for the stretch up to its neighbours."""

    def __init__(self, values: list[Any], domain: list[Any]):
        super().__init__(values)
        self.domain = domain

    def words(self) -> list[str]:
        """"any" for every value; numbers as runs ("2–4"); other values as they are."""
        if len(self) == len(self.domain):
            return ["any"]
        if not any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in self):
            return [_plain(v) for v in self]
        shown = ["null"] if None in self else []
        numbers = [v for v in self.domain if v is not None]
        runs: list[list[Any]] = []
        for value in (v for v in numbers if v in self):
            if runs and numbers.index(value) == numbers.index(runs[-1][-1]) + 1:
                runs[-1].append(value)
            else:
                runs.append([value])
        return shown + [_plain(run[0]) if len(run) == 1 else
                        f"{_plain(run[0])}–{_plain(run[-1])}" for run in runs]


def _plain(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _later_checks(name: str, value: Any) -> Any:
    """What the engine's contradiction checks compare of this value (see engine_accepts),
    except for VALUE_CHECKED inputs: values that agree here pass or fail alike, whatever the
    other inputs, and are interchangeable."""
    return {"category": lambda: value if value in KI67_GRADED else value in LUNG_CATEGORIES,
            "site": lambda: (value == "lung", value in PANCREATIC_SYNDROME_SITES,
                             value == "stomach"),
            "functional_syndrome": lambda: value in PANCREATIC_SYNDROMES,
            "gastric_type": lambda: value is None,
            "treatments_given": lambda: "prrt" in value,
            "prrt_pfs_months": lambda: value is None,
            "sstr_positive": lambda: value is True,
            "sstr_uptake": lambda: value is None}.get(name, lambda: None)()
