import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const require = createRequire(import.meta.url);

/** Folder holding tfjs-backend-wasm's .wasm binaries inside node_modules (nothing is fetched from a CDN). */
export const WASM_DIST_DIR = dirname(
  require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm"),
);

interface ModelJson {
  modelTopology: tf.io.ModelArtifacts["modelTopology"];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Reads a tfjs model.json + weight shards from disk (tfjs' own file:// handler ships only with tfjs-node). */
export function diskModelHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJsonPath, "utf8")) as ModelJson;
      const weights = Buffer.concat(
        json.weightsManifest.flatMap((group) =>
          group.paths.map((path) => readFileSync(join(dirname(modelJsonPath), path))),
        ),
      );
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      };
    },
  };
}

let routed = false;
/** Lets libraries that load models by URL (human) use file:// URLs on the wasm backend. */
export function routeFileUrlsToDisk(): void {
  if (routed) return;
  // tfjs' router type says IOHandler, but its registry skips routers that return null (as its own http router does).
  tf.io.registerLoadRouter(
    (url) =>
      (typeof url === "string" && url.startsWith("file://")
        ? diskModelHandler(fileURLToPath(url))
        : null) as tf.io.IOHandler,
  );
  routed = true;
}

/** The same wasm backend for every peer: SIMD binaries from node_modules, one thread (tfjs' default under Node). */
export async function useLocalWasmBackend(): Promise<void> {
  setWasmPaths(`${WASM_DIST_DIR}/`);
  if (!(await tf.setBackend("wasm"))) throw new Error("the tfjs wasm backend failed to initialise");
  await tf.ready();
}

export { tf };
