import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { listModelVersions, promoteModelVersion, registerModelVersion, getRun } from "@moodlens/db";
import { AppError } from "@moodlens/shared";
import { readModelMetadata } from "@moodlens/model";
import { withDatabase } from "../records/database";
import { syncRunToDatabase } from "../records/sync";
import { RUN_FILES, readStatus } from "../run/run-files";
import { resolveUserPath } from "../util/paths";
import { pct, num, table } from "../util/table";
import { runsDirectoryFrom } from "./runs-directory";

export async function modelsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      json: { type: "boolean" },
      "run-dir": { type: "string" },
      version: { type: "string" },
      path: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (sub) {
    case "list":
      return withDatabase(async (db) => {
        const versions = await listModelVersions(db.prisma);
        versions.sort((a, b) => Number(b.stage === "production") - Number(a.stage === "production"));
        if (values.json) return (out(JSON.stringify(versions)), 0);
        const metric = (m: unknown, key: string) =>
          m && typeof m === "object"
            ? ((m as Record<string, unknown>)[key] as number | undefined)
            : undefined;
        out(
          table([
            ["version", "stage", "run", "val acc", "val F1", "created", "path"],
            ...versions.map((v) => [
              v.version,
              v.stage,
              v.runId,
              pct(metric(v.metrics, "valAccuracy")),
              num(metric(v.metrics, "valMacroF1")),
              v.createdAt.toISOString().slice(0, 16),
              v.path,
            ]),
          ]),
        );
        return 0;
      });
    case "register": {
      const runId = positionals[0];
      if (!runId) throw new AppError("BAD_USER_INPUT", "models register needs a run id");
      const runDirectory = join(runsDirectoryFrom(values["run-dir"]), runId);
      if (!existsSync(join(runDirectory, RUN_FILES.spec)))
        throw new AppError("NOT_FOUND", `no run ${runId} in ${runsDirectoryFrom(values["run-dir"])}`, {
          hint: "pass --run-dir",
        });
      if (readStatus(runDirectory).status !== "completed") {
        throw new AppError(
          "CONFLICT",
          `run ${runId} has not finished; only finished runs have model files to register`,
          { hint: `resume it: npm run trainer -- train --resume ${runId}` },
        );
      }
      const modelDirectory = values.path ? resolveUserPath(values.path) : join(runDirectory, RUN_FILES.model);
      const metadata = await readModelMetadata(modelDirectory);
      if (metadata.runId !== runId)
        throw new AppError(
          "CONFLICT",
          `${modelDirectory} holds the model of run ${metadata.runId}, not ${runId}`,
        );
      return withDatabase(async (db) => {
        if (!(await getRun(db.prisma, runId))) await syncRunToDatabase(runDirectory, db);
        const version = await registerModelVersion(db.prisma, {
          ...(values.version ? { version: values.version } : {}),
          runId,
          path: modelDirectory,
          metrics: metadata.metrics,
          metadata: metadata as unknown as Record<string, unknown>,
          weightsSha256: metadata.weightsSha256,
        });
        out(`registered ${version.version} (${version.stage}) → ${version.path}`);
        return 0;
      });
    }
    case "promote": {
      const version = positionals[0];
      if (!version) throw new AppError("BAD_USER_INPUT", "models promote needs a version");
      return withDatabase(async (db) => {
        const { promoted, demoted } = await promoteModelVersion(db.prisma, version);
        out(
          `${promoted.version} is now production${demoted ? ` (${demoted.version} → ${demoted.stage})` : ""}; the API picks it up on its next refresh`,
        );
        return 0;
      });
    }
    default:
      throw new AppError("BAD_USER_INPUT", `unknown models command "${sub ?? ""}"`, {
        hint: "models list | register RUN_ID | promote VERSION",
      });
  }
}
