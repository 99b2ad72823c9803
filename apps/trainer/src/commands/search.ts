import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AppError } from "@moodlens/shared";
import { env } from "../env";
import { readCheckpointPointer } from "../run/checkpoint";
import { createRun } from "../run/create-run";
import { newRunId } from "../run/run-id";
import { applyTrial, gridTrials, randomTrials, validateSpace, type Trial } from "../training/search";
import { readStatus } from "../run/run-files";
import { databaseRecorder } from "../records/recorder";
import { resolveUserPath } from "../util/paths";
import { pct, table } from "../util/table";
import { choiceOption, intOption, jsonOption, required } from "./args";
import { runsDirectoryFrom } from "./runs-directory";
import { configFromArgs, RUN_DATA_OPTIONS, TRAINING_CONFIG_OPTIONS } from "./training-options";
import { SEARCH_USAGE } from "./usage";
import { logToStderr } from "../util/log";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "..", "cli.ts");

/** Runs one trial's training in its own process: its own wasm instance, so two trials use two cores. */
function runTrialProcess(runId: string, runsDirectory: string, log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", CLI, "train", "--resume", runId, "--run-dir", runsDirectory, "--no-progress"],
      {
        stdio: ["ignore", "ignore", "pipe"],
        env: process.env,
      },
    );
    child.stderr.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n"))
        if (/epoch \d+\/\d+ loss|best epoch|error/.test(line)) log(`[${runId}] ${line.trim()}`);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export async function searchCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...RUN_DATA_OPTIONS,
      ...TRAINING_CONFIG_OPTIONS,
      space: { type: "string" },
      mode: { type: "string" },
      trials: { type: "string" },
      workers: { type: "string" },
      json: { type: "boolean" },
    },
    strict: true,
  });
  const data = required(values.data, "data", SEARCH_USAGE.split("\n")[0]);
  if (!values.space) throw new AppError("BAD_USER_INPUT", "--space is required (JSON or a .json file)");
  const spaceText = values.space.trim().startsWith("{")
    ? values.space
    : readFileSync(resolveUserPath(values.space), "utf8");
  const space = validateSpace(jsonOption(spaceText, "space"));
  const mode = choiceOption(values.mode, "mode", ["grid", "random"] as const) ?? "grid";
  const requested = intOption(values.trials, "trials");
  const workers = intOption(values.workers, "workers") ?? 1;
  if (workers < 1 || workers > 8) throw new AppError("BAD_USER_INPUT", "--workers must be 1..8");
  const runsDirectory = runsDirectoryFrom(values["run-dir"]);
  const base = configFromArgs(values, runsDirectory);
  let trials: Trial[] = mode === "grid" ? gridTrials(space) : randomTrials(space, requested ?? 8, base.seed);
  if (requested !== undefined && mode === "grid") trials = trials.slice(0, requested);
  const experiment =
    values.experiment ?? `search-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, "")}`;
  const log = logToStderr;
  const options = { cacheDirectory: resolveUserPath(env().MOODLENS_CACHE_DIR), log };

  // Create every run first (validates each config and imports the data once), then train them in parallel.
  const runs: { runId: string; trial: Trial; runDirectory: string }[] = [];
  for (const [index, trial] of trials.entries()) {
    const config = applyTrial(base, trial);
    const runId = `${newRunId()}-t${String(index + 1).padStart(2, "0")}`;
    const created = await createRun(
      {
        runsDirectory,
        runId,
        experiment,
        name: `${experiment} trial ${index + 1}: ${JSON.stringify(trial)}`,
        config,
        dataPath: resolveUserPath(data),
        ...(values.val ? { valPath: resolveUserPath(values.val) } : {}),
      },
      options,
    );
    runs.push({ runId, trial, runDirectory: created.runDirectory });
  }
  log(
    `search ${experiment}: ${runs.length} trials (${mode}), ${base.epochs} epochs each, ${workers} worker${workers > 1 ? "s" : ""}`,
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, runs.length) }, async () => {
      while (next < runs.length) {
        const run = runs[next++]!;
        const code = await runTrialProcess(run.runId, runsDirectory, log);
        if (code !== 0) log(`[${run.runId}] exited with ${code}`);
      }
    }),
  );
  // The trials synced themselves epoch by epoch; one last pass catches what a busy embedded database postponed.
  const recorder = databaseRecorder();
  for (const run of runs) {
    const problem = await recorder.sync(run.runDirectory);
    if (problem) log(`[${run.runId}] database sync postponed: ${problem}`);
  }
  const results = runs.map((run) => {
    const pointer = readCheckpointPointer(run.runDirectory);
    return {
      ...run,
      status: readStatus(run.runDirectory).status,
      bestValAccuracy: pointer?.trainer.bestValAccuracy ?? null,
      bestEpoch: pointer?.trainer.bestEpoch ?? null,
      epochs: pointer?.epoch ?? 0,
    };
  });
  const ranked = [...results].sort((a, b) => (b.bestValAccuracy ?? -1) - (a.bestValAccuracy ?? -1));
  const best = ranked[0];
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ experiment, best: best?.runId ?? null, trials: ranked.map(({ runDirectory: _d, ...r }) => r) })}\n`,
    );
  } else {
    process.stdout.write(
      `${table([["run", "status", "epochs", "best val acc", "best epoch", "trial"], ...ranked.map((r) => [r.runId, r.status, r.epochs, pct(r.bestValAccuracy), r.bestEpoch, JSON.stringify(r.trial)])])}\n` +
        `best: ${best?.runId} (${pct(best?.bestValAccuracy)})\n`,
    );
  }
  return results.every((r) => r.status === "completed") ? 0 : 1;
}
