import { runCli } from "@moodlens/shared";
import { cliDebug } from "../env";
import { usersCommand } from "./users-command";

await runCli(() => usersCommand(process.argv.slice(2)), { debug: cliDebug() });
