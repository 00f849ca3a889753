// Page side of the calculators: starts the worker at once and turns calls into promises.

export function startCalculators({ calculator, onProgress, onReady, onFailure }) {
  // The page's calculator is named in the URL so the worker fetches its rules while loading.
  const url = new URL("./worker.mjs", import.meta.url);
  url.searchParams.set("calculator", calculator);
  // The checksums the page was built with: the worker runs nothing that does not match them
  // (a partial deploy or a stale cache can serve rules or a wheel from another build).
  const integrity = JSON.parse(document.getElementById("nen-integrity")?.textContent || "{}");
  if (integrity.wheel) url.searchParams.set("wheel_sha256", integrity.wheel);
  for (const [name, digest] of Object.entries(integrity.rules || {})) {
    url.searchParams.set(`rules_sha256_${name}`, digest);
  }
  const worker = new Worker(url, { type: "module" });
  const pending = new Map();
  let nextId = 1;

  worker.onmessage = (event) => {
    const message = event.data;
    if (message.type === "progress") onProgress(message);
    else if (message.type === "ready") onReady(message);
    else if (message.type === "result") {
      pending.get(message.id)?.resolve(JSON.parse(message.json));
      pending.delete(message.id);
    } else if (message.type === "failure") {
      if (message.id === null) onFailure(message.message);
      else {
        pending.get(message.id)?.reject(new Error(message.message));
        pending.delete(message.id);
      }
    }
  };
  worker.onerror = (event) => {
    const message = event.message || "the calculator could not start";
    for (const { reject } of pending.values()) reject(new Error(message));
    pending.clear();
    onFailure(message);
  };

  return {
    evaluate(calculator, inputs) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, calculator, inputs });
      });
    },
  };
}
