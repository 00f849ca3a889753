// The grade calculator page: draws the WHO category, and offers it to the pathway calculator
// when the pathway covers it.
import { element, resultLink, setupCalculatorPage } from "./form-page.mjs";

// {category: {site: why}}: grade results the pathway of this version does not cover (decided
// at build time by the pathway engine itself).
const pathwayScope = JSON.parse(document.getElementById("nen-pathway-scope").textContent);

function showResult(result, box, { citationLinks, heading }) {
  box.append(element("p", "WHO category", "nen-result__label"));
  box.append(heading(result.category));
  box.lastChild.classList.add("nen-result__category");
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
  box.append(handOff(result));
  return `WHO category: ${result.category}.`;
}

// The way on to the treatment pathway, or why there is none.
function handOff(result) {
  const inputs = result.inputs;
  const note = element("p", undefined, "nen-result__handoff");
  const notCovered = pathwayScope[result.category]?.[inputs.site];
  if (result.needs_expert_review) {
    note.textContent = "Expert pathology review is needed before a treatment pathway is " +
                       "chosen for this tumour.";
  } else if (notCovered) {
    note.textContent = `Treatment: the pathway of this guideline version does not cover ` +
                       `${result.category}. ${notCovered}`;
  } else {
    // The pathway opens with this category, site and Ki-67 filled in, and asks for the rest.
    const params = new URLSearchParams({ category: result.category, site: inputs.site });
    if (inputs.ki67_percent !== null && inputs.site !== "lung") {
      params.set("ki67", String(inputs.ki67_percent));
    }
    params.set("from", "grade");
    note.append(resultLink("Use this result in the treatment pathway", `../pathway/?${params}`,
                           "md-button"));
  }
  return note;
}

setupCalculatorPage({ calculator: "grade", prefix: "grade", showResult });
