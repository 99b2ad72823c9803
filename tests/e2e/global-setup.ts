/**
 * Starts the product the way a user does (`npm start`) on a fresh embedded database in a temporary data folder,
 * with free ports, then fills it through the real CLIs only: demo analyses (`npm run seed -- --demo`), API keys
 * (`npm run apikey -- create`), dashboard users (`npm run users -- create`, then signed in through the sign-in
 * form; their cookies are saved for the ui project), and two tiny training runs (the trainer CLI on a 42-image slice of FER-2013).
 * When models/default is not trained yet, the first run's model is promoted through the API's promoteModel
 * mutation so that analysis works (its weights are nearly random: tests never assert emotions from it).
 * Returns the teardown: SIGTERM to the launcher's process group, then the temporary folder is removed.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type FullConfig } from "@playwright/test";
import { fetchGraphQL } from "./support/graphql";
import {
  ADMIN_STORAGE_STATE,
  ANALYST_STORAGE_STATE,
  AUTH_DIR,
  DEFAULT_MODEL_DIR,
  FER_TRAIN_DIR,
  RESULTS_DIR,
  SCREENSHOTS_DIR,
  STACK_LOG,
} from "./support/paths";
import {
  GroupProcess,
  TOOL_ENV,
  freePorts,
  killAllNow,
  mustRun,
  type CommandResult,
} from "./support/processes";
import { STATE_ENV, type E2EState } from "./support/state";

const STACK_START_TIMEOUT_MS = 720_000; // includes a Next.js build when turbo's cache misses (8 min seen at load average 20)
const CLI_TIMEOUT_MS = 300_000;
const IMAGES_PER_CLASS = 6;
/** 60 days: the default 30-day view and its previous period are both full; ~100 faces a day seeds in seconds. */
const SEED_DAYS = 60;
const SEED_FACES_PER_DAY = 100;
const EMOTION_FOLDERS = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"];

const log = (message: string) => process.stdout.write(`[e2e setup] ${message}\n`);
const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

/** The secret is printed alone on the last line of `npm run apikey -- create`. */
function lastLine(output: string): string {
  const lines = output.trim().split("\n");
  return lines[lines.length - 1]!.trim();
}

/** A tiny folder-tree dataset (class folders of 48x48 JPEGs) in the temp folder; never inside the repository. */
function makeTinyDataset(target: string): void {
  for (const emotion of EMOTION_FOLDERS) {
    const from = path.join(FER_TRAIN_DIR, emotion);
    const to = path.join(target, emotion);
    mkdirSync(to, { recursive: true });
    for (const file of readdirSync(from).sort().slice(0, IMAGES_PER_CLASS))
      copyFileSync(path.join(from, file), path.join(to, file));
  }
}

type Cli = (
  what: string,
  workspace: string,
  script: string,
  args: string[],
  extraEnv?: NodeJS.ProcessEnv,
) => Promise<CommandResult>;

/** One training run through the trainer CLI, kept in its run folder (--no-db) until `runs sync` records it. */
async function trainRun(
  cli: Cli,
  dataset: string,
  runsDir: string,
  name: string,
  extra: string[],
  cacheDir: string,
): Promise<string> {
  const { stdout } = await cli(
    `training run "${name}"`,
    "@moodlens/trainer",
    "cli",
    [
      "train",
      "--data",
      dataset,
      "--run-dir",
      runsDir,
      "--experiment",
      "e2e-demo",
      "--name",
      name,
      "--architecture",
      "deep",
      "--network",
      JSON.stringify({ blockWidths: [4, 8], convsPerBlock: 1, denseUnits: 16 }),
      "--batch-size",
      "16",
      "--val-fraction",
      "0.3",
      "--no-augment",
      "--register",
      "--no-db",
      "--no-progress",
      ...extra,
    ],
    { MOODLENS_CACHE_DIR: cacheDir },
  );
  const result = JSON.parse(lastLine(stdout)) as { runId: string; status: string };
  if (result.status !== "completed")
    throw new Error(`training run ${name} ended ${result.status}: ${stdout}`);
  return result.runId;
}

/** Signs in through the dashboard's own form, as a person would, and keeps the browser state (the session cookie). */
async function signIn(
  browser: Browser,
  dashboardUrl: string,
  user: { email: string; password: string },
  file: string,
): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${dashboardUrl}/sign-in`);
    await page.getByTestId("sign-in-email").fill(user.email);
    await page.getByTestId("sign-in-password").fill(user.password);
    await page.getByTestId("sign-in-submit").click();
    await page.waitForURL(`${dashboardUrl}/`, { timeout: 60_000 });
    await context.storageState({ path: file });
  } finally {
    await context.close();
  }
}

async function waitForModel(
  graphqlUrl: string,
  wanted: string | null,
  timeoutMs: number,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last: { modelLoaded: boolean; modelVersion: string | null; modelError: string | null } | undefined;
  while (Date.now() < deadline) {
    const { health } = await fetchGraphQL<{ health: NonNullable<typeof last> }>(
      graphqlUrl,
      "{ health { modelLoaded modelVersion modelError } }",
    );
    last = health;
    if (health.modelLoaded && (wanted === null || health.modelVersion === wanted)) return health.modelVersion;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  log(`no model served after ${timeoutMs / 1000}s (${JSON.stringify(last)}): analysis tests will fail`);
  return null;
}

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const started = Date.now();
  mkdirSync(RESULTS_DIR, { recursive: true });
  rmSync(SCREENSHOTS_DIR, { recursive: true, force: true });
  rmSync(STACK_LOG, { force: true });
  rmSync(AUTH_DIR, { recursive: true, force: true });
  mkdirSync(AUTH_DIR, { recursive: true });

  const tmpDir = mkdtempSync(path.join(os.tmpdir(), "moodlens-e2e-"));
  const dataDir = path.join(tmpDir, "data");
  // Chromium keeps settings under XDG_CONFIG_HOME; workers (and their browsers) inherit this.
  process.env.XDG_CONFIG_HOME = path.join(tmpDir, "xdg");
  mkdirSync(process.env.XDG_CONFIG_HOME, { recursive: true });
  const [apiPort, dashboardPort, dbPort] = await freePorts(3);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...TOOL_ENV,
    MOODLENS_DATA_DIR: dataDir,
    MOODLENS_API_PORT: String(apiPort),
    MOODLENS_DASHBOARD_PORT: String(dashboardPort),
    MOODLENS_DB_PORT: String(dbPort),
    MOODLENS_SKIP_INSTALL: "1",
    MOODLENS_RUNS_DIR: path.join(tmpDir, "runs"),
    MOODLENS_CACHE_DIR: path.join(tmpDir, "cache"),
  };
  // A fresh embedded database: nothing from the caller's shell may point the stack elsewhere.
  for (const name of [
    "DATABASE_URL",
    "MOODLENS_MODEL_DIR",
    "MOODLENS_AUTH_SECRET",
    "MOODLENS_DASHBOARD_URL",
    "MOODLENS_DASHBOARD_HOST",
    "PORT",
  ])
    delete env[name];

  const stack = new GroupProcess("npm start", "npm", ["start"], { env, logFile: STACK_LOG });
  // Ctrl+C or a supervisor's TERM during setup: nothing may outlive the run.
  const onSignal = () => killAllNow();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const teardown = async () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stack.stop();
    killAllNow(); // CLIs still running after a failed setup (a training run, a sync)
    if (process.env.MOODLENS_E2E_KEEP !== "1") rmSync(tmpDir, { recursive: true, force: true });
  };

  try {
    log(
      `npm start (api :${apiPort}, dashboard :${dashboardPort}, db :${dbPort}) in ${tmpDir}; output in ${STACK_LOG}`,
    );
    await stack.waitForLine(/database ready/, 240_000);
    // No DATABASE_URL for the CLIs: like `npm run seed` beside `npm start`, createDb() finds the server that the
    // launcher advertises in MOODLENS_DATA_DIR's PGlite folder.
    const cliEnv = { ...env, MOODLENS_BACKEND: "cpu" };
    log(`database ready after ${elapsed(started)}`);

    // The CLIs run through their workspace scripts: the programs behind `npm run seed` / `npm run apikey` /
    // `npm run trainer`, minus the root install check (npm test has just done it; it would also start a second turbo).
    const cli: Cli = async (what, workspace, script, args, extraEnv = {}) => {
      const since = Date.now();
      const result = await mustRun("npm", ["run", "--silent", "-w", workspace, script, "--", ...args], {
        env: { ...cliEnv, ...extraEnv },
        timeoutMs: CLI_TIMEOUT_MS,
      });
      log(`${what} (${elapsed(since)})`);
      return result;
    };
    // The launcher builds the dashboard with a blocking spawnSync in the very process that serves the embedded
    // database, so nothing can connect to it until the build is over. The training runs need no database
    // (--no-db): they overlap with the build, and `trainer runs sync` records them (and registers their models)
    // once the stack is up.
    const datasetDir = path.join(tmpDir, "tiny-fer");
    makeTinyDataset(datasetDir);
    const runsDir = path.join(tmpDir, "runs");
    const training = Promise.all([
      trainRun(
        cli,
        datasetDir,
        runsDir,
        "e2e run A (lr 1e-3)",
        ["--epochs", "2", "--lr", "0.001", "--seed", "1"],
        path.join(tmpDir, "cache-a"),
      ),
      trainRun(
        cli,
        datasetDir,
        runsDir,
        "e2e run B (lr 3e-3)",
        ["--epochs", "2", "--lr", "0.003", "--seed", "2", "--label-smoothing", "0"],
        path.join(tmpDir, "cache-b"),
      ),
    ]);
    training.catch(() => {}); // awaited below; no unhandled rejection while the stack starts

    await stack.waitForLine(/Moodlens is running/, STACK_START_TIMEOUT_MS);
    const apiUrl = `http://localhost:${apiPort}`;
    const graphqlUrl = `${apiUrl}/graphql`;
    const dashboardUrl = `http://localhost:${dashboardPort}`;
    log(`stack running after ${elapsed(started)}`);

    const createKey = async (name: string, scopes: string) =>
      lastLine(
        (
          await cli(`API key ${name}`, "@moodlens/api", "apikey", [
            "create",
            "--name",
            name,
            "--scopes",
            scopes,
          ])
        ).stdout,
      );
    // `users create` prints the generated password alone on its last line, like apikey prints its key.
    const createUser = async (email: string, role: string) => ({
      email,
      password: lastLine(
        (await cli(`user ${email}`, "@moodlens/api", "users", ["create", "--email", email, "--role", role]))
          .stdout,
      ),
    });
    const [client, statsOnly, admin, adminUser, analystUser] = await Promise.all([
      createKey("e2e", "analyze,read:stats,read:experiments"),
      createKey("e2e-stats-only", "read:stats"),
      createKey("e2e-admin", "admin,read:experiments"),
      createUser("admin@e2e.test", "admin"),
      createUser("analyst@e2e.test", "analyst"),
    ]);
    const runIds = await training;
    await cli("runs sync", "@moodlens/trainer", "cli", ["runs", "sync", ...runIds, "--run-dir", runsDir]);
    // The demo seed is ONE long transaction, and the embedded database runs one session at a time: while it runs,
    // other clients cannot even connect. So it runs alone.
    const seeded = await cli("demo seed", "@moodlens/api", "seed", [
      "--demo",
      "--days",
      String(SEED_DAYS),
      "--faces-per-day",
      String(SEED_FACES_PER_DAY),
    ]);
    const seedLine = /seeded (\d+) demo analyses with (\d+) faces from (\S+) to (\S+)/.exec(seeded.stdout);
    if (!seedLine) throw new Error(`unexpected seed output:\n${seeded.stdout}\n${seeded.stderr}`);
    log(`${seedLine[0]}; runs ${runIds.join(", ")}; ready after ${elapsed(started)}`);

    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
    try {
      await signIn(browser, dashboardUrl, adminUser, ADMIN_STORAGE_STATE);
      await signIn(browser, dashboardUrl, analystUser, ANALYST_STORAGE_STATE);
    } finally {
      await browser.close();
    }
    log(`signed in as ${adminUser.email} and ${analystUser.email} after ${elapsed(started)}`);

    let modelSource: E2EState["modelSource"] = "default";
    let modelVersion: string | null;
    if (existsSync(path.join(DEFAULT_MODEL_DIR, "metadata.json"))) {
      modelVersion = await waitForModel(graphqlUrl, null, 90_000);
    } else {
      // No trained shipped model yet: serve run A's (registered by --register) through the admin promote flow.
      modelSource = "e2e-run";
      const { modelVersions } = await fetchGraphQL<{
        modelVersions: { version: string; runId: string | null }[];
      }>(graphqlUrl, "{ modelVersions { version runId } }", {}, admin);
      const version = modelVersions.find((candidate) => candidate.runId === runIds[0])?.version;
      if (!version)
        throw new Error(`run ${runIds[0]} registered no model version: ${JSON.stringify(modelVersions)}`);
      await fetchGraphQL(
        graphqlUrl,
        "mutation($v: String!) { promoteModel(version: $v) { version active } }",
        { v: version },
        admin,
      );
      modelVersion = await waitForModel(graphqlUrl, version, 90_000);
    }
    log(`model ${modelVersion ?? "(none)"} from ${modelSource}; setup took ${elapsed(started)}`);

    const state: E2EState = {
      apiUrl,
      graphqlUrl,
      dashboardUrl,
      tmpDir,
      dataDir,
      keys: { client, statsOnly },
      users: { admin: adminUser, analyst: analystUser },
      dashboardAuth: {
        databaseUrl: (
          JSON.parse(readFileSync(path.join(dataDir, "pglite", "moodlens-server.json"), "utf8")) as {
            url: string;
          }
        ).url,
        secret: readFileSync(path.join(dataDir, "auth-secret"), "utf8").trim(),
      },
      runIds,
      modelSource,
      modelVersion,
      seed: {
        analyses: Number(seedLine[1]),
        faces: Number(seedLine[2]),
        from: seedLine[3]!,
        to: seedLine[4]!,
      },
    };
    const stateFile = path.join(tmpDir, "state.json");
    writeFileSync(stateFile, JSON.stringify(state, null, 2));
    process.env[STATE_ENV] = stateFile;
    return teardown;
  } catch (error) {
    await teardown();
    throw new Error(`${(error as Error).message}\n--- last lines of npm start ---\n${stack.tail(40)}`);
  }
}
