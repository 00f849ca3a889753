"""Drawing the pathway flowcharts: boxes, lines and bands, as SVG markup.

A chart is a tree read from top to bottom. The category group's bar comes first; a line runs
down from it to each stage bar; from each stage bar a line runs down to each rule box (a
patient situation), and each rule box points to the boxes of what it leads to: offered or
avoided recommendations, or a note. Every text is shown whole, wrapped to its box.

Each chart is drawn twice, at fixed sizes, so that no reader's browser ever shrinks it:
WIDE (680 px, the desktop content column) puts the recommendations beside their rule; NARROW
(343 px, the column of a 375 px phone) puts them under it. CSS in nenguide.css ("Flowcharts")
shows the one that fits its frame.

Each drawing is cut into bands, separate <svg> elements stacked without a gap, that read as
one picture on screen: one band per stage, and more when a stage is taller than BAND_MAX. A
printed page can break only between elements, so it breaks between bands, never through a
line of text (a single tall <svg> is sliced wherever the page ends).

Text is measured with a table of character widths (no font files at build time) that no
common sans-serif font exceeds, so a line that fits here fits in every reader's browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT, LINE_H, PAD = 12, 15, 8
BASELINE = 11  # from the top of a line to its baseline, at FONT px
MARGIN = 6  # around the drawing, so that no border is cut at its edge
STEP = 20  # how far a child box sits right of its parent
SPINE = 8  # where the line down from a box runs, right of the box's left edge
COL_GAP = 28  # wide layout: between a rule box and its recommendations
BLOCK_GAP, ROW_GAP, TARGET_GAP = 16, 10, 6
BAND_MAX = 560  # px; a band taller than this is split between rule rows (a page is ~1000)
INK, WHITE, LINE_COLOUR = "#263238", "#ffffff", "#78909c"
GROUP_COLOURS = ("#37474f", "#37474f")  # (border, fill); its text is white
STAGE_COLOURS = ("#90a4ae", "#eceff1")
RULE_COLOURS = ("#b0bec5", "#ffffff")

Line = tuple[str, bool, int]  # text, bold, indent

# Advance widths in hundredths of an em, {bold: {width: characters}}: of DejaVu Sans or
# Liberation Sans, whichever is wider, rounded up (measured in Chromium). Arial and Helvetica
# share Liberation Sans's widths; DejaVu Sans, a Linux default, is wider still: a line that
# fits here fits in the usual default sans-serif fonts. U+00A0 is the no-break space.
WIDTHS = {
    False: {30: "'Iijl", 35: " \u00a0,./:;\\f|’‘·", 40: "()-[]rt", 45: "!²³", 50: '"*J`°',
            55: "csz“”", 60: "?L_kvxy–•γ", 65: "$0123456789FTabdeghnopqu{}µéèüöäβ",
            70: "BEKPSVXYZα", 75: "ACNRU", 80: "&DGHOQ", 85: "#+<=>^w~≤≥×±", 90: "M",
            100: "%Wm—…", 105: "@"},
    True: {35: " \u00a0'ijl", 40: ",./:;I\\|’‘·", 45: "-f²³", 50: "!()[]`rt°", 55: '"*',
           60: "J_csz–", 65: "?Lx•", 70: "$0123456789EFSaekovy“”éèöäαγ",
           75: "CPTYZbdghnpqu{}µüβ", 80: "ABKRVX", 85: "#+<=>DGHNU^~≤≥×±", 90: "&OQ", 95: "w",
           100: "@M—…", 105: "%m", 115: "W"}}
EM = {bold: {char: width / 100 for width, chars in table.items() for char in chars}
      for bold, table in WIDTHS.items()}
UNKNOWN_EM = 1.2  # a character missing from the table: wider than any in it


@dataclass(frozen=True)
class Target:
    """A box that a rule leads to: an offered or avoided recommendation, or a note."""
    label: str  # its first line, in bold: the strength, or "Note"
    text: str  # the whole text, wrapped to the box
    kind: str  # offer, avoid or note
    colours: tuple[str, str]  # (border, fill)
    href: str | None = None


@dataclass(frozen=True)
class Row:
    """A rule: the conditions of its box, its rationale (the box's tooltip), its targets."""
    rule_id: str
    why: str
    conditions: tuple[str, ...]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class Layout:
    """One drawing of every chart: its width, and where each level's boxes sit."""
    name: str  # wide or narrow: in the CSS class of its <svg> elements
    width: int
    rule_width: int | None  # recommendations beside rule boxes this wide; None: under them

    @property
    def beside(self) -> bool:
        return self.rule_width is not None

    @property
    def group(self) -> tuple[int, int]:
        return MARGIN, self.width - 2 * MARGIN

    @property
    def stage(self) -> tuple[int, int]:
        return self._to_right_edge(MARGIN + STEP)

    @property
    def rule(self) -> tuple[int, int]:
        x = MARGIN + 2 * STEP
        return (x, self.rule_width) if self.rule_width else self._to_right_edge(x)

    @property
    def target(self) -> tuple[int, int]:
        rule_x, rule_width = self.rule
        return self._to_right_edge(rule_x + rule_width + COL_GAP if self.beside
                                   else rule_x + STEP)

    def _to_right_edge(self, x: int) -> tuple[int, int]:
        return x, self.width - MARGIN - x


WIDE = Layout("wide", 680, rule_width=216)
NARROW = Layout("narrow", 343, rule_width=None)
LAYOUTS = (WIDE, NARROW)  # the page shows the first that fits


# --- Text --------------------------------------------------------------------------------------
def text_width(text: str, bold: bool = False) -> float:
    """At most the width of the text in px, in any common sans-serif font."""
    return FONT * sum(EM[bold].get(char, UNKNOWN_EM) for char in text)


def wrap(text: str, box_width: int, bold: bool = False, indent: int = 0) -> list[Line]:
    """The text in as few lines as fit the box, broken at spaces (inside a word only when the
    word alone is wider than the box)."""
    room = box_width - 2 * PAD - indent
    # A no-break space keeps "10 %" on one line; each line is its own tspan, so the plain
    # space can come back.
    words = " ".join(text.split()).replace(" %", "\u00a0%").split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, bold) > room:
            lines.append(line)
            candidate = word
        while text_width(candidate, bold) > room:
            cut = max(1, max(n for n in range(len(candidate) + 1)
                             if text_width(candidate[:n], bold) <= room))
            lines.append(candidate[:cut])
            candidate = candidate[cut:]
        line = candidate
    lines += [line] if line else []
    return [(line.replace("\u00a0", " "), bold, indent) for line in lines]


def _rule_lines(conditions: tuple[str, ...], box_width: int) -> list[Line]:
    if len(conditions) < 2:
        return wrap(conditions[0] if conditions else "All patients in this group", box_width)
    lines: list[Line] = []
    for text in conditions:  # a bullet per condition, wrapped lines indented under it
        first, *rest = wrap(text, box_width, indent=12)
        lines += [("• " + first[0], False, 0), *rest]
    return lines


def _target_lines(target: Target, box_width: int) -> list[Line]:
    return [(target.label, True, 0), *wrap(target.text, box_width)]


# --- Shapes ------------------------------------------------------------------------------------
def _attrs(**attrs) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(str(v), {chr(34): "&quot;"})}"'
                   for k, v in attrs.items() if v is not None)


def box_height(lines) -> int:
    return 2 * PAD + LINE_H * len(lines)


def _box(level: str, x: int, y: int, width: int, lines: list[Line], colours,
         kind: str = "", ink: str = INK) -> str:
    """A rect of its level's class, then its lines as tspans."""
    border, fill = colours
    rect = (f"<rect{_attrs(class_=f'col-{level} {kind}'.strip(), x=x, y=y, width=width)}"
            f"{_attrs(height=box_height(lines), rx=4, fill=fill, stroke=border)}"
            f"{_attrs(stroke_width=1.5, stroke_dasharray='6 4' if kind == 'avoid' else None)}/>")
    spans = "".join(f"<tspan{_attrs(x=x + PAD + indent, y=y + PAD + BASELINE + i * LINE_H)}"
                    f"{_attrs(font_weight='bold' if bold else None)}>{escape(text)}</tspan>"
                    for i, (text, bold, indent) in enumerate(lines))
    return f"{rect}<text{_attrs(fill=ink)}>{spans}</text>"


def _path(d: str) -> str:
    return f"<path{_attrs(d=d, fill='none', stroke=LINE_COLOUR, stroke_width=1.5)}/>"


def _arrow(x1: int, y: int, x2: int) -> str:
    """A horizontal arrow from x1 to a box's left edge at x2."""
    head = f"{x2},{y} {x2 - 7},{y - 4} {x2 - 7},{y + 4}"
    return _path(f"M{x1} {y}H{x2 - 6}") + f"<polygon{_attrs(points=head, fill=LINE_COLOUR)}/>"


def _elbow(x1: int, y1: int, x2: int, y2: int) -> str:
    """From a rule box's right edge to a target's left edge, bending in the gap between."""
    if abs(y1 - y2) < 4:  # no one-pixel jog from rounding the two centres
        return _arrow(x1, y2, x2)
    middle = x1 + COL_GAP // 2
    return _path(f"M{x1} {y1}H{middle}V{y2}") + _arrow(middle, y2, x2)


# --- Layout ------------------------------------------------------------------------------------
@dataclass
class _Piece:
    """What a band boundary may not cut: a rule row, with the bars drawn just above it."""
    top: int
    bottom: int
    parts: list[str]
    stage: str
    opens_stage: bool


def _draw_row(row: Row, y: int, layout: Layout) -> tuple[list[str], int, int]:
    """A rule box and its targets from y down: (markup, the rule box's middle, the height)."""
    rule_x, rule_width = layout.rule
    target_x, target_width = layout.target
    rule_lines = _rule_lines(row.conditions, rule_width)
    rule_height = box_height(rule_lines)
    targets = [(t, _target_lines(t, target_width)) for t in row.targets]
    heights = [box_height(lines) for _, lines in targets]
    stacked = sum(heights) + TARGET_GAP * (len(heights) - 1) if heights else 0
    if layout.beside:  # the rule box centred on its stack of targets
        height = max(rule_height, stacked)
        rule_y, target_y = y + (height - rule_height) // 2, y + (height - stacked) // 2
    else:  # the targets under the rule box, hanging from a line down its left side
        height = rule_height + (TARGET_GAP + stacked if targets else 0)
        rule_y, target_y = y, y + rule_height + TARGET_GAP
    middle = rule_y + rule_height // 2
    parts = [f"<g{_attrs(data_rule=row.rule_id)}>",
             f"<g class=\"rule\"><title>{escape(row.why)}</title>",
             _box("rule", rule_x, rule_y, rule_width, rule_lines, RULE_COLOURS), "</g>"]
    target_middles = []
    for (target, lines), target_height in zip(targets, heights):
        target_middles.append(target_y + target_height // 2)
        if layout.beside:
            parts.append(_elbow(rule_x + rule_width, middle, target_x, target_middles[-1]))
        else:
            parts.append(_arrow(rule_x + SPINE, target_middles[-1], target_x))
        box = _box("rec", target_x, target_y, target_width, lines, target.colours, target.kind)
        parts.append(f"<a{_attrs(href=target.href, class_=target.kind)}>{box}</a>"
                     if target.href else f"<g{_attrs(class_=target.kind)}>{box}</g>")
        target_y += target_height + TARGET_GAP
    if targets and not layout.beside:
        parts.insert(1, _path(f"M{rule_x + SPINE} {rule_y + rule_height}V{target_middles[-1]}"))
    parts.append("</g>")
    return parts, middle, height


def _lay_out(title: str, blocks: list[tuple[str, list[Row]]], layout: Layout):
    """Every piece at its place in one tall drawing, the spines (x, top, bottom) that join
    the levels, and the drawing's height."""
    pieces: list[_Piece] = []
    spines: list[tuple[int, int, int]] = []
    group_x, group_width = layout.group
    stage_x, stage_width = layout.stage
    rule_x = layout.rule[0]
    group_lines = wrap(title, group_width, bold=True)
    parts = [_box("group", group_x, MARGIN, group_width, group_lines, GROUP_COLOURS, ink=WHITE)]
    top = MARGIN  # of the piece being gathered
    y = MARGIN + box_height(group_lines)
    group_bottom, stage_middles = y, []
    for label, rows in blocks:
        y += BLOCK_GAP
        if pieces:  # a stage bar starts a piece; the first one shares the group bar's
            top = y
        stage_lines = wrap(label, stage_width, bold=True)
        stage_middles.append(y + box_height(stage_lines) // 2)
        parts += [_arrow(group_x + SPINE, stage_middles[-1], stage_x),
                  _box("stage", stage_x, y, stage_width, stage_lines, STAGE_COLOURS)]
        y += box_height(stage_lines)
        stage_bottom, rule_middles = y, []
        for index, row in enumerate(rows):
            y += ROW_GAP
            if index:  # a row starts a piece; the first one shares its stage bar's
                top = y
            row_parts, middle, height = _draw_row(row, y, layout)
            rule_middles.append(middle)
            parts += [_arrow(stage_x + SPINE, middle, rule_x), *row_parts]
            y += height
            pieces.append(_Piece(top, y, parts, label, opens_stage=index == 0))
            parts = []
        spines.append((stage_x + SPINE, stage_bottom, rule_middles[-1]))
    spines.append((group_x + SPINE, group_bottom, stage_middles[-1]))
    return pieces, spines, y + MARGIN


def _bands(pieces: list[_Piece]) -> list[list[_Piece]]:
    """A band per stage, and a new one before a row that would make it taller than BAND_MAX
    (a band reaches half a gap above and below its pieces: at most BLOCK_GAP in all)."""
    bands = [[pieces[0]]]
    for piece in pieces[1:]:
        if piece.opens_stage or piece.bottom - bands[-1][0].top + BLOCK_GAP > BAND_MAX:
            bands.append([piece])
        else:
            bands[-1].append(piece)
    return bands


def draw_chart(chart_id: str, title: str, blocks: list[tuple[str, list[Row]]],
               layout: Layout) -> str:
    """The chart in one layout: its bands, each an <svg> with its own part of the spines."""
    pieces, spines, height = _lay_out(title, blocks, layout)
    bands = _bands(pieces)
    # Bands meet halfway between their pieces, so the gap is drawn and the spines run on.
    edges = [0, *((a[-1].bottom + b[0].top) // 2 for a, b in zip(bands, bands[1:])), height]
    svgs = []
    for number, (band, top, bottom) in enumerate(zip(bands, edges, edges[1:]), start=1):
        name = f"Treatment pathway: {title}"
        if number > 1:
            name += f", {band[0].stage}" + ("" if band[0].opens_stage else " (continued)")
        spine_parts = [_path(f"M{x} {max(a, top)}V{min(b, bottom)}")
                       for x, a, b in spines if a < bottom and b > top]
        svgs.append(_svg(f"nen-flowchart-{chart_id}-{layout.name}-{number}", name, layout,
                         top, bottom, spine_parts + [p for piece in band for p in piece.parts]))
    return (f"<div class=\"nen-flowchart-variant nen-flowchart-variant--{layout.name}\">\n"
            + "\n".join(svgs) + "\n</div>")


def _svg(svg_id: str, name: str, layout: Layout, top: int, bottom: int,
         parts: list[str]) -> str:
    title_id = f"{svg_id}-title"
    # role=group, not img: an img hides the links inside from screen readers.
    return "\n".join([
        f"<svg{_attrs(class_=f'nen-flowchart nen-flowchart--{layout.name}', role='group')}"
        f"{_attrs(aria_labelledby=title_id, viewBox=f'0 {top} {layout.width} {bottom - top}')}"
        f"{_attrs(width=layout.width, height=bottom - top)}"
        f"{_attrs(font_family='sans-serif', font_size=FONT)}>",
        f"<title{_attrs(id=title_id)}>{escape(name)}</title>",
        *parts, "</svg>"])
