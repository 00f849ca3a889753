"""One source of truth: grading.yaml drives the classification page, the calculator page and
the calculator itself, and the generator rejects rules that cannot be right."""

import html

import pytest

from conftest import edit
from calculators import grade
from generator.content import load_guidelines
from generator.problems import ContentError
from generator.render import render_version


def render(content):
    """The pages as a reader reads them: the Markdown sources hold "&lt;" where a reader sees
    "<" (every value is HTML-escaped when rendered)."""
    [guideline] = load_guidelines(content)
    pages = render_version(guideline, guideline.current)
    return guideline.current, {path: html.unescape(text) for path, text in pages.items()}


def test_moving_a_threshold_moves_the_table_and_the_calculator(content_copy):
    grading = content_copy / "nen/2025.1/grading.yaml"
    edit(grading, "    g2_from: 3      #", "    g2_from: 4      #")
    (content_copy / "nen/2025.1/treatment.yaml").write_text(
        (content_copy / "nen/2025.1/treatment.yaml").read_text()
        + "generated_tables: [grading-digestive, grading-boundaries]\n")
    version, pages = render(content_copy)
    assert "| NET G1 | Well | < 2 | < 4 % |" in pages["treatment.md"]
    assert "| NET G2 | Well | 2–20 | 4–20 % |" in pages["treatment.md"]
    assert "| Digestive | Ki-67 3.99 % | NET G1 |" in pages["treatment.md"]
    assert "| Digestive | Ki-67 4 % | NET G2 |" in pages["treatment.md"]
    assert "< 4 %" in pages["calculators/grade.md"]
    inputs = {"site": "pancreas", "differentiation": "well", "ki67_percent": 3.5}
    assert grade.evaluate(inputs, version.grading)["category"] == "NET G1"


def test_the_real_tables_match_the_reference_boundaries():
    from conftest import ROOT

    _, pages = render(ROOT / "content")
    page = pages["classification.md"]
    for row in ("| NET G1 | Well | < 2 | < 3 % |", "| NET G2 | Well | 2–20 | 3–20 % |",
                "| NET G3 | Well | > 20 | > 20 % |", "| Digestive | Ki-67 3 % | NET G2 |",
                "| Digestive | Ki-67 20 % | NET G2 |", "| Digestive | Ki-67 20.01 % | NET G3 |",
                "| Digestive | Mitotic count 2 per 2 mm² | NET G2 |",
                "| Digestive | Mitotic count 20 per 2 mm² | NET G2 |",
                "| Lung | Carcinoid, 10 mitoses per 2 mm², necrosis none | atypical carcinoid |",
                "| Typical carcinoid | Carcinoid, at least 0.5 cm | < 2 | Absent |"):
        assert row in page, row


def problems_of(content):
    with pytest.raises(ContentError) as caught:
        load_guidelines(content)
    return [str(problem) for problem in caught.value.problems]


def test_bands_out_of_order_are_an_error(content_copy):
    edit(content_copy / "nen/2025.1/grading.yaml", "    g2_to: 20       # up to",
         "    g2_to: 2        # up to")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/grading.yaml:8: digestive.ki67_percent.g2_to: must be above "
        "g2_from (3)"]


def test_every_category_needs_an_interpretation(content_copy):
    grading = content_copy / "nen/2025.1/grading.yaml"
    text = grading.read_text()
    start = text.index("  SCLC:")
    grading.write_text(text[:start] + text[text.index("\n", start) + 1:])
    assert problems_of(content_copy) == [
        "content/nen/2025.1/grading.yaml:23: interpretations: missing an interpretation for SCLC"]


def test_unknown_category_gets_a_suggestion(content_copy):
    edit(content_copy / "nen/2025.1/grading.yaml", "  LCNEC:", "  LCNEC:  x\n  LCNE:")
    problems = problems_of(content_copy)
    assert any("interpretations.LCNE: unknown category 'LCNE' (did you mean 'LCNEC'?)" in p
               for p in problems), problems


def test_a_threshold_must_be_a_number(content_copy):
    edit(content_copy / "nen/2025.1/grading.yaml", "typical_carcinoid_mitoses_below: 2",
         "typical_carcinoid_mitoses_below: two")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/grading.yaml:18: lung.typical_carcinoid_mitoses_below: expected a "
        "number, got the string 'two'"]


def test_authored_tables_cannot_take_a_generated_name(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "  - id: grades", "  - id: grading-lung")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:8: tables[0].id: duplicate id 'grading-lung' (first "
        "used at grading.yaml, as a generated table); ids must be unique in a version"]


def test_the_grading_file_is_required(content_copy):
    (content_copy / "nen/2025.1/grading.yaml").unlink()
    assert problems_of(content_copy) == [
        "content/nen/2025.1/grading.yaml:1: missing file (content/<guideline>/<version>/"
        "grading.yaml: the WHO rules the grade calculator applies and the classification page "
        "shows)"]
