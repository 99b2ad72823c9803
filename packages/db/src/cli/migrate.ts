/**
 * `npm run migrate -w @moodlens/db`: applies pending migrations to DATABASE_URL, or to the embedded database
 * in MOODLENS_DATA_DIR when DATABASE_URL is unset. Works offline (wasm schema engine).
 */
import { runCli } from "@moodlens/shared";
import { createDb } from "../client";
import { migrate } from "../migrations/migrate";
import { defaultPgliteDir } from "../paths";

// A package CLI entry point: it is where this process's environment is read.
await runCli(
  async () => {
    const db = await createDb({
      url: process.env.DATABASE_URL,
      urlName: "DATABASE_URL",
      dataDir: defaultPgliteDir(process.env.MOODLENS_DATA_DIR),
    });
    try {
      const { applied } = await migrate(db);
      const where = db.kind === "postgres" ? db.url : db.dataDir;
      console.log(applied.length ? `applied ${applied.join(", ")} to ${where}` : `${where} is up to date`);
    } finally {
      await db.close();
    }
  },
  { debug: Boolean(process.env.MOODLENS_DEBUG) },
);
