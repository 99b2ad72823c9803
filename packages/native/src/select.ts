import { AppError } from "@moodlens/shared";
import type { NetworkConfigInput } from "@moodlens/model";
import { loadNativeAddon } from "./addon";
import { NativeTrainingEngine, nativeSupport, type NativeEngineOptions } from "./engine";

export interface SelectEngineInput {
  /** "native" forces it (error when it cannot run), "auto" takes it when it can, anything else means tfjs. */
  requested: string;
  network: NetworkConfigInput;
  /** The tfjs backend in use: tfjs-node (libtensorflow) stays first in auto. */
  tfjsBackend: string;
  /** The app's MOODLENS_NATIVE=off. */
  disabled?: boolean;
  options: NativeEngineOptions;
  log?: (line: string) => void;
}

/**
 * Picks the training engine and says so in one line: the native oneDNN engine, or tfjs with the reason the
 * native one was not taken. Returns undefined for tfjs.
 */
export function selectTrainingEngine(input: SelectEngineInput): NativeTrainingEngine | undefined {
  const log = input.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tfjs = (reason: string) => {
    log(`moodlens: training engine tfjs ${input.tfjsBackend} (${reason})`);
    return undefined;
  };
  const { requested } = input;
  if (requested !== "native" && requested !== "auto") return tfjs(`requested ${requested}`);
  if (requested === "auto" && input.tfjsBackend.startsWith("tensorflow"))
    return tfjs("auto prefers libtensorflow when it loads");
  const loaded = loadNativeAddon({ disabled: input.disabled });
  const support = nativeSupport(input.network);
  const problem = loaded.problem ?? ("problem" in support ? support.problem : undefined);
  if (problem !== undefined || !loaded.addon || !("config" in support)) {
    if (requested === "native") {
      throw new AppError("CONFIG_INVALID", `the native training engine cannot run: ${problem}`, {
        hint: "install libdnnl-dev and run npm install (packages/native builds it), or use --backend auto",
      });
    }
    return tfjs(`native skipped: ${problem}`);
  }
  const engine = new NativeTrainingEngine(loaded.addon, support.config, input.options);
  log(
    `moodlens: training engine ${engine.describe()} (requested ${requested}); validation and checkpoints via tfjs ${input.tfjsBackend}`,
  );
  return engine;
}
