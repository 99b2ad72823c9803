import { AppError, runCli } from "@moodlens/shared";
import { COMMAND_USAGE, USAGE } from "./commands/usage";
import { cliDebug } from "./env";

type Command = (argv: string[]) => Promise<number | void>;

/** Commands load on demand: `runs sync` (run after every epoch) must not pay for tfjs it never uses. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  import: async () => (await import("./commands/import")).importCommand,
  train: async () => (await import("./commands/train")).trainCommand,
  evaluate: async () => (await import("./commands/evaluate")).evaluateCommand,
  calibrate: async () => (await import("./commands/calibrate")).calibrateCommand,
  runs: async () => (await import("./commands/runs")).runsCommand,
  search: async () => (await import("./commands/search")).searchCommand,
  models: async () => (await import("./commands/models")).modelsCommand,
  "export-onnx": async () => (await import("./commands/export-onnx")).exportOnnxCommand,
  quantize: async () => (await import("./commands/quantize")).quantizeCommand,
  ensemble: async () => (await import("./commands/ensemble")).ensembleCommand,
};

// `trainer … | head` closes stdout early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

async function main(): Promise<number | void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load)
    throw new AppError("BAD_USER_INPUT", `unknown command "${name}"`, {
      hint: `commands: ${Object.keys(COMMANDS).join(", ")}`,
    });
  const command = await load();
  try {
    return await command(rest);
  } catch (error) {
    // node:util parseArgs (strict) rejects an unknown option or a missing value: a usage error, with the usage.
    const code = (error as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
      throw new AppError("BAD_USER_INPUT", (error as Error).message, {
        hint: `usage: npm run trainer -- ${COMMAND_USAGE[name]!.split("\n")[0]!.replace(/\s{2,}.*$/, "")}; every option: npm run trainer -- help`,
      });
    }
    throw error;
  }
}

await runCli(main, { debug: cliDebug() });
// Database pools, the migration engine and tfjs keep handles open for a while after the work is done; a CLI
// command is over when main returns, so flush the output and leave (measured: ~12 s of idle lingering otherwise).
await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
process.exit(process.exitCode ?? 0);
