"""Pathway rules are checked at build time, with file:line and exact text."""

import pytest

from conftest import edit
from generator.content import load_guidelines
from generator.problems import ContentError

RULES_FILE = "nen/2025.1/pathway.yaml"


def problems_of(content):
    with pytest.raises(ContentError) as caught:
        load_guidelines(content)
    return [str(problem) for problem in caught.value.problems]


def test_the_fixture_rules_are_clean(content_copy):
    [guideline] = load_guidelines(content_copy)
    assert guideline.current.pathway["rules"][0]["id"] == "nec-first-line"


def test_unknown_recommendation_id(content_copy):
    edit(content_copy / RULES_FILE, "offer: [nec-first-line]", "offer: [nec-first-lin]")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:8: rules[0].offer[0]: unknown recommendation "
        "'nec-first-lin' (did you mean 'nec-first-line'?)"]


def test_offer_and_avoid_follow_the_strength(content_copy):
    edit(content_copy / RULES_FILE, "offer: [nec-first-line]",
         "offer: [nec-first-line, nec-no-net-drugs]\n    avoid: [nec-first-line]")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:8: rules[0].offer[1]: 'nec-no-net-drugs' is a "
        "not_recommended recommendation; list it under avoid",
        "content/nen/2025.1/pathway.yaml:9: rules[0].avoid[0]: 'nec-first-line' is "
        "recommended, not not_recommended; list it under offer"]


def test_unknown_input_and_value(content_copy):
    edit(content_copy / RULES_FILE, "      category: [NEC, NEC small cell, NEC large cell]",
         "      category: [NEC, NEC small cell, NEC large cell, NEC G3]\n      stge: [localized]")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:7: rules[0].when.category[3]: unknown value 'NEC G3' "
        "for category (did you mean 'NET G3'?); allowed: NET G1, NET G2, NET G3, NEC, "
        "NEC small cell, NEC large cell, MiNEN, typical carcinoid, atypical carcinoid, LCNEC, "
        "SCLC",
        "content/nen/2025.1/pathway.yaml:8: rules[0].when.stge: unknown input 'stge' (did you "
        "mean 'stage'?); known: category, site, stage, sstr_positive, functional_syndrome, "
        "progressing, elderly_or_poor_ps, prior_lines, bone_mets, liver_dominant, ki67_percent"]


def test_a_rule_that_can_never_fire(content_copy):
    (content_copy / RULES_FILE).write_text(
        (content_copy / RULES_FILE).read_text() + """  - id: lung-nec
    when:
      category: [NEC]
      site: [lung]
    offer: [nec-first-line]
    why: "Never: NEC is a digestive category."
""")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:11: rules[1].when: rule 'lung-nec' can never fire: no "
        "patient matches all its conditions (a lung category needs site lung; other categories "
        "need another site)"]


def test_patients_without_any_option_are_listed(content_copy):
    edit(content_copy / RULES_FILE, "      category: [NEC, NEC small cell, NEC large cell]",
         "      category: [NEC, NEC small cell, NEC large cell]\n      prior_lines: {max: 0}")
    assert problems_of(content_copy)[:2] == [
        "content/nen/2025.1/pathway.yaml:4: rules: ... and 79 more situations without any "
        "option",
        "content/nen/2025.1/pathway.yaml:4: rules: no rule offers any option for category=NEC, "
        "site=pancreas, stage=localized, prior_lines=1 (whatever the other inputs); add a rule "
        "or an out_of_scope entry"]


def test_ranges_are_checked(content_copy):
    edit(content_copy / RULES_FILE, "      category: [NEC, NEC small cell, NEC large cell]",
         "      category: [NEC, NEC small cell, NEC large cell]\n      prior_lines: {atleast: 1}"
         "\n      ki67_percent: [10]")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:8: rules[0].when.prior_lines.atleast: unknown range key "
        "'atleast' (use min, max or below)",
        "content/nen/2025.1/pathway.yaml:9: rules[0].when.ki67_percent: expected a range such as "
        "{min: 1} or {below: 10}"]


def test_out_of_scope_uses_core_inputs_only(content_copy):
    edit(content_copy / RULES_FILE, "  - when: {category:", "  - when: {progressing: [true], category:")
    assert problems_of(content_copy)[0] == (
        "content/nen/2025.1/pathway.yaml:2: out_of_scope[0].when.progressing: unknown input "
        "'progressing'; known: category, site, stage (out_of_scope may use category, site and "
        "stage only)")


def test_the_rules_file_is_required(content_copy):
    (content_copy / RULES_FILE).unlink()
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:1: missing file (content/<guideline>/<version>/"
        "pathway.yaml: the treatment pathway rules)"]
