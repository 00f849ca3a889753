"""Pathway rules are checked at build time, with file:line and exact text."""

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, edit
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
        "mean 'stage'?); known: category, site, stage, sstr_positive, sstr_uptake, "
        "ki67_percent, tumour_size_mm, gastric_type, functional_syndrome, ecog, age, "
        "treatments_given, prrt_pfs_months, progressing, bone_mets, liver_dominant"]


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
         "      category: [NEC, NEC small cell, NEC large cell]\n      ecog: {max: 1, known: true}")
    # One message per situation, each naming every value it holds for; the sites split
    # where the engine's own checks tell them apart (pancreatic syndromes, gastric types).
    situation = ("content/nen/2025.1/pathway.yaml:4: rules: no rule offers any option for "
                 "category=NEC, NEC small cell or NEC large cell, site={}, stage=any, "
                 "ecog=null or 2–4 (whatever the other inputs); add a rule or an out_of_scope "
                 "entry")
    assert problems_of(content_copy) == [
        situation.format("pancreas, duodenum or unknown"),
        situation.format("small_intestine, rectum, appendix or colon"),
        situation.format("stomach")]


def test_ranges_are_checked(content_copy):
    edit(content_copy / RULES_FILE, "      category: [NEC, NEC small cell, NEC large cell]",
         "      category: [NEC, NEC small cell, NEC large cell]\n      ecog: {atleast: 1}"
         "\n      ki67_percent: [10]\n      age: {min: 80, known: yes please}"
         "\n      treatments_given: [ssa]\n      prrt_pfs_months: {above: -1}")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pathway.yaml:8: rules[0].when.ecog.atleast: unknown range key "
        "'atleast' (use min, max, below, above or known)",
        "content/nen/2025.1/pathway.yaml:9: rules[0].when.ki67_percent: expected a range such as "
        "{min: 1} or {below: 10}",
        "content/nen/2025.1/pathway.yaml:10: rules[0].when.age.known: expected true (the number "
        "must be given for the rule to apply), got 'yes please'",
        "content/nen/2025.1/pathway.yaml:11: rules[0].when.treatments_given: expected {any: "
        "[...]} (at least one was given) or {none: [...]} (none was given)",
        "content/nen/2025.1/pathway.yaml:12: rules[0].when.prrt_pfs_months.above: expected a "
        "number of 0 or more, got -1"]


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


# --- Every option fits its patient (generator.pathway_fit), on the real guideline -------------
@pytest.fixture
def real_draft(tmp_path, monkeypatch) -> Path:
    """A writable copy of the real guideline's draft 2025.1 (without the published 2024.1,
    whose frozen files the release check guards)."""
    target = tmp_path / "content" / "nen"
    target.mkdir(parents=True)
    shutil.copy(ROOT / "content/nen/guideline.yaml", target)
    shutil.copytree(ROOT / "content/nen/2025.1", target / "2025.1")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


def test_the_real_draft_fits_every_patient(real_draft):
    [guideline] = load_guidelines(real_draft)
    assert guideline.current.version == "2025.1"


def test_sunitinib_for_another_site_is_refused(real_draft):
    edit(real_draft / RULES_FILE, "    offer: [tx-si-net-everolimus, fu-everolimus-toxicity]",
         "    offer: [tx-si-net-everolimus, fu-everolimus-toxicity, tx-pnet-sunitinib]")
    problems = problems_of(real_draft)
    assert any(p.startswith("content/nen/2025.1/pathway.yaml:") and "].offer: rule "
               "'si-net-everolimus' offers 'tx-pnet-sunitinib', which names sunitinib; sunitinib "
               "is for pancreas only, yet the rule applies to category=NET G1, "
               "site=small_intestine" in p for p in problems), problems


def test_prrt_without_enough_uptake_is_refused(real_draft):
    edit(real_draft / RULES_FILE, """      sstr_uptake: [equal_liver, above_liver]
      functional_syndrome: [null, carcinoid_syndrome, carcinoid_syndrome_refractory_diarrhoea]
      progressing: [true]
      treatments_given: {any: [ssa], none: [prrt]}""", """      functional_syndrome: [null, carcinoid_syndrome, carcinoid_syndrome_refractory_diarrhoea]
      progressing: [true]
      treatments_given: {any: [ssa], none: [prrt]}""")
    problems = problems_of(real_draft)
    assert any("rule 'si-net-prrt-after-ssa' offers 'tx-si-net-prrt-after-ssa', which names "
               "prrt; prrt needs sstr_uptake in equal_liver, above_liver, yet the rule applies "
               "to" in p and "sstr_uptake=null" in p for p in problems), problems


def test_re_offering_after_progression_is_refused_unless_the_rule_repeats(real_draft):
    edit(real_draft / RULES_FILE, "      treatments_given: {any: [ssa], none: [prrt]}\n"
         "    offer: [tx-si-net-prrt-after-ssa", "      treatments_given: {any: [ssa]}\n"
         "    offer: [tx-si-net-prrt-after-ssa")
    problems = problems_of(real_draft)
    assert any("rule 'si-net-prrt-after-ssa' offers 'tx-si-net-prrt-after-ssa', which names "
               "prrt; prrt was already given and the disease progressed (a rule that may "
               "repeat it says repeat: [prrt])" in p for p in problems), problems
    # Saying so is how PRRT retreatment is allowed: the same edit with repeat passes.
    edit(real_draft / RULES_FILE, "    offer: [tx-si-net-prrt-after-ssa, "
         "fu-prrt-haematological-toxicity]\n    repeat: [ssa]",
         "    offer: [tx-si-net-prrt-after-ssa, fu-prrt-haematological-toxicity]\n"
         "    repeat: [ssa, prrt]")
    load_guidelines(real_draft)


def test_an_option_advised_against_in_the_same_answer_is_refused(real_draft):
    edit(real_draft / RULES_FILE, "    offer: [tx-si-net-everolimus, fu-everolimus-toxicity]",
         "    offer: [tx-si-net-everolimus, fu-everolimus-toxicity, "
         "nec-first-line-carboplatin-etoposide]")
    problems = problems_of(real_draft)
    assert any("rule 'si-net-everolimus' offers 'nec-first-line-carboplatin-etoposide', which "
               "names platinum_etoposide; platinum_etoposide is advised against in the same "
               "answer by 'tx-g1-g2-net-no-platinum-etoposide'" in p for p in problems), problems


def test_the_real_rules_are_checked_in_under_a_second():
    """Not a timing assert on the whole build: the checker's search counts its nodes, and the
    node count is what grows when inputs are added (see README, 'pathway checks')."""
    from generator.pathway_rules import compile_rules
    from generator.pathway_space import CoverageSearch, domains

    version = load_guidelines(ROOT / "content")[0].current
    rules = compile_rules(version)
    space = domains(rules["rules"], rules["ki67_limits"])
    search = CoverageSearch(space, rules["rules"], rules["out_of_scope"], rules["ki67_limits"])
    assert search.run() == []
    assert search.nodes < 20_000, search.nodes
