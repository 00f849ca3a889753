"""The built site in headless Chromium over loopback HTTP. Every page fixture records its
requests and fails the test if one leaves 127.0.0.1 (see conftest.page)."""

from pathlib import Path

import pytest

from conftest import wait_until
from generator.build import RUNTIME_FOLDER

pytestmark = pytest.mark.browser
CALCULATOR_TIMEOUT_MS = 90_000  # the first Pyodide start on a busy 2-core CI machine


def test_root_redirects_to_the_latest_published_release(page, site_url):
    page.goto(site_url + "/")
    page.wait_for_url("**/latest/")
    assert page.title().startswith("Neuroendocrine neoplasms")
    assert "version 2024.1" in " ".join(page.locator(".nen-release").inner_text().split())


def test_home_page_shows_the_direct_answer_and_the_release(page, site_url):
    page.goto(site_url + "/2025.1/")
    release = page.locator(".nen-release")
    assert "version 2025.1" in " ".join(release.inner_text().split())
    assert "content as of 2025-10-01" in release.inner_text()
    assert page.locator("article h1").inner_text().startswith("Neuroendocrine neoplasms")
    assert "etoposide" in page.locator("article").inner_text()  # the direct answer
    assert page.get_by_role("link", name="Treatment by setting").first.is_visible()


def test_every_page_shows_version_and_date(page, site_url):
    for path in ("classification/", "treatment/", "references/", "disclaimer/",
                 "calculators/grade/"):
        page.goto(f"{site_url}/2025.1/{path}")
        assert "2025.1" in page.locator(".nen-release").inner_text(), path


@pytest.mark.parametrize("query, expected", [
    ("etoposide", "etoposide"),
    ("Ki-67", "ki-67"),
    ("177Lu-DOTATATE", "dotatate"),
    ("telotristat", "telotristat"),
    ("appendectomy alone", "appendectomy"),
])
def test_offline_search_finds(page, site_url, query, expected):
    page.goto(site_url + "/2025.1/")
    page.get_by_label("Search", exact=True).first.click()
    box = page.get_by_role("textbox", name="Search")
    results = page.locator(".md-search-result__item")
    # Material searches on key events (fill() sends none), and its worker ignores a query
    # typed before the index is built, so type key by key, again until it answers. Results
    # for a partly typed query come first: wait for a hit that has the word.
    has_hit = """expected => [...document.querySelectorAll('.md-search-result__item')]
        .some(item => item.innerText.toLowerCase().includes(expected))"""
    for _ in range(15):
        box.fill("")
        box.press_sequentially(query)
        try:
            wait_until(page, has_hit, 2_000, arg=expected)
            break
        except TimeoutError:
            continue
    hits = [text.lower() for text in results.all_inner_texts()]
    assert any(expected in text for text in hits), hits[:3]


def test_references_link_to_doi_and_pubmed(page, site_url):
    page.goto(site_url + "/2025.1/references/")
    assert page.locator('a[href="https://doi.org/10.1111/jne.13249"]').count() == 1
    assert page.locator('a[href="https://pubmed.ncbi.nlm.nih.gov/36924180/"]').count() == 1


def test_a_citation_leads_to_its_reference(page, site_url):
    page.goto(site_url + "/2025.1/treatment/")
    page.locator("#rec-nec-first-line-carboplatin-etoposide a", has_text="[5]").first.click()
    page.wait_for_url("**/references/#ref-enets-nec")
    assert "ENETS 2023 guidance paper" in page.locator("#ref-enets-nec").locator("..").inner_text()


GRADE_PAGE = "/2025.1/calculators/grade/"


def open_page(page, url, prefix):
    """Open a calculator page and wait until its Python runtime is ready."""
    page.goto(url)
    wait_until(page, f"document.getElementById('{prefix}-status').dataset.state === 'ready'",
               CALCULATOR_TIMEOUT_MS)


def submit(page, prefix, button):
    """Click the button and wait for a new answer (not the one already shown)."""
    before = page.locator(f"#{prefix}-result").get_attribute("data-answers") or "0"
    page.get_by_role("button", name=button).click()
    wait_until(page,
               f"(document.getElementById('{prefix}-result').dataset.answers || '0') !== '{before}'")


def open_calculator(page, site_url, query=""):
    open_page(page, site_url + GRADE_PAGE + query, "grade")


def classify(page):
    submit(page, "grade", "Classify")


def test_grade_calculator_digestive_case(page, site_url):
    open_calculator(page, site_url)
    page.get_by_label("Primary site").select_option("pancreas")
    page.get_by_label("Differentiation (morphology)").select_option("well")
    page.get_by_label("Ki-67 index (%)").fill("5")
    page.get_by_label("Mitoses per 2 mm²").fill("1")
    classify(page)
    assert page.locator(".nen-result__category").inner_text() == "NET G2"
    assert "higher of the two" in page.locator(".nen-result__rule").inner_text()
    assert "intermediate grade" in page.locator(".nen-result__interpretation").inner_text()
    assert "WHO 2019 digestive" in page.locator(".nen-result__edition").inner_text()
    # The runtime and the wheel came from this host.
    assert any(url.endswith(f"/{RUNTIME_FOLDER}/pyodide.asm.wasm") for url in page.requests)
    assert any(url.endswith("-py3-none-any.whl") for url in page.requests)
    assert any(url.endswith("/assets/calc/rules/grade.json") for url in page.requests)


def test_grade_calculator_lung_case(page, site_url):
    open_calculator(page, site_url)
    necrosis = page.get_by_label("Necrosis")
    assert not necrosis.is_visible()  # lung only
    page.get_by_label("Primary site").select_option("lung")
    assert necrosis.is_visible()
    page.get_by_label("Mitoses per 2 mm²").fill("1")
    necrosis.select_option("punctate")
    page.get_by_label("Ki-67 index (%)").fill("30")
    classify(page)
    assert page.locator(".nen-result__category").inner_text() == "atypical carcinoid"
    assert "no part" in page.locator(".nen-result__warnings").inner_text()
    assert "WHO 2021 thoracic" in page.locator(".nen-result__edition").inner_text()


def test_cell_type_is_asked_only_for_poorly_differentiated_tumours(page, site_url):
    open_calculator(page, site_url)
    cell_type = page.get_by_label("Cell type")
    assert not cell_type.is_visible()
    page.get_by_label("Differentiation (morphology)").select_option("poor")
    cell_type.select_option("false")
    classify(page)
    assert page.locator(".nen-result__category").inner_text() == "NEC large cell"
    # Back to well differentiated: the hidden cell type is not sent any more.
    page.get_by_label("Differentiation (morphology)").select_option("well")
    page.get_by_label("Ki-67 index (%)").fill("80")
    classify(page)
    assert page.locator(".nen-result__category").inner_text() == "NET G3"
    assert "small_cell" not in page.url


def test_grade_calculator_error_case(page, site_url):
    open_calculator(page, site_url)
    page.get_by_label("Ki-67 index (%)").fill("150")
    classify(page)
    errors = page.locator(".nen-result__errors")
    assert "Ki-67 index (%)" in errors.inner_text()
    assert "from 0 to 100" in errors.inner_text()
    assert page.get_by_label("Ki-67 index (%)").get_attribute("aria-invalid") == "true"
    assert page.locator(".nen-result__category").count() == 0


def test_a_shared_url_reopens_the_result(page, site_url):
    open_calculator(page, site_url, "?site=rectum&differentiation=well&ki67=2&mitoses=25")
    category = page.locator(".nen-result__category")
    category.wait_for()
    assert category.inner_text() == "NET G3"
    assert page.get_by_label("Primary site").input_value() == "rectum"
    assert page.get_by_label("Mitoses per 2 mm²").input_value() == "25"


def test_classifying_puts_the_inputs_in_the_url(page, site_url):
    open_calculator(page, site_url)
    page.get_by_label("Primary site").select_option("stomach")
    page.get_by_label("Ki-67 index (%)").fill("3")
    classify(page)
    assert page.url.endswith(GRADE_PAGE + "?site=stomach&differentiation=well&ki67=3")
    link = page.get_by_role("link", name="Link to this result")
    assert link.get_attribute("href").endswith("?site=stomach&differentiation=well&ki67=3")


def test_every_form_field_has_a_label(page, site_url):
    page.goto(site_url + "/2025.1/calculators/grade/")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#grade-form input, #grade-form select')].filter(
        f => !document.querySelector(`label[for="${f.id}"]`)).map(f => f.name)""")
    assert unlabelled == []


PATHWAY_PAGE = "/2025.1/calculators/pathway/"


def open_pathway(page, site_url, query=""):
    open_page(page, site_url + PATHWAY_PAGE + query, "pathway")


def show_options(page):
    submit(page, "pathway", "Show options")


def stated(page, prefix):
    return page.locator(f"#{prefix}-result .nen-result__inputs").inner_text()


def option_ids(page) -> list[str]:
    """The recommendation each option card links to, in the order shown."""
    return [link.split("#rec-", 1)[1] for link in page.locator(".nen-option").evaluate_all(
        "cards => cards.map(c => c.querySelector('a[href*=\"#rec-\"]').href)")]


def test_pathway_treatment_history_case(page, site_url):
    """Progression on an SSA, then on PRRT: PRRT is offered once, and again only on its
    retreatment criteria; the reader ticks the treatments and types the numbers."""
    open_pathway(page, site_url)
    page.get_by_label("WHO category").select_option("NET G2")
    page.get_by_label("Primary site").select_option("small_intestine")
    page.get_by_label("Stage", exact=True).select_option("unresectable_metastatic")
    uptake = page.get_by_label("SSTR uptake compared with normal liver")
    assert not uptake.is_visible()  # asked only for SSTR-positive disease
    page.get_by_label("Somatostatin receptor (SSTR) status").select_option("true")
    uptake.select_option("above_liver")
    page.get_by_label("Ki-67 index (%)").press_sequentially("5")
    page.get_by_label("Somatostatin analogue").check()
    page.get_by_label("Disease is progressing").check()
    show_options(page)
    ids = option_ids(page)
    assert ids[0] == "tx-si-net-prrt-after-ssa", ids
    assert "tx-ssa-first-line-net" not in ids  # no "start an SSA" after one was given
    assert "sunitinib" in page.locator(".nen-not-recommended").inner_text()
    assert "sunitinib" not in page.locator(".nen-options").inner_text().lower()
    assert "treated=ssa" in page.url
    # Then PRRT was given too and the disease progressed again.
    page.get_by_label("177Lu-DOTATATE (PRRT)").check()
    show_options(page)
    ids = option_ids(page)
    assert "tx-si-net-prrt-after-ssa" not in ids and "tx-prrt-retreatment" not in ids
    assert "tx-si-net-everolimus" in ids
    notes = page.locator("#pathway-result").inner_text()
    assert "Months without progression after the last PRRT not given" in notes
    page.get_by_label("Months without progression after the last PRRT").press_sequentially("24")
    show_options(page)
    assert "tx-prrt-retreatment" in option_ids(page)
    used = stated(page, "pathway")
    assert "Treatments already given: Somatostatin analogue, 177Lu-DOTATATE (PRRT)" in used
    # Each option links to its recommendation, which exists on the treatment page.
    page.locator(".nen-option").first.get_by_role("link", name="Recommendation 3.").click()
    page.wait_for_url("**/treatment/#rec-tx-si-net-everolimus")
    assert page.locator("#rec-tx-si-net-everolimus").is_visible()


def test_pathway_insulinoma_case(page, site_url):
    """Metastatic insulinoma: glucose control first, the SSA advised against, PRRT with a
    flare plan; an insulinoma of the small intestine is refused at its field."""
    open_pathway(page, site_url, "?category=NET+G2&site=pancreas&stage=unresectable_metastatic"
                                 "&sstr=true&uptake=above_liver&ki67=5&syndrome=insulinoma")
    page.locator(".nen-option").first.wait_for()
    ids = option_ids(page)
    assert ids[:2] == ["tx-insulinoma-glucose-control", "tx-insulinoma-prrt"], ids
    assert "tx-ssa-first-line-net" not in ids
    avoided = page.locator(".nen-not-recommended").inner_text()
    assert "hypoglycaemia" in avoided.lower()
    assert "flare" in page.locator(".nen-options").inner_text()
    page.get_by_label("Primary site").select_option("small_intestine")
    show_options(page)
    errors = page.locator(".nen-result__errors").inner_text()
    assert "Insulinoma arises in the pancreas or the duodenum, not in the small intestine" in errors
    assert page.get_by_label("Functional syndrome").get_attribute("aria-invalid") == "true"
    assert page.locator(".nen-option").count() == 0


def test_pathway_sclc_case(page, site_url):
    """Extensive-stage SCLC gets its first line; limited-stage SCLC is out of scope, as an
    answer and not as an input error."""
    open_pathway(page, site_url, "?category=SCLC&site=lung&stage=unresectable_metastatic&ecog=1")
    page.locator(".nen-option").first.wait_for()
    assert option_ids(page) == ["tx-es-sclc-chemo-immunotherapy"]
    assert page.get_by_label("ECOG performance status").input_value() == "1"
    page.get_by_label("Stage", exact=True).select_option("localized")
    show_options(page)
    heading = page.locator(".nen-result__heading")
    assert heading.inner_text() == "Not covered by guideline version 2025.1"
    assert "lung cancer regimens" in page.locator(".nen-result__out-of-scope").inner_text()
    assert page.locator(".nen-result__errors").count() == 0
    assert "correct" not in page.locator("#pathway-result").inner_text()


def test_pathway_nec_with_reduced_performance_status(page, site_url):
    open_pathway(page, site_url, "?category=NEC+small+cell&site=pancreas"
                                 "&stage=unresectable_metastatic&ki67=60&ecog=2")
    page.locator(".nen-option").first.wait_for()
    text = page.locator(".nen-options").inner_text()
    assert "carboplatin" in text.lower()
    assert "NET therapies" in page.locator(".nen-not-recommended").inner_text()
    ids = option_ids(page)
    assert "nec-first-line-cisplatin-etoposide-alternative" not in ids  # ECOG 2: carboplatin
    assert "nec-poor-performance-status" not in ids
    # Decided (README, "pathway decisions"): no guideline found limits first-line
    # platinum-etoposide by performance status, so at ECOG 3 it stays, beside the choice of
    # best supportive care.
    page.get_by_label("ECOG performance status").select_option("3")
    show_options(page)
    ids = option_ids(page)
    assert "nec-poor-performance-status" in ids, ids
    assert "nec-first-line-carboplatin-etoposide" in ids, ids


def test_grade_result_hands_off_to_the_pathway(page, site_url):
    open_calculator(page, site_url, "?site=pancreas&differentiation=well&ki67=25")
    page.locator(".nen-result__category").wait_for()
    page.get_by_role("link", name="Use this result in the treatment pathway").click()
    page.wait_for_url("**/calculators/pathway/**")
    assert page.get_by_label("WHO category").input_value() == "NET G3"
    assert page.get_by_label("Primary site").input_value() == "pancreas"
    assert page.get_by_label("Ki-67 index (%)").input_value() == "25"


def test_pathway_flowcharts_render_from_the_rules(page, site_url):
    page.goto(site_url + PATHWAY_PAGE)
    charts = page.locator("svg.nen-flowchart")
    assert charts.count() >= 5
    first = charts.first.bounding_box()
    assert first["width"] > 600 and first["height"] > 300  # drawn at full size, not shrunk
    link = page.locator('svg.nen-flowchart a[href$="#rec-nec-first-line-carboplatin-etoposide"]')
    assert link.count() >= 1
    # A picture to look at after a run (test-results/ is not committed).
    shots = Path(__file__).parent.parent / "test-results"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "pathway.png"), full_page=True)


def test_no_pathway_hand_off_before_expert_review(page, site_url):
    """A lung carcinoid with more than 10 mitoses meets the LCNEC count: flagged, not routed."""
    open_calculator(page, site_url, "?site=lung&differentiation=well&mitoses=12&necrosis=none")
    page.locator(".nen-result__category").wait_for()
    assert "Expert pathology review" in page.locator(".nen-result__handoff").inner_text()
    assert page.get_by_role("link", name="Use this result in the treatment pathway").count() == 0
