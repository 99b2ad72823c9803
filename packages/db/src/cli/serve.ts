/**
 * `npm run serve-embedded -w @moodlens/db [-- --port 5433]`: serves the embedded PGlite database on 127.0.0.1 so
 * several processes (API, trainer, seed) can use it at once with DATABASE_URL=<printed url>. Stops on Ctrl-C.
 */
import { AppError, runCli } from "@moodlens/shared";
import { serveEmbeddedDatabase } from "../embedded-server";
import { defaultPgliteDir } from "../paths";

// A package CLI entry point: it is where this process's environment is read.
await runCli(
  async () => {
    const portFlag = process.argv.indexOf("--port");
    const port =
      portFlag >= 0 ? Number(process.argv[portFlag + 1]) : Number(process.env.MOODLENS_DB_PORT ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new AppError("BAD_USER_INPUT", "--port must be a TCP port number");
    const server = await serveEmbeddedDatabase({
      port,
      dataDir: defaultPgliteDir(process.env.MOODLENS_DATA_DIR),
    });
    console.log(`embedded database ${server.dataDir} served at ${server.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await server.close();
  },
  { debug: Boolean(process.env.MOODLENS_DEBUG) },
);
