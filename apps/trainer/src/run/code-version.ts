import { execFileSync } from "node:child_process";
import { dirname } from "node:path";

/** The checkout's short git SHA, recorded in run.json so a result can be traced to its code; "unknown" outside git. */
export function codeVersion(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: dirname(new URL(import.meta.url).pathname),
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
    return sha || "unknown";
  } catch {
    return "unknown";
  }
}
