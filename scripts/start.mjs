#!/usr/bin/env node
// `npm start`: install what is missing, then hand over to the platform launcher (scripts/platform.ts).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ensureInstalled, ROOT, TOOL_ENV } from "./ensure-install.mjs";

try {
  ensureInstalled();
} catch (error) {
  process.stderr.write(`moodlens: ${error.message}\n`);
  process.exit(1);
}
const platform = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "platform.ts")], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, ...TOOL_ENV },
});
// Ctrl+C reaches the launcher through the terminal's process group; forward TERM from supervisors too.
process.on("SIGTERM", () => platform.kill("SIGTERM"));
process.on("SIGINT", () => {});
platform.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
