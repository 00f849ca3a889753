"""Golden pages: the rendered Markdown of the real guideline, reviewed as diffs.

Regenerate after an intended change with:  NENGUIDE_REGEN_GOLDEN=1 pytest tests/test_golden.py
then read `git diff tests/golden` before committing.
"""

import os
from pathlib import Path

import pytest

from generator.content import load_guidelines
from generator.releases.sources import changes_for
from generator.render import render_version

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("NENGUIDE_REGEN_GOLDEN") == "1"


def rendered_pages() -> dict[str, str]:
    pages = {}
    for guideline in load_guidelines(ROOT / "content"):
        for version in guideline.versions:
            changes = changes_for(guideline, version)  # as the build renders a draft
            for path, text in render_version(guideline, version, changes=changes).items():
                pages[f"{guideline.id}/{version.version}/{path}"] = text
    return pages


PAGES = rendered_pages()


def test_no_golden_page_is_stale():
    on_disk = {str(p.relative_to(GOLDEN)) for p in (GOLDEN / "nen").rglob("*.md")}
    if REGENERATE:
        for stale in on_disk - set(PAGES):
            (GOLDEN / stale).unlink()
        return
    assert on_disk == set(PAGES)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_matches_golden(page):
    golden = GOLDEN / page
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(PAGES[page], encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == PAGES[page]


def test_every_recommendation_is_rendered_with_its_citations():
    for guideline in load_guidelines(ROOT / "content"):
        for version in guideline.versions:
            for section in version.sections:
                page = PAGES[f"{guideline.id}/{version.version}/{section.id}.md"]
                for rec in section.all_recommendations():
                    assert f'id="{rec.anchor}"' in page
                    for ref_id in rec.citations:
                        ref = version.reference(ref_id)
                        assert f"[[{ref.number}]](references.md#{ref.anchor})" in page
