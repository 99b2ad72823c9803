import { createRequire } from "node:module";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const require = createRequire(import.meta.url);
const WASM_BINARIES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
] as const;

let pointed = false;

/**
 * Points the wasm backend at the .wasm files inside node_modules, so it never tries to fetch them
 * (there is no network in production). Must run before the wasm backend initialises; idempotent.
 */
export function pointWasmAtLocalBinaries(): void {
  if (pointed) return;
  const files = Object.fromEntries(
    WASM_BINARIES.map((name) => [name, require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${name}`)]),
  );
  try {
    setWasmPaths(files);
  } catch {
    // Already initialised by someone else (e.g. a test that called tf.setBackend("wasm") first): paths are moot.
  }
  pointed = true;
}
