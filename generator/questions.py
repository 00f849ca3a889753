"""Checks for question articles (questions.yaml) and plain-language intros, which need the
version's recommendations: a question shows recommendations by id, so each id must exist;
a plain-language text cites only what the clinician text it explains cites, is written for the
current clinician words (its fingerprint), and stays within the reading level.
"""

from __future__ import annotations

from typing import Any

from generator.loader import FieldPath, LoadedFile
from generator.model import Recommendation
from generator.reader_views import (READING_GRADE_LIMIT, READING_MEASURE, intro_fingerprint,
                                    question_fingerprint, reading_grade)
from generator.validate import Reporter, check_review, citation_marks, did_you_mean


def check_questions(loaded: LoadedFile, recommendations: dict[str, Recommendation],
                    report: Reporter) -> None:
    seen: set[str] = set()
    for index, question in enumerate(loaded.data["questions"]):
        path: FieldPath = ("questions", index)
        if question["id"] in seen:
            report.add(path + ("id",), f"duplicate question id '{question['id']}'")
        seen.add(question["id"])
        check_review(question["review"], path + ("review",), report)
        _check_question(question, path, recommendations, report)


def _check_question(question: dict[str, Any], path: FieldPath,
                    recommendations: dict[str, Recommendation], report: Reporter) -> None:
    known = True
    places = [(("short_answer",), question["short_answer"])]
    places += [(("parts", i, "recommendations"), part["recommendations"])
               for i, part in enumerate(question["parts"])]
    for where, ids in places:
        for i, rec_id in enumerate(ids):
            if rec_id not in recommendations:
                known = False
                report.add(path + where + (i,), f"unknown recommendation '{rec_id}'"
                                                f"{did_you_mean(rec_id, recommendations)}")
            elif rec_id in ids[:i]:
                report.add(path + where + (i,), f"'{rec_id}' is listed twice")
    patient = question["patient"]
    if len(patient["parts"]) != len(question["parts"]):
        report.add(path + ("patient", "parts"),
                   f"has {len(patient['parts'])} texts for {len(question['parts'])} parts; "
                   "write one plain-language text per part, in the same order")
    if not known:
        return  # the fingerprint and citations need every recommendation
    for where, ids, text in [(("patient", "short_answer"), question["short_answer"],
                              patient["short_answer"]),
                             *((("patient", "parts", i), part["recommendations"], text)
                               for i, (part, text) in enumerate(zip(question["parts"],
                                                                    patient["parts"])))]:
        cited = {ref for rec_id in ids for ref in recommendations[rec_id].citations}
        _check_plain_text(text, cited, path + where, "the recommendations of this part",
                          report)
    shown = list(dict.fromkeys([*question["short_answer"],
                                *(r for part in question["parts"]
                                  for r in part["recommendations"])]))
    _check_written_for(patient["written_for"],
                       question_fingerprint([recommendations[r] for r in shown]),
                       path + ("patient", "written_for"),
                       "the recommendations this answer shows changed", report)


def check_patient_intros(loaded: LoadedFile, report: Reporter) -> None:
    """The plain-language intros of a section and its subsections."""
    parts = [((), loaded.data)] + [(("subsections", i), sub) for i, sub in
                                   enumerate(loaded.data.get("subsections", []))]
    for path, part in parts:
        if "patient_intro" not in part:
            continue
        where = path + ("patient_intro",)
        intro = part.get("intro")
        if not intro:
            report.add(where, "explains an intro, but there is no intro; write the intro first")
            continue
        _check_plain_text(part["patient_intro"]["text"], set(citation_marks(intro)),
                          where + ("text",), "the intro", report)
        _check_written_for(part["patient_intro"]["written_for"], intro_fingerprint(intro),
                           where + ("written_for",), "the intro changed", report)


def _check_plain_text(text: str, allowed: set[str], path: FieldPath, source: str,
                      report: Reporter) -> None:
    cited = citation_marks(text)
    if allowed and not cited:
        report.add(path, f"cites nothing; cite the sources of {source} "
                         f"({', '.join(sorted(allowed))})")
    for ref in dict.fromkeys(cited):
        if ref not in allowed:
            report.add(path, f"cites {ref}, which {source} do not cite; a plain-language text "
                             f"states the same facts from the same sources "
                             f"({', '.join(sorted(allowed)) or 'none'})")
    grade = reading_grade(text)
    if grade > READING_GRADE_LIMIT:
        report.add(path, f"reads at grade {grade:.1f} ({READING_MEASURE}); the limit is "
                         f"{READING_GRADE_LIMIT:.0f}: use shorter sentences and everyday words")


def _check_written_for(written: str, current: str, path: FieldPath, what: str,
                       report: Reporter) -> None:
    if written != current:
        report.add(path, f"{what} since this plain-language text was written for them; "
                         f"reread it against them, update it, then write written_for: "
                         f"\"{current}\"")
