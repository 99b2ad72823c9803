/**
 * A migrated database with a URL for pg-boss, on PostgreSQL (a fresh database) or on PGlite served over a socket
 * exactly as `npm start` serves it (pg-boss and child-process workers connect with a URL).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, serveEmbeddedDatabase, type Db } from "@moodlens/db";
import { createTestDatabase } from "@moodlens/db/testing";

export interface QueueTestDatabase {
  db: Db;
  url: string;
  /** Embedded only: the served data folder. */
  dataDir?: string;
  drop(): Promise<void>;
}

export async function openQueueTestDatabase(kind: "postgres" | "pglite"): Promise<QueueTestDatabase> {
  if (kind === "postgres") {
    const test = await createTestDatabase("postgres");
    return { db: test.db, url: test.url!, drop: () => test.drop() };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "videojobs-pglite-"));
  const server = await serveEmbeddedDatabase({ dataDir, port: 0 });
  const db = await createDb({ url: server.url, poolSize: 2 });
  return {
    db,
    url: server.url,
    dataDir,
    drop: async () => {
      await db.close();
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
