"""The pathway calculator with the real guideline's rules: a scenario table from the clinical
reference (§2), contraindications checked over every patient, and input validation."""

from __future__ import annotations

import copy
import functools
import json
import random
import re

import pytest

from calculators import pathway
from conftest import ROOT
from generator.content import load_guidelines
from generator.pathway_rules import compile_rules
from generator.pathway_space import domains, engine_accepts

VERSION = load_guidelines(ROOT / "content")[0].current
RULES = json.loads(json.dumps(compile_rules(VERSION)))  # exactly what the browser receives

UNRESECTABLE = "unresectable_metastatic"
NEC_LIKE = ("NEC", "NEC small cell", "NEC large cell", "LCNEC", "SCLC", "MiNEN")
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


# Shorthands for the inputs a scenario needs.
ABOVE_LIVER = dict(sstr_positive=True, sstr_uptake="above_liver")
PRRT_DRUGS = {"tx-si-net-prrt-after-ssa", "tx-pnet-prrt-after-ssa", "tx-gep-prrt-after-ssa",
              "tx-first-line-prrt-g2-g3", "tx-prrt-retreatment", "tx-insulinoma-prrt",
              "tx-lung-carcinoid-prrt"}
SSA_DRUGS = {"tx-ssa-first-line-net", "tx-carcinoid-syndrome-ssa", "tx-vipoma-control",
             "tx-glucagonoma-control", "tx-lung-carcinoid-ssa-everolimus"}
EVEROLIMUS = {"tx-pnet-everolimus", "tx-si-net-everolimus", "tx-lung-carcinoid-everolimus"}

# (name, inputs, must offer, must not offer, must advise against, words a note must hold).
# Every bullet of the pathway's clinical review: functioning tumours, options that must not
# appear, standard options, treatment history, performance status, size and subtype, low
# proliferation, lung NEC, germline testing and drug safety.
SCENARIOS = [
    # --- localized disease by site, size and type
    ("localized pancreatic NET G2", dict(category="NET G2", site="pancreas", stage="localized"),
     {"tx-localized-net-surgery"}, NET_ONLY | NEC_REGIMENS, set(), ""),
    ("localized appendiceal NET G1", dict(category="NET G1", site="appendix", stage="localized"),
     {"tx-localized-net-surgery", "tx-appendix-net-extent-of-surgery"}, set(), set(), ""),
    ("rectal NET G1 8 mm", dict(category="NET G1", site="rectum", stage="localized",
                                tumour_size_mm=8),
     {"tx-rectal-net-local-resection"}, {"tx-localized-net-surgery"}, set(), ""),
    ("rectal NET G1 exactly 10 mm is small", dict(category="NET G1", site="rectum",
                                                   stage="localized", tumour_size_mm=10),
     {"tx-rectal-net-local-resection"}, {"tx-rectal-net-10-20mm"}, set(), ""),
    ("rectal NET G2 15 mm", dict(category="NET G2", site="rectum", stage="localized",
                                 tumour_size_mm=15),
     {"tx-rectal-net-10-20mm"}, {"tx-rectal-net-local-resection"}, set(), ""),
    ("rectal NET G1 25 mm", dict(category="NET G1", site="rectum", stage="localized",
                                 tumour_size_mm=25),
     {"tx-localized-net-surgery"}, {"tx-rectal-net-local-resection"}, set(), ""),
    ("rectal NET size not given: every size band, with a note",
     dict(category="NET G1", site="rectum", stage="localized"),
     {"tx-rectal-net-local-resection", "tx-rectal-net-10-20mm"}, set(), set(),
     "Tumour size not given"),
    ("duodenal NET G1 8 mm", dict(category="NET G1", site="duodenum", stage="localized",
                                  tumour_size_mm=8),
     {"tx-duodenal-net-size"}, {"tx-localized-net-surgery"}, set(), ""),
    ("type 1 gastric NET 6 mm: surveillance",
     dict(category="NET G1", site="stomach", stage="localized", gastric_type="1",
          tumour_size_mm=6),
     {"tx-gastric-type1-surveillance"}, {"tx-localized-net-surgery",
                                          "tx-gastric-type1-resection"}, set(), ""),
    ("type 1 gastric NET exactly 10 mm: still surveillance",
     dict(category="NET G1", site="stomach", stage="localized", gastric_type="1",
          tumour_size_mm=10),
     {"tx-gastric-type1-surveillance"}, {"tx-gastric-type1-resection"}, set(), ""),
    ("type 1 gastric NET 14 mm: endoscopic resection",
     dict(category="NET G2", site="stomach", stage="localized", gastric_type="1",
          tumour_size_mm=14),
     {"tx-gastric-type1-resection"}, {"tx-gastric-type1-surveillance",
                                       "tx-localized-net-surgery"}, set(), ""),
    ("type 3 gastric NET: resection", dict(category="NET G1", site="stomach", stage="localized",
                                          gastric_type=3, tumour_size_mm=8),
     {"tx-localized-net-surgery"}, {"tx-gastric-type1-surveillance"}, set(), ""),
    ("type 2 gastric NET: the gastrinoma first", dict(category="NET G1", site="stomach",
                                                     stage="localized", gastric_type="2"),
     {"tx-gastrinoma-ppi"}, set(), set(), "Type 2 gastric NET"),
    ("gastric NET, type not given", dict(category="NET G1", site="stomach", stage="localized"),
     {"tx-localized-net-surgery"}, set(), set(), "give the type"),
    ("small non-functioning pNET G1 12 mm: surveillance or surgery",
     dict(category="NET G1", site="pancreas", stage="localized", tumour_size_mm=12),
     {"tx-small-nf-pnet-surveillance", "tx-localized-net-surgery"}, set(), set(), ""),
    ("pNET G1 exactly 20 mm: surgery", dict(category="NET G1", site="pancreas",
                                           stage="localized", tumour_size_mm=20),
     {"tx-localized-net-surgery"}, {"tx-small-nf-pnet-surveillance"}, set(), ""),
    ("small insulinoma: no surveillance", dict(category="NET G1", site="pancreas",
                                              stage="localized", tumour_size_mm=12,
                                              functional_syndrome="insulinoma"),
     {"tx-localized-net-surgery"}, {"tx-small-nf-pnet-surveillance"} | SSA_DRUGS,
     {"tx-insulinoma-no-untested-ssa"}, ""),
    ("localized lung typical carcinoid",
     dict(category="typical carcinoid", site="lung", stage="localized"),
     {"tx-lung-carcinoid-resection", "dx-germline-testing"}, set(), set(), ""),
    ("localized NEC: surgery and site-based multimodal care",
     dict(category="NEC large cell", site="colon", stage="locoregional"),
     {"tx-localized-nec-surgery", "tx-localized-nec-multimodal"}, NET_ONLY,
     {"nec-no-net-therapies"}, ""),
    ("localized NET with a treatment history: a warning",
     dict(category="NET G2", site="small_intestine", stage="localized",
          treatments_given=["ssa"]),
     {"tx-localized-net-surgery"}, set(), set(), "stage is localized"),
    # --- resectable liver metastases and fitness
    ("resectable liver metastases, ECOG 1",
     dict(category="NET G2", site="small_intestine", stage="resectable_liver_mets", ecog=1),
     {"tx-liver-metastases-resection", "tx-carcinoid-crisis-plan"}, {"tx-liver-directed-therapy"},
     set(), ""),
    ("resectable liver metastases, elderly but fit (age 82, ECOG 0)",
     dict(category="NET G1", site="small_intestine", stage="resectable_liver_mets", ecog=0,
          age=82),
     {"tx-liver-metastases-resection"}, {"tx-liver-directed-therapy"}, set(), ""),
    ("resectable liver metastases, ECOG 3",
     dict(category="NET G2", site="small_intestine", stage="resectable_liver_mets", ecog=3),
     {"tx-liver-directed-therapy"}, {"tx-liver-metastases-resection"}, set(), "ECOG 0–1"),
    ("resectable liver metastases, ECOG not given: both, with a note",
     dict(category="NET G2", site="small_intestine", stage="resectable_liver_mets"),
     {"tx-liver-metastases-resection", "tx-liver-directed-therapy"}, set(), set(),
     "ECOG performance status not given"),
    # --- SSA and first line
    ("SI-NET G1 SSTR+ Ki-67 2 %, untreated",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=2),
     {"tx-ssa-first-line-net", "fu-ssa-gallstones"}, {"tx-pnet-sunitinib"} | NEC_REGIMENS,
     {"tx-no-sunitinib-outside-pancreas", "tx-g1-g2-net-no-platinum-etoposide"}, ""),
    ("SI-NET G2 SSTR+ Ki-67 15 %, untreated: SSA still first line",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=15),
     {"tx-ssa-first-line-net"}, {"tx-si-net-everolimus"} | PRRT_DRUGS, set(),
     "uptake compared with normal liver not given"),
    ("SI-NET G2 Ki-67 15 %, uptake above liver: SSA or first-line PRRT",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, ki67_percent=15,
          **ABOVE_LIVER),
     {"tx-ssa-first-line-net", "tx-first-line-prrt-g2-g3"}, set(), set(), ""),
    ("treated patient is not told to start an SSA as first line",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=2, treatments_given=["everolimus"], progressing=True),
     set(), {"tx-ssa-first-line-net"}, set(), ""),
    ("stable on SSA: continue and restage",
     dict(category="NET G1", site="colon", stage=UNRESECTABLE, sstr_positive=True,
          ki67_percent=2, treatments_given=["ssa"]),
     {"fu-grade-dependent-intervals", "fu-ssa-gallstones"}, {"tx-ssa-first-line-net"}, set(), ""),
    ("NETTER-2: pNET G2 Ki-67 15 %, uptake above liver, untreated",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, ki67_percent=15,
          **ABOVE_LIVER),
     {"tx-first-line-prrt-g2-g3", "tx-pnet-everolimus", "tx-pnet-chemotherapy"},
     {"tx-ssa-first-line-net", "tx-pnet-sunitinib"}, set(), ""),
    ("first-line PRRT needs uptake at least as high as liver",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, ki67_percent=15,
          sstr_positive=True, sstr_uptake="below_liver"),
     {"tx-pnet-everolimus"}, PRRT_DRUGS, set(), ""),
    ("uptake equal to liver qualifies, with a note",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, ki67_percent=15,
          sstr_positive=True, sstr_uptake="equal_liver"),
     {"tx-first-line-prrt-g2-g3"}, set(), set(), "Uptake equal to normal liver"),
    ("sunitinib is not offered for stable, untreated pNET",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, ki67_percent=12,
          sstr_positive=True),
     {"tx-pnet-everolimus"}, {"tx-pnet-sunitinib"}, set(), ""),
    # --- after SSA: PRRT and everolimus, by site
    ("SI-NET G2 progressing on SSA, uptake above liver",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa"], ki67_percent=5, **ABOVE_LIVER),
     {"tx-si-net-prrt-after-ssa", "tx-si-net-everolimus", "tx-si-net-interferon",
      "fu-everolimus-toxicity", "fu-prrt-haematological-toxicity"}, {"tx-pnet-sunitinib"},
     {"tx-no-sunitinib-outside-pancreas"}, ""),
    ("pNET G2 progressing after SSA, uptake above liver",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa"], ki67_percent=8, **ABOVE_LIVER),
     {"tx-pnet-everolimus", "tx-pnet-sunitinib", "tx-pnet-chemotherapy",
      "tx-pnet-prrt-after-ssa", "fu-sunitinib-thyroid"}, NEC_REGIMENS,
     {"tx-g1-g2-net-no-platinum-etoposide"}, ""),
    ("colon NET progressing on SSA: PRRT (EU indication) and everolimus",
     dict(category="NET G2", site="colon", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa"], ki67_percent=5, **ABOVE_LIVER),
     {"tx-gep-prrt-after-ssa", "tx-si-net-everolimus"}, {"tx-si-net-prrt-after-ssa"}, set(), ""),
    ("stomach NET progressing on SSA: PRRT", dict(category="NET G1", site="stomach",
                                                 stage=UNRESECTABLE, progressing=True,
                                                 treatments_given=["ssa"], ki67_percent=2,
                                                 **ABOVE_LIVER),
     {"tx-gep-prrt-after-ssa"}, set(), set(), ""),
    ("unknown primary progressing on SSA: PRRT", dict(category="NET G2", site="unknown",
                                                     stage=UNRESECTABLE, progressing=True,
                                                     treatments_given=["ssa"], ki67_percent=4,
                                                     **ABOVE_LIVER),
     {"tx-gep-prrt-after-ssa"}, set(), set(), ""),
    # --- treatment history
    ("PRRT is not re-offered after it was given",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa", "prrt"], ki67_percent=5, **ABOVE_LIVER),
     {"tx-si-net-everolimus"}, {"tx-si-net-prrt-after-ssa", "tx-prrt-retreatment"}, set(),
     "Months without progression after the last PRRT not given"),
    ("PRRT retreatment after 24 months without progression",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa", "prrt"], prrt_pfs_months=24, ki67_percent=5,
          **ABOVE_LIVER),
     {"tx-prrt-retreatment"}, {"tx-si-net-prrt-after-ssa"}, set(), ""),
    ("no PRRT retreatment after 12 months",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa", "prrt"], prrt_pfs_months=12, ki67_percent=5,
          **ABOVE_LIVER),
     {"tx-si-net-everolimus"}, {"tx-prrt-retreatment"}, set(), ""),
    ("PRRT retreatment exactly at 18 months",
     dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa", "prrt"], prrt_pfs_months=18, ki67_percent=2,
          **ABOVE_LIVER),
     {"tx-prrt-retreatment"}, {"tx-pnet-prrt-after-ssa"}, set(), ""),
    ("everolimus is not re-offered after it failed",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa", "everolimus"], ki67_percent=8, sstr_positive=True),
     {"tx-pnet-sunitinib", "tx-pnet-chemotherapy"}, {"tx-pnet-everolimus"}, set(), ""),
    ("pNET after everolimus, sunitinib and CAPTEM: restage and tumour board",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, progressing=True,
          treatments_given=["everolimus", "sunitinib", "captem"], ki67_percent=8,
          sstr_positive=False),
     {"fu-grade-dependent-intervals"}, EVEROLIMUS | {"tx-pnet-sunitinib", "tx-pnet-chemotherapy",
                                                     "tx-sstr-negative-net-options"}, set(), ""),
    ("SI-NET after SSA, PRRT and everolimus: interferon or the tumour board",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE, progressing=True,
          treatments_given=["ssa", "everolimus", "prrt"], ki67_percent=2, **ABOVE_LIVER),
     {"tx-si-net-interferon", "fu-grade-dependent-intervals"},
     EVEROLIMUS | {"tx-si-net-prrt-after-ssa"}, set(), ""),
    ("NET G3 after first-line CAPTEM: FOLFOX, not first line again",
     dict(category="NET G3", site="pancreas", stage=UNRESECTABLE, progressing=True,
          treatments_given=["captem"], ki67_percent=30, sstr_positive=False),
     {"tx-net-g3-folfox-later"}, {"tx-net-g3-first-line", "tx-net-g3-captem-later"},
     {"tx-net-g3-no-routine-platinum"}, ""),
    ("NET G3 after first-line FOLFOX: temozolomide-based",
     dict(category="NET G3", site="stomach", stage=UNRESECTABLE, progressing=True,
          treatments_given=["folfox"], ki67_percent=40),
     {"tx-net-g3-captem-later"}, {"tx-net-g3-first-line", "tx-net-g3-folfox-later"}, set(), ""),
    ("NET G3 untreated, Ki-67 30 %, uptake above liver",
     dict(category="NET G3", site="pancreas", stage=UNRESECTABLE, ki67_percent=30,
          **ABOVE_LIVER),
     {"tx-net-g3-first-line", "tx-first-line-prrt-g2-g3"}, NEC_REGIMENS,
     {"tx-net-g3-no-routine-platinum"}, ""),
    ("NET G3 Ki-67 60 %: beyond NETTER-2",
     dict(category="NET G3", site="stomach", stage=UNRESECTABLE, ki67_percent=60,
          **ABOVE_LIVER),
     {"tx-net-g3-first-line"}, {"tx-first-line-prrt-g2-g3"}, set(), "55 %"),
    # --- NEC by line and performance status
    ("advanced NEC, ECOG 1, untreated",
     dict(category="NEC small cell", site="pancreas", stage=UNRESECTABLE, ecog=1, ki67_percent=80),
     {"nec-first-line-carboplatin-etoposide", "nec-first-line-cisplatin-etoposide-alternative",
      "dx-nec-molecular-profiling"},
     NET_ONLY | {"nec-second-line-folfiri"},
     {"nec-no-net-therapies", "nec-no-checkpoint-inhibitor-extrapulmonary"}, ""),
    ("advanced NEC, ECOG 2: carboplatin",
     dict(category="NEC", site="unknown", stage=UNRESECTABLE, ecog=2, ki67_percent=70),
     {"nec-first-line-carboplatin-etoposide", "nec-elderly-carboplatin"},
     {"nec-first-line-cisplatin-etoposide-alternative", "nec-poor-performance-status"},
     {"nec-no-net-therapies"}, ""),
    ("advanced NEC, ECOG 3: the trial limits and best supportive care",
     dict(category="NEC", site="colon", stage=UNRESECTABLE, ecog=3, ki67_percent=70),
     {"nec-poor-performance-status", "nec-elderly-carboplatin"},
     {"nec-first-line-cisplatin-etoposide-alternative"}, set(), ""),
    ("NEC second line after platinum-etoposide, ECOG 1",
     dict(category="NEC large cell", site="colon", stage=UNRESECTABLE, progressing=True,
          treatments_given=["platinum_etoposide"], ecog=1, ki67_percent=60),
     {"nec-second-line-folfiri", "nec-second-line-alternatives", "nec-second-line-nal-iri"},
     NEC_REGIMENS | NET_ONLY, {"nec-no-net-therapies"}, ""),
    ("NEC second line is not offered at ECOG 3",
     dict(category="NEC", site="colon", stage=UNRESECTABLE, progressing=True,
          treatments_given=["platinum_etoposide"], ecog=3, ki67_percent=60),
     {"nec-poor-performance-status"}, {"nec-second-line-folfiri", "nec-second-line-nal-iri"},
     set(), ""),
    ("NEC third line: FOLFIRI is not offered 'as second line' again",
     dict(category="NEC", site="pancreas", stage=UNRESECTABLE, progressing=True,
          treatments_given=["platinum_etoposide", "folfiri"], ecog=1, ki67_percent=70),
     {"nec-third-line", "nec-second-line-alternatives"},
     {"nec-second-line-folfiri", "nec-second-line-nal-iri"} | NEC_REGIMENS, set(), ""),
    ("NEC stable after first line: restage",
     dict(category="NEC", site="pancreas", stage=UNRESECTABLE,
          treatments_given=["platinum_etoposide"], ki67_percent=70),
     {"fu-grade-dependent-intervals"}, {"nec-second-line-folfiri"} | NEC_REGIMENS,
     {"nec-no-net-therapies"}, ""),
    ("poorly differentiated with Ki-67 10 %: pathology review, no NEC regimen",
     dict(category="NEC", site="pancreas", stage=UNRESECTABLE, ki67_percent=10),
     {"dx-nec-low-proliferation-review"}, NEC_REGIMENS, set(), ""),
    ("NEC Ki-67 exactly 20 %: still review", dict(category="NEC", site="colon",
                                                 stage=UNRESECTABLE, ki67_percent=20),
     {"dx-nec-low-proliferation-review"}, NEC_REGIMENS, set(), ""),
    ("NEC Ki-67 not given: regimen with a note",
     dict(category="NEC", site="colon", stage=UNRESECTABLE),
     {"nec-first-line-carboplatin-etoposide"}, set(), set(), "Ki-67 index not given"),
    # --- lung NEC
    ("extensive-stage SCLC, ECOG 1: chemotherapy with immunotherapy",
     dict(category="SCLC", site="lung", stage=UNRESECTABLE, ecog=1),
     {"tx-es-sclc-chemo-immunotherapy"}, {"tx-sclc-platinum-etoposide"} | NET_ONLY, set(), ""),
    ("extensive-stage SCLC, ECOG 2: platinum-etoposide alone",
     dict(category="SCLC", site="lung", stage=UNRESECTABLE, ecog=2),
     {"tx-sclc-platinum-etoposide"}, {"tx-es-sclc-chemo-immunotherapy"}, set(), ""),
    ("SCLC with liver metastases is extensive stage",
     dict(category="SCLC", site="lung", stage="resectable_liver_mets"),
     {"tx-sclc-platinum-etoposide"}, set(), set(), ""),
    ("advanced LCNEC: small-cell-type regimen",
     dict(category="LCNEC", site="lung", stage=UNRESECTABLE),
     {"tx-lcnec-advanced"}, {"tx-es-sclc-chemo-immunotherapy"}, set(), ""),
    ("localized LCNEC: resection", dict(category="LCNEC", site="lung", stage="localized"),
     {"tx-lcnec-localized"}, set(), set(), ""),
    ("advanced lung atypical carcinoid, SSTR+",
     dict(category="atypical carcinoid", site="lung", stage=UNRESECTABLE, sstr_positive=True),
     {"tx-lung-carcinoid-ssa-everolimus", "tx-lung-carcinoid-everolimus", "dx-germline-testing"},
     {"tx-pnet-sunitinib"} | NEC_REGIMENS, {"tx-no-sunitinib-outside-pancreas"}, ""),
    ("lung carcinoid SSTR-negative: no SSA", dict(category="typical carcinoid", site="lung",
                                                  stage=UNRESECTABLE, sstr_positive=False),
     {"tx-lung-carcinoid-everolimus"}, SSA_DRUGS | PRRT_DRUGS,
     {"tx-no-ssa-prrt-sstr-negative"}, ""),
    ("lung carcinoid progressing after everolimus",
     dict(category="atypical carcinoid", site="lung", stage=UNRESECTABLE, progressing=True,
          treatments_given=["everolimus"], **ABOVE_LIVER),
     {"tx-lung-carcinoid-chemotherapy-prrt", "tx-lung-carcinoid-prrt"},
     {"tx-lung-carcinoid-everolimus"}, set(), ""),
    # --- SSTR-negative and unknown
    ("SI-NET G2 SSTR-negative: no pancreatic drugs in the text",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=False,
          progressing=True, treatments_given=["ssa"]),
     {"tx-sstr-negative-si-net-options"}, SSA_DRUGS | PRRT_DRUGS | {"tx-sstr-negative-net-options"},
     {"tx-no-ssa-prrt-sstr-negative", "tx-no-sunitinib-outside-pancreas"}, ""),
    ("pNET G1 SSTR-negative progressing",
     dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, sstr_positive=False,
          progressing=True),
     {"tx-pnet-sunitinib", "tx-sstr-negative-net-options"}, SSA_DRUGS | PRRT_DRUGS,
     {"tx-no-ssa-prrt-sstr-negative"}, ""),
    ("SSTR status unknown",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE),
     {"dx-sstr-status-before-ssa-prrt"}, SSA_DRUGS | PRRT_DRUGS, set(), "SSTR status not given"),
    # --- functioning tumours
    ("metastatic insulinoma: no SSA, glucose control first",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="insulinoma", ki67_percent=5),
     {"tx-insulinoma-glucose-control"}, SSA_DRUGS, {"tx-insulinoma-no-untested-ssa"}, ""),
    ("metastatic insulinoma with uptake above liver: PRRT with a flare plan",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, functional_syndrome="insulinoma",
          ki67_percent=15, **ABOVE_LIVER),
     {"tx-insulinoma-prrt", "tx-insulinoma-glucose-control"},
     SSA_DRUGS | {"tx-first-line-prrt-g2-g3"}, {"tx-insulinoma-no-untested-ssa"}, ""),
    ("insulinoma progressing on everolimus: glucose control may continue it",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, functional_syndrome="insulinoma",
          treatments_given=["everolimus"], progressing=True, ki67_percent=5, sstr_positive=False),
     {"tx-insulinoma-glucose-control", "tx-pnet-sunitinib"}, {"tx-pnet-everolimus"}, set(), ""),
    ("metastatic gastrinoma: acid suppression and germline testing",
     dict(category="NET G1", site="duodenum", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="gastrinoma", ki67_percent=1),
     {"tx-gastrinoma-ppi", "dx-germline-testing", "tx-ssa-first-line-net"}, set(), set(), ""),
    ("VIPoma: SSA with fluids and electrolytes",
     dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="vipoma", ki67_percent=5),
     {"tx-vipoma-control"}, set(), set(), ""),
    ("glucagonoma: SSA with nutrition", dict(category="NET G1", site="pancreas",
                                            stage=UNRESECTABLE, sstr_positive=True,
                                            functional_syndrome="glucagonoma", ki67_percent=1),
     {"tx-glucagonoma-control"}, set(), set(), ""),
    ("carcinoid syndrome: SSA, heart screening, crisis plan",
     dict(category="NET G1", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="carcinoid_syndrome"),
     {"tx-carcinoid-syndrome-ssa", "dx-echo-carcinoid-heart-disease", "tx-carcinoid-crisis-plan"},
     {"tx-telotristat-refractory-diarrhoea", "tx-si-net-everolimus"}, set(), ""),
    ("carcinoid syndrome with refractory diarrhoea",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          functional_syndrome="carcinoid_syndrome_refractory_diarrhoea"),
     {"tx-carcinoid-syndrome-ssa", "tx-telotristat-refractory-diarrhoea"}, set(), set(), ""),
    ("carcinoid syndrome progressing: no everolimus (labelled for non-functional NET)",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, progressing=True,
          functional_syndrome="carcinoid_syndrome", treatments_given=["ssa"], ki67_percent=5,
          **ABOVE_LIVER),
     {"tx-si-net-prrt-after-ssa", "tx-carcinoid-crisis-plan"}, EVEROLIMUS, set(), ""),
    ("carcinoid syndrome before liver resection: crisis plan",
     dict(category="NET G2", site="small_intestine", stage="resectable_liver_mets", ecog=0,
          functional_syndrome="carcinoid_syndrome", sstr_positive=True),
     {"tx-liver-metastases-resection", "tx-carcinoid-crisis-plan"}, set(), set(), ""),
    # --- germline testing, MiNEN, liver and bone
    ("pNET at 35: germline testing", dict(category="NET G1", site="pancreas", stage="localized",
                                          tumour_size_mm=25, age=35),
     {"dx-germline-testing"}, set(), set(), ""),
    ("pNET at 40: no germline prompt by age", dict(category="NET G1", site="pancreas",
                                                  stage="localized", tumour_size_mm=25, age=40),
     set(), {"dx-germline-testing"}, set(), ""),
    ("MiNEN", dict(category="MiNEN", site="colon", stage=UNRESECTABLE),
     {"tx-minen-most-aggressive-component"}, set(), set(), ""),
    ("liver-dominant SI-NET", dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE,
                                   sstr_positive=True, liver_dominant=True),
     {"tx-liver-directed-therapy"}, set(), set(), ""),
    ("liver-directed therapy is not re-offered after it failed",
     dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE, sstr_positive=True,
          liver_dominant=True, progressing=True, treatments_given=["liver_directed"]),
     set(), {"tx-liver-directed-therapy"}, set(), ""),
    ("bone metastases of a NEC", dict(category="NEC", site="pancreas", stage=UNRESECTABLE,
                                     bone_mets=True, ki67_percent=70),
     {"tx-bone-metastases-radiotherapy", "nec-first-line-carboplatin-etoposide"}, set(), set(),
     ""),
]


@pytest.mark.parametrize("name, inputs, must, must_not, advise_against, note", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_scenario(name, inputs, must, must_not, advise_against, note):
    result = run(**inputs)
    assert must <= offered(result), f"missing: {must - offered(result)}"
    assert not must_not & offered(result), f"offered but must not be: {must_not & offered(result)}"
    assert advise_against <= avoided(result), f"not advised against: {advise_against - avoided(result)}"
    if note:
        assert any(note in text for text in result["notes"]), result["notes"]


def test_the_scenario_table_covers_at_least_80_situations():
    assert len(SCENARIOS) >= 80


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
    result = run(category="NET G2", site="pancreas", stage=UNRESECTABLE, progressing=True,
                 treatments_given=["ssa"], **ABOVE_LIVER)
    index = VERSION.recommendation_index()
    for option in result["options"]:
        assert option["citations"], option
        place = index[option["id"]]
        assert option["text"] == place.recommendation.text
        assert option["strength"] == place.recommendation.strength
        assert (option["page"], option["anchor"]) == (place.page, place.recommendation.anchor)
        assert option["why"]
    assert result["version"] == VERSION.version


# --- Every option fits its patient, over a large sample of patients ---------------------------
# The build proves this symbolically (generator.pathway_fit); here the engine's real answers
# for concrete patients are checked against the same vocabulary, as an independent oracle.
TREATMENT_WORDS = VERSION.pathway["treatments"]


def may_repeat(option_id: str, treatment: str, patient, rules) -> bool:
    """A rule that fired for this patient offers the option and says it may repeat the
    treatment (an SSA continued for a syndrome, PRRT retreatment on its criteria)."""
    return any(option_id in rule.get("offer", ()) and treatment in rule.get("repeat", ())
               and pathway.matches(rule["when"], patient) for rule in rules["rules"])


def named_treatments(option) -> set[str]:
    return _named(option["id"], option["text"])


@functools.cache
def _named(option_id: str, text: str) -> frozenset[str]:
    found = set()
    for name, spec in TREATMENT_WORDS.items():
        if option_id in spec.get("mentioned_only_in", ()):
            continue
        for word in spec["words"]:
            if re.search(r"(?<![\w-])" + re.escape(word), text, re.IGNORECASE):
                found.add(name)
    return frozenset(found)


def misfits(patient, result, rules) -> list[tuple]:
    """The offered options that do not fit this patient, with the reason."""
    found = []
    against = {t for item in result["not_recommended"] for t in named_treatments(item)}
    for option in result["options"]:
        for treatment in named_treatments(option):
            spec = TREATMENT_WORDS[treatment]
            if patient["site"] not in spec.get("sites", [patient["site"]]):
                found.append((option["id"], treatment, "site"))
            found += [(option["id"], treatment, name) for name, allowed in
                      spec.get("needs", {}).items() if patient[name] not in allowed]
            if patient["progressing"] and treatment in patient["treatments_given"] and \
                    not may_repeat(option["id"], treatment, patient, rules):
                found.append((option["id"], treatment, "progressed on it"))
            if treatment in against:
                found.append((option["id"], treatment, "advised against"))
    ids = offered(result)
    if patient["category"] in ("NET G1", "NET G2", "typical carcinoid", "atypical carcinoid"):
        found += [(i, "NEC regimen", "category") for i in ids & NEC_REGIMENS]
    if patient["category"] in NEC_LIKE:
        found += [(i, "NET drug", "category") for i in
                  ids & (PRRT_DRUGS | EVEROLIMUS | {"tx-pnet-sunitinib"})]
    found += [(i, "offered and avoided", "") for i in ids & avoided(result)]
    return found


def sampled_patients(count: int, seed: int = 9, **fixed):
    """Random patients over every input's values worth trying (generator.pathway_space), with
    treatment histories drawn from all treatments, not only those the rules tell apart; the
    inputs in `fixed` take only the values given."""
    rng = random.Random(seed)
    space = {**domains(RULES["rules"], RULES["ki67_limits"]), **fixed}
    treatments = list(pathway.TREATMENTS)
    made = 0
    while made < count:
        patient = {name: rng.choice(values) for name, values in space.items()}
        patient["treatments_given"] = rng.sample(treatments, rng.choice([0, 0, 1, 1, 2, 3, 5]))
        if engine_accepts(patient, RULES["ki67_limits"]):
            made += 1
            yield patient


def test_every_option_fits_its_patient():
    """No option names a treatment restricted to another site, needing SSTR uptake or a
    syndrome the patient lacks, already given before this progression, or advised against in
    the same answer; every patient in scope gets at least one option."""
    checked = 0
    for patient in sampled_patients(20_000):
        result = pathway.evaluate(patient, RULES)
        assert result["ok"], (patient, result)
        if result["kind"] == "out_of_scope":
            assert patient["category"] == "SCLC" and patient["stage"] in (
                "localized", "locoregional"), (patient, result)
            continue
        checked += 1
        assert result["options"], patient
        assert misfits(patient, result, RULES) == [], patient
    assert checked > 15_000


@pytest.mark.parametrize("rule_id, change, expected", [
    ("si-net-everolimus", lambda rule: rule["offer"].append("tx-pnet-sunitinib"),
     ("tx-pnet-sunitinib", "sunitinib", "site")),  # sunitinib for small-intestine NET
    ("si-net-prrt-after-ssa", lambda rule: rule["when"].pop("sstr_uptake"),
     ("tx-si-net-prrt-after-ssa", "prrt", "sstr_uptake")),  # PRRT without enough uptake
    ("si-net-prrt-after-ssa", lambda rule: rule["when"].pop("treatments_given"),
     ("tx-si-net-prrt-after-ssa", "prrt", "progressed on it")),  # PRRT again after PRRT
])
def test_the_fit_oracle_catches_a_misfit(rule_id, change, expected):
    """The oracle can fail: each broken copy of the rules is caught on the sample."""
    broken = copy.deepcopy(RULES)
    change(next(rule for rule in broken["rules"] if rule["id"] == rule_id))
    found = set()
    # Small-intestine NET with metastases, where the broken rules apply.
    for patient in sampled_patients(2_000, category=["NET G1", "NET G2"],
                                    site=["small_intestine"], stage=[UNRESECTABLE]):
        result = pathway.evaluate(patient, broken)
        if result["ok"] and result["kind"] == "options":
            found.update(misfits(patient, result, broken))
    assert expected in found


# --- Inputs that contradict each other --------------------------------------------------------
@pytest.mark.parametrize("inputs, field, words", [
    (dict(category="NET G2", site="small_intestine", stage=UNRESECTABLE,
          functional_syndrome="insulinoma"), "functional_syndrome",
     "Insulinoma arises in the pancreas or the duodenum, not in the small intestine"),
    (dict(category="NET G2", site="colon", stage=UNRESECTABLE, functional_syndrome="glucagonoma"),
     "functional_syndrome", "not in the colon"),
    (dict(category="NET G1", site="colon", stage="localized", gastric_type="1"), "gastric_type",
     "applies to stomach primaries only, and the site is colon"),
    (dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_positive=False,
          sstr_uptake="above_liver"), "sstr_uptake", "set the SSTR status to positive"),
    (dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, sstr_uptake="above_liver"),
     "sstr_uptake", "set the SSTR status to positive"),
    (dict(category="NET G2", site="pancreas", stage=UNRESECTABLE, treatments_given=["ssa"],
          prrt_pfs_months=24), "prrt_pfs_months", "need PRRT among the treatments"),
])
def test_contradictions_are_errors(inputs, field, words):
    result = pathway.evaluate(inputs, RULES)
    assert result["ok"] is False
    messages = {error["field"]: error["message"] for error in result["errors"]}
    assert words in messages[field], messages


def test_a_history_on_localized_disease_is_a_warning_not_an_error():
    """Decided: a treatment history with a localized stage is shown with the localized options
    and a warning (recurrence after treatment is real; the stage may be the mistake)."""
    result = run(category="NET G2", site="small_intestine", stage="localized",
                 treatments_given=["ssa"])
    assert result["notes"][0].startswith("Treatments for advanced disease are listed, but the "
                                         "stage is localized")
    assert "tx-localized-net-surgery" in offered(result)


def test_gastrinoma_and_insulinoma_of_the_duodenum_are_accepted():
    for syndrome in ("gastrinoma", "insulinoma"):
        result = pathway.evaluate(dict(category="NET G1", site="duodenum", stage="localized",
                                       functional_syndrome=syndrome), RULES)
        assert result["ok"] is True, result


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
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, ecog=1.5), "ecog",
     "whole number from 0 to 4"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, ecog=5), "ecog",
     "expected a whole number from 0 to 4, got 5"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, ecog=-1), "ecog",
     "whole number from 0 to 4"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, treatments_given="ssa"),
     "treatments_given", "expected a list of treatments"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE,
          treatments_given=["ssa", "lutetium"]), "treatments_given", "'lutetium': "),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, tumour_size_mm=-3),
     "tumour_size_mm", "expected a number from 0 to 500, got -3"),
    (dict(category="NET G1", site="stomach", stage="localized", gastric_type="4"),
     "gastric_type", "choose one of"),
    (dict(category="NET G1", site="pancreas", stage=UNRESECTABLE, sstr_positive=True,
          sstr_uptake="high"), "sstr_uptake", "choose one of"),
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
                 sstr_uptake="Higher than normal liver", ecog="1", gastric_type="",
                 treatments_given=["SSA", "ssa", "prrt"], prrt_pfs_months="24",
                 progressing=True, ki67_percent="8")
    assert result["inputs"]["ecog"] == 1 and result["inputs"]["prrt_pfs_months"] == 24
    assert result["inputs"]["category"] == "NET G2"
    assert result["inputs"]["sstr_uptake"] == "above_liver"
    assert result["inputs"]["treatments_given"] == ["ssa", "prrt"]  # once each, in form order


def test_a_gastric_type_may_be_given_as_a_number():
    result = run(category="NET G1", site="stomach", stage="localized", gastric_type=1,
                 tumour_size_mm=8)
    assert result["inputs"]["gastric_type"] == "1"
    assert "tx-gastric-type1-surveillance" in offered(result)


@pytest.mark.parametrize("rules", [None, {}, {"rules": "x"}, []])
def test_missing_rules_are_an_error(rules):
    result = pathway.evaluate({"category": "NEC"}, rules)
    assert result == {"ok": False, "errors": [
        {"field": "rules", "label": "Pathway rules", "kind": "invalid",
         "message": "the pathway rules of this guideline version are missing"}]}


def test_every_result_is_json():
    for patient in sampled_patients(2_000, seed=3):
        json.dumps(pathway.evaluate(patient, RULES), allow_nan=False)


def test_every_field_has_the_label_its_form_shows():
    from calculators.labels import PATHWAY_FIELDS

    assert set(PATHWAY_FIELDS) == set(pathway.PARSERS)


def test_out_of_scope_is_an_answer():
    """Limited-stage SCLC is the one situation left out of scope: it needs the stage, so the
    answer restates the stage too."""
    result = pathway.evaluate({"category": "SCLC", "site": "lung", "stage": "localized"}, RULES)
    assert result["ok"] is True and result["kind"] == "out_of_scope"
    assert "lung cancer regimens" in result["why"]
    assert [item["field"] for item in result["stated_inputs"]][:3] == ["category", "site", "stage"]
    # Inputs that name the tumour wrongly are still errors, not "out of scope".
    result = pathway.evaluate({"category": "SCLC", "site": "pancreas", "stage": "localized"},
                              RULES)
    assert result["ok"] is False
    assert {error["field"] for error in result["errors"]} == {"category"}


def test_lung_nec_is_answered_not_out_of_scope():
    for category in ("LCNEC", "SCLC"):
        result = run(category=category, site="lung", stage=UNRESECTABLE, ecog=1)
        assert result["options"], category


def test_a_missing_stage_is_asked_for_not_assumed():
    result = pathway.evaluate({"category": "NET G2", "site": "pancreas"}, RULES)
    assert result["errors"] == [{
        "field": "stage", "label": "Stage", "kind": "missing",
        "message": "is required; choose one of: Localized, Locoregional, Resectable liver "
                   "metastases, Unresectable or metastatic"}]


def test_options_restate_every_input():
    result = run(category="NET G2", site="pancreas", stage=UNRESECTABLE, ki67_percent="5",
                 progressing=True, treatments_given=["ssa", "everolimus"], ecog=1,
                 sstr_positive=True, sstr_uptake="equal_liver")
    assert [item["field"] for item in result["stated_inputs"]] == [
        "category", "site", "stage", "sstr_positive", "sstr_uptake", "ki67_percent",
        "tumour_size_mm", "gastric_type", "functional_syndrome", "ecog", "age",
        "treatments_given", "prrt_pfs_months", "progressing", "bone_mets", "liver_dominant"]
    values = {item["field"]: item["value"] for item in result["stated_inputs"]}
    assert values["treatments_given"] == "Somatostatin analogue, Everolimus"
    assert values["progressing"] == "yes" and values["ecog"] == "1"
    assert values["sstr_uptake"] == "Equal to normal liver"
    assert values["tumour_size_mm"] == "not given" and values["age"] == "not given"
    assert values["stage"] == "Unresectable or metastatic"


def test_options_carry_the_recommendation_number():
    result = run(category="NET G1", site="appendix", stage="localized")
    numbers = {option["id"]: option["number"] for option in result["options"]}
    assert re.fullmatch(r"3\.\d+", numbers["tx-appendix-net-extent-of-surgery"])


def test_syndrome_control_comes_first():
    """A functioning tumour's answer starts with the syndrome: glucose before anything else
    for an insulinoma, acid suppression for a gastrinoma, the SSA for carcinoid syndrome."""
    firsts = {
        "insulinoma": "tx-insulinoma-glucose-control",
        "gastrinoma": "tx-gastrinoma-ppi",
        "carcinoid_syndrome": "tx-carcinoid-syndrome-ssa",
    }
    for syndrome, first in firsts.items():
        site = "small_intestine" if syndrome == "carcinoid_syndrome" else "pancreas"
        result = run(category="NET G2", site=site, stage=UNRESECTABLE, functional_syndrome=syndrome,
                     ki67_percent=5, **ABOVE_LIVER)
        assert result["options"][0]["id"] == first, (syndrome, offered(result))


def test_a_criterion_that_must_be_known_is_asked_for():
    """Germline testing by age, and PRRT retreatment by months, need the number: without it
    the option is not shown and the answer says what would decide it."""
    result = run(category="NET G1", site="pancreas", stage="localized", tumour_size_mm=25)
    assert "dx-germline-testing" not in offered(result)
    assert "Age not given: recommendation 2." in " ".join(result["notes"])
    young = run(category="NET G1", site="pancreas", stage="localized", tumour_size_mm=25, age=35)
    assert "dx-germline-testing" in offered(young)
    assert not any(note.startswith("Age not given") for note in young["notes"])
    older = run(category="NET G1", site="pancreas", stage="localized", tumour_size_mm=25, age=40)
    assert "dx-germline-testing" not in offered(older)


def test_the_sstr_note_is_for_advanced_disease_only():
    localized = run(category="NET G1", site="rectum", stage="localized", tumour_size_mm=8)
    assert not any("SSTR status not given" in note for note in localized["notes"])
    advanced = run(category="NET G1", site="rectum", stage=UNRESECTABLE)
    assert any("SSTR status not given" in note for note in advanced["notes"])
