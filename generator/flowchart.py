"""Build-time SVG flowcharts of a guideline version's treatment pathway rules.

One chart per category group, drawn from version.pathway (the rules the pathway calculator
runs) and the recommendations they name, so a changed rule changes its chart. This module
decides what each chart says (which rules, in which order, in which words);
generator.flowchart_drawing places the boxes (group -> stage -> rule -> recommendation), in a
wide and a narrow drawing: no layout tool at build time, and the same input always gives the
same bytes.

The SVG is pasted inline into HTML. It carries no xmlns (the HTML parser puts <svg> in the SVG
namespace by itself, and leaving it out keeps every URL out of the markup), links with SVG 2
`href`, and references nothing outside itself: no images, fonts, styles or scripts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from calculators.grade_inputs import SITES
from calculators.pathway import LUNG_CATEGORIES, PARSERS, STAGES
from generator.flowchart_drawing import LAYOUTS, Row, Target, draw_chart
from generator.labels import STAGE_LABELS, STRENGTH_LABELS, SYNDROME_LABELS

Json = dict[str, Any]

# (id, title, categories); None collects the rules that name no category.
GROUPS = (
    ("net-g1-g2", "NET G1–G2 (digestive)", ("NET G1", "NET G2")),
    ("net-g3", "NET G3 (digestive)", ("NET G3",)),
    ("lung-carcinoids", "Lung carcinoids", ("typical carcinoid", "atypical carcinoid")),
    ("nec", "NEC (digestive or unknown primary)", ("NEC", "NEC small cell", "NEC large cell")),
    ("lung-nec", "Lung NEC (SCLC, LCNEC)", ("SCLC", "LCNEC")),
    ("minen", "MiNEN", ("MiNEN",)),
    ("any-category", "Any category", None),
)
DIGESTIVE_SITES = tuple(site for site in SITES if site != "lung")

SITE_WORDS = {"small_intestine": "small intestine", "unknown": "unknown primary"}
VALUE_WORDS = {
    "functional_syndrome": {**SYNDROME_LABELS, None: "No functional syndrome"},
    "sstr_positive": {True: "SSTR-positive", False: "SSTR-negative", None: "SSTR status unknown"},
    "sstr_uptake": {"above_liver": "SSTR uptake above normal liver",
                    "equal_liver": "SSTR uptake equal to normal liver",
                    "below_liver": "SSTR uptake below normal liver", None: "SSTR uptake not given"},
    "gastric_type": {"1": "Gastric type 1", "2": "Gastric type 2", "3": "Gastric type 3",
                     None: "Gastric type not given"},
    "progressing": {True: "Progressing", False: "Stable"},
    "bone_mets": {True: "Bone metastases", False: "No bone metastases"},
    "liver_dominant": {True: "Liver-dominant disease", False: "Disease not liver-dominant"}}

# Numbers as "<label> <range><unit>"; treatments in a rule box's few words.
NUMBER_WORDS = {"ki67_percent": ("Ki-67", " %"), "tumour_size_mm": ("Size", " mm"),
                "ecog": ("ECOG", ""), "age": ("Age", " years"),
                "prrt_pfs_months": ("Months without progression after PRRT", "")}
TREATMENT_WORDS = {"ssa": "SSA", "everolimus": "everolimus", "sunitinib": "sunitinib",
                   "prrt": "PRRT", "captem": "CAPTEM", "streptozocin": "streptozocin",
                   "platinum_etoposide": "platinum-etoposide", "folfiri": "FOLFIRI",
                   "folfox": "FOLFOX", "interferon": "interferon",
                   "checkpoint_inhibitor": "checkpoint inhibitor",
                   "liver_directed": "liver-directed therapy"}
SYSTEMIC = set(TREATMENT_WORDS) - {"liver_directed"}

# kind -> (border, fill) of a target box; avoided boxes are also dashed. Their text is
# #263238: 11.5:1 or more on each fill.
COLOURS = {"recommended": ("#2e7d32", "#edf7ee"), "suggested": ("#2e7d32", "#edf7ee"),
           "option": ("#1565c0", "#e8f1fb"), "avoid": ("#c62828", "#fdecea"),
           "note": ("#757575", "#f1f1f1")}

# What content text may hold (generator.text_safety), reduced to the words a reader sees.
CITATION = re.compile(r"\s*\[@[^\]\s]+\]")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(?<![\w*\\])(\*\*|__|\*|_)(?=\S)(.+?)(?<=[^\s\\])\1(?![\w*])")
ESCAPED = re.compile(r"\\([\\`*_\[\]#|~])")


@dataclass(frozen=True)
class Flowchart:
    """A chart as HTML for the page: its wide and its narrow drawing, each a stack of <svg>
    bands (generator.flowchart_drawing). Every text in it is escaped."""
    id: str
    title: str
    svg: str


def pathway_flowcharts(version, link_prefix: str) -> list[Flowchart]:
    """One flowchart per category group, drawn from version.pathway and the recommendations."""
    rules = version.pathway.get("rules", [])
    index = version.recommendation_index()
    charts = []
    for chart_id, title, categories in GROUPS:
        members = [rule for rule in rules if _in_group(rule["when"], categories)]
        if members:
            blocks = [(label, [_row(rule, categories, index, link_prefix) for rule in block])
                      for label, block in _stage_blocks(members)]
            drawings = [draw_chart(chart_id, title, blocks, layout) for layout in LAYOUTS]
            charts.append(Flowchart(chart_id, title, "\n".join(drawings)))
    return charts


# --- Which rules, in which order -------------------------------------------------------------
def _group_sites(categories) -> set[str]:
    """The sites a patient of the group can have (lung categories are lung-only)."""
    if categories is None:
        return set(SITES)
    return {"lung"} if set(categories) <= set(LUNG_CATEGORIES) else set(DIGESTIVE_SITES)


def _in_group(when: Json, categories) -> bool:
    if categories is None:
        return "category" not in when
    if not set(when.get("category", ())) & set(categories):
        return False
    # A rule whose sites no patient of the group can have never fires for it: leave it out.
    return "site" not in when or bool(set(when["site"]) & _group_sites(categories))


def _stage_label(stages) -> str:
    if not stages or set(stages) >= set(STAGES):
        return "Any stage"
    words = [STAGE_LABELS[stage] for stage in STAGES if stage in stages]
    if {"localized", "locoregional"} <= set(stages):  # STAGES starts with these two
        words[:2] = ["Localized or locoregional"]
    return " / ".join(words)


def _stage_blocks(rules: list[Json]) -> list[tuple[str, list[Json]]]:
    """Rules grouped by stage box, earliest stage first; rules keep their order in a box."""
    blocks: dict[str, list[Json]] = {}
    for rule in rules:
        blocks.setdefault(_stage_label(rule["when"].get("stage")), []).append(rule)

    def rank(block: list[Json]) -> tuple[int, int]:
        """Earliest stage first; of two boxes starting alike, the narrower one first."""
        positions = [STAGES.index(s) for s in block[0]["when"].get("stage") or ()]
        return (min(positions), max(positions)) if positions else (len(STAGES), len(STAGES))
    return sorted(blocks.items(), key=lambda item: rank(item[1]))


# --- Words -------------------------------------------------------------------------------------
def _join(words: list[str], conjunction: str = "or") -> str:
    """"A, b or c": later words lose their capital unless it starts an acronym (VIPoma)."""
    words = [words[0], *(w if w[1:2].isupper() else w[:1].lower() + w[1:] for w in words[1:])]
    text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
    return text[0].upper() + text[1:]


def _number_range(bounds: Json, unit: str) -> str:
    low, high = bounds.get("min"), bounds.get("max")
    below, above = bounds.get("below"), bounds.get("above")
    if low is not None and high is not None and below is None and above is None:
        return f"{low:g}–{high:g}{unit}"
    parts = [f"{sign} {value:g}" for sign, value in
             (("≥", low), (">", above), ("≤", high), ("<", below)) if value is not None]
    return " and ".join(parts) + unit + (" (must be given)" if bounds.get("known") else "")


def _history_text(condition: Json) -> str:
    """{any: [ssa, prrt]} -> "After SSA or PRRT"; {none: [all systemic]} -> "No systemic
    treatment yet"; {any: [...], none: [...]} -> "After SSA, not after PRRT"."""
    def listed(codes: list[str], conjunction: str) -> str:
        words = [TREATMENT_WORDS[code] for code in codes]
        return words[0] if len(words) == 1 else \
            f"{', '.join(words[:-1])} {conjunction} {words[-1]}"

    wanted, excluded = condition.get("any", []), condition.get("none", [])
    if set(wanted) >= set(TREATMENT_WORDS):
        parts = ["After any treatment"]
    elif set(wanted) >= SYSTEMIC:
        parts = ["After any systemic treatment"]
    else:
        parts = [f"After {listed(wanted, 'or')}"] if wanted else []
    if set(excluded) >= SYSTEMIC:
        parts.append("no systemic treatment yet")
    elif excluded:
        parts.append(f"not after {listed(excluded, 'or')}")
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def _site_text(sites: list[str], possible: set[str]) -> str | None:
    present = [s for s in SITES if s in sites and s in possible]
    if set(present) >= possible:
        return None  # every site the group can have: the line would add nothing
    if set(present) == set(DIGESTIVE_SITES):
        return "Any digestive site or unknown primary"
    missing = [s for s in SITES if s in possible and s not in present]
    if len(present) > 3 > len(missing):  # reads better than a list of five or six sites
        return "Any site except " + _join([SITE_WORDS.get(s, s) for s in missing], "and").lower()
    return _join([SITE_WORDS.get(s, s) for s in present])


def _condition(name: str, condition: Any, categories) -> str | None:
    """One condition of a rule as a short line, or None when it adds nothing in this group."""
    if name == "category":
        narrowed = [c for c in categories or () if c in condition]
        return f"{_join(narrowed)} only" if categories and len(narrowed) < len(categories) else None
    if name == "site":
        return _site_text(condition, _group_sites(categories))
    if name == "treatments_given":
        return _history_text(condition)
    if name in NUMBER_WORDS:
        label, unit = NUMBER_WORDS[name]
        return f"{label} {_number_range(condition, unit)}"
    if name == "sstr_uptake" and set(condition) == {"equal_liver", "above_liver"}:
        return "SSTR uptake at least as high as normal liver"
    words = VALUE_WORDS.get(name, {})
    if name == "functional_syndrome" and "carcinoid_syndrome" in condition:
        # Refractory diarrhoea is a kind of carcinoid syndrome: naming both says it twice.
        condition = [v for v in condition if v != "carcinoid_syndrome_refractory_diarrhoea"]
    if words and set(words) <= set(condition):
        return None  # every value allowed
    return _join([words.get(value, f"{name} {value}") for value in condition])


def readable(markdown: str) -> str:
    """A content text as its page shows it, without Markdown marks: the words of links and
    emphasis, and no citation marks (the box links to the recommendation, which has them)."""
    text = ESCAPED.sub(r"\1", EMPHASIS.sub(r"\2", LINK.sub(r"\1", CITATION.sub("", markdown))))
    return " ".join(text.split())


# --- Boxes' contents ---------------------------------------------------------------------------
def _row(rule: Json, categories, index, link_prefix: str) -> Row:
    when = rule["when"]
    # The engine's input order, so every box lists its conditions alike.
    names = [n for n in PARSERS if n in when and n != "stage"] + \
        [n for n in when if n not in PARSERS]
    conditions = [t for t in (_condition(n, when[n], categories) for n in names) if t]
    targets = [_recommendation(rec_id, kind, index, link_prefix)
               for kind in ("offer", "avoid") for rec_id in rule.get(kind, [])]
    if not targets and rule.get("note"):
        targets.append(Target("Note", readable(rule["note"]), "note", COLOURS["note"]))
    return Row(rule["id"], rule.get("why", ""), tuple(conditions), tuple(targets))


def _recommendation(rec_id: str, kind: str, index, link_prefix: str) -> Target:
    place = index[rec_id]
    rec = place.recommendation
    # An avoided recommendation is not_recommended (the build checks it); say so regardless.
    strength = "not_recommended" if kind == "avoid" else rec.strength
    colours = COLOURS["avoid"] if kind == "avoid" else COLOURS.get(strength, COLOURS["option"])
    return Target(STRENGTH_LABELS.get(strength, strength), readable(rec.text), kind, colours,
                  f"{link_prefix}{place.page}/#{rec.anchor}")
