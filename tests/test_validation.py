"""Content errors: exact text, every problem in one run, and nothing built on failure."""

import hashlib
from pathlib import Path

import pytest

from conftest import edit
from generator import cli
from generator.build import build_site
from generator.content import load_guidelines
from generator.problems import ContentError

VERSION = Path("content/nen/2025.1")


def problems_of(content: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_guidelines(content)
    return [str(problem) for problem in caught.value.problems]


def test_the_fixture_is_clean(content_copy):
    [guideline] = load_guidelines(content_copy)
    assert [v.version for v in guideline.versions] == ["2025.1"]


def test_unquoted_version_says_how_to_quote_it(content_copy):
    edit(content_copy / "nen/2025.1/release.yaml", 'version: "2025.1"', "version: 2025.1")
    assert problems_of(content_copy) == [
        'content/nen/2025.1/release.yaml:2: version: expected a string, got 2025.1 '
        '(a number) — quote it: "2025.1"']


def test_version_that_yaml_shortens_shows_what_it_read(content_copy):
    edit(content_copy / "nen/2025.1/release.yaml", 'version: "2025.1"', "version: 2025.10")
    assert problems_of(content_copy) == [
        'content/nen/2025.1/release.yaml:2: version: expected a string, got 2025.1 '
        '(a number; YAML read 2025.10 as 2025.1) — quote it: "2025.10"']


def test_yes_no_trap(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "title: Neuroendocrine carcinoma",
         "title: no")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:16: subsections[0].title: expected a string, "
        "got false (YAML reads no as a boolean) — quote it: \"no\""]


def test_unknown_citation_suggests_the_closest_id(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "citations: [ENETS-NEC]",
         "citations: [ENETS-NCE]")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:22: subsections[0].recommendations[0].citations[0]: "
        "unknown reference 'ENETS-NCE' (did you mean 'ENETS-NEC'?)"]


def test_unknown_inline_citation(content_copy):
    edit(content_copy / "nen/2025.1/release.yaml", "[@WHO2019]", "[@WHO2021]")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/release.yaml:5: summary: unknown reference 'WHO2021' "
        "(did you mean 'WHO2021L'?)"]


def test_unknown_field_suggests_the_known_one(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "        evidence: guideline",
         "        evidence: guideline\n        strenght: high")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:22: subsections[0].recommendations[0].strenght: "
        "unknown field 'strenght' (did you mean 'strength'?)"]


def test_value_outside_the_allowed_list(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "strength: recommended", "strength: strong")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:20: subsections[0].recommendations[0].strength: "
        "'strong' is not allowed (allowed: recommended, suggested, option, not_recommended)"]


def test_missing_required_field_points_at_its_parent(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "        citations: [ENETS-NEC]\n    points",
         "    points")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:18: subsections[0].recommendations[0]: missing "
        "required field 'citations' (reference ids that support this (at least one))"]


def test_table_row_with_the_wrong_number_of_cells(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", '["NET G1", "< 3 %"]',
         '["NET G1", "< 3 %", "extra"]')
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:12: tables[0].rows[0]: has 3 cells but the header "
        "has 2"]


def test_duplicate_recommendation_id_names_the_first_place(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "    points:", """      - id: nec-first-line
        text: "Again."
        strength: option
        evidence: consensus
        citations: [ENETS-NEC]
    points:""")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/treatment.yaml:23: subsections[0].recommendations[1].id: duplicate "
        "id 'nec-first-line' (first used at content/nen/2025.1/treatment.yaml:18); ids must be "
        "unique in a version"]


def test_bad_identifiers(content_copy):
    refs = content_copy / "nen/2025.1/references.yaml"
    edit(refs, 'doi: "10.1111/his.13975"', 'doi: "https://doi.org/10.1111/his.13975"')
    edit(refs, 'pmid: "36924180"', "pmid: PMID36924180")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/references.yaml:12: references[0].doi: "
        "'https://doi.org/10.1111/his.13975' is not valid: write the bare DOI, "
        "e.g. 10.1111/his.13975",
        "content/nen/2025.1/references.yaml:21: references[1].pmid: 'PMID36924180' is not "
        "valid: write the digits only and quote them, e.g. \"30140036\""]


def test_section_files_must_match_release(content_copy):
    edit(content_copy / "nen/2025.1/release.yaml", "sections: [treatment]",
         "sections: [treatment, follow-up]")
    (content_copy / "nen/2025.1/pitfalls.yaml").write_text("id: pitfalls\n")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/pitfalls.yaml:1: not listed in release.yaml sections; add "
        "'pitfalls' there or remove the file",
        "content/nen/2025.1/release.yaml:7: sections[1]: no file follow-up.yaml in "
        "content/nen/2025.1"]


def test_every_problem_is_reported_in_one_run(content_copy, capsys):
    edit(content_copy / "nen/2025.1/release.yaml", 'version: "2025.1"', "version: 2025.1")
    edit(content_copy / "nen/2025.1/release.yaml", "status: draft", "status: drafted")
    edit(content_copy / "nen/2025.1/treatment.yaml", "citations: [ENETS-NEC]",
         "citations: [ENETS-NCE]")
    edit(content_copy / "nen/2025.1/references.yaml", '    journal: "Histopathology"',
         '    journal: "Histopathology"\n    journal: "Histo"')
    assert cli.main(["check"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "content/nen/2025.1/references.yaml:7: references[0].journal: duplicate key 'journal' "
        "(first defined on line 6); remove one of them",
        'content/nen/2025.1/release.yaml:2: version: expected a string, got 2025.1 (a number) '
        '— quote it: "2025.1"',
        "content/nen/2025.1/release.yaml:4: status: 'drafted' is not allowed (allowed: draft, "
        "published, withdrawn) (did you mean 'draft'?)",
        "content/nen/2025.1/treatment.yaml:22: subsections[0].recommendations[0].citations[0]: "
        "unknown reference 'ENETS-NCE' (did you mean 'ENETS-NEC'?)",
        "4 errors; nothing was built.",
    ]


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_a_failed_build_leaves_the_previous_site_untouched(content_copy, capsys):
    site = content_copy.parent / "site"
    build_site(content_copy, site)
    before = _tree_digest(site)
    edit(content_copy / "nen/2025.1/treatment.yaml", "strength: recommended", "strength: strong")
    assert cli.main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err.endswith("1 error; nothing was built.\n")
    assert _tree_digest(site) == before
    assert [p.name for p in content_copy.parent.iterdir() if p.name.startswith(".")] == []


def test_a_good_build_replaces_the_site(content_copy):
    site = content_copy.parent / "site"
    build_site(content_copy, site)
    edit(content_copy / "nen/2025.1/treatment.yaml", "first line.", "first line, now edited.")
    build_site(content_copy, site)
    page = (site / "2025.1/treatment/index.html").read_text(encoding="utf-8")
    assert "now edited" in page


def test_build_refuses_to_replace_a_folder_it_did_not_build(content_copy, capsys):
    notes = content_copy.parent / "notes"
    notes.mkdir()
    (notes / "keep.txt").write_text("mine")
    assert cli.main(["build", "--site", str(notes)]) == 1
    assert "refusing to replace" in capsys.readouterr().err
    assert (notes / "keep.txt").read_text() == "mine"
    assert cli.main(["build", "--site", "content"]) == 1
    assert "refusing to build into" in capsys.readouterr().err


def test_mkdocs_strict_warnings_fail_the_build(content_copy, capsys):
    """A broken link is only a MkDocs warning; strict mode must turn it into a failure."""
    site = content_copy.parent / "site"
    build_site(content_copy, site)
    before = _tree_digest(site)
    edit(content_copy / "nen/2025.1/treatment.yaml", "Start from the grade",
         "Start from the [grade](missing-page.md)")
    assert cli.main(["build", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "mkdocs build failed for version 2025.1" in err and "missing-page.md" in err
    assert _tree_digest(site) == before


def test_citations_in_the_calculator_page_text_are_checked(content_copy):
    edit(content_copy / "nen/2025.1/grading.yaml", "a well-differentiated tumour with Ki-67 80 %",
         "a well-differentiated tumour [@WHO2099] with Ki-67 80 %")
    assert problems_of(content_copy) == [
        "content/nen/2025.1/grading.yaml:36: calculator_page.when_to_use: unknown reference "
        "'WHO2099' (did you mean 'WHO2019'?)"]


def test_a_self_referencing_alias_is_an_error_not_a_crash(content_copy):
    edit(content_copy / "nen/2025.1/treatment.yaml", "title: Treatment",
         "title: Treatment\nloop: &a [*a]")
    problems = problems_of(content_copy)
    assert "content/nen/2025.1/treatment.yaml:3: loop[0]: this alias refers to itself; write the "\
        "value out" in problems
