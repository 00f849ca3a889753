// The only file that knows about Pyodide. Runs as a module Web Worker (Pyodide 314 has no
// classic-worker build) so loading the runtime never freezes the page.
//
// Messages in:  {id, calculator, inputs}
// Messages out: {type: "progress", step, steps, text, loaded?, total?} | {type: "ready", seconds}
//               {type: "result", id, json} | {type: "failure", id, message}

// One shared runtime per site, next to the version folders: site/_pyodide/.
// This file is site/<version>/assets/calc/worker.mjs.
const RUNTIME_URL = new URL("../../../_pyodide/314.0.7/", import.meta.url).href;
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

// Python's standard library, precompiled to bytecode at build time (generator/stdlib_cache.py):
// the lock file names it with its sha256 in its `tool` table. loadPyodide fetches it itself,
// through `stdLibURL`, and checks nothing; so while `load(stdLibURL)` runs, that one request
// is answered with bytes the worker fetched and checked, and a mismatch ends the start at once.
async function withCheckedStdlib(lockText, load) {
  const stdlib = JSON.parse(lockText).tool?.nenguide?.stdlib;
  if (!stdlib) throw new IntegrityError(MISMATCH); // a lock file from another build
  const url = new URL(stdlib.file_name, RUNTIME_URL).href;
  const plainFetch = self.fetch;
  const checked = (async () => {
    const response = await plainFetch(url);
    if (!response.ok) throw new Error(`no standard library (${response.status})`);
    const bytes = await response.arrayBuffer();
    if (await sha256Hex(bytes) !== stdlib.sha256) throw new IntegrityError(MISMATCH);
    return bytes;
  })();
  self.fetch = (resource, init) => (String(resource) === url
    ? checked.then((bytes) => new Response(bytes))
    : plainFetch(resource, init));
  try {
    // Pyodide only logs a failed standard library and goes on; settle on the failure instead.
    const failed = checked.then(() => new Promise(() => {}));
    return await Promise.race([load(url), failed]);
  } finally {
    self.fetch = plainFetch;
  }
}

// --- progress, in the reader's words -------------------------------------------------------
// Three stages a reader can follow: the download (most of the wait on a slow network), the
// start of the runtime (most of it on a fast one), then the calculators package. The page
// shows the words, and a percentage of the bytes when the download is slow (form-page.mjs).
const STEPS = 3;
const PREPARING = "Preparing the calculator…";

function progress(step, text, bytes = {}) {
  self.postMessage({ type: "progress", step, steps: STEPS, text, ...bytes });
}

// The runtime's two big downloads, both fetched by loadPyodide: its WebAssembly and the
// standard library zip (pyodide.asm.mjs comes by import(), which exposes no bytes).
const COUNTED_FILE = /\.(wasm|zip)$/;
const COUNTED_FILES = 2;

// Counts the bytes of those downloads as they arrive, by reading a clone of each response
// beside the one loadPyodide consumes: no second request. (Fetching the files ahead of
// loadPyodide for the HTTP cache to hand over was measured too: a private window's in-memory
// cache does not keep the 9.6 MB wasm, so it was downloaded twice.) A total is sent only when
// both sizes are known and are sizes of what the body delivers: a compressed response's
// Content-Length is not, so then the sizes the lock file records are used (the build writes
// them, generator/runtime.py); without them the stages show without a percentage.
function countRuntimeDownloads(lockText) {
  const recorded = JSON.parse(lockText).tool?.nenguide?.download_bytes || {};
  const plainFetch = self.fetch;
  const sizes = new Map(); // url -> bytes the body will deliver (NaN when unknown)
  let loaded = 0;
  let finished = 0;
  const total = () => {
    const known = [...sizes.values()];
    const sum = known.reduce((a, b) => a + b, 0);
    return known.length === COUNTED_FILES && Number.isFinite(sum) ? sum : null;
  };
  const read = async (response) => {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      loaded += value.byteLength;
      progress(1, PREPARING, { loaded, total: total() });
    }
  };
  self.fetch = async (resource, init) => {
    const response = await plainFetch(resource, init);
    const url = response.url;
    if (response.ok && response.body && url.startsWith(RUNTIME_URL) && COUNTED_FILE.test(url)
        && !sizes.has(url)) {
      const encoded = (response.headers.get("Content-Encoding") || "identity") !== "identity";
      const name = url.slice(url.lastIndexOf("/") + 1);
      sizes.set(url, encoded ? Number(recorded[name] ?? NaN)
                             : Number(response.headers.get("Content-Length") || NaN));
      read(response.clone()).catch(() => {}).finally(() => {
        if (++finished === COUNTED_FILES) progress(2, "Starting the calculator…");
      });
    }
    return response;
  };
  // Called once loadPyodide has returned (other wrappers of fetch have restored theirs).
  return { stop: () => { self.fetch = plainFetch; } };
}

async function start() {
  const started = performance.now();
  progress(1, PREPARING);
  const lock = await checkedLock();
  const { loadPyodide } = await import(RUNTIME_URL + "pyodide.mjs");
  const downloads = countRuntimeDownloads(lock);
  const pyodide = await withCheckedStdlib(lock, (stdLibURL) => loadPyodide({
    indexURL: RUNTIME_URL,
    lockFileContents: lock,
    packageBaseUrl: PACKAGE_URL,
    stdLibURL,
  }));
  downloads.stop();
  progress(3, "Almost ready…");
  const problems = [];
  await pyodide.loadPackage(PACKAGE, {
    messageCallback: () => {},
    errorCallback: (message) => problems.push(message),
  });
  // A wheel whose bytes do not match the lock is not loaded; say so, rather than let the
  // import below fail with "No module named 'calculators'".
  if (problems.length) throw new IntegrityError(MISMATCH);
  if (pageCalculator) await rulesFor(pageCalculator); // checked before the page says ready
  const run = pyodide.pyimport("calculators.json_api").run;
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
