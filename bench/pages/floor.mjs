// Floor: fetch and compile pyodide.asm.wasm, nothing else (?wasm=<its URL>).
const wasm = new URL(new URLSearchParams(location.search).get("wasm"), location.href);
await WebAssembly.compileStreaming(fetch(wasm));
performance.mark("nen-bench:wasm compiled");
document.body.dataset.answers = "1";
