// The pathway calculator page: the options this guideline version recommends, each linked to
// its recommendation, then what not to do and why, then notes.
import { element, setupCalculatorPage } from "./form-page.mjs";

const STRENGTH = {
  recommended: "Recommended",
  suggested: "Suggested",
  option: "Option",
  not_recommended: "Not recommended",
};
// This page is <version>/calculators/pathway/: recommendations live two folders up.
const recommendationUrl = (page, anchor) => `../../${page}/#${anchor}`;

function recommendationLink(item, text) {
  const link = element("a", text);
  link.href = recommendationUrl(item.page, item.anchor);
  return link;
}

function showOption(option, citationLinks) {
  const card = element("li", undefined, `nen-option nen-rec nen-rec--${option.strength}`);
  const meta = element("p", undefined, "nen-rec__meta");
  meta.append(element("span", STRENGTH[option.strength],
                      `nen-badge nen-badge--${option.strength}`), " ", option.title);
  card.append(meta);
  const text = element("p", `${option.text} `, "nen-option__text");
  text.append(citationLinks(option.citations));
  card.append(text);
  const why = element("p", `Why: ${option.why} `, "nen-option__why");
  why.append(recommendationLink(option, "Read the recommendation"));
  card.append(why);
  return card;
}

function showResult(result, box, { citationLinks }) {
  box.append(element("p", `Options in guideline version ${result.version}`,
                     "nen-result__label"));
  const options = element("ul", undefined, "nen-options");
  for (const option of result.options) options.append(showOption(option, citationLinks));
  box.append(options);
  if (result.not_recommended.length) {
    box.append(element("p", "Not recommended for this patient", "nen-result__label"));
    const list = element("ul", undefined, "nen-not-recommended");
    for (const item of result.not_recommended) {
      const entry = element("li", `${item.text} `);
      entry.append(citationLinks(item.citations));
      entry.append(element("br"), element("span", `Why: ${item.why} `, "nen-option__why"));
      entry.append(recommendationLink(item, "Read the recommendation"));
      list.append(entry);
    }
    box.append(list);
  }
  if (result.notes.length) {
    const list = element("ul", undefined, "nen-result__warnings");
    for (const note of result.notes) list.append(element("li", note));
    box.append(list);
  }
}

setupCalculatorPage({ calculator: "pathway", prefix: "pathway", showResult });
