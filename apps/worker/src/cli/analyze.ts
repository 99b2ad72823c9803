import { runCli } from "@moodlens/shared";
import { cliDebug, loadWorkerConfig } from "../env";
import { analyzeCommand } from "./analyze-command";

await runCli(() => analyzeCommand(process.argv.slice(2), loadWorkerConfig()), { debug: cliDebug() });
