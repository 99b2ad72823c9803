/**
 * `npm start` after the install step: database → migrations → default model → API + dashboard, with their URLs.
 *
 * Without DATABASE_URL the embedded PostgreSQL (PGlite) in MOODLENS_DATA_DIR is opened here, in this process, and
 * served on 127.0.0.1 so that the API, the dashboard (sign-in sessions) and CLIs such as `npm run seed` can all use it
 * at once (PGlite itself allows one process per folder). Every failure before the platform is up is one line naming
 * the problem and the fix, and a non-zero exit; nothing is left half-started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDb,
  defaultDataDir,
  defaultPgliteDir,
  migrate,
  describeSeededModel,
  seedDefaultModel,
  serveEmbeddedDatabase,
  type EmbeddedDatabaseServer,
} from "@moodlens/db";
import { AppError, runCli } from "@moodlens/shared";
import { ensureAuthSecret, firstAdminHint, retireLegacyDashboardKey } from "./dashboard-auth";
import { supervise, type Supervised } from "./supervise";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DEFAULT_MODEL_DIR = path.join(ROOT, "models", "default");
const READY_TIMEOUT_MS = 180_000;

interface PlatformConfig {
  apiPort: number;
  dashboardPort: number;
  /** Interface the dashboard listens on: 127.0.0.1 unless MOODLENS_DASHBOARD_HOST says otherwise. */
  dashboardHost: string;
  embeddedDbPort: number;
  databaseUrl: string | undefined;
  dataDir: string;
  modelDir: string;
}

function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new AppError("CONFIG_INVALID", `${name}=${raw} is not a port number`, {
      hint: "use an integer 1-65535",
    });
  }
  return port;
}

function readConfig(): PlatformConfig {
  return {
    apiPort: readPort("MOODLENS_API_PORT", readPort("PORT", 4000)),
    dashboardPort: readPort("MOODLENS_DASHBOARD_PORT", 3000),
    dashboardHost: process.env.MOODLENS_DASHBOARD_HOST?.trim() || "127.0.0.1",
    embeddedDbPort: readPort("MOODLENS_DB_PORT", 54329),
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: defaultDataDir(process.env.MOODLENS_DATA_DIR),
    modelDir: process.env.MOODLENS_MODEL_DIR || DEFAULT_MODEL_DIR,
  };
}

/** Fails early, before anything starts, when a port is taken. */
async function assertPortFree(port: number, variable: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new AppError("CONFIG_INVALID", `port ${port} is already in use (${error.code})`, {
          hint: `stop the process using it or set ${variable} to another port`,
        }),
      ),
    );
    probe.listen(port, "0.0.0.0", () => probe.close(() => resolve()));
  });
}

async function waitFor(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new AppError("INTERNAL", `${name} exited during start (code ${child.exitCode})`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new AppError("INTERNAL", `${name} did not answer at ${url} within ${READY_TIMEOUT_MS / 1000}s`);
}

async function prepareDatabase(
  config: PlatformConfig,
): Promise<{ url: string; embedded?: EmbeddedDatabaseServer }> {
  mkdirSync(config.dataDir, { recursive: true });
  if (config.databaseUrl) {
    const db = await createDb({ url: config.databaseUrl });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    return { url: config.databaseUrl };
  }
  await assertPortFree(config.embeddedDbPort, "MOODLENS_DB_PORT");
  // serveEmbeddedDatabase advertises the server in the PGlite folder (<dataDir>/pglite/moodlens-server.json) and
  // withdraws it on close: createDb() in the other local processes (seed, apikey, trainer) finds it there.
  const embedded = await serveEmbeddedDatabase({
    port: config.embeddedDbPort,
    dataDir: defaultPgliteDir(config.dataDir),
  });
  return { url: embedded.url, embedded };
}

async function registerDefaultModel(url: string, modelDir: string): Promise<string> {
  const db = await createDb({ url, poolSize: 1 });
  try {
    return describeSeededModel(
      await seedDefaultModel(db.prisma, modelDir),
      path.relative(ROOT, modelDir) || modelDir,
    );
  } finally {
    await db.close();
  }
}

/**
 * Builds the dashboard; turbo caches the Next.js build, so only the first start (or a changed dashboard) pays.
 * Asynchronous on purpose: this process also serves the embedded database, which must keep answering meanwhile.
 */
async function buildDashboard(): Promise<void> {
  process.stdout.write("moodlens: building the dashboard (cached after the first start)…\n");
  const build = spawn(
    "npx",
    ["turbo", "run", "build", "--filter=@moodlens/dashboard", "--output-logs=errors-only"],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1" },
    },
  );
  const code = await new Promise<number | null>((resolve) => build.once("exit", resolve));
  if (code !== 0) throw new AppError("INTERNAL", "the dashboard build failed (see the output above)");
}

await runCli(
  async () => {
    const config = readConfig();
    await assertPortFree(config.apiPort, "MOODLENS_API_PORT");
    await assertPortFree(config.dashboardPort, "MOODLENS_DASHBOARD_PORT");

    const children: Supervised[] = [];
    let embedded: EmbeddedDatabaseServer | undefined;
    let stopping = false;
    /** Stops the children and the embedded database; safe to call more than once. */
    const shutdown = async () => {
      if (stopping) return;
      stopping = true;
      await Promise.all(children.map((child) => child.stop()));
      if (embedded) await embedded.close();
    };
    const stop = (code: number) => void shutdown().finally(() => process.exit(code));
    process.on("SIGINT", () => stop(0));
    process.on("SIGTERM", () => stop(0));

    try {
      const database = await prepareDatabase(config);
      embedded = database.embedded;
      const where = embedded
        ? `embedded PostgreSQL (PGlite) in ${embedded.dataDir}`
        : "PostgreSQL from DATABASE_URL";
      process.stdout.write(`moodlens: database ready: ${where}\n`);
      process.stdout.write(
        `moodlens: default model: ${await registerDefaultModel(database.url, config.modelDir)}\n`,
      );
      const authSecret = ensureAuthSecret(config.dataDir);
      const retired = await retireLegacyDashboardKey(database.url, config.dataDir);
      if (retired)
        process.stdout.write(
          `moodlens: revoked ${retired} all-scope dashboard API key(s) of earlier versions: the dashboard now acts as the signed-in user\n`,
        );
      await buildDashboard();

      const childEnv = { ...process.env, DATABASE_URL: database.url, NEXT_TELEMETRY_DISABLED: "1" };
      // Supervised: a part that dies (the API after a database outage, say) is restarted with backoff, alone.
      const api = supervise("the API", () =>
        spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "apps/api/src/main.ts")], {
          cwd: ROOT,
          stdio: "inherit",
          env: { ...childEnv, PORT: String(config.apiPort) },
        }),
      );
      children.push(api);
      const apiUrl = `http://localhost:${config.apiPort}`;
      const dashboard = supervise("the dashboard", () =>
        spawn(
          process.execPath,
          [
            path.join(ROOT, "node_modules/next/dist/bin/next"),
            "start",
            "-p",
            String(config.dashboardPort),
            "-H",
            config.dashboardHost,
          ],
          {
            cwd: path.join(ROOT, "apps/dashboard"),
            stdio: "inherit",
            env: {
              ...childEnv,
              MOODLENS_API_URL: `${apiUrl}/graphql`,
              MOODLENS_AUTH_SECRET: authSecret,
              MOODLENS_DASHBOARD_URL:
                process.env.MOODLENS_DASHBOARD_URL || `http://localhost:${config.dashboardPort}`,
            },
          },
        ),
      );
      children.push(dashboard);
      // One video worker in the platform (`npm run worker` starts more, here or on other machines); SIGTERM drains it.
      children.push(
        supervise("the video worker", () =>
          spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "apps/worker/src/main.ts")], {
            cwd: ROOT,
            stdio: "inherit",
            env: childEnv,
          }),
        ),
      );
      // A part that cannot even start (bad configuration) fails the start instead of restarting forever.
      await waitFor(`${apiUrl}/healthz`, api.current(), "the API");
      await waitFor(`http://localhost:${config.dashboardPort}/`, dashboard.current(), "the dashboard");
      const adminHint = await firstAdminHint(database.url);
      const wider =
        config.dashboardHost === "127.0.0.1"
          ? " (this machine only; MOODLENS_DASHBOARD_HOST=0.0.0.0 to listen wider)"
          : ` (listening on ${config.dashboardHost})`;
      process.stdout.write(
        `\nMoodlens is running:\n  API        ${apiUrl}/graphql\n  Dashboard  http://localhost:${config.dashboardPort}${wider}\n` +
          (adminHint ? `${adminHint}\n` : "") +
          `  Videos     npm run analyze -- video FILE (one worker runs; npm run worker adds more)\n` +
          `Stop with Ctrl+C. Demo data: npm run seed -- --demo\n`,
      );
      await new Promise(() => {}); // run until a signal; children that die are restarted
    } catch (error) {
      await shutdown().catch(() => {});
      throw error;
    }
  },
  { debug: Boolean(process.env.MOODLENS_DEBUG) },
);
