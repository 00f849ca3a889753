"""Releases: publishing, freezing, errata, withdrawal, comparing, and building side by side.

Most tests work on tests/fixtures/pair: 2024.1 and 2025.1 of a tiny guideline that differ in
known ways. The fixture is copied into a temporary folder (content/ and releases/ side by side)
and 2024.1 is published there with a fixed date, as an editor would."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, edit
from generator import build, cli, content, runtime, schema
from generator.problems import ContentError
from generator.releases import diff_text, publish, record
from generator.releases.diff import compare
from generator.releases.export import SCHEMA_FILE
from generator.releases.sources import engine_for, export_of

PUBLISHED = "2024-06-01"
GOLDEN = Path(__file__).parent / "golden" / "pair"
REGENERATE = os.environ.get("NENGUIDE_REGEN_GOLDEN") == "1"


@pytest.fixture
def pair(tmp_path, monkeypatch) -> Path:
    """A writable copy of the fixture pair at ./content, cwd at its parent; nothing published."""
    shutil.copytree(FIXTURES / "pair", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "content"


@pytest.fixture
def published(pair) -> Path:
    """The pair with 2024.1 published, unreviewed, on PUBLISHED."""
    publish.release(pair, "2024.1", unreviewed=True, today=PUBLISHED)
    return pair


def problems_of(content_root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        content.load_guidelines(content_root)
    return [str(problem) for problem in caught.value.problems]


def refusal(action, *args, **kwargs) -> list[str]:
    with pytest.raises(publish.ReleaseRefused) as caught:
        action(*args, **kwargs)
    return caught.value.reasons


def approve(content_root: Path, version: str, due: str = "2027-01-01") -> None:
    """Give every page of a fixture version a (fixture) sign-off."""
    path = content_root / "nen" / version / "treatment.yaml"
    edit(path, "review:\n  status: draft\n", "review:\n  status: approved\n  reviewers:\n"
         "    - name: Test Reviewer\n      role: fixture reviewer\n      date: \"2024-05-01\"\n"
         f"  next_review_due: \"{due}\"\n")


# --- the lifecycle ------------------------------------------------------------------------------

def test_an_unreviewed_draft_is_refused_with_every_reason(pair):
    reasons = refusal(publish.release, pair, "2024.1", unreviewed=False, today=PUBLISHED)
    assert reasons == [
        "content/nen/2024.1/treatment.yaml:4: review.status: draft: no clinical reviewer has "
        "approved this page (to publish without review, use --unreviewed: every page of the "
        "release then says \"Not clinically reviewed\", for good)"]
    assert not (pair.parent / "releases").exists()


def test_an_approved_draft_is_published_and_frozen(pair):
    approve(pair, "2024.1")
    release = publish.release(pair, "2024.1", unreviewed=False, today=PUBLISHED)
    assert (release.status, release.published, release.unreviewed) == (
        "published", PUBLISHED, False)
    folder = pair.parent / "releases" / "nen" / "2024.1"
    assert sorted(p.name for p in folder.iterdir()) == [
        "calc", "cases.jsonl", "docs", "guideline.json", "record.json", "texts.json"]
    assert "status: published" in (pair / "nen/2024.1/release.yaml").read_text()
    data = record.read_record(folder)
    assert data["files"]["calc/nenguide_calculators-1.0.0-py3-none-any.whl"] == record.sha256(
        (folder / "calc/nenguide_calculators-1.0.0-py3-none-any.whl").read_bytes())
    guideline = content.load_guidelines(pair)[0]
    assert guideline.latest.version == "2024.1"
    assert [v.version for v in guideline.versions] == ["2025.1"]  # the draft


def test_a_release_needs_a_feedback_address_even_unreviewed(pair):
    edit(pair / "nen/guideline.yaml", "feedback:\n  email: editors@example.org\n", "")
    reasons = refusal(publish.release, pair, "2024.1", unreviewed=True, today=PUBLISHED)
    assert reasons == ["guideline.yaml: feedback: a published release tells its readers where "
                       "to report an error; add feedback: {email: ...} or {url: ...}"]


def test_an_overdue_review_blocks_publishing_and_is_listed_by_check(pair, capsys):
    approve(pair, "2024.1", due="2024-05-15")
    reasons = refusal(publish.release, pair, "2024.1", unreviewed=False, today=PUBLISHED)
    assert reasons == ["content/nen/2024.1/treatment.yaml:9: review.next_review_due: "
                       "2024-05-15 has passed: review the page again before publishing it"]
    assert cli.main(["check"]) == 0
    assert "review overdue: version 2024.1, Treatment (treatment): review was due on " \
           "2024-05-15" in capsys.readouterr().out


def test_an_unreviewed_release_is_stamped_on_every_page(published, tmp_path):
    build.build_site(published, tmp_path / "site")
    for page in (tmp_path / "site/2024.1").rglob("index.html"):
        if "assets" in page.parts or "search" in page.parts:
            continue
        assert "Not clinically reviewed." in page.read_text(), page


def test_a_review_names_who_signed_off(pair):
    edit(pair / "nen/2024.1/treatment.yaml", "review:\n  status: draft\n",
         "review:\n  status: approved\n")
    assert problems_of(pair) == [
        "content/nen/2024.1/treatment.yaml:3: review.next_review_due: an approved page says "
        "when it is due for review again",
        "content/nen/2024.1/treatment.yaml:3: review.reviewers: an approved page names at "
        "least one reviewer who signed off (name, role, date)"]


def test_a_published_release_cannot_be_published_again_or_overtaken(published):
    assert refusal(publish.release, published, "2024.1", unreviewed=True,
                   today=PUBLISHED) == [
        "version 2024.1 is already published (published 2024-06-01); a published release "
        "never changes: correct it in an erratum (`nenguide erratum 2024.1`)"]
    older = published / "nen/2023.1"
    shutil.copytree(published / "nen/2025.1", older)
    edit(older / "release.yaml", 'version: "2025.1"', 'version: "2023.1"')
    edit(older / "release.yaml", 'date: "2025-10-01"', 'date: "2023-01-01"')
    assert refusal(publish.release, published, "2023.1", unreviewed=True,
                   today=PUBLISHED)[0].startswith("version 2024.1 is already published: a "
                                                  "release must be newer than every published one")


def test_hand_editing_the_status_is_caught(pair, published):
    edit(published / "nen/2025.1/release.yaml", "status: draft", "status: published")
    edit(published / "nen/2024.1/release.yaml", "status: published", "status: draft")
    assert problems_of(published) == [
        "content/nen/2024.1/release.yaml:5: status: says draft, but version 2024.1 was "
        "published on 2024-06-01 and is published (see releases/nen/2024.1/record.json); "
        "write status: published",
        "content/nen/2025.1/release.yaml:5: status: published, but version 2025.1 has no "
        "release record: only `nenguide release 2025.1` publishes a version (and `nenguide "
        "withdraw` withdraws one); write status: draft"]


def test_an_erratum_corrects_a_release_and_says_so(published):
    folder = publish.erratum(published, "2024.1")
    assert folder.name == "2024.1.1"
    release_yaml = (folder / "release.yaml").read_text()
    assert 'version: "2024.1.1"\ncorrects: "2024.1"\n' in release_yaml
    assert "status: draft" in release_yaml
    assert problems_of(published) == [
        "content/nen/2024.1.1/release.yaml:1: notes: an erratum needs release notes that say "
        "what it corrects"]
    edit(folder / "release.yaml", "status: draft\n",
         "status: draft\nnotes: \"Corrects a typing error in the NEC recommendation.\"\n")
    edit(folder / "treatment.yaml", "Give carboplatin", "Give carboplatin")  # unchanged text
    release = publish.release(published, "2024.1.1", unreviewed=True, today="2024-07-01")
    assert release.corrects == "2024.1"
    guideline = content.load_guidelines(published)[0]
    assert guideline.latest.version == "2024.1.1"
    assert [v.version for v in guideline.all_versions()] == ["2024.1", "2024.1.1", "2025.1"]


def test_a_withdrawn_release_says_why_and_is_no_longer_latest(published, tmp_path):
    publish.release(published, "2025.1", unreviewed=True, today="2025-11-01")
    release = publish.withdraw(published, "2025.1", reason="A dose was wrong.",
                               today="2025-11-02")
    assert (release.status, release.withdrawn, release.withdrawn_reason) == (
        "withdrawn", "2025-11-02", "A dose was wrong.")
    assert "status: withdrawn" in (published / "nen/2025.1/release.yaml").read_text()
    guideline = content.load_guidelines(published)[0]
    assert guideline.latest.version == "2024.1"
    build.build_site(published, tmp_path / "site")
    page = (tmp_path / "site/2025.1/treatment/index.html").read_text()
    assert "Withdrawn on 2025-11-02." in page and "A dose was wrong." in page
    versions = json.loads((tmp_path / "site/versions.json").read_text())
    assert [(v["version"], v["title"], v["aliases"]) for v in versions] == [
        ("2025.1", "2025.1 (withdrawn)", []), ("2024.1", "2024.1", ["latest"])]
    assert refusal(publish.withdraw, published, "2025.1", reason="again",
                   today="2025-11-03") == ["version 2025.1 is already withdrawn"]


# --- the freeze -----------------------------------------------------------------------------------

def test_editing_a_published_version_is_an_error_at_its_line(published):
    edit(published / "nen/2024.1/treatment.yaml", "Give carboplatin with etoposide first line.",
         "Give cisplatin with etoposide first line.")
    assert problems_of(published) == [
        "content/nen/2024.1/treatment.yaml:19: subsections[0].recommendations[0].text: changed "
        "since publication: version 2024.1 is published and its content is frozen; undo the "
        "change, or correct it in an erratum: `nenguide erratum 2024.1` starts the new version "
        "as a copy"]


def test_adding_or_deleting_a_file_of_a_published_version_is_an_error(published):
    (published / "nen/2024.1/notes.yaml").write_text("x: 1\n")
    (published / "nen/2024.1/pathway.yaml").unlink()
    problems = problems_of(published)
    assert [p.split(": ")[0:2] for p in problems] == [
        ["content/nen/2024.1/notes.yaml:1", "added"],
        ["content/nen/2024.1/pathway.yaml:1", "deleted"]]


def test_a_tampered_record_is_an_error(published):
    rules = published.parent / "releases/nen/2024.1/calc/rules/grade.json"
    rules.write_text(rules.read_text().replace('"g2_from": 3', '"g2_from": 50'))
    assert problems_of(published) == [
        "releases/nen/2024.1/record.json:1: calc/rules/grade.json has changed since "
        "publication: a release record is written by `nenguide release` only; restore it from "
        "version control"]


def test_a_release_answers_with_its_own_calculators_after_the_code_changes(published, tmp_path,
                                                                          monkeypatch, capsys):
    """Change a grading line in calculators/: the draft answers differently, the published
    release still answers all its recorded cases as at publication."""
    changed = tmp_path / "calculators"
    shutil.copytree(runtime.CALCULATORS_DIR, changed)
    bands = changed / "grade_rules.py"
    line = 'return "G1" if value < self.g2_from else'
    assert line in bands.read_text()
    bands.write_text(bands.read_text().replace(line, 'return "G1" if value <= self.g2_from else'))
    monkeypatch.setattr(runtime, "CALCULATORS_DIR", changed)
    draft_wheel = runtime.build_wheel(tmp_path)
    guideline = content.load_guidelines(published)[0]
    release, draft = guideline.find("2024.1"), guideline.find("2025.1")
    question = [{"site": "pancreas", "differentiation": "well", "ki67_percent": 3}]
    draft_engine = engine_for(draft)
    draft_engine.wheel, draft_engine.rules_files = draft_wheel, _rules_files(draft, tmp_path)
    assert draft_engine.evaluate("grade", question)[0]["category"] == "NET G1"  # changed
    assert engine_for(release).evaluate("grade", question)[0]["category"] == "NET G2"
    assert publish.changed_cases(release) == []
    # The command line runs the release's wheel too.
    assert cli.main(["calc", "grade", "--version", "2024.1", "--json",
                     json.dumps(question[0])]) == 0
    assert json.loads(capsys.readouterr().out)["category"] == "NET G2"


def _rules_files(version, folder: Path) -> dict[str, Path]:
    files = {}
    for name, rules in engine_for(version).rules.items():
        files[name] = folder / f"{name}.json"
        files[name].write_text(rules)
    return files


def test_a_template_change_reaches_drafts_not_releases(published, tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "generator/templates", templates)
    page = templates / "disclaimer.md.j2"
    page.write_text(page.read_text().replace("# Disclaimer", "# Disclaimer and terms"))
    monkeypatch.setattr("generator.render.TEMPLATES", templates)
    build.build_site(published, tmp_path / "site")
    assert "Disclaimer and terms" in (tmp_path / "site/2025.1/disclaimer/index.html").read_text()
    assert "Disclaimer and terms" not in (tmp_path / "site/2024.1/disclaimer/index.html"
                                          ).read_text()


def test_chrome_that_changes_a_releases_words_fails_the_build(published, tmp_path, monkeypatch):
    """Theme and configuration are today's for every release; if they change its words (here:
    attribute lists are no longer read, so their braces show), the build fails and names the
    pages, and the previous site stays."""
    config = tmp_path / "mkdocs.yml"
    config.write_text(build.BASE_CONFIG.read_text().replace("  - attr_list\n", ""))
    monkeypatch.setattr(build, "BASE_CONFIG", config)
    with pytest.raises(build.BuildError) as caught:
        build.build_site(published, tmp_path / "site")
    message = str(caught.value)
    assert message.startswith("the words of a published release changed")
    assert "2024.1/treatment/: published “(nothing)”, now “{: .nen-review }”" in message
    assert not (tmp_path / "site").exists()


def test_a_release_survives_a_schema_change(published, tmp_path, monkeypatch):
    """A later version of the content schema (here: a required `audience` on every page) is
    met by the draft; the published release is not read against it, builds, and keeps its
    words and answers."""
    section = schema.SECTION
    fields = {**section.fields, "audience": schema.text("who the page is written for")}
    monkeypatch.setattr(schema, "SECTION", dataclasses.replace(section, fields=fields))
    assert [p.split(": ")[-1] for p in problems_of(published)] == [
        "missing required field 'audience' (who the page is written for)"]
    edit(published / "nen/2025.1/treatment.yaml", "title: Treatment\n",
         "title: Treatment\naudience: clinicians\n")
    build.build_site(published, tmp_path / "site")  # the words check passes for 2024.1
    guideline = content.load_guidelines(published)[0]
    assert publish.changed_cases(guideline.find("2024.1")) == []


# --- side by side -----------------------------------------------------------------------------

def test_versions_json_lists_releases_and_hides_drafts(published, tmp_path):
    build.build_site(published, tmp_path / "site")
    versions = json.loads((tmp_path / "site/versions.json").read_text())
    assert versions == [
        {"version": "2025.1", "title": "2025.1 (draft)", "aliases": [],
         "properties": {"status": "draft", "date": "2025-10-01", "hidden": True}},
        {"version": "2024.1", "title": "2024.1", "aliases": ["latest"],
         "properties": {"status": "published", "date": "2024-01-31", "published": PUBLISHED,
                        "unreviewed": True}}]
    build.build_site(published, tmp_path / "site", list_drafts=True)
    versions = json.loads((tmp_path / "site/versions.json").read_text())
    assert "hidden" not in versions[0]["properties"]


def test_latest_is_the_newest_published_release_as_pages(published, tmp_path):
    build.build_site(published, tmp_path / "site")
    site = tmp_path / "site"
    for page in ("", "treatment/", "calculators/grade/", "changes/"):
        assert (site / "latest" / page / "index.html").read_text() == \
               (site / "2024.1" / page / "index.html").read_text()
    assert not (site / "latest").is_symlink()
    assert 'url=latest/' in (site / "index.html").read_text()


def test_without_a_published_release_the_root_goes_to_the_newest_draft(pair, tmp_path):
    build.build_site(pair, tmp_path / "site")
    assert 'url=2025.1/' in (tmp_path / "site/index.html").read_text()
    assert not (tmp_path / "site/latest").exists()


def test_site_url_gives_a_sitemap_per_version(published, tmp_path):
    build.build_site(published, tmp_path / "site", site_url="https://guide.example.org/nen/")
    sitemap = (tmp_path / "site/2024.1/sitemap.xml").read_text()
    assert "<loc>https://guide.example.org/nen/2024.1/treatment/</loc>" in sitemap


def test_one_version_is_rebuilt_without_touching_the_others(published, tmp_path):
    site = tmp_path / "site"
    build.build_site(published, site)
    release_page = site / "2024.1/treatment/index.html"
    before = release_page.stat()
    edit(published / "nen/2025.1/treatment.yaml", "Median survival", "Median overall survival")
    build.build_site(published, site, only="2025.1")
    assert "Median overall survival" in (site / "2025.1/treatment/index.html").read_text()
    after = release_page.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    with pytest.raises(build.BuildError, match="unknown version '2030.1'"):
        build.build_site(published, site, only="2030.1")


# --- what changed ---------------------------------------------------------------------------------

def fixture_comparison(content_root: Path) -> dict:
    guideline = content.load_guidelines(content_root)[0]
    old, new = guideline.find("2024.1"), guideline.find("2025.1")
    return compare(export_of(guideline, old), export_of(guideline, new), engine_for(old),
                   engine_for(new))


def test_the_comparison_of_the_fixture_pair(published):
    result = fixture_comparison(published)
    recs = result["recommendations"]
    assert [r["id"] for r in recs["added"]] == ["nec-elderly-carboplatin"]
    assert recs["removed"] == []
    [modified] = recs["modified"]
    assert modified["id"] == "nec-first-line"
    assert modified["changes"]["text"] == [
        ["=", "Give carboplatin with etoposide "], ["-", "first"], ["+", "as"], ["=", " "],
        ["-", "line"], ["+", "first-line treatment"], ["=", "."]]
    assert [r["id"] for r in result["references"]["added"]] == ["FRIZZIERO19"]
    assert result["grading"] == [{"path": "digestive.net_g3_typical_ki67_below", "from": 55,
                                  "to": 50}]
    # The pathway: the new rule gives NEC patients with ECOG 2 or worse one more option, and
    # nobody else.
    changed = result["pathway"]["changed"]
    assert [item["situation"] for item in changed] == [
        "NEC, NEC small cell, NEC large cell · ECOG 2–4"]
    assert result["pathway"]["patients_compared"] > 1000
    assert [o["id"] for o in changed[0]["offers"]["added"]] == ["nec-elderly-carboplatin"]
    assert [o["id"] for o in changed[0]["from"]["options"]] == ["nec-first-line"]
    assert [o["id"] for o in changed[0]["to"]["options"]] == ["nec-first-line",
                                                              "nec-elderly-carboplatin"]


def test_the_what_changed_page_and_the_terminal_diff_match_their_golden_files(published,
                                                                              tmp_path):
    build.build_site(published, tmp_path / "site")
    guideline = content.load_guidelines(published)[0]
    from generator.render import render_version
    from generator.releases.sources import changes_for
    draft = guideline.find("2025.1")
    page = render_version(guideline, draft, changes=changes_for(guideline, draft))["changes.md"]
    text = diff_text.render(fixture_comparison(published))
    for name, produced in (("changes.md", page), ("diff.txt", text)):
        golden = GOLDEN / name
        if REGENERATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(produced, encoding="utf-8")
        assert golden.read_text(encoding="utf-8") == produced, name
    # The first release has nothing to compare with, and says so.
    first = (published.parent / "releases/nen/2024.1/docs/changes.md").read_text()
    assert "first published release" in first


def test_diff_on_the_command_line(published, capsys):
    assert cli.main(["diff", "2024.1", "2025.1", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["to"]["version"] == "2025.1" and printed["pathway"]["changed"]
    assert cli.main(["diff", "2024.1", "2030.1"]) == 1
    assert "unknown version '2030.1'" in capsys.readouterr().err


# --- data for other systems -------------------------------------------------------------------------

def test_every_version_is_exported_as_json_that_fits_its_schema(published, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    build.build_site(published, tmp_path / "site")
    schema_doc = json.loads((tmp_path / "site/guideline.schema.json").read_text())
    assert schema_doc == json.loads(SCHEMA_FILE.read_text())
    for version in ("2024.1", "2025.1"):
        data = json.loads((tmp_path / "site" / version / "guideline.json").read_text())
        jsonschema.validate(data, schema_doc)
        assert data["release"]["version"] == version
    release = json.loads((tmp_path / "site/2024.1/guideline.json").read_text())["release"]
    assert (release["status"], release["published"], release["unreviewed"]) == (
        "published", PUBLISHED, True)


def test_the_real_exports_fit_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    guideline = content.load_guidelines(ROOT / "content")[0]
    schema_doc = json.loads(SCHEMA_FILE.read_text())
    for version in guideline.all_versions():
        jsonschema.validate(export_of(guideline, version), schema_doc)


# --- the real releases --------------------------------------------------------------------------------

NETTER2_PATIENT = {"category": "NET G2", "site": "small_intestine",
                   "stage": "unresectable_metastatic", "sstr_positive": True, "ki67_percent": 15,
                   "progressing": False}
# The same patient in each version's inputs: 2024.1 counted prior lines, 2025.1 lists the
# treatments given and asks for the SSTR uptake that PRRT needs.
NETTER2_INPUTS = {"2024.1": {**NETTER2_PATIENT, "prior_lines": 0},
                  "2025.1": {**NETTER2_PATIENT, "treatments_given": [],
                             "sstr_uptake": "above_liver"}}


def test_2024_1_and_2025_1_answer_the_netter2_situation_differently(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    answers = {}
    for version, inputs in NETTER2_INPUTS.items():
        assert cli.main(["calc", "pathway", "--version", version, "--json",
                         json.dumps(inputs)]) == 0
        answers[version] = {o["id"] for o in json.loads(capsys.readouterr().out)["options"]}
    assert "tx-first-line-prrt-g2-g3" in answers["2025.1"]
    assert "tx-first-line-prrt-g2-g3" not in answers["2024.1"]
    assert answers["2024.1"] == {"fu-grade-dependent-intervals"}


def test_the_real_release_is_intact_and_answers_as_published():
    guideline = content.load_guidelines(ROOT / "content")[0]
    release = guideline.find("2024.1")
    assert (release.status, release.unreviewed) == ("published", True)
    assert publish.changed_cases(release) == []
    assert record.damaged_files(release.folder, record.read_record(release.folder)) == []
