"""The calculator pages as a pathologist or an oncologist uses them, in headless Chromium:
typing with the keyboard under several browser locales, pasting, pressing Enter before the
runtime has loaded, changing the form after an answer, following the hand-off from the grade
result to the pathway, and reaching everything with the keyboard. Every page records its
requests and fails on any that leaves 127.0.0.1 (conftest.open_context)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from calculators.labels import GRADE_FIELDS, PATHWAY_FIELDS
from conftest import wait_until
from test_browser import CALCULATOR_TIMEOUT_MS, GRADE_PAGE, PATHWAY_PAGE, open_page, submit

pytestmark = pytest.mark.browser
LOCALES = ["en-US", "de-DE", "fr-FR"]
SHOTS = Path(__file__).parent.parent / "test-results"
# A code name as the JSON knows it (ki67_percent, small_cell_morphology): never shown to readers.
CODE_NAME = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def wait_for_answer(page, prefix, before="0"):
    wait_until(page,
               f"(document.getElementById('{prefix}-result').dataset.answers || '0') !== '{before}'",
               CALCULATOR_TIMEOUT_MS)


def type_into(page, label, text):
    """Click the field, clear it and type key by key, as a person does."""
    field = page.get_by_label(label, exact=True)
    field.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def stated(page, prefix):
    return page.locator(f"#{prefix}-result .nen-result__inputs").inner_text()


def screenshot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


# --- 1. input that cannot be misread ---------------------------------------------------------

@pytest.mark.parametrize("locale", LOCALES)
def test_a_typed_decimal_comma_gives_g1_in_every_locale(open_context, site_url, locale):
    page = open_context(locale=locale).new_page()
    open_page(page, site_url + GRADE_PAGE, "grade")
    type_into(page, "Ki-67 index (%)", "2,5")
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade")
    assert page.get_by_label("Ki-67 index (%)").input_value() == "2,5"  # nothing dropped
    assert page.locator(".nen-result__category").inner_text() == "NET G1"
    assert "Ki-67 index: 2.5 % (typed “2,5”)" in stated(page, "grade")


@pytest.mark.parametrize("locale", LOCALES)
def test_typed_mitoses_with_a_decimal_comma(open_context, site_url, locale):
    page = open_context(locale=locale).new_page()
    open_page(page, site_url + GRADE_PAGE, "grade")
    type_into(page, "Mitoses per 2 mm²", "1,9")
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "NET G1"  # 1.9, not 19
    assert "Mitoses per 2 mm²: 1.9 (typed “1,9”)" in stated(page, "grade")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_pathway_ki67_reads_a_typed_decimal_comma(open_context, site_url, locale):
    page = open_context(locale=locale).new_page()
    open_page(page, site_url + PATHWAY_PAGE + "?category=NET+G1&site=pancreas"
              "&stage=unresectable_metastatic&sstr=true", "pathway")
    wait_for_answer(page, "pathway")
    type_into(page, "Ki-67 index (%)", "2,5")
    page.keyboard.press("Enter")
    wait_for_answer(page, "pathway", "1")
    # 25 % would not fit a NET G1 and end in an error: 2.5 % gives options.
    assert page.locator(".nen-option").count() > 0
    assert "Ki-67 index: 2.5 % (typed “2,5”)" in stated(page, "pathway")


def test_a_pasted_value_is_read_like_a_typed_one(open_context, site_url):
    context = open_context(locale="de-DE", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    open_page(page, site_url + GRADE_PAGE, "grade")
    page.evaluate("navigator.clipboard.writeText('\u00a02,5\u202f%')")  # as copied from a report
    page.get_by_label("Ki-67 index (%)").click()
    page.keyboard.press("ControlOrMeta+V")
    assert page.get_by_label("Ki-67 index (%)").input_value() == "\u00a02,5\u202f%"
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "NET G1"


@pytest.mark.parametrize(("text", "words"), [
    ("1,234", "ambiguous: it could be 1.234 (decimal comma) or 1234 (thousands separator)"),
    ("2,5,1", "not one number"),
    ("2.5.1", "not one number"),
])
def test_an_ambiguous_number_is_an_error_on_its_field(page, site_url, text, words):
    open_page(page, site_url + GRADE_PAGE, "grade")
    type_into(page, "Ki-67 index (%)", text)
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade")
    field = page.get_by_label("Ki-67 index (%)")
    assert page.locator(".nen-result__category").count() == 0
    assert field.get_attribute("aria-invalid") == "true"
    # The message sits under the field, is part of its description, and names what was read.
    error = page.locator("#grade-ki67-error")
    assert words in error.inner_text()
    assert "grade-ki67-error" in field.get_attribute("aria-describedby").split()
    assert page.evaluate("document.activeElement.id") == "grade-ki67"  # focus moved to it
    summary = page.locator(".nen-result__errors").inner_text()
    assert summary.startswith("Ki-67 index (%): expected a number from 0 to 100")
    assert "Please correct: Ki-67 index (%)." in page.locator("#grade-status-text").inner_text()
    # Correcting the value and asking again clears the error and its description.
    type_into(page, "Ki-67 index (%)", "1.234")
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade", "1")
    assert page.locator(".nen-result__category").inner_text() == "NET G1"
    assert field.get_attribute("aria-invalid") is None
    assert "grade-ki67-error" not in (field.get_attribute("aria-describedby") or "")
    assert page.locator("#grade-ki67-error").is_hidden()


# --- 2. a result always matches the form ------------------------------------------------------

def test_changing_the_form_marks_the_answer_out_of_date(page, site_url):
    open_page(page, site_url + GRADE_PAGE, "grade")
    type_into(page, "Ki-67 index (%)", "5")
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    share = page.get_by_role("link", name="Link to this result")
    assert "ki67=5" in share.get_attribute("href")
    type_into(page, "Ki-67 index (%)", "40")
    # At once, before anything is recomputed: said in words, links that carry it disabled.
    stale = page.locator(".nen-result__stale")
    assert "Out of date" in stale.inner_text()
    assert page.locator("#grade-result").get_attribute("class").split().count(
        "nen-result--stale") == 1
    for name in ("Link to this result", "Use this result in the treatment pathway"):
        link = page.locator("#grade-result a", has_text=name)
        assert link.get_attribute("href") is None and link.get_attribute("aria-disabled") == "true"
    assert "ki67" not in page.url  # the address bar does not carry the old answer either
    screenshot(page, "grade-stale")
    # Changing it back to the answered value makes the answer current again.
    type_into(page, "Ki-67 index (%)", "5")
    assert page.locator(".nen-result__stale").count() == 0
    assert "ki67=5" in page.get_by_role("link", name="Link to this result").get_attribute("href")
    # A new question gives a current answer.
    type_into(page, "Ki-67 index (%)", "40")
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade", "1")
    assert page.locator(".nen-result__category").inner_text() == "NET G3"
    assert page.locator(".nen-result__stale").count() == 0
    assert "ki67=40" in page.get_by_role("link", name="Link to this result").get_attribute("href")


def test_a_change_of_a_select_marks_the_answer_out_of_date_too(page, site_url):
    open_page(page, site_url + PATHWAY_PAGE + "?category=NEC&site=colon"
              "&stage=unresectable_metastatic", "pathway")
    wait_for_answer(page, "pathway")
    page.get_by_label("Stage", exact=True).select_option("localized")
    assert page.locator(".nen-result__stale").is_visible()
    page.get_by_label("Disease is progressing").check()
    page.get_by_label("Stage", exact=True).select_option("unresectable_metastatic")
    assert page.locator(".nen-result__stale").is_visible()  # the checkbox still differs
    page.get_by_label("Disease is progressing").uncheck()
    assert page.locator(".nen-result__stale").count() == 0


def test_enter_before_the_runtime_is_ready_is_answered_when_it_is(open_context, site_url):
    context = open_context()
    held = []
    # Hold the runtime's wasm until the question has been asked: the runtime cannot be ready.
    context.route("**/_pyodide/*/pyodide.asm.wasm", lambda route: held.append(route))
    page = context.new_page()
    page.goto(site_url + GRADE_PAGE)
    type_into(page, "Ki-67 index (%)", "25")
    page.keyboard.press("Enter")
    assert page.locator("#grade-status").get_attribute("data-state") == "loading"
    assert "as soon as the calculator has loaded" in page.locator("#grade-status-text").inner_text()
    for _ in range(600):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the runtime was never requested"
    assert page.locator("#grade-result").get_attribute("data-answers") is None
    held[0].continue_()
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "NET G3"


# --- 3. the hand-off says what it did -----------------------------------------------------------

@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 375, "height": 740}])
def test_the_hand_off_asks_for_the_stage_and_shows_its_answer(open_context, site_url, viewport):
    page = open_context(viewport=viewport).new_page()
    open_page(page, site_url + GRADE_PAGE + "?site=pancreas&differentiation=well&ki67=5",
              "grade")
    wait_for_answer(page, "grade")
    page.get_by_role("link", name="Use this result in the treatment pathway").click()
    page.wait_for_url("**/calculators/pathway/**")
    stage = page.get_by_label("Stage", exact=True)
    assert stage.input_value() == ""  # not assumed
    handoff = page.locator("#pathway-handoff")
    assert "WHO category: NET G2" in handoff.inner_text()
    assert "Primary site: Pancreas" in handoff.inner_text()
    assert "Ki-67 index (%): 5" in handoff.inner_text()
    assert "The stage is not assumed" in handoff.inner_text()
    wait_for_answer(page, "pathway")
    # Asked for, not an input mistake, and focus is on the field that is needed.
    result = page.locator("#pathway-result")
    assert "To answer, the calculator needs:" in result.inner_text()
    assert "Stage: is required; choose one of: Localized" in result.inner_text()
    assert page.evaluate("document.activeElement.id") == "pathway-stage"
    # Choose with the keyboard, then ask with the button.
    page.keyboard.press("ArrowDown")  # Localized
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # ... Unresectable or metastatic
    assert stage.input_value() == "unresectable_metastatic"
    page.get_by_role("button", name="Show options").click()
    wait_for_answer(page, "pathway", "1")
    heading = page.locator(".nen-result__heading")
    assert heading.inner_text() == "Options in guideline version 2025.1"
    assert page.evaluate("document.activeElement.classList.contains('nen-result__heading')")
    # In view, neither below the fold nor under the theme's sticky header.
    assert page.evaluate("""() => {
        const box = document.querySelector('.nen-result__heading').getBoundingClientRect();
        const seen = document.elementFromPoint(box.left + 5, box.top + box.height / 2);
        return box.bottom <= innerHeight && seen?.closest('.nen-result__heading') !== null;
    }""")
    used = stated(page, "pathway")
    for line in ("WHO category: NET G2", "Primary site: Pancreas",
                 "Stage: Unresectable or metastatic", "Somatostatin receptor (SSTR) status: "
                 "Unknown", "Ki-67 index: 5 %", "Treatments already given: none",
                 "ECOG performance status: not given", "Disease is progressing: no"):
        assert line in used, used
    screenshot(page, f"pathway-handoff-{viewport['width']}")


def test_lung_nec_is_handed_off_now_that_the_pathway_covers_it(page, site_url):
    open_page(page, site_url + GRADE_PAGE + "?site=lung&differentiation=poor&mitoses=50"
              "&small_cell=false", "grade")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "LCNEC"
    page.get_by_role("link", name="Use this result in the treatment pathway").click()
    page.wait_for_url("**/calculators/pathway/**")
    assert page.get_by_label("WHO category").input_value() == "LCNEC"


def test_no_hand_off_for_a_category_the_release_does_not_cover(page, site_url):
    """Release 2024.1 keeps its own pathway, which left lung NEC out of scope."""
    open_page(page, site_url + "/2024.1/calculators/grade/?site=lung&differentiation=poor"
              "&mitoses=50&small_cell=false", "grade")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "LCNEC"
    assert page.get_by_role("link", name="Use this result in the treatment pathway").count() == 0
    note = page.locator(".nen-result__handoff").inner_text()
    assert "does not cover LCNEC" in note and "lung cancer regimens" in note


def test_a_carcinoma_with_low_proliferation_carries_its_warning_to_the_pathway(page, site_url):
    """Poorly differentiated with Ki-67 15 %: the grade page warns, and the pathway asks for
    pathology review before any NEC regimen."""
    open_page(page, site_url + GRADE_PAGE + "?site=pancreas&differentiation=poor&ki67=15",
              "grade")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text().startswith("NEC")
    page.get_by_role("link", name="Use this result in the treatment pathway").click()
    page.wait_for_url("**/calculators/pathway/**")
    assert page.get_by_label("Ki-67 index (%)").input_value() == "15"
    wait_for_answer(page, "pathway")  # the hand-off's own answer: the stage is asked for
    page.get_by_label("Stage", exact=True).select_option("unresectable_metastatic")
    page.get_by_role("button", name="Show options").click()
    wait_for_answer(page, "pathway", "1")
    options = page.locator("#pathway-result .nen-option")
    assert "have the pathology reviewed" in options.first.inner_text()
    links = options.evaluate_all(
        "cards => cards.map(c => c.querySelector('a[href*=\"#rec-\"]').href)")
    assert len(links) >= 2 and links[0].endswith("#rec-dx-nec-low-proliferation-review"), links
    assert not any(link.endswith(("#rec-nec-first-line-carboplatin-etoposide",
                                  "#rec-nec-first-line-cisplatin-etoposide-alternative"))
                   for link in links), links


# --- 4. reader words everywhere ------------------------------------------------------------------

def visible_errors(page, prefix):
    return page.locator(f"#{prefix}-result .nen-result__errors li").all_inner_texts()


@pytest.mark.parametrize(("query", "expected_label"), [
    ("?site=pancreas&differentiation=well", "Ki-67 index (%)"),  # neither index given
    ("?site=lung&differentiation=well&mitoses=1", "Necrosis"),
    ("?site=lung&differentiation=poor", "Cell type"),
    ("?site=lung&differentiation=well&ki67=3", "Mitoses per 2 mm²"),
    ("?site=pancreas&differentiation=well&ki67=abc&mitoses=-1&mixed=5%25%25",
     "Ki-67 index (%)"),
])
def test_grade_errors_name_fields_by_their_labels(page, site_url, query, expected_label):
    open_page(page, site_url + GRADE_PAGE + query, "grade")
    wait_for_answer(page, "grade")
    errors = visible_errors(page, "grade")
    assert errors and errors[0].startswith(expected_label + ": ")
    labels = set(GRADE_FIELDS.values())
    for error in errors:
        assert error.split(": ")[0] in labels, error
        assert not CODE_NAME.search(error), error


@pytest.mark.parametrize("query", [
    "?category=NET+G1&site=pancreas",  # stage missing
    "?category=NET+G1&site=pancreas&stage=localized&ki67=1,234&size=-3",
    "?category=NET+G2&site=lung&stage=localized",
])
def test_pathway_errors_name_fields_by_their_labels(page, site_url, query):
    open_page(page, site_url + PATHWAY_PAGE + query, "pathway")
    wait_for_answer(page, "pathway")
    errors = visible_errors(page, "pathway")
    labels = set(PATHWAY_FIELDS.values())
    assert errors
    for error in errors:
        assert error.split(": ")[0] in labels, error
        assert not CODE_NAME.search(error), error


def test_warnings_and_rules_use_reader_words(page, site_url):
    open_page(page, site_url + GRADE_PAGE + "?site=lung&differentiation=well&mitoses=1"
              "&necrosis=none", "grade")
    wait_for_answer(page, "grade")
    assert "1 mitosis per 2 mm²" in page.locator(".nen-result__rule").inner_text()
    type_into(page, "Mitoses per 2 mm²", "")
    page.get_by_label("Primary site").select_option("colon")
    page.get_by_label("Differentiation (morphology)").select_option("poor")
    page.get_by_role("button", name="Classify").click()
    wait_for_answer(page, "grade", "1")
    text = page.locator("#grade-result").inner_text()
    assert "Cell type not given" in text
    assert not CODE_NAME.search(text), CODE_NAME.findall(text)


def test_recommendations_show_a_number_not_an_id(page, site_url):
    page.goto(site_url + "/2025.1/treatment/")
    card = page.locator("#rec-tx-appendix-net-extent-of-surgery")
    meta = card.locator(".nen-rec__meta").inner_text()
    assert re.search(r"Recommendation 3\.\d+", meta), meta
    assert "tx-appendix" not in page.locator("article").inner_text()
    # The pathway cards name the same number and link to the same anchor.
    open_page(page, site_url + PATHWAY_PAGE + "?category=NET+G1&site=appendix&stage=localized",
              "pathway")
    wait_for_answer(page, "pathway")
    link = page.locator(".nen-option a", has_text=re.search(r"Recommendation 3\.\d+", meta)[0])
    assert link.first.get_attribute("href").endswith(
        "treatment/#rec-tx-appendix-net-extent-of-surgery")
    assert not CODE_NAME.search(page.locator("#pathway-result").inner_text())


# --- 5. keyboard and screen readers ------------------------------------------------------------

FOCUS_RING = """() => {
  const style = getComputedStyle(document.activeElement);
  return {id: document.activeElement.id, style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), color: style.outlineColor};
}"""


@pytest.mark.parametrize(("url", "prefix"), [(GRADE_PAGE, "grade"), (PATHWAY_PAGE, "pathway")])
def test_every_control_shows_a_focus_ring(page, site_url, url, prefix):
    open_page(page, site_url + url, prefix)
    controls = page.evaluate(f"""() => [...document.querySelectorAll(
        '#{prefix}-form input, #{prefix}-form select, #{prefix}-form button')]
        .filter(c => c.offsetParent !== null).map(c => c.id)""")
    page.get_by_label(GRADE_FIELDS["site"] if prefix == "grade"
                      else PATHWAY_FIELDS["category"]).focus()
    seen = {}
    for _ in range(len(controls) + 2):
        ring = page.evaluate(FOCUS_RING)
        seen[ring["id"]] = ring
        page.keyboard.press("Tab")
    for control in controls:
        ring = seen.get(control)
        assert ring, f"{control} was not reached with Tab"
        assert ring["style"] != "none" and ring["width"] >= 2, ring


def test_the_form_works_from_the_keyboard_alone(page, site_url):
    open_page(page, site_url + GRADE_PAGE, "grade")
    page.get_by_label("Primary site").focus()
    page.keyboard.press("Tab")  # differentiation
    page.keyboard.press("Tab")  # Ki-67
    page.keyboard.type("12")
    page.keyboard.press("Tab")  # mitoses
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    wait_for_answer(page, "grade")
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    assert page.evaluate("document.activeElement.textContent") == "NET G2"
    assert "WHO category: NET G2." in page.locator("#grade-status-text").inner_text()
    assert page.locator("#grade-status").get_attribute("role") == "status"  # announced
