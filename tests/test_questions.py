"""Question articles and plain-language texts: composed from the recommendations, checked
against them, and measured for reading level."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, edit
from generator import render
from generator.content import load_guidelines
from generator.problems import ContentError
from generator.reader_views import (READING_GRADE_LIMIT, question_fingerprint, reading_grade,
                                    syllables)

QUESTIONS = Path("content/nen/2025.1/questions.yaml")


@pytest.fixture
def real_copy(tmp_path, monkeypatch) -> Path:
    """A writable copy of the real content and release records, with cwd at its parent."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "releases", tmp_path / "releases")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


def problems_of(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_guidelines(content)
    return [str(problem) for problem in caught.value.problems]


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def version():
    return load_guidelines(ROOT / "content")[0].current


@pytest.fixture(scope="module")
def pages(version):
    guideline = load_guidelines(ROOT / "content")[0]
    return render.render_version(guideline, version)


def clinician_part(markdown: str) -> str:
    return markdown.split('<div class="nen-view nen-view--patient"')[0]


def patient_part(markdown: str) -> str:
    return markdown.split('<div class="nen-view nen-view--patient"')[1]


def test_the_seed_question_and_two_more_are_answered(version):
    assert [q.question for q in version.questions] == [
        "What is the treatment approach for neuroendocrine carcinoma?",
        "How is a neuroendocrine tumour graded?",
        "When is 177Lu-DOTATATE used?"]


def test_an_answer_shows_its_recommendations_own_words_numbers_and_citations(version, pages):
    index = version.recommendation_index()
    for question in version.questions:
        page = clinician_part(pages[f"questions/{question.id}.md"])
        for rec_id in question.recommendation_ids:
            rec = index[rec_id].recommendation
            assert rec.text in page, (question.id, rec_id)
            assert f"Recommendation {rec.number}" in page
            for ref in rec.citations:
                assert f"(../references.md#{version.reference(ref).anchor})" in page


def test_the_short_answer_comes_first(version, pages):
    page = pages["questions/nec-treatment.md"]
    first = version.recommendation_index()["nec-first-line-carboplatin-etoposide"]
    assert page.index("## Short answer") < page.index(first.recommendation.text)
    assert page.index(first.recommendation.text) < page.index("## First, be sure it is")


def test_the_nec_answer_states_the_reference_regimens_not_the_seed_errors(pages):
    page = pages["questions/nec-treatment.md"]
    assert "carboplatin plus etoposide as first-line" in page
    assert "FOLFIRI" in page
    # The seed's errors (reference §4): NEC is not graded by Ki-67 bands as NET are, sunitinib
    # and SSAs are NET treatments, not NEC treatments.
    clinician = clinician_part(page)
    assert "Do not treat advanced NEC with NET therapies" in clinician
    assert "Sunitinib is indicated" not in page


def test_the_patient_view_keeps_every_warning_and_the_care_team_notice(version, pages):
    index = version.recommendation_index()
    for question in version.questions:
        patient = patient_part(pages[f"questions/{question.id}.md"])
        assert "talk to your care team" in patient
        for rec_id in question.recommendation_ids:
            rec = index[rec_id].recommendation
            if rec.strength == "not_recommended":
                assert rec.text in patient, (question.id, rec_id)


def test_every_plain_text_is_within_the_reading_level(version):
    texts = [q.patient_short_answer for q in version.questions]
    texts += [part.patient_text for q in version.questions for part in q.parts]
    texts += [s.patient_intro for s in version.sections]
    assert all(texts) and len(texts) >= 20
    assert max(reading_grade(text) for text in texts) <= READING_GRADE_LIMIT


@pytest.mark.parametrize("text, grade", [
    ("The cat sat on the mat.", 0.0),  # short words, short sentence: below grade 1
    # 6 words, 1 sentence, 17 syllables counted (4+4+1+2+1+5; "neuroendocrine" counts 4):
    # 0.39 × 6 + 11.8 × 17/6 − 15.59 = 20.2
    ("Neuroendocrine carcinoma is treated with chemotherapy.", 20.2),
    ("", 0.0),
])
def test_reading_grade(text, grade):
    assert reading_grade(text) == grade


@pytest.mark.parametrize("word, count", [("cat", 1), ("table", 2), ("carboplatin", 4),
                                         ("chemotherapy", 5), ("made", 1), ("etoposide", 4)])
def test_syllables(word, count):
    assert syllables(word) == count


def test_citation_marks_do_not_count_as_words():
    assert reading_grade("The cat sat on the mat [@NETTER-1].") == reading_grade(
        "The cat sat on the mat.")


def test_a_changed_recommendation_changes_the_answer_and_asks_to_reread(real_copy):
    treatment = real_copy / "nen/2025.1/treatment.yaml"
    edit(treatment, "give carboplatin plus etoposide as first-line treatment.",
         "give carboplatin plus etoposide as first-line treatment, for 4 to 6 cycles.")
    [problem] = problems_of(real_copy)
    [guideline] = _load_with_fingerprint_fixed(real_copy, problem)
    fingerprint = question_fingerprint(
        [guideline.current.recommendation_index()[r].recommendation
         for r in guideline.current.questions[0].recommendation_ids])
    assert problem == (
        f"{QUESTIONS}:{line_of(QUESTIONS, 'written_for: \"')}: questions[0].patient.written_for: "
        "the recommendations this answer shows changed since this plain-language text was "
        "written for them; reread it against them, update it, then write written_for: "
        f"\"{fingerprint}\"")
    page = render.render_version(guideline, guideline.current)["questions/nec-treatment.md"]
    assert "for 4 to 6 cycles" in clinician_part(page)


def _load_with_fingerprint_fixed(content: Path, problem: str):
    new = re.search(r'written_for: "([0-9a-f]{8})"$', problem).group(1)
    path = content / "nen/2025.1/questions.yaml"
    old = re.findall(r'written_for: "([0-9a-f]{8})"', path.read_text())[0]
    edit(path, f'written_for: "{old}"', f'written_for: "{new}"')
    return load_guidelines(content)


def test_an_unknown_recommendation_is_an_error_at_its_line(real_copy):
    path = real_copy / "nen/2025.1/questions.yaml"
    edit(path, "      - tx-localized-nec-surgery\n", "      - tx-localised-nec-surgery\n")
    assert problems_of(real_copy) == [
        f"{QUESTIONS}:{line_of(QUESTIONS, 'tx-localised-nec-surgery')}: "
        "questions[0].short_answer[1]: unknown recommendation 'tx-localised-nec-surgery' "
        "(did you mean 'tx-localized-nec-surgery'?)"]


def test_a_plain_text_cites_only_what_its_recommendations_cite(real_copy):
    path = real_copy / "nen/2025.1/questions.yaml"
    edit(path, "care that eases symptoms [@BEVANEC]", "care that eases symptoms [@NETTER-2]")
    [problem] = problems_of(real_copy)
    assert problem.startswith(f"{QUESTIONS}:")
    assert problem.endswith(
        "questions[0].patient.parts[2]: cites NETTER-2, which the recommendations of this "
        "part do not cite; a plain-language text states the same facts from the same sources "
        "(BEVANEC, CLARINET, ENETS-NEC, FRIZZIERO19, MITRY, MOERTEL, NET02, NETTER-1, "
        "NORDIC, RADIANT-3, SUNITINIB)")


def test_a_plain_text_that_cites_nothing_is_refused(real_copy):
    path = real_copy / "nen/2025.1/questions.yaml"
    edit(path, "most aggressive part, most often like a pure carcinoma [@TOOR22].",
         "most aggressive part, most often like a pure carcinoma.")
    [problem] = problems_of(real_copy)
    assert problem.endswith("questions[0].patient.parts[5]: cites nothing; cite the sources "
                            "of the recommendations of this part (FRIZZIERO20, TOOR22)")


def test_a_hard_plain_text_is_refused_with_its_grade(real_copy):
    path = real_copy / "nen/2025.1/questions.yaml"
    hard = ("Histopathological differentiation determines therapeutic stratification "
            "irrespective of proliferative indices [@WHO2019].")
    edit(path, '- "In a tumour that mixes two kinds of cancer, each part is described and '
               'graded on its own [@WHO2019]."', f'- "{hard}"')
    [problem] = problems_of(real_copy)
    assert problem.endswith(f"questions[1].patient.parts[4]: reads at grade "
                            f"{reading_grade(hard):.1f} (Flesch-Kincaid grade level); the "
                            "limit is 9: use shorter sentences and everyday words")


def test_one_plain_text_per_part(real_copy):
    path = real_copy / "nen/2025.1/questions.yaml"
    edit(path, '        - "If you have a carcinoma, the team will see you about every 2 to 3 '
               'months after treatment ends [@ESMO2020]."\n', "")
    [problem] = problems_of(real_copy)
    assert problem.endswith("questions[0].patient.parts: has 6 texts for 7 parts; write one "
                            "plain-language text per part, in the same order")


def test_a_changed_intro_asks_to_reread_its_plain_version(real_copy):
    path = real_copy / "nen/2025.1/follow-up.yaml"
    edit(path, "is not a guideline rule", "is not a rule of any guideline")
    [problem] = problems_of(real_copy)
    assert problem.startswith("content/nen/2025.1/follow-up.yaml:")
    assert "patient_intro.written_for: the intro changed since this plain-language text was " \
           "written for them" in problem


def test_an_approved_answer_names_its_reviewer_and_date(real_copy):
    path = real_copy / "nen/2025.1/questions.yaml"
    edit(path, "    review:\n      status: draft\n",
         "    review:\n      status: approved\n      reviewers:\n        - name: A Reviewer\n"
         "          role: medical oncologist\n          date: \"2025-11-02\"\n"
         "      next_review_due: \"2026-11-02\"\n")
    [guideline] = load_guidelines(real_copy)
    page = render.render_version(guideline, guideline.current)["questions/nec-treatment.md"]
    assert ("Clinically reviewed</span> Last reviewed 2025-11-02 by A Reviewer (medical "
            "oncologist). Next review due 2026-11-02.") in page
    edit(path, "      next_review_due: \"2026-11-02\"\n", "")
    assert problems_of(real_copy)[0].endswith(
        "questions[0].review.next_review_due: an approved page says when it is due for review "
        "again")


def test_questions_and_about_are_in_the_navigation(version):
    nav = render.navigation(version)
    titles = [next(iter(entry)) for entry in nav]
    assert "Questions" in titles and "About" in titles
    questions = next(entry["Questions"] for entry in nav if "Questions" in entry)
    assert {"What is the treatment approach for neuroendocrine carcinoma?":
            "questions/nec-treatment.md"} in questions


def test_the_about_page_says_what_is_not_recorded(pages):
    about = pages["about.md"]
    assert "The editors of this guideline are not recorded in its content yet" in about
    assert "No date has been set for the next review of this version." in about
    assert ("Neuroendocrine neoplasms. Version 2025.1 (draft, not published; content as of "
            "2025-10-01). Available at: http://127.0.0.1:8000/2025.1/") in about
    assert "The licence of the content has not been stated yet." in about
    assert "No address for reports has been set for this site yet." in about


def test_a_configured_feedback_address_and_licence_are_shown(real_copy):
    guideline_file = real_copy / "nen/guideline.yaml"
    guideline_file.write_text(guideline_file.read_text() + "licence: CC BY 4.0\nfeedback:\n"
                              "  email: editors@example.org\n")
    [guideline] = load_guidelines(real_copy)
    about = render.render_version(guideline, guideline.current)["about.md"]
    assert "available under CC BY 4.0" in about
    assert '<a href="mailto:editors@example.org">editors@example.org</a>' in about


def test_an_empty_feedback_is_refused(real_copy):
    guideline_file = real_copy / "nen/guideline.yaml"
    guideline_file.write_text(guideline_file.read_text() + "feedback: {}\n")
    [problem] = problems_of(real_copy)
    assert problem.endswith("feedback: give email or url (or leave feedback out until the "
                            "editors have one)")


def test_a_feedback_address_that_is_not_one_is_refused(real_copy):
    guideline_file = real_copy / "nen/guideline.yaml"
    guideline_file.write_text(guideline_file.read_text()
                              + "feedback:\n  url: \"javascript:alert(1)\"\n")
    [problem] = problems_of(real_copy)
    assert "feedback.url:" in problem and "write the full https:// address" in problem


XSS = "<img src=x onerror=alert(1)>"
INJECTIONS = [  # (file, old, new, field path in the message)
    ("nen/2025.1/questions.yaml", 'question: "When is 177Lu-DOTATATE used?"',
     f'question: "When is 177Lu-DOTATATE used? {XSS}"', "questions[2].question"),
    ("nen/2025.1/questions.yaml", 'title: "A second course"',
     f'title: "A second course {XSS}"', "questions[2].parts[3].title"),
    ("nen/2025.1/questions.yaml", "a second course can be considered [@VDZWAN19].",
     f"a second course can be considered {XSS} [@VDZWAN19].", "questions[2].patient.parts[3]"),
    ("nen/2025.1/follow-up.yaml", "There is no single plan for everyone",
     f"There is no single plan {XSS} for everyone", "patient_intro.text"),
    ("nen/guideline.yaml", "Published versions are frozen.",
     f"Published versions are frozen. {XSS}", "method"),
]


@pytest.mark.parametrize("file, old, new, where", INJECTIONS,
                         ids=[row[3] for row in INJECTIONS])
def test_markup_in_the_new_fields_is_refused(real_copy, file, old, new, where):
    edit(real_copy / file, old, new)
    problems = problems_of(real_copy)
    assert any(f": {where}: " in p and "raw HTML" in p for p in problems), problems


@pytest.mark.parametrize("field", ["licence: \"CC BY <b>4.0</b>\"",
                                   "editors:\n  - name: \"A <script>\"\n    role: editor"])
def test_markup_in_licence_and_editors_is_refused(real_copy, field):
    guideline_file = real_copy / "nen/guideline.yaml"
    guideline_file.write_text(guideline_file.read_text() + field + "\n")
    assert any("raw HTML" in p for p in problems_of(real_copy))


def test_publishing_needs_every_answer_approved(real_copy):
    from generator.releases import publish

    guideline_file = real_copy / "nen/guideline.yaml"
    guideline_file.write_text(guideline_file.read_text() + "feedback:\n  url: "
                              "\"https://example.org/report\"\n")
    with pytest.raises(publish.ReleaseRefused) as caught:
        publish.release(real_copy, "2025.1", unreviewed=False, today="2026-01-01")
    question_reasons = [r for r in caught.value.reasons if "questions.yaml" in r]
    assert question_reasons[0] == (
        f"{QUESTIONS}:{line_of(QUESTIONS, '      status: draft')}: questions[0].review.status: "
        "draft: no clinical reviewer has approved this answer (to publish without review, use "
        "--unreviewed)")
    assert len(question_reasons) == 3
