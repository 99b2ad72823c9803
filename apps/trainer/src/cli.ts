import { AppError, runCli } from "@moodlens/shared";
import { trainCommand, TRAIN_USAGE } from "./commands/train";
import { runsCommand, RUNS_USAGE } from "./commands/runs";
import { evaluateCommand, EVALUATE_USAGE } from "./commands/evaluate";
import { importCommand, IMPORT_USAGE } from "./commands/import";
import { modelsCommand, MODELS_USAGE } from "./commands/models";
import { exportOnnxCommand, EXPORT_ONNX_USAGE } from "./commands/export-onnx";

const USAGE = `usage: npm run trainer -- <command> [options]

${IMPORT_USAGE}

${TRAIN_USAGE}

${EVALUATE_USAGE}

${RUNS_USAGE}

${MODELS_USAGE}

${EXPORT_ONNX_USAGE}
`;

type Command = (argv: string[]) => Promise<number | void>;

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  runs: runsCommand,
  evaluate: evaluateCommand,
  import: importCommand,
  models: modelsCommand,
  "export-onnx": exportOnnxCommand,
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
  const command = COMMANDS[name];
  if (!command) throw new AppError("BAD_USER_INPUT", `unknown command "${name}"`, { hint: `commands: ${Object.keys(COMMANDS).join(", ")}` });
  return command(rest);
}

await runCli(main);
