import { randomBytes } from "node:crypto";

/** Run ids sort by start time and stay unique across machines: 20261124-0612-3fa9c1. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 13);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}
