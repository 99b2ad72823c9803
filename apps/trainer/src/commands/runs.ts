import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compareRuns, getRun, listRuns } from "@moodlens/db";
import { AppError } from "@moodlens/shared";
import { withDatabase } from "../records/database";
import { syncRunToDatabase } from "../records/sync";
import { RUN_FILES } from "../run/run-files";
import { num, pct, table } from "../util/table";
import { runsDirectoryFrom } from "./runs-directory";

const print = (text: string) => process.stdout.write(`${text}\n`);

export async function runsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      json: { type: "boolean" },
      experiment: { type: "string" },
      "run-dir": { type: "string" },
      to: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  switch (sub) {
    case "sync":
      return syncCommand(positionals, runsDirectoryFrom(values["run-dir"]));
    case "snapshot": {
      const id = positionals[0];
      if (!id || !values.to)
        throw new AppError("BAD_USER_INPUT", "runs snapshot needs a run id and --to DIR");
      const directory = join(runsDirectoryFrom(values["run-dir"]), id);
      if (!existsSync(join(directory, RUN_FILES.spec)))
        throw new AppError("NOT_FOUND", `no run ${id} in ${runsDirectoryFrom(values["run-dir"])}`);
      const { snapshotRun } = await import("../run/snapshot");
      const { env } = await import("../env");
      const { resolveUserPath } = await import("../util/paths");
      const target = resolveUserPath(values.to);
      const metadata = await snapshotRun(directory, target, {
        cacheDirectory: resolveUserPath(env().MOODLENS_CACHE_DIR),
      });
      print(
        `wrote ${target} (run ${metadata.runId}, epoch ${metadata.metrics.bestEpoch} of ${metadata.metrics.epochs}, val accuracy ${pct(metadata.metrics.valAccuracy)})`,
      );
      return 0;
    }
    case "list":
      return withDatabase(async (db) => {
        const runs = await listRuns(
          db.prisma,
          values.experiment ? { experimentName: values.experiment } : {},
        );
        if (values.json) return (print(JSON.stringify(runs)), 0);
        if (runs.length === 0) {
          print(
            `no runs${values.experiment ? ` in experiment "${values.experiment}"` : ""} in the database yet. Start one:`,
          );
          print(
            "  npm run trainer -- train --data ../shared/datasets/fer2013/train --val ../shared/datasets/fer2013/val --epochs 2",
          );
          print("or push run folders trained with --no-db: npm run trainer -- runs sync");
          return 0;
        }
        print(
          table([
            [
              "run",
              "experiment",
              "status",
              "arch",
              "epochs",
              "best val acc",
              "best val F1",
              "img/s",
              "started",
            ],
            ...runs.map((run) => [
              run.id,
              run.experimentName,
              run.status,
              run.architecture,
              run.epochCount,
              pct(run.bestValAccuracy),
              num(run.bestValMacroF1),
              num(run.imagesPerSec, 1),
              run.startedAt?.toISOString().slice(0, 16),
            ]),
          ]),
        );
        return 0;
      });
    case "show": {
      const id = positionals[0];
      if (!id) throw new AppError("BAD_USER_INPUT", "runs show needs a run id");
      return withDatabase(async (db) => {
        const run = await getRun(db.prisma, id);
        if (!run)
          throw new AppError("NOT_FOUND", `no run "${id}" in the database`, {
            hint: "`npm run trainer -- runs sync` pushes local run folders",
          });
        if (values.json) return (print(JSON.stringify(run)), 0);
        print(
          `run ${run.id} (${run.name}) — experiment ${run.experimentName}, ${run.status}, backend ${run.backend}, code ${run.codeVersion}`,
        );
        print(
          `dataset ${run.datasetFingerprint?.slice(0, 16)}…, seed ${run.seed}, ${num(run.durationSeconds, 0)} s, ${num(run.imagesPerSec, 1)} img/s, cpu share ${num(run.cpuShare, 2)}`,
        );
        print("\nparams");
        print(
          table([
            ["key", "value"],
            ...Object.entries((run.params ?? {}) as Record<string, unknown>).map(([k, v]) => [
              k,
              JSON.stringify(v),
            ]),
          ]),
        );
        print("\nepochs");
        print(
          table([
            ["epoch", "loss", "acc", "val loss", "val acc", "val F1", "lr", "s", "img/s"],
            ...run.epochs.map((e) => [
              e.epoch,
              num(e.loss),
              pct(e.accuracy),
              num(e.valLoss),
              pct(e.valAccuracy),
              num(e.valMacroF1),
              e.learningRate?.toExponential(2),
              num(e.seconds, 0),
              num(e.imagesPerSec, 1),
            ]),
          ]),
        );
        if (run.evaluations.length) {
          print("\nevaluations");
          print(
            table([
              ["split", "data", "samples", "accuracy", "macro F1", "ECE", "ECE after T", "T"],
              ...run.evaluations.map((e) => [
                e.split,
                e.datasetName,
                e.samples,
                pct(e.accuracy),
                num(e.macroF1),
                num(e.ece),
                num(e.eceAfterTemperature),
                num(e.temperature, 3),
              ]),
            ]),
          );
        }
        if (run.modelVersions.length)
          print(`\nmodel versions: ${run.modelVersions.map((v) => `${v.version} (${v.stage})`).join(", ")}`);
        return 0;
      });
    }
    case "compare": {
      if (positionals.length < 2)
        throw new AppError("BAD_USER_INPUT", "runs compare needs at least two run ids");
      return withDatabase(async (db) => {
        const comparison = await compareRuns(db.prisma, positionals);
        if (values.json) return (print(JSON.stringify(comparison)), 0);
        const ids = comparison.runs.map((run) => run.id);
        print("parameters that differ");
        print(
          comparison.differingParams.length
            ? table([
                ["param", ...ids],
                ...comparison.differingParams.map((p) => [p.key, ...p.values.map((v) => JSON.stringify(v))]),
              ])
            : "(none)",
        );
        print("\nmetrics (* = best)");
        print(
          table([
            ["metric", ...ids],
            ...comparison.metrics.map((m) => [
              m.name,
              ...m.values.map(
                (v, i) =>
                  `${typeof v === "number" ? (Math.abs(v) < 10 ? v.toFixed(4) : v.toFixed(1)) : "-"}${m.bestIndex === i && comparison.runs.length > 1 ? " *" : ""}`,
              ),
            ]),
          ]),
        );
        return 0;
      });
    }
    default:
      throw new AppError("BAD_USER_INPUT", `unknown runs command "${sub ?? ""}"`, {
        hint: "runs list | show | compare | sync | snapshot",
      });
  }
}

async function syncCommand(ids: string[], runsDirectory: string): Promise<number> {
  const all = existsSync(runsDirectory)
    ? readdirSync(runsDirectory).filter((name) => existsSync(join(runsDirectory, name, RUN_FILES.spec)))
    : [];
  const targets = ids.length ? ids : all;
  if (targets.length === 0) throw new AppError("NOT_FOUND", `no runs in ${runsDirectory}`);
  let failures = 0;
  await withDatabase(async (db) => {
    for (const id of targets) {
      const directory = join(runsDirectory, id);
      if (!existsSync(join(directory, RUN_FILES.spec)))
        throw new AppError("NOT_FOUND", `no run ${id} in ${runsDirectory}`);
      try {
        const result = await syncRunToDatabase(directory, db);
        process.stderr.write(
          `synced ${id}: ${result.epochs} epochs${result.evaluation ? ", evaluation" : ""}${result.final ? ", final status" : ""}${result.modelVersion ? `, model ${result.modelVersion}` : ""}\n`,
        );
      } catch (error) {
        failures += 1;
        process.stderr.write(
          `sync of ${id} failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n`,
        );
      }
    }
  });
  if (failures > 0)
    throw new AppError("DATABASE_UNAVAILABLE", `${failures} of ${targets.length} runs could not be synced`);
  return 0;
}
