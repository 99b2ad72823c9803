import { runCli } from "@moodlens/shared";
import { cliDebug } from "../env";
import { apikeyCommand } from "./apikey-command";

await runCli(() => apikeyCommand(process.argv.slice(2)), { debug: cliDebug() });
