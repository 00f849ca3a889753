// The only file that knows about Pyodide. Runs as a module Web Worker (Pyodide 314 has no
// classic-worker build) so loading the runtime never freezes the page.
//
// Messages in:  {id, calculator, inputs}
// Messages out: {type: "progress", step, steps, text} | {type: "ready", seconds}
//               {type: "result", id, json} | {type: "failure", id, message}

// One shared runtime per site, next to the version folders: site/_pyodide/.
// This file is site/<version>/assets/calc/worker.mjs.
const RUNTIME_URL = new URL("../../../_pyodide/", import.meta.url).href;
// The calculators wheel, its lock file and the rules belong to this version.
const PACKAGE_URL = new URL("./", import.meta.url).href;
const PACKAGE = "nenguide-calculators";
// Checksums from the page (calculator-client.mjs): nothing is run unless it matches them.
const params = new URL(import.meta.url).searchParams;
const MISMATCH = "this release's calculator files do not match its pages (a partial update " +
  "or an old copy in a cache); reload the page, and if that does not help, contact the " +
  "site's editors";
const rulesCache = new Map();

class IntegrityError extends Error {}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

// The version's rules for one calculator, as JSON text (fetched and checked once).
function rulesFor(calculator) {
  if (!rulesCache.has(calculator)) {
    const rules = (async () => {
      const response = await fetch(new URL(`rules/${calculator}.json`, PACKAGE_URL));
      if (!response.ok) throw new Error(`no rules for ${calculator} (${response.status})`);
      const bytes = await response.arrayBuffer();
      if (await sha256Hex(bytes) !== params.get(`rules_sha256_${calculator}`)) {
        throw new IntegrityError(MISMATCH);
      }
      return new TextDecoder().decode(bytes);
    })();
    rules.catch(() => rulesCache.delete(calculator)); // try again on the next call
    rulesCache.set(calculator, rules);
  }
  return rulesCache.get(calculator);
}

// The lock file, accepted only if it lists the calculators wheel the page expects; Pyodide
// then checks the wheel's bytes against it.
async function checkedLock() {
  const response = await fetch(PACKAGE_URL + "pyodide-lock.json");
  if (!response.ok) throw new Error(`no lock file (${response.status})`);
  const text = await response.text();
  const entry = Object.values(JSON.parse(text).packages || {}).find((p) => p.name === PACKAGE);
  if (!entry || entry.sha256 !== params.get("wheel_sha256")) throw new IntegrityError(MISMATCH);
  return text;
}
const STEPS = 4;

function progress(step, text) {
  self.postMessage({ type: "progress", step, steps: STEPS, text });
}

async function start() {
  const started = performance.now();
  progress(1, "Loading the Python runtime…");
  const lock = await checkedLock();
  const { loadPyodide } = await import(RUNTIME_URL + "pyodide.mjs");
  const pyodide = await loadPyodide({
    indexURL: RUNTIME_URL,
    lockFileContents: lock,
    packageBaseUrl: PACKAGE_URL,
  });
  progress(2, "Loading the calculators…");
  const problems = [];
  await pyodide.loadPackage(PACKAGE, {
    messageCallback: () => {},
    errorCallback: (message) => problems.push(message),
  });
  // A wheel whose bytes do not match the lock is not loaded; say so, rather than let the
  // import below fail with "No module named 'calculators'".
  if (problems.length) throw new IntegrityError(MISMATCH);
  progress(3, "Starting…");
  if (pageCalculator) await rulesFor(pageCalculator); // checked before the page says ready
  const run = pyodide.pyimport("calculators.json_api").run;
  progress(4, "Ready.");
  self.postMessage({ type: "ready", seconds: (performance.now() - started) / 1000 });
  return run;
}

const pageCalculator = params.get("calculator");
const ready = start();
// Fetch the page's rules while the runtime loads (start() waits for them before "ready").
if (pageCalculator) rulesFor(pageCalculator).catch(() => {});
ready.catch((error) => self.postMessage({ type: "failure", id: null, message: String(error) }));

self.onmessage = async (event) => {
  const { id, calculator, inputs } = event.data;
  try {
    const [run, rules] = await Promise.all([ready, rulesFor(calculator)]);
    self.postMessage({ type: "result", id, json: run(calculator, JSON.stringify(inputs), rules) });
  } catch (error) {
    self.postMessage({ type: "failure", id, message: String(error) });
  }
};
