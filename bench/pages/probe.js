// Loaded into every benchmarked page before the page's own scripts (a Playwright init script,
// which the Content-Security-Policy does not govern). It changes nothing on the page; it
// notes, in milliseconds since navigation started:
//   - when each worker is created (Material's search has one too) and when each of its
//     messages arrives; the bench takes as the calculator's the worker that posts progress;
//   - when a result box counts an answer (form-page.mjs sets data-answers once it is drawn);
//   - every main-thread long task (over 50 ms).
// The bench reads window.__nenBench through the debugging protocol.
(() => {
  const record = { workers: [], messages: [], answers: [], longtasks: [] };
  window.__nenBench = record;

  const PageWorker = window.Worker;
  window.Worker = class extends PageWorker {
    constructor(...args) {
      super(...args);
      const worker = record.workers.push({ at: performance.now(), url: String(args[0]) }) - 1;
      // Registered before the page's own onmessage handler, so it sees each message first.
      this.addEventListener("message", (event) => {
        const { type, step, text } = event.data || {};
        record.messages.push({ at: performance.now(), worker, type, step, text });
      });
    }
  };

  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) {
      record.longtasks.push({ start: task.startTime, duration: task.duration });
    }
  }).observe({ type: "longtask", buffered: true });

  new MutationObserver(() => {
    const box = document.querySelector("[data-answers]");
    if (box && Number(box.dataset.answers) > record.answers.length) {
      record.answers.push(performance.now());
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-answers"] });
})();
