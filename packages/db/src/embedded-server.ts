/**
 * Shares the embedded database between processes. PGlite allows one process per folder, but the API, the trainer
 * CLI and the seed script all want it at once; one process (the start script) opens the folder and serves it on
 * 127.0.0.1 with @electric-sql/pglite-socket, and the others connect with an ordinary postgres:// URL.
 *
 * PGlite is a single session. pglite-socket 0.2.17 queues each protocol MESSAGE on its own and only keeps a
 * connection exclusive while PGlite is inside a transaction; outside one, the Parse/Bind/Execute/Sync messages of
 * two connections interleave and corrupt each other (measured: "analysis vanished", random protocol errors with
 * two clients). We replace its queue with one that gives a connection the session from its first message until
 * the end of its message group (Sync or simple Query) and for as long as it holds a transaction open. Result:
 * statements and transactions from any number of connections run one at a time, each group intact.
 * Session state (SET, session advisory locks) is shared by all connections; we only rely on transaction-scoped
 * locks and on TimeZone=UTC, which is set once for the session here.
 */
import type { PGlite } from "@electric-sql/pglite";
import { rmSync, writeFileSync } from "node:fs";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { AppError } from "@moodlens/shared";
import { openPgliteDb } from "./client";
import { migrate } from "./migrations/migrate";
import { defaultPgliteDir, embeddedServerFile } from "./paths";

const SYNC = 0x53; // 'S': ends an extended-protocol group
const QUERY = 0x51; // 'Q': a simple query is a group by itself
const TERMINATE = 0x58; // 'X'
const STARTUP = 0x00; // startup/SSL messages start with a length, whose first byte is 0

/** Drop-in for pglite-socket's internal QueryQueueManager (same method names), exclusive per message group. */
class MessageGroupQueue {
  private owner: number | null = null;
  private waiters: (() => void)[] = [];

  constructor(private readonly db: PGlite) {}

  async enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    while (this.owner !== null && this.owner !== handlerId)
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.owner = handlerId;
    let bytes = 0;
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(message, {
        onRawData: (data: Uint8Array) => {
          bytes += data.length;
          onData(data);
        },
      }),
    );
    const type = message[0];
    const endsGroup = type === SYNC || type === QUERY || type === TERMINATE || type === STARTUP;
    if (endsGroup && !this.db.isInTransaction()) this.release();
    return bytes;
  }

  private release(): void {
    this.owner = null;
    for (const wake of this.waiters.splice(0)) wake();
  }

  getQueueLength(): number {
    return this.waiters.length;
  }

  clearQueueForHandler(_handlerId: number): void {
    // Nothing queued per handler: waiters re-check ownership when woken.
  }

  /** A connection went away: undo its open transaction and hand the session to the next one. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK").catch(() => {});
    this.release();
  }
}

export interface ServeEmbeddedDatabaseOptions {
  /** PGlite folder; default <repo>/.data/pglite (callers pass defaultPgliteDir(MOODLENS_DATA_DIR)). */
  dataDir?: string;
  /** TCP port on 127.0.0.1 (0 = any free port; default 0). */
  port?: number;
  host?: string;
  /** Concurrent client connections accepted (default 20); queries still run one at a time. */
  maxConnections?: number;
  /** Apply pending migrations before serving (default true). */
  migrate?: boolean;
  /** Start a NEW folder from this PGlite dump instead of initdb (tests). */
  pgliteSnapshot?: Blob;
}

export interface EmbeddedDatabaseServer {
  /** postgres:// URL for DATABASE_URL of the other processes. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops serving, closes PGlite and releases the folder. */
  close(): Promise<void>;
}

export async function serveEmbeddedDatabase(
  options: ServeEmbeddedDatabaseOptions = {},
): Promise<EmbeddedDatabaseServer> {
  const dataDir = options.dataDir ?? defaultPgliteDir();
  const host = options.host ?? "127.0.0.1";
  const db = await openPgliteDb(dataDir, options.pgliteSnapshot);
  try {
    if (options.migrate ?? true) await migrate(db);
    // The serving process itself must not hold Prisma's connection: every client goes through the socket.
    await db.prisma.$disconnect();
    const server = new PGLiteSocketServer({
      db: db.pglite,
      port: options.port ?? 0,
      host,
      maxConnections: options.maxConnections ?? 20,
    });
    (server as unknown as { queryQueue: MessageGroupQueue }).queryQueue = new MessageGroupQueue(db.pglite);
    try {
      await server.start();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AppError(
        "DATABASE_UNAVAILABLE",
        `cannot serve the embedded database on ${host}:${options.port ?? 0} (${code ?? (error as Error).message})`,
        {
          hint:
            code === "EADDRINUSE"
              ? "choose another port or stop the process using it"
              : "check the host and port",
          cause: error,
        },
      );
    }
    const port = Number(server.getServerConn().split(":").pop());
    const url = `postgres://postgres@${host}:${port}/postgres`;
    // Advertise the server so that createDb() in other local processes (seed, apikey, trainer) connects to it
    // instead of failing on the folder lock.
    const advertisement = embeddedServerFile(dataDir);
    writeFileSync(advertisement, JSON.stringify({ url, pid: process.pid }) + "\n");
    let closed: Promise<void> | undefined;
    return {
      url,
      port,
      dataDir,
      close: () =>
        (closed ??= (async () => {
          rmSync(advertisement, { force: true });
          await server.stop();
          await db.close();
        })()),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
