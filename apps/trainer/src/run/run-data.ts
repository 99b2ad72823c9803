import { AppError } from "@moodlens/shared";
import { loadOrImport } from "../dataset/load";
import { partition, type TrainingData } from "../dataset/partition";
import type { Dataset, SourceKind } from "../dataset/types";
import type { TrainConfig } from "../training/config";
import { fromRecordedPath } from "../util/paths";

/** A run's data source as recorded (the fingerprint is absent while the run is being created). */
export interface DataSource {
  source: string;
  kind: SourceKind;
  fingerprint?: string;
}

export interface RunData {
  train: Dataset;
  val: Dataset | null;
  parts: TrainingData;
}

/** Loads (or imports) a run's data and partitions it; refuses data whose fingerprint changed since the run started. */
export async function loadRunData(
  spec: { config: TrainConfig; data: { train: DataSource; val: DataSource | null } },
  options: { cacheDirectory: string; log?: (line: string) => void },
): Promise<RunData> {
  const log = options.log ?? (() => {});
  const load = async (reference: DataSource) => {
    const { dataset } = await loadOrImport(fromRecordedPath(reference.source), {
      kind: reference.kind,
      cacheDirectory: options.cacheDirectory,
      log,
    });
    if (reference.fingerprint && dataset.manifest.fingerprint !== reference.fingerprint) {
      throw new AppError(
        "DATASET_INVALID",
        `${reference.source} changed since the run started (fingerprint ${dataset.manifest.fingerprint.slice(0, 12)}… ≠ ${reference.fingerprint.slice(0, 12)}…)`,
        {
          hint: "restore the original data; a resumed run must see the same samples",
        },
      );
    }
    return dataset;
  };
  const train = await load(spec.data.train);
  const val = spec.data.val ? await load(spec.data.val) : null;
  return { train, val, parts: partition(spec.config, train, val) };
}
