/**
 * `npm run worker`: one video worker process (start as many as you like, on any machine that reaches the
 * database). SIGTERM/SIGINT drain: no new jobs, running ones finish their attempt, then exit.
 */
import { runCli } from "@moodlens/shared";
import { cliDebug, loadWorkerConfig } from "./env";
import { startWorker } from "./worker";

await runCli(
  async () => {
    const worker = await startWorker(loadWorkerConfig());
    await new Promise<void>((resolve) => {
      const drain = (signal: string) => {
        console.log(`[worker] ${signal}: draining`);
        void worker.stop().finally(resolve);
      };
      process.once("SIGTERM", () => drain("SIGTERM"));
      process.once("SIGINT", () => drain("SIGINT"));
    });
  },
  { debug: cliDebug() },
);
