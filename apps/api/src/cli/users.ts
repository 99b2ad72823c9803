import { runCli } from "@moodlens/shared";
import { usersCommand } from "./users-command";

await runCli(() => usersCommand(process.argv.slice(2)));
