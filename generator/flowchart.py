"""Build-time SVG flowcharts of a guideline version's treatment pathway rules.

One chart per category group, drawn from version.pathway (the rules the pathway calculator
runs) and the recommendations they name, so a changed rule changes its chart. The layout is
computed here in four fixed columns (group -> stage -> rule -> recommendation): no layout tool
at build time, and the same input always gives the same bytes.

The SVG is pasted inline into HTML. It carries no xmlns (the HTML parser puts <svg> in the SVG
namespace by itself, and leaving it out keeps every URL out of the markup), links with SVG 2
`href`, and references nothing outside itself: no images, fonts, styles or scripts.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from calculators.grade_inputs import SITES
from calculators.pathway import LUNG_CATEGORIES, PARSERS, STAGES
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

# Geometry, in px. Text width is estimated (no font metrics at build time), generously.
FONT, CHAR_W, BOLD_W, LINE_H, PAD = 12, 6.5, 7.2, 15, 8
MARGIN, COL_GAP, ROW_GAP, BLOCK_GAP, REC_GAP, INDENT = 12, 32, 10, 24, 8, 12
COLUMNS = {"group": 104, "stage": 144, "rule": 212, "rec": 304}
COL_X = {name: MARGIN + sum(list(COLUMNS.values())[:i]) + COL_GAP * i
         for i, name in enumerate(COLUMNS)}
WIDTH = COL_X["rec"] + COLUMNS["rec"] + MARGIN
REC_CHARS, NOTE_CHARS = 110, 120
INK, LINE_COLOUR = "#263238", "#78909c"
# kind -> (border, fill); avoided boxes are also dashed.
COLOURS = {"recommended": ("#2e7d32", "#edf7ee"), "suggested": ("#2e7d32", "#edf7ee"),
           "option": ("#1565c0", "#e8f1fb"), "avoid": ("#c62828", "#fdecea"),
           "note": ("#757575", "#f1f1f1")}

Line = tuple[str, bool, int]  # text, bold, indent


@dataclass(frozen=True)
class Flowchart:
    id: str
    title: str
    svg: str


@dataclass(frozen=True)
class _Target:
    """A box of column 4: an offered or avoided recommendation, or a note."""
    lines: tuple[Line, ...]
    kind: str  # offer, avoid or note
    colours: tuple[str, str]
    href: str | None = None
    tooltip: str | None = None

    @property
    def height(self) -> int:
        return _box_height(self.lines)


@dataclass(frozen=True)
class _Row:
    rule_id: str
    why: str
    lines: tuple[Line, ...]
    targets: tuple[_Target, ...]

    @property
    def targets_height(self) -> int:
        return sum(t.height for t in self.targets) + REC_GAP * (len(self.targets) - 1)

    @property
    def height(self) -> int:
        return max(_box_height(self.lines), self.targets_height)


def pathway_flowcharts(version, link_prefix: str) -> list[Flowchart]:
    """One flowchart per category group, drawn from version.pathway and the recommendations."""
    rules = version.pathway.get("rules", [])
    index = version.recommendation_index()
    charts = []
    for chart_id, title, categories in GROUPS:
        members = [rule for rule in rules if _in_group(rule["when"], categories)]
        if members:
            rows = [(label, [_row(rule, categories, index, link_prefix) for rule in block])
                    for label, block in _stage_blocks(members)]
            charts.append(Flowchart(chart_id, title, _svg(chart_id, title, rows)))
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


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


# --- Boxes' contents ---------------------------------------------------------------------------
def _wrap(text: str, column: str, bold: bool = False, indent: int = 0) -> list[Line]:
    chars = int((COLUMNS[column] - 2 * PAD - indent) / (BOLD_W if bold else CHAR_W))
    # A no-break space keeps "10 %" on one line (textwrap does not break at U+00A0); each
    # line is its own tspan, so the plain space can come back.
    return [(line.replace("\u00a0", " "), bold, indent)
            for line in textwrap.wrap(text.replace(" %", "\u00a0%"), chars,
                                      break_on_hyphens=False)]


def _row(rule: Json, categories, index, link_prefix: str) -> _Row:
    when = rule["when"]
    # The engine's input order, so every box lists its conditions alike.
    names = [n for n in PARSERS if n in when and n != "stage"] + \
        [n for n in when if n not in PARSERS]
    texts = [t for t in (_condition(n, when[n], categories) for n in names) if t]
    lines: list[Line] = []
    for text in texts or ["All patients in this group"]:
        if len(texts) < 2:
            lines += _wrap(text, "rule")
        else:  # a bullet per condition, wrapped lines indented under it
            first, *rest = _wrap(text, "rule", indent=INDENT)
            lines += [("• " + first[0], False, 0), *rest]
    targets = [_recommendation(rec_id, kind, index, link_prefix)
               for kind in ("offer", "avoid") for rec_id in rule.get(kind, [])]
    if not targets and rule.get("note"):
        note = _truncate(rule["note"], NOTE_CHARS)
        targets.append(_Target((("Note", True, 0), *_wrap(note, "rec")), "note",
                               COLOURS["note"], tooltip=rule["note"]))
    return _Row(rule["id"], rule.get("why", ""), tuple(lines), tuple(targets))


def _recommendation(rec_id: str, kind: str, index, link_prefix: str) -> _Target:
    place = index[rec_id]
    rec = place.recommendation
    # An avoided recommendation is not_recommended (the build checks it); say so regardless.
    strength = "not_recommended" if kind == "avoid" else rec.strength
    first_sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", rec.text.strip(), maxsplit=1)[0]
    lines = ((STRENGTH_LABELS.get(strength, strength), True, 0),
             *_wrap(_truncate(first_sentence, REC_CHARS), "rec"))
    colours = COLOURS["avoid"] if kind == "avoid" else COLOURS.get(strength, COLOURS["option"])
    return _Target(lines, kind, colours, f"{link_prefix}{place.page}/#{rec.anchor}", rec.text)


# --- Drawing -----------------------------------------------------------------------------------
def _box_height(lines) -> int:
    return 2 * PAD + LINE_H * len(lines)


def _attrs(**attrs) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(str(v), {chr(34): "&quot;"})}"'
                   for k, v in attrs.items() if v is not None)


def _box(column: str, x: int, y: int, height: int, lines, colours, centred: bool = False,
         extra_class: str = "", dashed: bool = False, ink: str = INK) -> str:
    """A rect of its column's class, with its lines as tspans (top-aligned unless centred)."""
    width = COLUMNS[column]
    border, fill = colours
    rect = (f"<rect{_attrs(class_=f'col-{column}{extra_class}', x=x, y=y, width=width)}"
            f"{_attrs(height=height, rx=4, fill=fill, stroke=border, stroke_width=1.5)}"
            f"{_attrs(stroke_dasharray='6 4' if dashed else None)}/>")
    top = y + (height - LINE_H * len(lines)) // 2 if centred else y + PAD
    text_x = x + width // 2 if centred else x + PAD
    spans = "".join(f"<tspan{_attrs(x=text_x + indent, y=top + 11 + i * LINE_H)}"
                    f"{_attrs(font_weight='bold' if bold else None)}>{escape(text)}</tspan>"
                    for i, (text, bold, indent) in enumerate(lines))
    anchor = _attrs(text_anchor="middle" if centred else None)
    return f"{rect}<text{anchor} fill=\"{ink}\">{spans}</text>"


def _arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    """A connector from a box's right edge to the next box's left edge, bending in the gap."""
    middle = x1 + COL_GAP // 2
    y1 = y2 if abs(y1 - y2) < 4 else y1  # no one-pixel jog from rounding the two centres
    path = f"M{x1} {y1}H{x2 - 6}" if y1 == y2 else f"M{x1} {y1}H{middle}V{y2}H{x2 - 6}"
    head = f"{x2},{y2} {x2 - 7},{y2 - 4} {x2 - 7},{y2 + 4}"
    return (f"<path{_attrs(d=path, fill='none', stroke=LINE_COLOUR, stroke_width=1.5)}/>"
            f"<polygon{_attrs(points=head, fill=LINE_COLOUR)}/>")


def _svg(chart_id: str, title: str, blocks: list[tuple[str, list[_Row]]]) -> str:
    group_lines = _wrap(title, "group", bold=True)
    measured = []  # (stage lines, rows, their height, the stage box's height)
    for label, rows in blocks:
        stage_lines = _wrap(label, "stage", bold=True)
        rows_height = sum(row.height for row in rows) + ROW_GAP * (len(rows) - 1)
        measured.append((stage_lines, rows, rows_height,
                         max(rows_height, _box_height(stage_lines))))
    content = sum(m[3] for m in measured) + BLOCK_GAP * (len(measured) - 1)
    group_height = max(content, _box_height(group_lines))
    height = group_height + 2 * MARGIN
    title_id = f"nen-flowchart-{chart_id}-title"
    # role=group, not img: an img hides the links inside from screen readers.
    parts = [f"<svg{_attrs(class_='nen-flowchart', role='group', aria_labelledby=title_id)}"
             f"{_attrs(viewBox=f'0 0 {WIDTH} {height}', width=WIDTH, height=height)}"
             f"{_attrs(font_family='sans-serif', font_size=FONT)}>",
             f"<title{_attrs(id=title_id)}>Treatment pathway: {escape(title)}</title>",
             _box("group", COL_X["group"], MARGIN, group_height, group_lines,
                  ("#37474f", "#37474f"), centred=True, ink="#ffffff")]
    y = MARGIN + (group_height - content) // 2
    for stage_lines, rows, rows_height, block_height in measured:
        parts.append(_box("stage", COL_X["stage"], y, block_height, stage_lines,
                          ("#90a4ae", "#eceff1"), centred=True))
        parts.append(_arrow(COL_X["stage"] - COL_GAP, y + block_height // 2, COL_X["stage"],
                            y + block_height // 2))
        row_y = y + (block_height - rows_height) // 2
        for row in rows:
            parts.append(_draw_row(row, row_y))
            row_y += row.height + ROW_GAP
        y += block_height + BLOCK_GAP
    parts.append("</svg>")
    return "\n".join(parts)


def _draw_row(row: _Row, y: int) -> str:
    """A rule box centred in its row, its recommendation boxes stacked beside it."""
    rule_height = _box_height(row.lines)
    rule_y = y + (row.height - rule_height) // 2
    middle = rule_y + rule_height // 2
    stage_right = COL_X["stage"] + COLUMNS["stage"]
    rule_right = COL_X["rule"] + COLUMNS["rule"]
    parts = [f"<g{_attrs(data_rule=row.rule_id)}>",
             _arrow(stage_right, middle, COL_X["rule"], middle),
             f"<g class=\"rule\"><title>{escape(row.why)}</title>",
             _box("rule", COL_X["rule"], rule_y, rule_height, row.lines, ("#b0bec5", "#ffffff")),
             "</g>"]
    target_y = y + (row.height - row.targets_height) // 2
    for target in row.targets:
        parts.append(_arrow(rule_right, middle, COL_X["rec"], target_y + target.height // 2))
        box = _box("rec", COL_X["rec"], target_y, target.height, target.lines, target.colours,
                   extra_class=f" {target.kind}", dashed=target.kind == "avoid")
        tooltip = f"<title>{escape(target.tooltip)}</title>" if target.tooltip else ""
        if target.href:
            parts.append(f"<a{_attrs(href=target.href, class_=target.kind)}>{tooltip}{box}</a>")
        else:
            parts.append(f"<g{_attrs(class_=target.kind)}>{tooltip}{box}</g>")
        target_y += target.height + REC_GAP
    parts.append("</g>")
    return "\n".join(parts)
