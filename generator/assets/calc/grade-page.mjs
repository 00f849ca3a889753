// The grade calculator page: reads the labelled form, asks the worker, shows the result.
import { startCalculators } from "./calculator-client.mjs";

const form = document.getElementById("grade-form");
const submit = document.getElementById("grade-submit");
const bar = document.getElementById("grade-progress");
const statusText = document.getElementById("grade-status-text");
const resultBox = document.getElementById("grade-result");
const references = JSON.parse(document.getElementById("nen-references").textContent);

const calculators = startCalculators({
  onProgress({ step, steps, text }) {
    bar.max = steps;
    bar.value = step;
    statusText.textContent = text;
  },
  onReady({ seconds }) {
    bar.hidden = true;
    statusText.textContent = `Calculator ready (loaded in ${seconds.toFixed(1)} s).`;
    submit.disabled = false;
  },
  onFailure(message) {
    statusText.textContent = `The calculator could not start: ${message}`;
  },
});

// Form fields deliver strings; the calculator itself parses and validates numbers, so the
// browser and the command line share one set of rules. Empty fields mean "not given".
function readInputs() {
  const inputs = {};
  for (const field of form.elements) {
    if (!field.name) continue;
    const value = field.value.trim();
    if (field.name === "small_cell_morphology") {
      inputs[field.name] = value === "" ? null : value === "true";
    } else {
      inputs[field.name] = value === "" ? null : value;
    }
  }
  return inputs;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function citationLinks(ids) {
  const span = element("span", undefined, "nen-result__citations");
  for (const id of ids || []) {
    const ref = references[id];
    if (!ref) continue;
    const link = element("a", `[${ref.number}]`);
    link.href = ref.url;
    link.title = ref.title;
    span.append(link);
  }
  return span;
}

function showResult(result) {
  resultBox.replaceChildren();
  for (const field of form.elements) field.removeAttribute("aria-invalid");
  if (!result.ok) {
    resultBox.append(element("p", "Please correct the input:", "nen-result__heading"));
    const list = element("ul", undefined, "nen-result__errors");
    for (const error of result.errors) {
      list.append(element("li", error.field ? `${error.field}: ${error.message}` : error.message));
      form.elements[error.field]?.setAttribute("aria-invalid", "true");
    }
    resultBox.append(list);
    return;
  }
  resultBox.append(element("p", "WHO category", "nen-result__label"));
  resultBox.append(element("p", result.category, "nen-result__category"));
  const rule = element("p", result.rule, "nen-result__rule");
  rule.append(" ", citationLinks(result.citations));
  resultBox.append(rule);
  if (result.classification) {
    resultBox.append(element("p", `Classification: ${result.classification}`, "nen-result__edition"));
  }
  const notes = [...(result.warnings || []), ...(result.notes || [])];
  if (notes.length) {
    const list = element("ul", undefined, "nen-result__warnings");
    for (const note of notes) list.append(element("li", note));
    resultBox.append(list);
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    showResult(await calculators.evaluate("grade", readInputs()));
  } catch (error) {
    resultBox.replaceChildren(element("p", `The calculation failed: ${error.message}`));
  }
});
