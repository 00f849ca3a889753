"""The pathway calculator with the real guideline's rules: a scenario table from the clinical
reference (§2), contraindications checked over every patient, and input validation."""

from __future__ import annotations

import itertools
import re
import json

import pytest

from calculators import pathway
from conftest import ROOT
from generator.content import load_guidelines
from generator.pathway_rules import compile_rules, consistent, domains

VERSION = load_guidelines(ROOT / "content")[0].current
RULES = json.loads(json.dumps(compile_rules(VERSION)))  # exactly what the browser receives

UNRESECTABLE = "unresectable_metastatic"
NEC_REGIMENS = {"nec-first-line-carboplatin-etoposide",
                "nec-first-line-cisplatin-etoposide-alternative", "nec-elderly-carboplatin"}
SSTR_DEPENDENT = {"tx-ssa-first-line-net", "tx-si-net-prrt-after-ssa", "tx-pnet-prrt-after-ssa",
                  "tx-first-line-prrt-g2-g3"}
NET_ONLY = SSTR_DEPENDENT | {"tx-pnet-everolimus", "tx-pnet-sunitinib", "tx-si-net-everolimus",
                             "tx-lung-carcinoid-ssa-everolimus"}


def run(**inputs):
    result = pathway.evaluate(inputs, RULES)
    assert result["ok"] is True and result["kind"] == "options", result
    return result


def offered(result) -> set[str]:
    return {option["id"] for option in result["options"]}


def avoided(result) -> set[str]:
    return {item["id"] for item in result["not_recommended"]}


# (name, inputs, must offer, must not offer, must advise against)
SCENARIOS = [
    ("localized pancreatic NET G2", dict(category="NET G2", site="pancreas", stage="localized"),
     {"tx-localized-net-surgery"}, NET_ONLY | NEC_REGIMENS, set()),
    ("localized appendiceal NET G1", dict(category="NET G1", site="appendix", stage="localized"),
     {"tx-localized-net-surgery", "tx-appendix-net-extent-of-surgery"}, set(), set()),
    ("small rectal NET G1", dict(category="NET G1", site="rectum", stage="localized"),
     {"tx-rectal-net-local-resection"}, set(), set()),
    ("localized lung typical carcinoid",
     dict(category="typical carcinoid", site="lung", stage="localized"),
     {"tx-lung-carcinoid-resection"}, set(), set()),
    ("localized NEC", dict(category="NEC large cell", site="colon", stage="locoregional"),
     {"tx-localized-nec-surgery"}, NET_ONLY, {"nec-no-net-therapies"}),
    ("resectable liver metastases, fit",
     dict(category="NET G2", site="small_intestine", stage="resectable_liver_mets"),
     {"tx-liver-metastases-resection"}, {"tx-liver-directed-therapy"}, set()),
    ("resectable liver metastases, unfit",
     dict(category="NET G2", site="small_intestine", stage="resectable_liver_mets",
          elderly_or_poor_ps=True),
     {"tx-liver-directed-therapy"}, {"tx-liver-metastases-resection"}, set()),
    ("SI-NET G1 SSTR+ Ki-67 2 %, untreated",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=2),
     {"tx-ssa-first-line-net"}, {"tx-pnet-sunitinib"} | NEC_REGIMENS,
     {"tx-no-sunitinib-outside-pancreas", "tx-g1-g2-net-no-platinum-etoposide"}),
    ("SI-NET G2 SSTR+ progressing on SSA",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          progressing=True, prior_lines=1, ki67_percent=5),
     {"tx-si-net-prrt-after-ssa", "tx-si-net-everolimus"}, {"tx-pnet-sunitinib"},
     {"tx-no-sunitinib-outside-pancreas"}),
    ("pNET G2 SSTR+ progressing after SSA",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          progressing=True, prior_lines=1, ki67_percent=8),
     {"tx-pnet-everolimus", "tx-pnet-sunitinib", "tx-pnet-chemotherapy",
      "tx-pnet-prrt-after-ssa"}, NEC_REGIMENS, {"tx-g1-g2-net-no-platinum-etoposide"}),
    ("SI-NET G2 SSTR-negative",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=False,
          progressing=True, prior_lines=1),
     {"tx-sstr-negative-net-options"}, SSTR_DEPENDENT, {"tx-no-ssa-prrt-sstr-negative"}),
    ("pNET G1 SSTR-negative progressing",
     dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, sstr_positive=False,
          progressing=True),
     {"tx-pnet-sunitinib", "tx-sstr-negative-net-options"}, SSTR_DEPENDENT,
     {"tx-no-ssa-prrt-sstr-negative"}),
    ("SSTR status unknown",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE),
     {"dx-sstr-status-before-ssa-prrt"}, SSTR_DEPENDENT, set()),
    ("advanced lung atypical carcinoid",
     dict(category="atypical carcinoid", site="lung", stage=UNRESECTABLE, sstr_positive=True),
     {"tx-lung-carcinoid-ssa-everolimus"}, {"tx-pnet-sunitinib"} | NEC_REGIMENS,
     {"tx-no-sunitinib-outside-pancreas"}),
    ("lung carcinoid progressing after everolimus",
     dict(category="atypical carcinoid", site="lung", stage=UNRESECTABLE, progressing=True,
          prior_lines=2),
     {"tx-lung-carcinoid-chemotherapy-prrt"}, set(), set()),
    ("NETTER-2: pNET G2 Ki-67 15 % SSTR+ untreated",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=15),
     {"tx-first-line-prrt-g2-g3"}, {"tx-ssa-first-line-net"}, set()),
    ("NET G3 Ki-67 30 % SSTR+",
     dict(category="NET G3", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=30),
     {"tx-net-g3-first-line", "tx-first-line-prrt-g2-g3"}, NEC_REGIMENS,
     {"tx-net-g3-no-routine-platinum"}),
    ("NET G3 Ki-67 60 %: beyond NETTER-2",
     dict(category="NET G3", site="stomach", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=60),
     {"tx-net-g3-first-line"}, {"tx-first-line-prrt-g2-g3"}, set()),
    ("advanced NEC, fit, untreated",
     dict(category="NEC small cell", site="pancreas", stage=UNRESECTABLE),
     {"nec-first-line-carboplatin-etoposide", "nec-first-line-cisplatin-etoposide-alternative"},
     NET_ONLY | {"nec-second-line-folfiri"}, {"nec-no-net-therapies"}),
    ("advanced NEC, elderly",
     dict(category="NEC", site="unknown", stage=UNRESECTABLE, elderly_or_poor_ps=True),
     {"nec-first-line-carboplatin-etoposide", "nec-elderly-carboplatin"},
     {"nec-first-line-cisplatin-etoposide-alternative"}, {"nec-no-net-therapies"}),
    ("NEC second line", dict(category="NEC large cell", site="colon", stage=UNRESECTABLE,
                             prior_lines=1, progressing=True),
     {"nec-second-line-folfiri", "nec-second-line-alternatives"},
     NEC_REGIMENS | NET_ONLY, {"nec-no-net-therapies"}),
    ("NEC stable after first line",
     dict(category="NEC", site="pancreas", stage=UNRESECTABLE, prior_lines=1),
     {"fu-grade-dependent-intervals"}, {"nec-second-line-folfiri"} | NEC_REGIMENS,
     {"nec-no-net-therapies"}),
    ("untreated stable pNET G2 with Ki-67 15 %",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=15),
     {"tx-pnet-everolimus", "tx-pnet-chemotherapy", "tx-first-line-prrt-g2-g3"},
     {"tx-ssa-first-line-net"}, set()),
    ("resectable liver metastases, unfit, SSTR+ low Ki-67",
     dict(category="NET G1", site="small_intestine", stage="resectable_liver_mets",
          elderly_or_poor_ps=True, sstr_positive=True, ki67_percent=2),
     {"tx-liver-directed-therapy", "tx-ssa-first-line-net"},
     {"tx-liver-metastases-resection"}, set()),
    ("lung carcinoid after a first line: platinum is not ruled out",
     dict(category="atypical carcinoid", site="lung", stage=UNRESECTABLE, progressing=True,
          prior_lines=1),
     {"tx-lung-carcinoid-chemotherapy-prrt"}, set(), set()),
    ("MiNEN", dict(category="MiNEN", site="colon", stage=UNRESECTABLE),
     {"tx-minen-most-aggressive-component"}, set(), set()),
    ("carcinoid syndrome",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="carcinoid_syndrome"),
     {"tx-carcinoid-syndrome-ssa", "dx-echo-carcinoid-heart-disease"},
     {"tx-telotristat-refractory-diarrhoea"}, set()),
    ("carcinoid syndrome with refractory diarrhoea",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="carcinoid_syndrome_refractory_diarrhoea"),
     {"tx-carcinoid-syndrome-ssa", "tx-telotristat-refractory-diarrhoea"}, set(), set()),
    ("liver-dominant SI-NET",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          liver_dominant=True),
     {"tx-liver-directed-therapy"}, set(), set()),
    ("bone metastases of a NEC",
     dict(category="NEC", site="pancreas", stage=UNRESECTABLE, bone_mets=True),
     {"tx-bone-metastases-radiotherapy", "nec-first-line-carboplatin-etoposide"}, set(), set()),
]


@pytest.mark.parametrize("name, inputs, must, must_not, advise_against", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_scenario(name, inputs, must, must_not, advise_against):
    result = run(**inputs)
    assert must <= offered(result), f"missing: {must - offered(result)}"
    assert not must_not & offered(result), f"offered but must not be: {must_not & offered(result)}"
    assert advise_against <= avoided(result)


def test_platinum_for_net_g3_depends_on_ki67():
    aggressive = run(category="NET G3", site="pancreas", stage=UNRESECTABLE, ki67_percent=60)
    assert "tx-net-g3-no-routine-platinum" not in avoided(aggressive)
    assert any("55 %" in note for note in aggressive["notes"])
    usual = run(category="NET G3", site="pancreas", stage=UNRESECTABLE, ki67_percent=30)
    assert "tx-net-g3-no-routine-platinum" in avoided(usual)


def test_lung_carcinoids_are_not_told_to_avoid_platinum():
    """The G1/G2 warning against platinum-etoposide speaks of digestive NET grades; lung
    carcinoid guidance keeps platinum as a later option."""
    result = run(category="typical carcinoid", site="lung", stage=UNRESECTABLE)
    assert "tx-g1-g2-net-no-platinum-etoposide" not in avoided(result)


def test_every_option_is_cited_and_linked():
    result = run(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
                 progressing=True, prior_lines=1)
    index = VERSION.recommendation_index()
    for option in result["options"]:
        assert option["citations"], option
        place = index[option["id"]]
        assert option["text"] == place.recommendation.text
        assert option["strength"] == place.recommendation.strength
        assert (option["page"], option["anchor"]) == (place.page, place.recommendation.anchor)
        assert option["why"]
    assert result["version"] == VERSION.version


def test_gastrinoma_says_the_syndrome_is_not_covered():
    result = run(category="NET G1", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
                 functional_syndrome="gastrinoma", ki67_percent=1)
    assert any("gastrinoma" in note.lower() and "not covered" in note for note in result["notes"])


def every_patient():
    """Every combination of inputs, with Ki-67 taken once inside each band the rules use
    (the build-time checker tries the band edges too), and one syndrome of each kind: the
    syndrome and bone rules only add their own options (see the scenarios)."""
    space = domains(RULES["rules"], RULES["ki67_limits"])
    space["ki67_percent"] = [None, 1, 5, 15, 30, 60]
    space["functional_syndrome"] = [None, "carcinoid_syndrome_refractory_diarrhoea", "gastrinoma"]
    space["bone_mets"] = [False]
    names = list(space)
    for values in itertools.product(*space.values()):
        patient = dict(zip(names, values))
        if consistent(patient["category"], patient["site"]) and \
                pathway.ki67_fits(patient["category"], patient["ki67_percent"],
                                  RULES["ki67_limits"]):
            yield patient


def test_contraindicated_options_are_never_offered():
    """Over every patient: sunitinib only for the pancreas, no SSA or PRRT when SSTR-negative,
    no platinum-etoposide for low-grade NET, no NET drugs for NEC; every patient in scope gets
    at least one option."""
    checked = 0
    for patient in every_patient():
        result = pathway.evaluate(patient, RULES)
        assert result["ok"], (patient, result)
        if result["kind"] == "out_of_scope":
            assert patient["category"] in ("SCLC", "LCNEC"), (patient, result)
            continue
        checked += 1
        ids = offered(result)
        assert ids, patient
        if patient["site"] != "pancreas":
            assert "tx-pnet-sunitinib" not in ids, patient
        if patient["sstr_positive"] is not True:
            assert not ids & SSTR_DEPENDENT, patient
        if patient["category"] in ("NET G1", "NET G2", "typical carcinoid", "atypical carcinoid"):
            assert not ids & NEC_REGIMENS, patient
        if patient["category"].startswith("NEC"):
            assert not ids & NET_ONLY, patient
        assert not ids & avoided(result), patient
    assert checked > 10_000


@pytest.mark.parametrize("inputs, field, words", [
    (dict(category="NET G2", site="lung", stage=UNRESECTABLE), "category", "not a lung category"),
    (dict(category="typical carcinoid", site="pancreas", stage=UNRESECTABLE), "category",
     "is a lung category"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, ki67_percent=5),
     "ki67_percent", "does not fit a NET G1"),
    (dict(category="NET G4", site="pancreas", stage=UNRESECTABLE), "category",
     "choose one of: NET G1, NET G2"),
    (dict(category="NET G1", site="pancreas", stage="metastatic"), "stage",
     "did you mean 'Unresectable or metastatic'"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, prior_lines=1.5),
     "prior_lines", "whole number"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, prior_lines=-1),
     "prior_lines", "0 or more"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, progressing="yes"),
     "progressing", "true, false or null"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, sstr=True), "sstr",
     "did you mean 'sstr_positive'"),
    (dict(site="pancreas", stage=UNRESECTABLE), "category", "is required"),
    (dict(category="NET G1", site="pancreas"), "stage", "is required; choose one of: Localized, "
     "Locoregional, Resectable liver metastases, Unresectable or metastatic"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, ki67_percent="1,234"),
     "ki67_percent", "ambiguous"),
])
def test_invalid_inputs_name_the_field(inputs, field, words):
    result = pathway.evaluate(inputs, RULES)
    assert result["ok"] is False
    messages = {error["field"]: error["message"] for error in result["errors"]}
    assert words in messages[field], messages


def test_form_values_are_accepted_as_text():
    result = run(category="net g2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
                 prior_lines="1", progressing=True, ki67_percent="8")
    assert result["inputs"]["prior_lines"] == 1
    assert result["inputs"]["category"] == "NET G2"


@pytest.mark.parametrize("rules", [None, {}, {"rules": "x"}, []])
def test_missing_rules_are_an_error(rules):
    result = pathway.evaluate({"category": "NEC"}, rules)
    assert result == {"ok": False, "errors": [
        {"field": "rules", "label": "Pathway rules", "kind": "invalid",
         "message": "the pathway rules of this guideline version are missing"}]}


def test_every_result_is_json():
    for patient in itertools.islice(every_patient(), 0, None, 97):
        json.dumps(pathway.evaluate(patient, RULES), allow_nan=False)


def test_every_field_has_the_label_its_form_shows():
    from calculators.labels import PATHWAY_FIELDS

    assert set(PATHWAY_FIELDS) == set(pathway.PARSERS)


def test_out_of_scope_is_an_answer_that_needs_no_stage():
    result = pathway.evaluate({"category": "LCNEC", "site": "lung"}, RULES)
    assert result["ok"] is True and result["kind"] == "out_of_scope"
    assert "lung cancer regimens" in result["why"]
    assert result["stated_inputs"] == [
        {"field": "category", "label": "WHO category", "value": "LCNEC"},
        {"field": "site", "label": "Primary site", "value": "Lung"}]
    # Inputs that name the tumour wrongly are still errors, not "out of scope".
    result = pathway.evaluate({"category": "LCNEC", "site": "pancreas"}, RULES)
    assert result["ok"] is False
    assert {error["field"] for error in result["errors"]} == {"category", "stage"}


def test_a_missing_stage_is_asked_for_not_assumed():
    result = pathway.evaluate({"category": "NET G2", "site": "pancreas"}, RULES)
    assert result["errors"] == [{
        "field": "stage", "label": "Stage", "kind": "missing",
        "message": "is required; choose one of: Localized, Locoregional, Resectable liver "
                   "metastases, Unresectable or metastatic"}]


def test_options_restate_every_input():
    result = run(category="NET G2", site="pancreas", stage=UNRESECTABLE, ki67_percent="5",
                 progressing=True, prior_lines=1)
    assert [item["field"] for item in result["stated_inputs"]] == [
        "category", "site", "stage", "sstr_positive", "ki67_percent", "prior_lines",
        "functional_syndrome", "progressing", "elderly_or_poor_ps", "bone_mets",
        "liver_dominant"]
    values = {item["field"]: item["value"] for item in result["stated_inputs"]}
    assert values["prior_lines"] == "1 line" and values["progressing"] == "yes"
    assert values["sstr_positive"] == "Unknown" and values["stage"] == "Unresectable or metastatic"


def test_options_carry_the_recommendation_number():
    result = run(category="NET G1", site="appendix", stage="localized")
    numbers = {option["id"]: option["number"] for option in result["options"]}
    assert re.fullmatch(r"3\.\d+", numbers["tx-appendix-net-extent-of-surgery"])
