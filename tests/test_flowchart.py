"""The pathway flowcharts: drawn from the version's rules, self-contained, legible SVG, every
text whole, in a wide and a narrow drawing that fit their columns."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from generator.content import load_guidelines
from generator.flowchart import pathway_flowcharts, readable
from generator.flowchart_drawing import (BAND_MAX, LAYOUTS, NARROW, PAD, WIDE, text_width,
                                         wrap)

PREFIX = "../../"
LEVELS = ("col-group", "col-stage", "col-rule", "col-rec")
VARIANTS = ("wide", "narrow")
DESKTOP_COLUMN, PHONE_COLUMN = 688, 343  # px: the content column at 1280 px and at 375 px


@pytest.fixture(scope="module")
def version():
    return load_guidelines(ROOT / "content")[0].current


@pytest.fixture(scope="module")
def charts(version):
    return pathway_flowcharts(version, PREFIX)


def rules_of(version) -> list[dict]:
    return version.pathway["rules"]


def href(version, rec_id: str) -> str:
    place = version.recommendation_index()[rec_id]
    return f"{PREFIX}{place.page}/#{place.recommendation.anchor}"


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def bands(chart, variant: str = "wide") -> list[ET.Element]:
    """The <svg> bands of one drawing of the chart, top to bottom."""
    root = ET.fromstring(f"<chart>{chart.svg}</chart>")
    drawing = next(div for div in root if f"nen-flowchart-variant--{variant}" in classes(div))
    return list(drawing)


def every_band(chart) -> list[ET.Element]:
    return [band for variant in VARIANTS for band in bands(chart, variant)]


def elements(chart, tag: str, variant: str = "wide") -> list[ET.Element]:
    return [element for band in bands(chart, variant) for element in band.iter(tag)]


def rule_groups(chart, variant: str = "wide") -> dict[str, ET.Element]:
    return {g.get("data-rule"): g for g in elements(chart, "g", variant) if g.get("data-rule")}


def rule_box_text(group: ET.Element) -> str:
    """The text of the rule box (not of its recommendations), lines joined by spaces."""
    box = next(g for g in group.iter("g") if "rule" in classes(g))
    return " ".join(span.text for span in box.iter("tspan"))


def box_texts(element: ET.Element) -> list[str]:
    return [span.text for span in element.iter("tspan")]


def stage_labels(chart, variant: str = "wide") -> list[str]:
    """The stage bars' labels, top to bottom (each rect is followed by its text)."""
    labels = []
    for band in bands(chart, variant):
        children = list(band)
        labels += [" ".join(box_texts(text)) for rect, text in zip(children, children[1:])
                   if "col-stage" in classes(rect)]
    return labels


def boxes_with_text(chart, variant: str):
    """(rect, text) for every box: each rect is followed by its text."""
    for band in bands(chart, variant):
        for parent in band.iter():
            children = list(parent)
            yield from ((rect, text) for rect, text in zip(children, children[1:])
                        if rect.tag == "rect" and text.tag == "text")


def _rect(element: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(element.get(key)) for key in ("x", "y", "width", "height"))


# --- What is drawn -----------------------------------------------------------------------------
def test_one_chart_per_group_in_order(charts):
    assert [(c.id, c.title) for c in charts] == [
        ("net-g1-g2", "NET G1–G2 (digestive)"), ("net-g3", "NET G3 (digestive)"),
        ("lung-carcinoids", "Lung carcinoids"), ("nec", "NEC (digestive or unknown primary)"),
        ("lung-nec", "Lung NEC (SCLC, LCNEC)"), ("minen", "MiNEN"),
        ("any-category", "Any category")]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_rule_and_recommendation_is_drawn(version, charts, variant):
    links = {a.get("href") for c in charts for a in elements(c, "a", variant)}
    drawn = {rule_id for c in charts for rule_id in rule_groups(c, variant)}
    for rule in rules_of(version):
        if rule.get("offer") or rule.get("avoid") or rule.get("note"):
            assert rule["id"] in drawn, rule["id"]
        for rec_id in rule.get("offer", []) + rule.get("avoid", []):
            assert href(version, rec_id) in links, (rule["id"], rec_id)


def test_both_drawings_say_the_same(charts):
    for chart in charts:
        wide, narrow = (" ".join(s.text for s in elements(chart, "tspan", v)).split()
                        for v in VARIANTS)
        assert wide and wide == narrow, chart.id  # wrapped apart, worded alike, same order
        assert list(rule_groups(chart, "wide")) == list(rule_groups(chart, "narrow"))


def test_rules_sit_in_the_groups_of_their_categories(charts):
    drawn = {c.id: set(rule_groups(c)) for c in charts}
    assert "localized-rectal-small" in drawn["net-g1-g2"]
    assert "localized-rectal-small" not in drawn["net-g3"]
    assert "net-g3-first-line" in drawn["net-g3"] and "net-g3-first-line" not in drawn["net-g1-g2"]
    assert "lung-carcinoid-everolimus" in drawn["lung-carcinoids"]
    assert "es-sclc-fit" in drawn["lung-nec"] and "es-sclc-fit" not in drawn["nec"]
    # Rules naming no category go to "Any category" only.
    assert drawn["any-category"] == {"bone-metastases", "insulinoma-no-untested-ssa",
                                     "gastrinoma"}
    assert drawn["minen"] == {"minen"}


# --- Every text whole --------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_recommendation_box_shows_its_whole_text(version, charts, variant):
    index = version.recommendation_index()
    by_href = {href(version, rec_id): index[rec_id].recommendation for rule in rules_of(version)
               for rec_id in rule.get("offer", []) + rule.get("avoid", [])}
    seen = 0
    for chart in charts:
        for link in elements(chart, "a", variant):
            label, *lines = box_texts(link)
            assert " ".join(lines) == readable(by_href[link.get("href")].text), link.get("href")
            assert label in ("Recommended", "Suggested", "Option", "Not recommended")
            seen += 1
    assert seen >= 70


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_text_is_cut_short(charts, variant):
    for chart in charts:
        for span in elements(chart, "tspan", variant):
            assert not span.text.endswith(("…", "...")), (chart.id, span.text)
        for band in bands(chart, variant):  # whole texts are shown, not left to tooltips
            tooltips = [t.text for g in band.iter("a") for t in g.iter("title")]
            assert tooltips == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_note_only_rule_gets_a_note_box_with_the_whole_note(version, charts, variant):
    group = rule_groups(charts[1], variant)["net-g3-aggressive"]
    note = next(r for r in group.iter("rect") if "note" in classes(r))
    assert "col-rec" in classes(note)
    assert group.find(".//a") is None  # a note links nowhere
    lines = [span.text for g in group.iter("g") if "note" in classes(g)
             for span in g.iter("tspan")]
    rule = next(r for r in rules_of(version) if r["id"] == "net-g3-aggressive")
    assert lines[0] == "Note" and " ".join(lines[1:]) == readable(rule["note"])


def test_readable_drops_markdown_marks_and_keeps_the_words():
    assert readable("Use **SSA** first [@NETTER1].") == "Use SSA first."
    assert readable("See the [grading table](../classification.md#g) and *only* that") == \
        "See the grading table and only that"
    assert readable("snake_case_words stay, \\*escaped\\* stars stay") == \
        "snake_case_words stay, *escaped* stars stay"
    assert readable("  spaces\n and\tbreaks ") == "spaces and breaks"


def test_wrapping_keeps_a_percentage_whole_and_cuts_only_overlong_words():
    lines = [text for text, _, _ in wrap("Ki-67 below 10 % " * 6, 150)]
    assert all(not line.endswith(" 10") for line in lines) and len(lines) > 1
    long = "x" * 80
    cut = [text for text, _, _ in wrap(long, 150)]
    assert "".join(cut) == long and len(cut) > 1
    assert all(text_width(line) <= 150 - 2 * PAD for line in cut)


# --- Fits its column, readable -----------------------------------------------------------------
def test_drawings_fit_their_columns(charts):
    assert WIDE.width <= DESKTOP_COLUMN and NARROW.width <= PHONE_COLUMN
    assert [layout.name for layout in LAYOUTS] == ["wide", "narrow"]  # wide first: CSS order
    for chart in charts:
        for variant, layout in zip(VARIANTS, LAYOUTS):
            for band in bands(chart, variant):
                assert int(band.get("width")) == layout.width
                assert f"nen-flowchart--{variant}" in classes(band)
            for rect in elements(chart, "rect", variant):
                x, _, width, _ = _rect(rect)
                assert 0 < x and x + width < layout.width, (chart.id, variant, rect.attrib)


@pytest.mark.parametrize("variant", VARIANTS)
def test_text_stays_inside_its_box(charts, variant):
    """Every line lies within its rect, measured with widths no common font exceeds."""
    for chart in charts:
        for rect, text in boxes_with_text(chart, variant):
            x, y, width, height = _rect(rect)
            for span in text.iter("tspan"):
                bold = span.get("font-weight") == "bold"
                assert y < float(span.get("y")) < y + height, span.text
                right = float(span.get("x")) + text_width(span.text, bold)
                assert right <= x + width - PAD, (chart.id, variant, span.text)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("variant", VARIANTS)
def test_text_contrast_in_boxes_is_at_least_4_5(charts, variant):
    pairs = {(text.get("fill"), rect.get("fill"))
             for chart in charts for rect, text in boxes_with_text(chart, variant)}
    assert len(pairs) >= 5
    for ink, fill in pairs:
        assert contrast(ink, fill) >= 4.5, (ink, fill)


# --- Sound SVG ---------------------------------------------------------------------------------
@pytest.mark.parametrize("index", range(7))
def test_svg_is_well_formed_and_accessible(charts, index):
    chart = charts[index]
    ids = [e.get("id") for band in every_band(chart) for e in band.iter() if e.get("id")]
    assert len(ids) == len(set(ids))  # unique on the page, though drawn twice
    for band in every_band(chart):
        assert band.tag == "svg" and band.get("role") == "group"
        assert "nen-flowchart" in classes(band)
        assert band.get("font-family") == "sans-serif" and band.get("font-size") == "12"
        title = band.find("title")
        assert title is not None and title.get("id") == band.get("aria-labelledby")
        assert title.text.startswith(f"Treatment pathway: {chart.title}")
    for group in rule_groups(chart).values():  # the rule's why is its box's tooltip
        box = next(g for g in group.iter("g") if "rule" in classes(g))
        assert box.find("title").text


@pytest.mark.parametrize("variant", VARIANTS)
def test_bands_stack_without_a_gap_and_fit_a_printed_page(charts, variant):
    for chart in charts:
        top = 0
        for band in bands(chart, variant):
            x, y, width, height = (int(v) for v in band.get("viewBox").split())
            assert (x, y, width, height) == (0, top, int(band.get("width")),
                                            int(band.get("height")))
            rule_rows = [g for g in band if g.tag == "g" and g.get("data-rule")]
            # Taller than BAND_MAX only when a single rule row is.
            assert height <= BAND_MAX or len(rule_rows) == 1, (chart.id, height)
            top += height
        first_titles = [b.find("title").text for b in bands(chart, variant)]
        assert first_titles[0] == f"Treatment pathway: {chart.title}"


@pytest.mark.parametrize("index", range(7))
def test_svg_references_nothing_outside(charts, index):
    svg = charts[index].svg
    assert "http" not in svg and "//" not in svg
    for forbidden in ("<image", "<script", "<style", "xlink", "@import", "url(", "<?xml",
                      "style="):
        assert forbidden not in svg
    assert not re.search(r"\son\w+=", svg)  # no event handler attributes
    for variant in VARIANTS:
        for link in elements(charts[index], "a", variant):
            assert link.get("href").startswith(PREFIX)


@pytest.mark.parametrize("variant", VARIANTS)
def test_boxes_of_a_level_do_not_overlap(charts, variant):
    for chart in charts:
        rects = elements(chart, "rect", variant)
        for level in LEVELS:
            boxes = [_rect(r) for r in rects if level in classes(r)]
            assert boxes, level
            for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(boxes, 2):
                apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
                assert apart, (chart.id, level, (x1, y1, w1, h1), (x2, y2, w2, h2))


@pytest.mark.parametrize("variant", VARIANTS)
def test_levels_nest_left_to_right(charts, variant):
    rects = elements(charts[0], "rect", variant)
    lefts = [{_rect(r)[0] for r in rects if level in classes(r)} for level in LEVELS]
    assert all(len(x) == 1 for x in lefts)  # one left edge per level
    assert [min(x) for x in lefts] == sorted(min(x) for x in lefts)
    assert len({min(x) for x in lefts}) == 4


def test_wide_drawing_puts_recommendations_beside_their_rule_narrow_under_it(charts):
    for variant in VARIANTS:
        group = rule_groups(charts[5], variant)["minen"]
        rule = next(r for r in group.iter("rect") if "col-rule" in classes(r))
        rec = next(r for r in group.iter("rect") if "col-rec" in classes(r))
        (rx, ry, rw, rh), (tx, ty, _, _) = _rect(rule), _rect(rec)
        if variant == "wide":
            assert tx > rx + rw
        else:
            assert ty > ry + rh and tx > rx


def test_stage_bars_run_from_early_to_late_disease(charts):
    for variant in VARIANTS:
        assert stage_labels(charts[0], variant) == [  # of two starting alike, the narrower first
            "Localized", "Localized or locoregional", "Locoregional",
            "Resectable liver metastases",
            "Resectable liver metastases / Unresectable or metastatic",
            "Unresectable or metastatic", "Any stage"]
    assert stage_labels(charts[4]) == [
        "Localized or locoregional", "Resectable liver metastases",
        "Resectable liver metastases / Unresectable or metastatic", "Unresectable or metastatic"]


def test_drawing_is_deterministic(version):
    assert pathway_flowcharts(version, PREFIX) == pathway_flowcharts(version, PREFIX)


# --- Words -------------------------------------------------------------------------------------
def test_condition_wording(charts):
    rules = {rule_id: g for c in charts for rule_id, g in rule_groups(c).items()}
    assert "Ki-67 < 10 %" in rule_box_text(rules["ssa-first-line"])
    assert "Ki-67 10–55 %" in rule_box_text(rules["first-line-prrt-g2-g3"])
    assert "SSTR uptake at least as high as normal liver" in \
        rule_box_text(rules["first-line-prrt-g2-g3"])
    assert "No systemic treatment yet" in rule_box_text(rules["ssa-first-line"])
    assert "After platinum-etoposide, not after FOLFIRI" in rule_box_text(rules["nec-second-line"])
    assert "After any treatment" in rule_box_text(rules["stable-on-treatment"])
    assert "SSTR status unknown" in rule_box_text(rules["sstr-status-unknown"])
    assert "ECOG ≥ 3" in rule_box_text(rules["nec-poor-ps"])
    assert "Size ≤ 10 mm" in rule_box_text(rules["localized-gastric-type1-small"])
    assert "Gastric type 1" in rule_box_text(rules["localized-gastric-type1-small"])
    assert "Size > 10 and ≤ 20 mm" in rule_box_text(rules["localized-rectal-medium"])
    assert "Months without progression after PRRT ≥ 18 (must be given)" in \
        rule_box_text(rules["prrt-retreatment"])
    assert rule_box_text(rules["minen"]) == "All patients in this group"


def test_sstr_negative_rules_say_so(version, charts):
    negative = [r["id"] for r in rules_of(version) if r["when"].get("sstr_positive") == [False]]
    assert negative
    for chart in charts:
        for rule_id, group in rule_groups(chart).items():
            if rule_id in negative:
                assert "SSTR-negative" in rule_box_text(group), (chart.id, rule_id)


def test_site_line_only_when_it_narrows_the_group(charts):
    net, lung = rule_groups(charts[0]), rule_groups(charts[2])
    assert rule_box_text(net["pnet-everolimus"]).startswith("• Pancreas")
    # Every digestive site: nothing to say within a digestive group.
    assert "site" not in rule_box_text(net["ssa-first-line"]).lower()
    assert "Any site except pancreas" in rule_box_text(net["no-sunitinib-outside-pancreas"])
    assert rule_box_text(lung["no-sunitinib-outside-pancreas"]) == "All patients in this group"


@pytest.mark.parametrize("variant", VARIANTS)
def test_avoided_recommendations_use_the_not_recommended_style(version, charts, variant):
    avoided = {href(version, rec_id) for r in rules_of(version) for rec_id in r.get("avoid", [])}
    offered = {href(version, rec_id) for r in rules_of(version) for rec_id in r.get("offer", [])}
    seen = set()
    for chart in charts:
        for link in elements(chart, "a", variant):
            rect = link.find("rect")
            label = link.find("text/tspan").text
            if link.get("href") in avoided:
                seen.add(link.get("href"))
                assert "avoid" in classes(link) and "avoid" in classes(rect)
                assert rect.get("stroke-dasharray") and label == "Not recommended"
            else:
                assert link.get("href") in offered
                assert "offer" in classes(rect) and not rect.get("stroke-dasharray")
                assert label in ("Recommended", "Suggested", "Option")
    assert seen == avoided


# --- Follows the content -----------------------------------------------------------------------
def test_a_changed_rule_changes_the_drawing(version):
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"].append({
        "id": "test-minen-liver", "when": {"category": ["MiNEN"], "stage": ["resectable_liver_mets"]},
        "offer": ["tx-liver-directed-therapy"], "why": "A rule added by the test."})
    changed = dataclasses.replace(version, pathway=pathway)
    minen = next(c for c in pathway_flowcharts(changed, PREFIX) if c.id == "minen")
    for variant in VARIANTS:
        group = rule_groups(minen, variant)["test-minen-liver"]
        assert group.find("a").get("href") == href(version, "tx-liver-directed-therapy")
        assert stage_labels(minen, variant) == ["Resectable liver metastases", "Any stage"]
    assert "test-minen-liver" not in "".join(c.svg for c in pathway_flowcharts(version, PREFIX))


def test_a_long_stage_is_split_into_bands_between_rows(version):
    """Many rules of one stage: bands no taller than BAND_MAX, each named as a continuation."""
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"] += [{"id": f"test-{n}", "when": {"category": ["MiNEN"]},
                          "offer": ["tx-liver-directed-therapy"], "why": "A test rule."}
                         for n in range(12)]
    minen = next(c for c in pathway_flowcharts(dataclasses.replace(version, pathway=pathway),
                                               PREFIX) if c.id == "minen")
    for variant in VARIANTS:
        titles = [band.find("title").text for band in bands(minen, variant)]
        assert len(titles) > 2
        assert titles[1:] == ["Treatment pathway: MiNEN, Any stage (continued)"] * (len(titles) - 1)
        assert len(rule_groups(minen, variant)) == 13


def test_empty_groups_are_skipped(version):
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"] = [r for r in pathway["rules"] if r["id"] != "minen"]
    charts = pathway_flowcharts(dataclasses.replace(version, pathway=pathway), PREFIX)
    assert "minen" not in [c.id for c in charts]
    assert pathway_flowcharts(dataclasses.replace(version, pathway={}), PREFIX) == []


def test_text_is_escaped(version):
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"].append({"id": "x", "when": {"category": ["MiNEN"]},
                             "note": "a < b & \"c\" <script>", "why": "<why> & 'more'"})
    minen = next(c for c in pathway_flowcharts(dataclasses.replace(version, pathway=pathway),
                                               PREFIX) if c.id == "minen")
    assert "<script>" not in minen.svg
    for variant in VARIANTS:
        group = rule_groups(minen, variant)["x"]  # parses, so escaped
        assert "a < b & \"c\" <script>" in " ".join(s.text for s in group.iter("tspan"))
