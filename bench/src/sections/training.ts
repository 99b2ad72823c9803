import { log, runProbe } from "../core/child";
import { PROBE_TIMEOUT_MS, type ModeSettings } from "../core/constants";
import type { TrainingProbeInput, TrainingProbeOutput } from "../probes/training";

/**
 * Batch sizes: 64 is what the trainer uses; the pure-JS cpu backend is ~100x slower (engine-bench.md: < 0.05 images/s
 * for the deep net), so it gets a tiny batch and a single step — enough for a rate, not for a day of waiting.
 */
const CASES: Omit<TrainingProbeInput, "seconds" | "cropSetBase">[] = [
  { architecture: "compact", backend: "wasm", batchSize: 64 },
  { architecture: "deep", backend: "wasm", batchSize: 64 },
  { architecture: "compact", backend: "cpu", batchSize: 8 },
  { architecture: "deep", backend: "cpu", batchSize: 2 },
];

export type TrainingCase =
  | (TrainingProbeOutput & { peakRssBytes: number })
  | { architecture: string; backend: string; skipped: string };

export async function measureTraining(settings: ModeSettings, cropSetBase: string): Promise<TrainingCase[]> {
  const results: TrainingCase[] = [];
  for (const trainingCase of CASES) {
    if (trainingCase.backend === "cpu" && !settings.trainingCpu) {
      results.push({
        ...trainingCase,
        skipped: "quick mode: the pure-JS cpu backend is measured in the full run only",
      });
      continue;
    }
    try {
      const seconds =
        trainingCase.backend === "cpu"
          ? Math.min(settings.trainingSecondsPerCase, 15)
          : settings.trainingSecondsPerCase;
      const outcome = await runProbe<TrainingProbeOutput>(
        "training",
        { ...trainingCase, seconds, cropSetBase },
        {
          timeoutMs: PROBE_TIMEOUT_MS.training,
        },
      );
      results.push({ ...outcome.value, peakRssBytes: outcome.peakRssBytes });
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      log(`training ${trainingCase.architecture}/${trainingCase.backend} failed: ${message}`);
      results.push({
        architecture: trainingCase.architecture,
        backend: trainingCase.backend,
        skipped: `failed: ${message}`,
      });
    }
  }
  return results;
}
