"""The search synonyms of a guideline: content/<guideline>/search.yaml.

Readers type "lutetium" where the guideline writes 177Lu-DOTATATE, "ki67" for Ki-67, "tumor"
for tumour. The file lists such words in groups, once for every version; generator/search.py
applies them to each built search index. The shape is checked against schema.SEARCH like any
content file; this module adds the check that spans groups: a word belongs to one group, since
two groups that share a word would silently act as one.
"""

from __future__ import annotations

import re

from generator.loader import LoadedFile
from generator.validate import Reporter

SEARCH_FILE = "search.yaml"

SynonymGroups = tuple[tuple[str, ...], ...]


def synonym_groups(loaded: LoadedFile, report: Reporter) -> SynonymGroups | None:
    """The groups of a search.yaml whose shape is clean, or None after reporting each word
    listed twice (at its second place, naming the group of the first)."""
    group_of: dict[str, int] = {}  # a word as the search box sees it -> the group it is in
    clean = True
    groups = loaded.data["synonyms"]
    for group_index, group in enumerate(groups):
        for word_index, word in enumerate(group):
            key = search_key(word)
            if key not in group_of:
                group_of[key] = group_index
                continue
            clean = False
            path = ("synonyms", group_index, word_index)
            if group_of[key] == group_index:
                report.add(path, f"'{word}' is listed twice in this group")
            else:
                line = loaded.line_of(("synonyms", group_of[key]))
                report.add(path, f"'{word}' is already in the group at line {line}; a word "
                                 "belongs to one group: merge the two groups, or remove it "
                                 "from one")
    return tuple(tuple(group) for group in groups) if clean else None


def search_key(word: str) -> str:
    """A word as the search box sees it: case, and spaces against hyphens, do not count
    ("Ki-67", "ki 67" and "KI-67" are one word to a reader's query)."""
    return " ".join(re.split(r"[\s\-]+", word.lower()))

