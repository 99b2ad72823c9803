import { runCli } from "@moodlens/shared";
import { seedCommand } from "./seed-command";

await runCli(() => seedCommand(process.argv.slice(2)));
