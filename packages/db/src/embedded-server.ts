/**
 * Shares the embedded database between processes. PGlite allows one process per folder, but the API, the trainer
 * CLI and the seed script all want it at once; one process (the start script) opens the folder and serves it on
 * 127.0.0.1 with @electric-sql/pglite-socket, and the others connect with an ordinary postgres:// URL.
 *
 * PGlite is a single session: pglite-socket queues messages from all connections and, while one connection is in
 * a transaction, runs only that connection's messages, so transactions stay isolated (they are serialised).
 * Session state (SET, session advisory locks) is shared by all connections; we only rely on transaction-scoped
 * locks and on TimeZone=UTC, which is set once for the session here.
 */
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { AppError } from "@moodlens/shared";
import { openPgliteDb } from "./client";
import { migrate } from "./migrations/migrate";
import { defaultPgliteDir } from "./paths";

export interface ServeEmbeddedDatabaseOptions {
  /** PGlite folder (default $MOODLENS_DATA_DIR/pglite or <repo>/.data/pglite). */
  dataDir?: string;
  /** TCP port on 127.0.0.1 (0 = any free port; default 0). */
  port?: number;
  host?: string;
  /** Concurrent client connections accepted (default 20); queries still run one at a time. */
  maxConnections?: number;
  /** Apply pending migrations before serving (default true). */
  migrate?: boolean;
}

export interface EmbeddedDatabaseServer {
  /** postgres:// URL for DATABASE_URL of the other processes. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops serving, closes PGlite and releases the folder. */
  close(): Promise<void>;
}

/** Pool size clients should use against the embedded server: extra connections only queue. */
export const EMBEDDED_SERVER_POOL_SIZE = 2;

export async function serveEmbeddedDatabase(options: ServeEmbeddedDatabaseOptions = {}): Promise<EmbeddedDatabaseServer> {
  const dataDir = options.dataDir ?? defaultPgliteDir();
  const host = options.host ?? "127.0.0.1";
  const db = await openPgliteDb(dataDir);
  try {
    if (options.migrate ?? true) await migrate(db);
    // The serving process itself must not hold Prisma's connection: every client goes through the socket.
    await db.prisma.$disconnect();
    const server = new PGLiteSocketServer({ db: db.pglite, port: options.port ?? 0, host, maxConnections: options.maxConnections ?? 20 });
    try {
      await server.start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AppError("DATABASE_UNAVAILABLE", `cannot serve the embedded database on ${host}:${options.port ?? 0} (${code ?? (error as Error).message})`, {
        hint: code === "EADDRINUSE" ? "choose another port or stop the process using it" : "check the host and port",
        cause: error,
      });
    }
    const port = Number(server.getServerConn().split(":").pop());
    let closed: Promise<void> | undefined;
    return {
      url: `postgres://postgres@${host}:${port}/postgres`,
      port,
      dataDir,
      close: () =>
        (closed ??= (async () => {
          await server.stop();
          await db.close();
        })()),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
