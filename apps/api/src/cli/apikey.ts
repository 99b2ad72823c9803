import { runCli } from "@moodlens/shared";
import { apikeyCommand } from "./apikey-command";

await runCli(() => apikeyCommand(process.argv.slice(2)));
