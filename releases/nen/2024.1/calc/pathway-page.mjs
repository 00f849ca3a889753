// The pathway calculator page: the options this guideline version recommends, each linked to
// its recommendation, then what not to do and why, then notes; or, for a patient the version
// does not cover, why not.
import { element, setupCalculatorPage } from "./form-page.mjs";

const STRENGTH = {
  recommended: "Recommended",
  suggested: "Suggested",
  option: "Option",
  not_recommended: "Not recommended",
};
// This page is <version>/calculators/pathway/: recommendations live two folders up.
const recommendationUrl = (page, anchor) => `../../${page}/#${anchor}`;

function recommendationLink(item) {
  const link = element("a", `Recommendation ${item.number}`);
  link.href = recommendationUrl(item.page, item.anchor);
  return link;
}

function showOption(option, citationLinks) {
  const card = element("li", undefined, `nen-option nen-rec nen-rec--${option.strength}`);
  const meta = element("p", undefined, "nen-rec__meta");
  meta.append(element("span", STRENGTH[option.strength],
                      `nen-badge nen-badge--${option.strength}`), " ",
              recommendationLink(option), ` · ${option.title}`);
  card.append(meta);
  const text = element("p", `${option.text} `, "nen-option__text");
  text.append(citationLinks(option.citations));
  card.append(text);
  card.append(element("p", `Why: ${option.why}`, "nen-option__why"));
  return card;
}

function showNotRecommended(item, citationLinks) {
  const entry = element("li");
  entry.append(recommendationLink(item), ` · ${item.title}: ${item.text} `);
  entry.append(citationLinks(item.citations));
  entry.append(element("br"), element("span", `Why: ${item.why}`, "nen-option__why"));
  return entry;
}

function showResult(result, box, { citationLinks, heading }) {
  if (result.kind === "out_of_scope") {
    box.append(heading(`Not covered by guideline version ${result.version}`));
    box.append(element("p", result.why, "nen-result__out-of-scope"));
    return `Not covered by this guideline version. ${result.why}`;
  }
  box.append(heading(`Options in guideline version ${result.version}`));
  const options = element("ul", undefined, "nen-options");
  for (const option of result.options) options.append(showOption(option, citationLinks));
  box.append(options);
  if (result.not_recommended.length) {
    box.append(element("p", "Not recommended for this patient", "nen-result__label"));
    const list = element("ul", undefined, "nen-not-recommended");
    for (const item of result.not_recommended) list.append(showNotRecommended(item, citationLinks));
    box.append(list);
  }
  if (result.notes.length) {
    const list = element("ul", undefined, "nen-result__warnings");
    for (const note of result.notes) list.append(element("li", note));
    box.append(list);
  }
  const count = result.options.length;
  return `${count} ${count === 1 ? "option" : "options"} shown.`;
}

// Opened from a grade result: say what was carried over, and that nothing else was assumed.
function showHandOff(form) {
  const params = new URLSearchParams(location.search);
  if (params.get("from") !== "grade") return;
  const panel = document.getElementById("pathway-handoff");
  const carried = [];
  for (const field of form.elements) {
    if (!field.name || !params.has(field.dataset.param)) continue;
    const label = form.querySelector(`label[for="${field.id}"]`).textContent;
    const value = field.tagName === "SELECT" ? field.selectedOptions[0]?.textContent : field.value;
    carried.push(`${label}: ${value}`);
  }
  panel.append(element("p", "Filled in from the grade calculator", "nen-result__label"));
  const list = element("ul");
  for (const item of carried) list.append(element("li", item));
  panel.append(list);
  panel.append(element("p", "The stage is not assumed: choose it, check the other facts " +
                            "below (they start as none or no), then press “Show options”."));
  panel.hidden = false;
}

const { form } = setupCalculatorPage({ calculator: "pathway", prefix: "pathway", showResult });
showHandOff(form);
