/**
 * The trainer as users run it: `npm run trainer -- train` (the CLI in a child process) with the shipped model's
 * training config, on a small fixed sample of FER-2013, once per worker count. Unlike the training probes (bare
 * train steps), this includes augmentation, the data-parallel second thread, the schedule and per-epoch validation.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { join } from "node:path";
import { log } from "../core/child";
import { BENCH_DIR, REPO_ROOT, SHARED_DIR } from "../core/paths";
import { shippedNetworkSource } from "../core/shipped-model";
import { round } from "../core/stats";
import { ferClassFiles } from "../data/fer";

/** Epochs per case: the first includes kernel compilation and the first step's setup; the last one is reported. */
const EPOCHS = 2;
const TIMEOUT_MS = 6 * 60_000;

export interface TrainerCliCase {
  workers: number;
  network: string;
  trainImages: number;
  valImages: number;
  batchSize: number;
  /** The last epoch's training images per second (validation excluded), as the trainer's journal reports it. */
  imagesPerSec: number;
  /** That epoch's CPU time / wall time / cores (1 = every core busy), validation included. */
  cpuShare: number;
  epochSeconds: number;
  /** getrusage maxrss of the trainer process (worker thread included). */
  peakRssBytes: number;
  wallSeconds: number;
}

/** The first `perClass` files (sorted) of each emotion folder, copied into `to` (the trainer imports a folder tree). */
async function sampleFolder(from: string, to: string, perClass: number): Promise<number> {
  let count = 0;
  for (const { folder, files } of await ferClassFiles(from, perClass)) {
    await mkdir(join(to, folder), { recursive: true });
    await Promise.all(files.map((file) => copyFile(join(from, folder, file), join(to, folder, file))));
    count += files.length;
  }
  return count;
}

/** The training config of the run that produced models/default, minus its warm start; undefined without one. */
async function shippedConfig(): Promise<Record<string, unknown> | undefined> {
  const runId = shippedNetworkSource()?.runId;
  const runPath = join(REPO_ROOT, "models", "training", runId ?? "", "run.json");
  if (!runId || !existsSync(runPath)) return undefined;
  const { config } = JSON.parse(await readFile(runPath, "utf8")) as { config: Record<string, unknown> };
  // The training step's speed is measured: no warm start, and no teachers (their weights may not be on this machine).
  const { initFrom: _warmStart, distillation: _teachers, ...rest } = config;
  return { ...rest, epochs: EPOCHS };
}

function runTrainer(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--import", join(BENCH_DIR, "src", "core", "exit-rss.mjs"), "src/cli.ts", ...args],
      {
        cwd: join(REPO_ROOT, "apps", "trainer"),
        env,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else
        reject(
          new Error(`trainer exited with ${signal ?? code}: ${tail.trim().split("\n").slice(-3).join(" ")}`),
        );
    });
  });
}

export async function measureTrainerCli(
  scratchDir: string,
  perClass: number,
  workerCounts: readonly number[],
): Promise<TrainerCliCase[] | { reason: string }> {
  const config = await shippedConfig();
  if (!config)
    return {
      reason:
        "no shipped model with its training run record (models/default + models/training/<runId>/run.json)",
    };
  const base = join(scratchDir, "trainer-cli");
  const trainImages = await sampleFolder(
    join(SHARED_DIR, "datasets", "fer2013", "train"),
    join(base, "train"),
    perClass,
  );
  const valImages = await sampleFolder(
    join(SHARED_DIR, "datasets", "fer2013", "val"),
    join(base, "val"),
    Math.ceil(perClass / 4),
  );
  const configPath = join(base, "config.json");
  await writeFile(configPath, JSON.stringify(config));
  const cases: TrainerCliCase[] = [];
  for (const workers of workerCounts) {
    const runDir = join(base, `runs-${workers}`);
    const rssFile = join(base, `rss-${workers}`);
    const started = Date.now();
    try {
      await runTrainer(
        [
          "train",
          "--data",
          join(base, "train"),
          "--val",
          join(base, "val"),
          "--config",
          configPath,
          "--workers",
          String(workers),
          "--no-db",
          "--no-progress",
          "--run-dir",
          runDir,
        ],
        {
          ...process.env,
          MOODLENS_BACKEND: "wasm",
          MOODLENS_CACHE_DIR: join(base, `cache-${workers}`),
          MOODLENS_BENCH_RSS_FILE: rssFile,
        },
      );
    } catch (error) {
      // The results are committed: the scratch folder's machine path stays out of them.
      const message = (error instanceof Error ? error.message : String(error)).replaceAll(base, "<scratch>");
      log(`trainer CLI with ${workers} worker(s) failed: ${message}`);
      return { reason: `trainer CLI with ${workers} worker(s) failed: ${message}` };
    }
    const [runId] = await readdir(runDir);
    const journal = (await readFile(join(runDir, runId!, "journal.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { imagesPerSec: number; cpuShare: number; seconds: number });
    const last = journal.at(-1)!;
    const network = config.network as { architecture?: string; inputPool?: number };
    cases.push({
      workers,
      network: `${network.architecture ?? "?"} (shipped config${network.inputPool ? `, inputPool ${network.inputPool}` : ""})`,
      trainImages,
      valImages,
      batchSize: config.batchSize as number,
      imagesPerSec: round(last.imagesPerSec, 1),
      // The trainer reports the share of one core; the bench reports the share of the machine.
      cpuShare: round(last.cpuShare / cpus().length, 3),
      epochSeconds: round(last.seconds, 1),
      peakRssBytes: Number(await readFile(rssFile, "utf8").catch(() => "0")),
      wallSeconds: round((Date.now() - started) / 1000, 1),
    });
    log(
      `trainer CLI, ${workers} worker(s): ${cases.at(-1)!.imagesPerSec} images/s, CPU share ${cases.at(-1)!.cpuShare}`,
    );
  }
  return cases;
}
