import { createRequire } from "node:module";
import { cpus } from "node:os";
import { AppError } from "@moodlens/shared";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { tf } from "../tf";
import {
  BACKEND_PREFERENCES,
  type BackendInfo,
  type BackendName,
  type BackendPreference,
  type SelectBackendOptions,
} from "./types";
import { pointWasmAtLocalBinaries } from "./wasm-paths";
import { checkWasmTrainingKernels, registerWasmTrainingKernels } from "./wasm-training";

const require = createRequire(import.meta.url);

/** Order tried by "auto": fastest first. */
const AUTO_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

/** npm packages providing the native backends (optionalDependencies: npm drops them when libtensorflow cannot be fetched). */
const NATIVE_PACKAGES: Readonly<Record<"tensorflow-gpu" | "tensorflow", string>> = {
  "tensorflow-gpu": "@tensorflow/tfjs-node-gpu",
  tensorflow: "@tensorflow/tfjs-node",
};

const defaultLogger = (line: string) => process.stderr.write(`${line}\n`);

let active: BackendInfo | undefined;
let activeKey: string | undefined;

export function parseBackendPreference(value: string | undefined): BackendPreference {
  const preference = (value ?? "auto").trim().toLowerCase() || "auto";
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(preference)) {
    throw new AppError("CONFIG_INVALID", `MOODLENS_BACKEND="${value}" is not a backend`, {
      hint: `use one of ${BACKEND_PREFERENCES.join(", ")}`,
    });
  }
  return preference as BackendPreference;
}

/** Why a backend cannot be used, or undefined once it is the active tfjs backend. */
async function tryActivate(name: BackendName): Promise<string | undefined> {
  try {
    if (name === "tensorflow-gpu" || name === "tensorflow") {
      // Loading the package registers the "tensorflow" backend on our (hoisted, shared) tfjs-core.
      require(NATIVE_PACKAGES[name]);
      return (await tf.setBackend("tensorflow")) ? undefined : "the tensorflow backend failed to initialise";
    }
    if (name === "wasm") pointWasmAtLocalBinaries();
    return (await tf.setBackend(name)) ? undefined : `the ${name} backend failed to initialise`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" && name in NATIVE_PACKAGES) {
      return `${NATIVE_PACKAGES[name as keyof typeof NATIVE_PACKAGES]} is not installed`;
    }
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

function threadsOf(name: BackendName): number {
  if (name === "wasm") return Math.max(1, getThreadsCount());
  if (name === "cpu") return 1;
  return cpus().length;
}

/**
 * Picks and activates the tfjs backend: the given preference (apps parse MOODLENS_BACKEND in their env.ts), else "auto"
 * (tfjs-node-gpu, tfjs-node, wasm, cpu, first that loads). A forced backend that cannot load is a
 * CONFIG_INVALID error rather than a silent slowdown. Logs the choice in one line; calling again with the
 * same request returns the same info without logging.
 */
export async function selectBackend(
  preference?: BackendPreference,
  options: SelectBackendOptions = {},
): Promise<BackendInfo> {
  const requested = preference ?? "auto";
  if (!(BACKEND_PREFERENCES as readonly string[]).includes(requested)) {
    throw new AppError("CONFIG_INVALID", `"${requested}" is not a backend`, {
      hint: `use one of ${BACKEND_PREFERENCES.join(", ")}`,
    });
  }
  const key = `${requested}/${options.forTraining ? "train" : "infer"}`;
  if (active && activeKey === key && tf.getBackend() === backendIdOf(active.name)) return active;

  const log = options.logger ?? defaultLogger;
  // "native" names the trainer's engine (@moodlens/native); the tfjs side then picks as for "auto".
  const candidates = requested === "auto" || requested === "native" ? AUTO_ORDER : [requested];
  const skipped: string[] = [];
  let chosen: BackendName | undefined;
  for (const candidate of candidates) {
    const problem = await tryActivate(candidate);
    if (problem === undefined) {
      chosen = candidate;
      break;
    }
    skipped.push(`${candidate}: ${problem}`);
  }
  if (!chosen) {
    throw new AppError("CONFIG_INVALID", `backend "${requested}" cannot be loaded (${skipped.join("; ")})`, {
      hint:
        requested === "tensorflow" || requested === "tensorflow-gpu"
          ? `install ${NATIVE_PACKAGES[requested]} (needs libtensorflow) or set MOODLENS_BACKEND=auto`
          : "set MOODLENS_BACKEND=auto",
    });
  }

  let trainingKernels: BackendInfo["trainingKernels"] = "native";
  if (chosen === "wasm") {
    registerWasmTrainingKernels();
    const problem = options.forTraining ? checkWasmTrainingKernels() : undefined;
    if (problem === undefined) {
      trainingKernels = "registered";
    } else if (requested === "auto" || requested === "native") {
      // Training on wasm would fail or be wrong: the slow-but-correct cpu backend is the honest fallback.
      skipped.push(`wasm: gradient kernel check failed (${problem})`);
      await tf.setBackend("cpu");
      chosen = "cpu";
    } else {
      trainingKernels = "missing";
      skipped.push(`wasm gradient kernel check failed (${problem}); training will not work`);
    }
  } else {
    // Our batch-norm gradient is the same math as tfjs' but faster on every backend.
    registerWasmTrainingKernels();
  }

  const info: BackendInfo = {
    name: chosen,
    requested,
    threads: threadsOf(chosen),
    trainingKernels,
    ...(skipped.length > 0 ? { fallbackReason: skipped.join("; ") } : {}),
  };
  log(
    `moodlens: tfjs backend ${info.name} (requested ${requested}, ${info.threads} thread${info.threads === 1 ? "" : "s"}` +
      `, training kernels ${info.trainingKernels})${info.fallbackReason ? `; skipped ${info.fallbackReason}` : ""}`,
  );
  active = info;
  activeKey = key;
  return info;
}

const backendIdOf = (name: BackendName): string => (name === "tensorflow-gpu" ? "tensorflow" : name);

/** The backend chosen by the last selectBackend(), or undefined before the first call. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
