// The grade calculator page: reads the labelled form, asks the worker, shows the result.
// The inputs live in the URL (?site=pancreas&ki67=5...), so a result can be shared and reopened.
import { startCalculators } from "./calculator-client.mjs";

const form = document.getElementById("grade-form");
const submit = document.getElementById("grade-submit");
const bar = document.getElementById("grade-progress");
const statusText = document.getElementById("grade-status-text");
const resultBox = document.getElementById("grade-result");
const references = JSON.parse(document.getElementById("nen-references").textContent);
const fields = [...form.elements].filter((field) => field.name);
let ready = false;

const calculators = startCalculators({
  onProgress({ step, steps, text }) {
    bar.max = steps;
    bar.value = step;
    statusText.textContent = text;
  },
  onReady({ seconds }) {
    ready = true;
    bar.hidden = true;
    statusText.textContent = `Calculator ready (loaded in ${seconds.toFixed(1)} s).`;
    submit.disabled = false;
    if (new URLSearchParams(location.search).size > 0) classify();
  },
  onFailure(message) {
    statusText.textContent = `The calculator could not start: ${message}`;
  },
});

// Fields that apply only in some situations (necrosis: lung; cell type: poorly
// differentiated) are hidden otherwise, and a hidden field is not sent.
function updateVisibility() {
  for (const wrapper of form.querySelectorAll("[data-show-when]")) {
    const [name, value] = wrapper.dataset.showWhen.split("=");
    wrapper.hidden = form.elements[name].value !== value;
  }
}

function isShown(field) {
  return !field.closest("[data-show-when]")?.hidden;
}

// Form fields deliver strings; the calculator itself parses and validates numbers, so the
// browser and the command line share one set of rules. Empty fields mean "not given".
function readInputs() {
  const inputs = {};
  for (const field of fields) {
    const value = isShown(field) ? field.value.trim() : "";
    if (field.name === "small_cell_morphology") {
      inputs[field.name] = value === "" ? null : value === "true";
    } else {
      inputs[field.name] = value === "" ? null : value;
    }
  }
  return inputs;
}

function readUrl() {
  const params = new URLSearchParams(location.search);
  for (const field of fields) {
    const value = params.get(field.dataset.param);
    if (value === null) continue;
    if (field.tagName === "SELECT" && ![...field.options].some((o) => o.value === value)) {
      continue; // an unknown value in a shared link must not blank the field
    }
    field.value = value;
  }
}

function shareUrl() {
  const params = new URLSearchParams();
  for (const field of fields) {
    const value = field.value.trim();
    if (value !== "" && isShown(field)) params.set(field.dataset.param, value);
  }
  return `${location.pathname}?${params}`;
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

function showErrors(errors) {
  resultBox.append(element("p", "Please correct the input:", "nen-result__heading"));
  const list = element("ul", undefined, "nen-result__errors");
  for (const error of errors) {
    const field = form.elements[error.field];
    const label = field ? form.querySelector(`label[for="${field.id}"]`).textContent : error.field;
    list.append(element("li", label ? `${label}: ${error.message}` : error.message));
    field?.setAttribute("aria-invalid", "true");
  }
  resultBox.append(list);
}

function showResult(result) {
  resultBox.append(element("p", "WHO category", "nen-result__label"));
  resultBox.append(element("p", result.category, "nen-result__category"));
  if (result.interpretation) {
    resultBox.append(element("p", result.interpretation, "nen-result__interpretation"));
  }
  const rule = element("p", `Rule applied: ${result.rule} `, "nen-result__rule");
  rule.append(citationLinks(result.citations));
  resultBox.append(rule);
  resultBox.append(element("p", `Classification: ${result.classification}`,
                           "nen-result__edition"));
  if (result.warnings.length) {
    const list = element("ul", undefined, "nen-result__warnings");
    for (const warning of result.warnings) list.append(element("li", warning));
    resultBox.append(list);
  }
}

async function classify() {
  if (!ready) return;
  let result;
  try {
    result = await calculators.evaluate("grade", readInputs());
  } catch (error) {
    resultBox.replaceChildren(element("p", `The calculation failed: ${error.message}`));
    return;
  }
  resultBox.replaceChildren();
  for (const field of fields) field.removeAttribute("aria-invalid");
  if (result.ok) showResult(result);
  else showErrors(result.errors);
  const url = shareUrl();
  history.replaceState(null, "", url);
  const share = element("p", undefined, "nen-result__share");
  const link = element("a", "Link to this result");
  link.href = url;
  share.append(link);
  resultBox.append(share);
  // Counts answers, so a reader (or a test) can tell a new result from the previous one.
  resultBox.dataset.answers = String(Number(resultBox.dataset.answers || 0) + 1);
}

readUrl();
updateVisibility();
form.addEventListener("change", updateVisibility);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  classify();
});
