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

// The big downloads, all fetched by loadPyodide or beside it: the runtime's WebAssembly, the
// standard library zip and the memory snapshot (pyodide.asm.mjs comes by import(), which
// exposes no bytes). The lock file names them with their sizes; an older lock without them
// counts the runtime's two.
const COUNTED_FILE = /\.(wasm|zip)$/;
const COUNTED_FILES = 2;

// Counts the bytes of those downloads as they arrive, by reading a clone of each response
// beside the one loadPyodide consumes: no second request. (Fetching the files ahead of
// loadPyodide for the HTTP cache to hand over was measured too: a private window's in-memory
// cache does not keep the 9.6 MB wasm, so it was downloaded twice.) A total is sent only when
// all sizes are known and are sizes of what the body delivers: a compressed response's
// Content-Length is not, so then the sizes the lock file records are used (the build writes
// them, generator/runtime.py); without them the stages show without a percentage.
function countRuntimeDownloads(lockText) {
  const recorded = JSON.parse(lockText).tool?.nenguide?.download_bytes || {};
  const named = new Set(Object.keys(recorded));
  const nameOf = (url) => url.slice(url.lastIndexOf("/") + 1);
  const counted = (url) => (named.size ? named.has(nameOf(url))
                                       : url.startsWith(RUNTIME_URL) && COUNTED_FILE.test(url));
  let expected = named.size || COUNTED_FILES;
  const plainFetch = self.fetch;
  const sizes = new Map(); // url -> bytes the body will deliver (NaN when unknown)
  let loaded = 0;
  let finished = 0;
  const total = () => {
    const known = [...sizes.values()];
    const sum = known.reduce((a, b) => a + b, 0);
    return known.length === expected && Number.isFinite(sum) ? sum : null;
  };
  const downloaded = () => {
    if (++finished === expected) progress(2, "Starting the calculator…");
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
    if (response.ok && response.body && counted(url) && !sizes.has(url)) {
      const encoded = (response.headers.get("Content-Encoding") || "identity") !== "identity";
      sizes.set(url, encoded ? Number(recorded[nameOf(url)] ?? NaN)
                             : Number(response.headers.get("Content-Length") || NaN));
      read(response.clone()).catch(() => {}).finally(downloaded);
    }
    return response;
  };
  return {
    // A download that will not come (the snapshot was missing): stop waiting for it.
    skip: (url) => {
      if (named.has(nameOf(url)) && !sizes.has(url)) {
        expected -= 1;
        if (finished === expected) progress(2, "Starting the calculator…");
      }
    },
    // Called once loadPyodide has returned (other wrappers of fetch have restored theirs).
    stop: () => { self.fetch = plainFetch; },
  };
}

// --- the memory snapshot -------------------------------------------------------------------
// The build makes a snapshot of Pyodide's memory with the calculators imported and called
// once (generator/snapshot_cache.py), and the lock file names it with its sha256. Started
// from it, loadPyodide skips Python's start-up and the imports. The options are Pyodide
// internals (`_loadSnapshot`), and a snapshot fits only the Pyodide build and the standard
// library it was made with, so it is only ever a shortcut: missing, not matching its sha256,
// corrupt, from another build, or refused by loadPyodide, the worker starts as it would
// without one, says why on the console, and the answers are the same.
class NoSnapshot extends Error {}

// The snapshot's url, and a promise of its memory (rejected with NoSnapshot on any problem);
// null when the lock names none. Fetched while the runtime loads.
function fetchSnapshot(lockText) {
  const entry = JSON.parse(lockText).tool?.nenguide?.snapshot;
  if (!entry) return null;
  const url = new URL(entry.file_name, PACKAGE_URL).href;
  const memory = (async () => {
    const response = await fetch(url);
    if (!response.ok) throw new NoSnapshot(`no snapshot (${response.status})`);
    const packed = await response.arrayBuffer();
    // Checked as the build wrote it: gzipped memory (generator/runtime.py).
    if (await sha256Hex(packed) !== entry.sha256) {
      throw new NoSnapshot("the snapshot does not match the lock file");
    }
    try {
      const unpacked = new Blob([packed]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Uint8Array(await new Response(unpacked).arrayBuffer());
    } catch (error) {
      throw new NoSnapshot(`the snapshot could not be unpacked (${error})`);
    }
  })();
  memory.catch(() => {}); // loadPyodide may fail before it awaits the memory
  return { url, memory };
}

// The wheel's bytes against the lock, as Pyodide checks them when it installs the wheel. A
// start from the snapshot does not need the wheel, but a site whose wheel is not the one its
// pages expect is refused either way: the same files give the same answer or the same refusal.
async function checkWheel(lockText) {
  const entry = Object.values(JSON.parse(lockText).packages).find((p) => p.name === PACKAGE);
  const response = await fetch(new URL(entry.file_name, PACKAGE_URL));
  if (!response.ok || await sha256Hex(await response.arrayBuffer()) !== entry.sha256) {
    throw new IntegrityError(MISMATCH);
  }
}

// The calculators' `run` from a Pyodide started from the snapshot, or null to start normally.
async function startFromSnapshot(loadPyodide, lock, snapshot, downloads) {
  const wheelChecked = checkWheel(lock);
  wheelChecked.catch(() => {}); // awaited below; the normal start checks the wheel itself
  try {
    const pyodide = await withCheckedStdlib(lock, (stdLibURL) => loadPyodide({
      indexURL: RUNTIME_URL,
      lockFileContents: lock,
      packageBaseUrl: PACKAGE_URL,
      stdLibURL,
      _loadSnapshot: snapshot.memory,
    }));
    await wheelChecked;
    progress(3, "Almost ready…");
    return pyodide.pyimport("calculators.json_api").run;
  } catch (error) {
    // The runtime's own files do not match the lock: the normal start would fail the same way.
    if (error instanceof IntegrityError) throw error;
    downloads.skip(snapshot.url);
    console.info(`The calculator starts without its snapshot: ${error}`);
    return null;
  }
}

// The calculators' `run` from a Pyodide started as usual: the wheel installed and imported.
async function startNormally(loadPyodide, lock) {
  const pyodide = await withCheckedStdlib(lock, (stdLibURL) => loadPyodide({
    indexURL: RUNTIME_URL,
    lockFileContents: lock,
    packageBaseUrl: PACKAGE_URL,
    stdLibURL,
  }));
  progress(3, "Almost ready…");
  const problems = [];
  await pyodide.loadPackage(PACKAGE, {
    messageCallback: () => {},
    errorCallback: (message) => problems.push(message),
  });
  // A wheel whose bytes do not match the lock is not loaded; say so, rather than let the
  // import below fail with "No module named 'calculators'".
  if (problems.length) throw new IntegrityError(MISMATCH);
  return pyodide.pyimport("calculators.json_api").run;
}

async function start() {
  const started = performance.now();
  progress(1, PREPARING);
  const lock = await checkedLock();
  const { loadPyodide } = await import(RUNTIME_URL + "pyodide.mjs");
  const downloads = countRuntimeDownloads(lock);
  const snapshot = fetchSnapshot(lock); // after the counting starts, so its bytes count
  let run = null;
  try {
    run = snapshot && await startFromSnapshot(loadPyodide, lock, snapshot, downloads);
    run ??= await startNormally(loadPyodide, lock);
  } finally {
    downloads.stop();
  }
  if (pageCalculator) await rulesFor(pageCalculator); // checked before the page says ready
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
