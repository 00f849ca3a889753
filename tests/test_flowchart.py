"""The pathway flowcharts: drawn from the version's rules, self-contained, legible SVG."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT
from generator.content import load_guidelines
from generator.flowchart import BOLD_W, CHAR_W, PAD, pathway_flowcharts

PREFIX = "../../"
COLUMNS = ("col-group", "col-stage", "col-rule", "col-rec")


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


def rule_groups(chart) -> dict[str, ET.Element]:
    return {g.get("data-rule"): g for g in ET.fromstring(chart.svg).iter("g")
            if g.get("data-rule")}


def rule_box_text(group: ET.Element) -> str:
    """The text of the rule box (not of its recommendations), lines joined by spaces."""
    box = next(g for g in group.iter("g") if "rule" in classes(g))
    return " ".join(span.text for span in box.iter("tspan"))


def stage_labels(chart) -> list[str]:
    """The stage boxes' labels, top to bottom (each rect is followed by its text)."""
    children = list(ET.fromstring(chart.svg))
    return [" ".join(span.text for span in text.iter("tspan"))
            for rect, text in zip(children, children[1:]) if "col-stage" in classes(rect)]


def test_one_chart_per_group_in_order(charts):
    assert [(c.id, c.title) for c in charts] == [
        ("net-g1-g2", "NET G1–G2 (digestive)"), ("net-g3", "NET G3 (digestive)"),
        ("lung-carcinoids", "Lung carcinoids"), ("nec", "NEC (digestive or unknown primary)"),
        ("lung-nec", "Lung NEC (SCLC, LCNEC)"), ("minen", "MiNEN"),
        ("any-category", "Any category")]


def test_every_rule_and_recommendation_is_drawn(version, charts):
    links = {a.get("href") for c in charts for a in ET.fromstring(c.svg).iter("a")}
    drawn = {rule_id for c in charts for rule_id in rule_groups(c)}
    for rule in rules_of(version):
        if rule.get("offer") or rule.get("avoid") or rule.get("note"):
            assert rule["id"] in drawn, rule["id"]
        for rec_id in rule.get("offer", []) + rule.get("avoid", []):
            assert href(version, rec_id) in links, (rule["id"], rec_id)


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


@pytest.mark.parametrize("index", range(7))
def test_svg_is_well_formed_and_accessible(charts, index):
    chart = charts[index]
    root = ET.fromstring(chart.svg)
    assert root.tag == "svg" and root.get("role") == "group"
    assert "nen-flowchart" in classes(root)
    assert root.get("font-family") == "sans-serif"
    title = root.find("title")
    assert title is not None and title.get("id") == root.get("aria-labelledby")
    assert chart.title in title.text
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    for group in rule_groups(chart).values():  # the rule's why is its box's tooltip
        box = next(g for g in group.iter("g") if "rule" in classes(g))
        assert box.find("title").text


@pytest.mark.parametrize("index", range(7))
def test_svg_references_nothing_outside(charts, index):
    svg = charts[index].svg
    assert "http" not in svg and "//" not in svg
    for forbidden in ("<image", "<script", "<style", "xlink", "@import", "url(", "<?xml"):
        assert forbidden not in svg
    for link in ET.fromstring(svg).iter("a"):
        assert link.get("href").startswith(PREFIX)


def _rect(element: ET.Element) -> tuple[float, float, float, float]:
    return tuple(float(element.get(key)) for key in ("x", "y", "width", "height"))


@pytest.mark.parametrize("index", range(7))
def test_boxes_of_a_column_do_not_overlap(charts, index):
    rects = list(ET.fromstring(charts[index].svg).iter("rect"))
    for column in COLUMNS:
        boxes = [_rect(r) for r in rects if column in classes(r)]
        assert boxes, column
        for (x1, y1, w1, h1), (x2, y2, w2, h2) in itertools.combinations(boxes, 2):
            apart = x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
            assert apart, (column, (x1, y1, w1, h1), (x2, y2, w2, h2))


@pytest.mark.parametrize("index", range(7))
def test_text_stays_inside_its_box(charts, index):
    """Each rect is followed by its text: every line lies within the rect, by estimated width."""
    for parent in ET.fromstring(charts[index].svg).iter():
        children = list(parent)
        for rect, text in zip(children, children[1:]):
            if rect.tag != "rect" or text.tag != "text":
                continue
            x, y, width, height = _rect(rect)
            for span in text.iter("tspan"):
                char_w = BOLD_W if span.get("font-weight") == "bold" else CHAR_W
                assert y < float(span.get("y")) < y + height, span.text
                if text.get("text-anchor") != "middle":
                    right = float(span.get("x")) + len(span.text) * char_w
                    assert right <= x + width - PAD + char_w, span.text


def test_columns_are_ordered_left_to_right(charts):
    rects = list(ET.fromstring(charts[0].svg).iter("rect"))
    lefts = [{_rect(r)[0] for r in rects if column in classes(r)} for column in COLUMNS]
    assert all(len(x) == 1 for x in lefts)  # fixed columns
    assert [min(x) for x in lefts] == sorted(min(x) for x in lefts)


def test_stage_boxes_run_from_early_to_late_disease(charts):
    assert stage_labels(charts[0]) == [  # of two boxes starting alike, the narrower first
        "Localized", "Localized or locoregional", "Locoregional", "Resectable liver metastases",
        "Resectable liver metastases / Unresectable or metastatic", "Unresectable or metastatic",
        "Any stage"]
    assert stage_labels(charts[4]) == [
        "Localized or locoregional", "Resectable liver metastases",
        "Resectable liver metastases / Unresectable or metastatic", "Unresectable or metastatic"]


def test_drawing_is_deterministic(version):
    assert pathway_flowcharts(version, PREFIX) == pathway_flowcharts(version, PREFIX)


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


def test_avoided_recommendations_use_the_not_recommended_style(version, charts):
    avoided = {href(version, rec_id) for r in rules_of(version) for rec_id in r.get("avoid", [])}
    offered = {href(version, rec_id) for r in rules_of(version) for rec_id in r.get("offer", [])}
    seen = set()
    for chart in charts:
        for link in ET.fromstring(chart.svg).iter("a"):
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


def test_note_only_rule_gets_a_note_box(charts):
    group = rule_groups(charts[1])["net-g3-aggressive"]
    note = next(r for r in group.iter("rect") if "note" in classes(r))
    assert "col-rec" in classes(note)
    assert group.find(".//a") is None  # a note links nowhere
    lines = [span.text for g in group.iter("g") if "note" in classes(g)
             for span in g.iter("tspan")]
    assert lines[0] == "Note" and lines[-1].endswith("…")


def test_a_changed_rule_changes_the_drawing(version):
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"].append({
        "id": "test-minen-liver", "when": {"category": ["MiNEN"], "stage": ["resectable_liver_mets"]},
        "offer": ["tx-liver-directed-therapy"], "why": "A rule added by the test."})
    changed = dataclasses.replace(version, pathway=pathway)
    minen = next(c for c in pathway_flowcharts(changed, PREFIX) if c.id == "minen")
    group = rule_groups(minen)["test-minen-liver"]
    assert group.find("a").get("href") == href(version, "tx-liver-directed-therapy")
    assert stage_labels(minen) == ["Resectable liver metastases", "Any stage"]
    assert "test-minen-liver" not in "".join(c.svg for c in pathway_flowcharts(version, PREFIX))


def test_empty_groups_are_skipped(version):
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"] = [r for r in pathway["rules"] if r["id"] != "minen"]
    charts = pathway_flowcharts(dataclasses.replace(version, pathway=pathway), PREFIX)
    assert "minen" not in [c.id for c in charts]
    assert pathway_flowcharts(dataclasses.replace(version, pathway={}), PREFIX) == []


def test_text_is_escaped(version):
    pathway = copy.deepcopy(version.pathway)
    pathway["rules"].append({"id": "x", "when": {"category": ["MiNEN"]},
                             "note": "a < b & \"c\"", "why": "<why> & 'more'"})
    minen = next(c for c in pathway_flowcharts(dataclasses.replace(version, pathway=pathway),
                                               PREFIX) if c.id == "minen")
    group = rule_groups(minen)["x"]  # parses, so escaped
    assert "a < b & \"c\"" in " ".join(s.text for s in group.iter("tspan"))
