// The grade calculator page: draws the WHO category, and offers it to the pathway calculator.
import { element, setupCalculatorPage } from "./form-page.mjs";

function showResult(result, box, { citationLinks, inputs }) {
  box.append(element("p", "WHO category", "nen-result__label"));
  box.append(element("p", result.category, "nen-result__category"));
  if (result.interpretation) {
    box.append(element("p", result.interpretation, "nen-result__interpretation"));
  }
  const rule = element("p", `Rule applied: ${result.rule} `, "nen-result__rule");
  rule.append(citationLinks(result.citations));
  box.append(rule);
  box.append(element("p", `Classification: ${result.classification}`, "nen-result__edition"));
  if (result.warnings.length) {
    const list = element("ul", undefined, "nen-result__warnings");
    for (const warning of result.warnings) list.append(element("li", warning));
    box.append(list);
  }
  if (result.needs_expert_review) {
    box.append(element("p", "Expert pathology review is needed before a treatment pathway is " +
                            "chosen for this tumour.", "nen-result__handoff"));
    return;
  }
  // Hand-off: the pathway calculator opens with this category, site and Ki-67 filled in.
  const params = new URLSearchParams({ category: result.category, site: inputs.site });
  if (inputs.ki67_percent !== null && inputs.site !== "lung") {
    params.set("ki67", inputs.ki67_percent);
  }
  const handOff = element("p", undefined, "nen-result__handoff");
  const link = element("a", "Use this result in the treatment pathway", "md-button");
  link.href = `../pathway/?${params}`;
  handOff.append(link);
  box.append(handOff);
}

setupCalculatorPage({ calculator: "grade", prefix: "grade", showResult });
