import { runCli } from "@moodlens/shared";
import { cliDebug } from "../env";
import { seedCommand } from "./seed-command";

await runCli(() => seedCommand(process.argv.slice(2)), { debug: cliDebug() });
