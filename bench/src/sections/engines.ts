/**
 * Training engines on the shipped architecture: tfjs-wasm (today's path) vs the native oneDNN engine, fp32 and
 * bf16, in one run, each case in a fresh process; GFLOP/s from the network's size and the share of the measured
 * FMA peak; PyTorch as a reference when the machine has it. On a shared machine the per-CPU-second figures are
 * the steady ones: wall-clock rates move with whatever else runs.
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";
import { resolveNetworkConfig, type DeepNetworkConfig } from "@moodlens/model";
import { loadNativeAddon, trainingFlopsPerImage } from "@moodlens/native";
import { log, runProbe } from "../core/child";
import { PROBE_TIMEOUT_MS, type ModeSettings } from "../core/constants";
import { BENCH_DIR } from "../core/paths";
import { shippedNetworkSource } from "../core/shipped-model";
import { round } from "../core/stats";
import type { EngineProbeInput, EngineProbeOutput } from "../probes/engine-training";

export interface EngineCase {
  id: string;
  engine: "wasm" | "native" | "pytorch";
  precision: "fp32" | "bf16";
  /** e.g. "2 processes x 1 thread", "2 threads x 1 OpenMP thread". */
  threads: string;
  coresUsed: number;
  result?: EngineProbeOutput & {
    gflopsPerSec: number;
    shareOfPeak: number | null;
    gflopsPerCpuSec: number;
    shareOfCorePeak: number | null;
  };
  skipped?: string;
}

export interface EnginesResult {
  network: string;
  networkConfig: DeepNetworkConfig;
  gflopPerTrainingImage: number;
  batchSize: number;
  /** fp32 FMA GFLOP per CPU-second of one core (AVX-512 register loop), and x cores for the machine. */
  fmaPeak: { perCore: number; machine: number; isa: string } | null;
  cases: EngineCase[];
  /** native / wasm images per second, same run. */
  ratios: Record<string, number | null>;
  notes: string[];
}

/**
 * The shipped model's network (models/default/metadata.json; an ensemble's first member's), else the trainer's
 * default deep network.
 */
export function shippedNetwork(): { label: string; config: DeepNetworkConfig } {
  const network = shippedNetworkSource()?.network;
  if (network) {
    const config = resolveNetworkConfig(network as never);
    if (config.architecture === "deep") return { label: "shipped model's network (models/default)", config };
  }
  return {
    label: "deep default (no models/default)",
    config: resolveNetworkConfig({ architecture: "deep" }) as DeepNetworkConfig,
  };
}

function pythonWithTorch(): string | undefined {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(python, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 });
    if (probe.status === 0) return python;
  }
  return undefined;
}

export async function measureEngines(
  settings: ModeSettings,
  cropSetBase: string,
  network: { label: string; config: DeepNetworkConfig },
): Promise<EnginesResult> {
  const { label, config } = network;
  const cores = cpus().length;
  const flops = trainingFlopsPerImage(config);
  const batchSize = 64;
  const seconds = settings.trainingSecondsPerCase;
  const notes: string[] = [];
  const addon = loadNativeAddon();
  const fmaPeak = addon.addon
    ? (() => {
        const peak = addon.addon.fmaPeak(1, 1);
        return { perCore: round(peak.gflops, 1), machine: round(peak.gflops * cores, 1), isa: peak.isa };
      })()
    : null;
  if (!addon.addon) notes.push(`native engine not measured: ${addon.problem}`);
  const probeInput = (
    engine: "wasm" | "native",
    precision: "fp32" | "bf16",
    replicas: number,
    threadsPerReplica: number,
  ): EngineProbeInput => ({
    engine,
    precision,
    network: config,
    replicas,
    threadsPerReplica,
    batchSize,
    seconds,
    cropSetBase,
  });
  const withRates = (output: EngineProbeOutput, coresUsed: number): EngineCase["result"] => {
    const gflopsPerSec = round((output.imagesPerSec * flops) / 1e9, 1);
    const gflopsPerCpuSec = round((output.imagesPerCpuSec * flops) / 1e9, 1);
    return {
      ...output,
      gflopsPerSec,
      gflopsPerCpuSec,
      shareOfPeak: fmaPeak ? round(gflopsPerSec / (fmaPeak.perCore * coresUsed), 3) : null,
      shareOfCorePeak: fmaPeak ? round(gflopsPerCpuSec / fmaPeak.perCore, 3) : null,
    };
  };
  const cases: EngineCase[] = [];
  const run = async (entry: Omit<EngineCase, "result" | "skipped">, inputs: EngineProbeInput[]) => {
    try {
      // Several inputs = processes at once (wasm: one thread per process, as the trainer's --workers 2 halves).
      const outcomes = await Promise.all(
        inputs.map((input) =>
          runProbe<EngineProbeOutput>("engine-training", input, { timeoutMs: PROBE_TIMEOUT_MS.training }),
        ),
      );
      const outputs = outcomes.map((outcome) => outcome.value);
      const sum = (pick: (o: EngineProbeOutput) => number) =>
        outputs.reduce((total, o) => total + pick(o), 0);
      const merged: EngineProbeOutput = {
        steps: sum((o) => o.steps),
        imagesPerSec: round(
          sum((o) => o.imagesPerSec),
          1,
        ),
        imagesPerCpuSec: round(sum((o) => o.imagesPerCpuSec) / outputs.length, 1),
        coresBusy: round(
          sum((o) => o.coresBusy),
          2,
        ),
        detail: outputs[0]!.detail,
      };
      cases.push({ ...entry, result: withRates(merged, entry.coresUsed) });
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      log(`engines ${entry.id} failed: ${message}`);
      cases.push({ ...entry, skipped: `failed: ${message}` });
    }
  };
  await run(
    { id: "wasm-fp32-1", engine: "wasm", precision: "fp32", threads: "1 process x 1 thread", coresUsed: 1 },
    [probeInput("wasm", "fp32", 1, 1)],
  );
  await run(
    {
      id: "wasm-fp32-2",
      engine: "wasm",
      precision: "fp32",
      threads: "2 processes x 1 thread (upper bound of --workers 2)",
      coresUsed: 2,
    },
    [probeInput("wasm", "fp32", 1, 1), probeInput("wasm", "fp32", 1, 1)],
  );
  if (addon.addon) {
    await run(
      { id: "native-fp32-1", engine: "native", precision: "fp32", threads: "1 thread", coresUsed: 1 },
      [probeInput("native", "fp32", 1, 1)],
    );
    await run(
      {
        id: "native-fp32-2",
        engine: "native",
        precision: "fp32",
        threads: "2 threads x 1 (data-parallel halves)",
        coresUsed: 2,
      },
      [probeInput("native", "fp32", 2, 1)],
    );
    await run(
      {
        id: "native-fp32-omp2",
        engine: "native",
        precision: "fp32",
        threads: "1 part x 2 OpenMP threads",
        coresUsed: 2,
      },
      [probeInput("native", "fp32", 1, 2)],
    );
    await run(
      {
        id: "native-bf16-2",
        engine: "native",
        precision: "bf16",
        threads: "2 threads x 1 (data-parallel halves)",
        coresUsed: 2,
      },
      [probeInput("native", "bf16", 2, 1)],
    );
  }
  const python = pythonWithTorch();
  if (python) {
    for (const precision of ["fp32", "bf16"] as const) {
      const entry = {
        id: `pytorch-${precision}-2`,
        engine: "pytorch" as const,
        precision,
        threads: "2 OpenMP threads",
        coresUsed: 2,
      };
      const script = join(BENCH_DIR, "src", "probes", "pytorch_vgg.py");
      const ran = spawnSync(
        python,
        [script, JSON.stringify({ network: config, threads: 2, precision, batchSize, seconds })],
        { encoding: "utf8", timeout: PROBE_TIMEOUT_MS.training },
      );
      const line = ran.stdout?.trim().split("\n").at(-1);
      if (ran.status === 0 && line)
        cases.push({ ...entry, result: withRates(JSON.parse(line) as EngineProbeOutput, 2) });
      else
        cases.push({
          ...entry,
          skipped: `failed: ${(ran.stderr ?? "").trim().split("\n").at(-1) ?? ran.status}`,
        });
    }
  } else {
    notes.push(
      'PyTorch reference skipped: `python3 -c "import torch"` fails (Debian: apt-get install python3-torch; a measuring stick, not a dependency)',
    );
  }
  const rate = (id: string) => cases.find((c) => c.id === id)?.result?.imagesPerSec ?? null;
  const ratio = (a: string, b: string) => {
    const x = rate(a),
      y = rate(b);
    return x !== null && y !== null && y > 0 ? round(x / y, 2) : null;
  };
  return {
    network: label,
    networkConfig: config,
    gflopPerTrainingImage: round(flops / 1e9, 3),
    batchSize,
    fmaPeak,
    cases,
    ratios: {
      nativeFp32VsWasm: ratio("native-fp32-2", "wasm-fp32-2"),
      nativeBf16VsWasm: ratio("native-bf16-2", "wasm-fp32-2"),
      nativeFp32VsPytorchFp32: ratio("native-fp32-2", "pytorch-fp32-2"),
      nativeBf16VsPytorchBf16: ratio("native-bf16-2", "pytorch-bf16-2"),
    },
    notes,
  };
}
