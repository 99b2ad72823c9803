import { runCli } from "@moodlens/shared";
import { cliDebug, loadConfig } from "./env";
import { startApiServer } from "./server";

/** `npm start -w @moodlens/api`: env -> config, start, and shut down cleanly on SIGTERM/SIGINT (PGlite must close). */
await runCli(
  async () => {
    const config = loadConfig();
    const server = await startApiServer(config);
    process.stdout.write(`Moodlens API ready at ${server.graphqlUrl}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.stderr.write(`${signal}: shutting down\n`);
        process.off("SIGTERM", stop);
        process.off("SIGINT", stop);
        // A second signal while draining means "now".
        process.once(signal, () => process.exit(130));
        void server.close().finally(resolve);
      };
      process.on("SIGTERM", stop);
      process.on("SIGINT", stop);
    });
  },
  { debug: cliDebug() },
);
