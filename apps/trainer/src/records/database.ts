import { createDb, defaultPgliteDir, migrate, type Db } from "@moodlens/db";
import { env } from "../env";

/**
 * Opens the trainer's database (DATABASE_URL → PostgreSQL, else embedded PGlite in MOODLENS_DATA_DIR), brings
 * its schema up to date, runs `fn`, and always closes it: the embedded database allows one process at a time,
 * so the trainer never holds it longer than one command.
 */
export async function withDatabase<T>(fn: (db: Db) => Promise<T>, given?: Db): Promise<T> {
  if (given) return fn(given);
  const db = await createDb({
    url: env().DATABASE_URL,
    urlName: "DATABASE_URL",
    dataDir: defaultPgliteDir(env().MOODLENS_DATA_DIR),
  });
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
  }
}
