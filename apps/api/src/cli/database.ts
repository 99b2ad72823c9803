import { createDb, migrate, type Db } from "@moodlens/db";
import { loadConfig } from "../env";

/** Opens (and migrates) the database the API would use, from the same environment variables. */
export async function openDatabase(): Promise<Db> {
  const config = loadConfig();
  const db = await createDb({ ...(config.databaseUrl ? { url: config.databaseUrl } : {}), ...(config.dataDir ? { dataDir: config.dataDir } : {}) });
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
