/**
 * Worker thread computing saliency maps (explain) on its own copy of the classifier: a gradient pass per face takes
 * 0.3-1.5 s of the deep model, which on the main thread held a server's event loop (health checks, every other
 * request) for seconds per photo.
 */
import { loadModelArtifacts } from "../artifacts";
import type { BackendPreference } from "../backend";
import { selectBackend } from "../backend";
import { serveRpc } from "../workers";
import { computeSaliencies, type SaliencyMap } from "./saliency";

export interface SaliencyWorkerInit {
  modelDir: string;
  backend?: BackendPreference;
}

export interface SaliencyRequest {
  crops: Uint8Array[];
  classIndices: number[];
}

serveRpc<SaliencyWorkerInit, SaliencyRequest, SaliencyMap[]>(async (init) => {
  await selectBackend(init.backend, { logger: () => {} });
  const { model } = await loadModelArtifacts(init.modelDir);
  return async ({ crops, classIndices }) => {
    // One face per gradient pass: a pass over many faces at once took gigabytes.
    const maps = crops.flatMap((crop, index) =>
      computeSaliencies(model, [crop], { classIndices: [classIndices[index]!] }),
    );
    return { result: maps, transfer: maps.map((map) => map.values.buffer as ArrayBuffer) };
  };
});
