import { createDb, migrate, type Db } from "@moodlens/db";
import { loadConfig } from "../env";

/** Where a CLI command writes and which environment it reads (tests pass their own). */
export interface CliIo {
  out: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export const defaultIo: CliIo = { out: (line) => process.stdout.write(`${line}\n`), env: process.env };

/** Opens (and migrates) the database the API would use, from the same environment variables. */
export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<Db> {
  const config = loadConfig(env);
  const db = await createDb({
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
  });
  try {
    await migrate(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
