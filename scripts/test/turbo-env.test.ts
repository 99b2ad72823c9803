// turbo's cache key for the dashboard build must not change with the stack's runtime settings: starting a second
// stack (another data folder, database URL or ports) must reuse the build, not rebuild .next under a running one.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function dashboardBuildHash(env: Record<string, string>): string {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("MOODLENS_") && name !== "DATABASE_URL"),
  );
  const output = execFileSync(
    "npx",
    ["turbo", "run", "build", "--filter=@moodlens/dashboard", "--dry=json"],
    {
      cwd: ROOT,
      env: { ...base, TURBO_TELEMETRY_DISABLED: "1", ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const plan = JSON.parse(output) as { tasks: { taskId: string; hash: string }[] };
  return plan.tasks.find((task) => task.taskId === "@moodlens/dashboard#build")!.hash;
}

it(
  "keeps the dashboard build's hash when DATABASE_URL and MOODLENS_* runtime settings differ",
  { timeout: 120_000 },
  () => {
    const first = dashboardBuildHash({ MOODLENS_DATA_DIR: "/tmp/stack-a", MOODLENS_API_PORT: "4000" });
    const second = dashboardBuildHash({
      MOODLENS_DATA_DIR: "/tmp/stack-b",
      MOODLENS_API_PORT: "4100",
      DATABASE_URL: "postgres://elsewhere/db",
    });
    expect(second).toBe(first);
    // What does shape the build output still counts.
    expect(dashboardBuildHash({ MOODLENS_DASHBOARD_DIST_DIR: ".next-check" })).not.toBe(first);
  },
);
