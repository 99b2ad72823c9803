// Builds the oneDNN addon with npm's own node-gyp, offline, against the running Node's headers.
// Never fails the install: without libdnnl-dev (or on another OS) the trainer falls back to tfjs and says why;
// the reason of the last failed build is kept in build/UNAVAILABLE for that message.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const verbose = process.argv.includes("--verbose");
const marker = join(root, "build", "UNAVAILABLE");

function give_up(reason) {
  mkdirSync(join(root, "build"), { recursive: true });
  writeFileSync(marker, `${reason}\n`);
  console.log(`@moodlens/native: not built (${reason}); training uses tfjs`);
  process.exit(0);
}

if (process.env.MOODLENS_NATIVE === "off") give_up("MOODLENS_NATIVE=off");
if (process.platform !== "linux" || process.arch !== "x64")
  give_up(`${process.platform}/${process.arch} is not supported`);
if (!existsSync("/usr/include/oneapi/dnnl/dnnl.hpp") && !existsSync("/usr/include/dnnl.hpp")) {
  give_up("oneDNN headers not found: apt-get install libdnnl-dev");
}

// node-gyp ships inside npm; find it next to the npm that runs us, else next to node.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath)
    candidates.push(
      join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    );
  candidates.push(
    join(
      dirname(process.execPath),
      "..",
      "lib",
      "node_modules",
      "npm",
      "node_modules",
      "node-gyp",
      "bin",
      "node-gyp.js",
    ),
  );
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not installed as a package: fine
  }
  return candidates.find((path) => existsSync(path));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) give_up("node-gyp not found");
// Node's own headers (e.g. /usr/include/node from Debian's nodejs): no download needed.
const nodeDir = process.env.npm_config_nodedir || join(dirname(process.execPath), "..");
const args = [nodeGyp, "rebuild", "--release"];
if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) args.push(`--nodedir=${nodeDir}`);
const result = spawnSync(process.execPath, args, {
  cwd: root,
  encoding: "utf8",
  stdio: verbose ? "inherit" : "pipe",
});
if (result.status !== 0) {
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  const firstError = output
    .split("\n")
    .find((line) => /error|not found|cannot find/i.test(line))
    ?.trim();
  give_up(`node-gyp failed${firstError ? `: ${firstError.slice(0, 200)}` : ""}`);
}
rmSync(marker, { force: true });
console.log("@moodlens/native: built the oneDNN training engine");
