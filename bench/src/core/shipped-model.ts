import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MODEL_DIR, REPO_ROOT } from "./paths";

interface ShippedMetadata {
  runId?: string;
  hyperparameters?: { network?: unknown; ensemble?: { source?: string; runId?: string }[] };
}

const read = (dir: string): ShippedMetadata | undefined => {
  const path = join(dir, "metadata.json");
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ShippedMetadata) : undefined;
};

/**
 * The training run and network behind the shipped model: its own, or for an ensemble (one model folder averaging
 * several networks, `trainer ensemble`) its first member's, since every training figure is per network.
 */
export function shippedNetworkSource(): { runId: string; network: unknown } | undefined {
  const metadata = read(DEFAULT_MODEL_DIR);
  const first = metadata?.hyperparameters?.ensemble?.[0];
  if (!first)
    return metadata?.runId
      ? { runId: metadata.runId, network: metadata.hyperparameters?.network }
      : undefined;
  const member = first.source ? read(join(REPO_ROOT, first.source)) : undefined;
  return first.runId ? { runId: first.runId, network: member?.hyperparameters?.network } : undefined;
}
