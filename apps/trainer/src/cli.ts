import { AppError, runCli } from "@moodlens/shared";
import { trainCommand, TRAIN_USAGE } from "./commands/train";

const USAGE = `usage: npm run trainer -- <command> [options]

${TRAIN_USAGE}
`;

type Command = (argv: string[]) => Promise<number | void>;

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
};

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
