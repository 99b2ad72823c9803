import { createDb, migrate, type Db } from "@moodlens/db";
import type { ApiConfig } from "../config";

/** Where a CLI command writes and which environment it reads. */
export interface CliIo {
  out: (line: string) => void;
  /** The environment env.ts's loadConfig parses (tests pass their own); unset: this process's. */
  env?: NodeJS.ProcessEnv;
}

export const defaultIo: CliIo = { out: (line) => process.stdout.write(`${line}\n`) };

/** Opens (and migrates) the database the API would use, from its configuration (loadConfig in env.ts). */
export async function openDatabase(config: Pick<ApiConfig, "databaseUrl" | "dataDir">): Promise<Db> {
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
