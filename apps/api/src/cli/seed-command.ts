import { deleteDemoData, describeSeededModel, seedDefaultModel, seedDemoData } from "@moodlens/db";
import { AppError } from "@moodlens/shared";
import { loadConfig } from "../env";
import { DEFAULT_MODEL_DIR } from "../services/model-host";
import { parseArgs, stringFlag } from "./args";
import { defaultIo, openDatabase, type CliIo } from "./database";

const USAGE = `usage:
  npm run seed -- --demo [--days 42] [--faces-per-day 250] [--seed 1]   synthetic analyses (marked demo) + register the default model
  npm run seed -- --model-only                                           only register models/default as the active model
  npm run seed -- --delete-demo                                          remove the demo analyses again`;

function positiveInt(args: ReturnType<typeof parseArgs>, name: string): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new AppError("BAD_USER_INPUT", `--${name} must be a positive integer`);
  return value;
}

/** `npm run seed -- --demo`: synthetic analyses marked as demo, plus models/default registered as the active model. */
export async function seedCommand(argv: readonly string[], io: CliIo = defaultIo): Promise<void> {
  const out = io.out;
  const args = parseArgs(argv, ["demo", "model-only", "delete-demo", "help"]);
  const demo = args.flags.has("demo");
  const modelOnly = args.flags.has("model-only");
  const deleteDemo = args.flags.has("delete-demo");
  if (args.flags.has("help") || [demo, modelOnly, deleteDemo].filter(Boolean).length !== 1) {
    out(USAGE);
    if (args.flags.has("help")) return;
    throw new AppError("BAD_USER_INPUT", "choose exactly one of --demo, --model-only, --delete-demo");
  }
  const options = {
    days: positiveInt(args, "days"),
    facesPerDay: positiveInt(args, "faces-per-day"),
    seed: positiveInt(args, "seed"),
  };
  const config = loadConfig(io.env);
  const modelDir = config.modelDir ?? DEFAULT_MODEL_DIR;
  const db = await openDatabase(config);
  try {
    if (deleteDemo) {
      const { analyses } = await deleteDemoData(db.prisma, options.seed ? { seed: options.seed } : {});
      out(`deleted ${analyses} demo analyses`);
      return;
    }
    const model = await seedDefaultModel(db.prisma, modelDir);
    out(describeSeededModel(model, modelDir));
    if (modelOnly) return;
    const started = Date.now();
    const result = await seedDemoData(
      db.prisma,
      Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    );
    if (result.skipped)
      out(
        `demo data for this seed is already loaded (${result.from.toISOString()} .. ${result.to.toISOString()}); nothing added`,
      );
    else {
      out(
        `seeded ${result.analyses} demo analyses with ${result.faces} faces from ${result.from.toISOString()} to ${result.to.toISOString()} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      out(
        "demo rows are marked is_demo (filter with demo: false); remove them with npm run seed -- --delete-demo",
      );
    }
  } finally {
    await db.close();
  }
}
