"""What keeps the patients' plain-language texts honest: a fingerprint of the clinician text
each one explains, and a measured reading level.

Fingerprint: the first 8 hex digits of the SHA-256 of the clinician words (for a question,
of its recommendations' ids, strengths and texts, in order). The plain text records the
fingerprint it was written for (`written_for`); when a clinician word changes, `check` says so
and gives the new fingerprint, so a plain text is reread whenever what it explains changes.

Reading level: the Flesch-Kincaid grade level,
    0.39 × words per sentence + 11.8 × syllables per word − 15.59,
over the text as a reader sees it (citation marks and emphasis left out), with syllables
counted as groups of vowels (a final silent e dropped). A US school grade: 8 is a reading age
of 13 to 14. Drug and disease names cannot be simplified away, so the limit is grade 9, and
the page shows the measured grade.
"""

from __future__ import annotations

import hashlib
import json
import re

from generator.validate import CITATION_MARK

READING_GRADE_LIMIT = 9.0
READING_MEASURE = "Flesch-Kincaid grade level"

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)|\n\s*\n|^\s*[-*]\s", re.M)
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def fingerprint(parts: list) -> str:
    """A short, stable fingerprint of clinician words (any JSON-able list)."""
    data = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:8]


def question_fingerprint(recommendations: list) -> str:
    """The fingerprint of a question's recommendations (model.Recommendation, in order)."""
    return fingerprint([[rec.id, rec.strength, rec.text] for rec in recommendations])


def intro_fingerprint(intro: str) -> str:
    return fingerprint([" ".join(intro.split())])


def readable_words(markdown_text: str) -> str:
    """The text a reader reads: no citation marks, no emphasis or list markers."""
    text = CITATION_MARK.sub("", markdown_text)
    return re.sub(r"[*_`#>]", "", text)


def syllables(word: str) -> int:
    word = word.lower()
    if len(word) <= 3:
        return 1
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        word = word[:-1]
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def reading_grade(markdown_text: str) -> float:
    """The Flesch-Kincaid grade level of a text (0.0 for a text without words)."""
    text = readable_words(markdown_text)
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    syllable_count = sum(syllables(word) for word in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllable_count / len(words) - 15.59
    return round(max(grade, 0.0), 1)
