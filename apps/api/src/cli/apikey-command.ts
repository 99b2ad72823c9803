import { createApiKey, listApiKeys, revokeApiKey } from "@moodlens/db";
import { AppError } from "@moodlens/shared";
import { parseScopes } from "../auth/scopes";
import { loadConfig } from "../env";
import { parseArgs, stringFlag } from "./args";
import { defaultIo, openDatabase, type CliIo } from "./database";

const USAGE = `usage:
  npm run apikey -- create --name NAME --scopes analyze,read:stats[,read:experiments,admin] [--expires 2027-01-01] [--rate-limit 600]
  npm run apikey -- list [--all]
  npm run apikey -- revoke ID_OR_PREFIX`;

/** API key administration. `create` prints the new key ALONE on its last line (scripts take `| tail -n 1`). */
export async function apikeyCommand(argv: readonly string[], io: CliIo = defaultIo): Promise<void> {
  const out = io.out;
  const args = parseArgs(argv, ["all", "help"]);
  const [command, ...rest] = args.positional;
  if (!command || args.flags.has("help")) {
    out(USAGE);
    if (!command) throw new AppError("BAD_USER_INPUT", "missing command (create, list or revoke)");
    return;
  }
  if (!["create", "list", "revoke"].includes(command))
    throw new AppError("BAD_USER_INPUT", `unknown command "${command}"`, {
      hint: USAGE.split("\n")[1]!.trim(),
    });

  // Check the arguments before opening the database, so mistakes fail fast.
  let create: Parameters<typeof createApiKey>[1] | undefined;
  if (command === "create") {
    const name = stringFlag(args, "name");
    const scopes = stringFlag(args, "scopes");
    if (!name)
      throw new AppError("BAD_USER_INPUT", "--name is required", {
        hint: "npm run apikey -- create --name dashboard --scopes read:stats",
      });
    if (!scopes)
      throw new AppError("BAD_USER_INPUT", "--scopes is required", {
        hint: "e.g. --scopes analyze,read:stats",
      });
    const expires = stringFlag(args, "expires");
    const expiresAt = expires ? new Date(expires) : null;
    if (expiresAt && Number.isNaN(expiresAt.getTime()))
      throw new AppError("BAD_USER_INPUT", `--expires "${expires}" is not a date`);
    const rate = stringFlag(args, "rate-limit");
    const rateLimitPerMinute = rate === undefined ? null : Number(rate);
    if (rateLimitPerMinute !== null && (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1)) {
      throw new AppError("BAD_USER_INPUT", "--rate-limit must be a positive integer (requests per minute)");
    }
    create = { name, scopes: parseScopes(scopes), expiresAt, rateLimitPerMinute };
  }
  if (command === "revoke" && !rest[0])
    throw new AppError("BAD_USER_INPUT", "revoke needs the key's id or prefix (see npm run apikey -- list)");

  const db = await openDatabase(loadConfig(io.env));
  try {
    if (create) {
      const { key, record } = await createApiKey(db.prisma, create);
      out(
        `created API key "${record.name}" (id ${record.id}, prefix ${record.prefix}, scopes ${record.scopes.join(",")})`,
      );
      out("store it now: it is shown only once");
      out(key);
    } else if (command === "list") {
      const keys = await listApiKeys(db.prisma, { includeRevoked: args.flags.has("all") });
      if (keys.length === 0)
        out("no API keys (create one with npm run apikey -- create --name NAME --scopes ...)");
      for (const key of keys) {
        const state = key.revokedAt
          ? `revoked ${key.revokedAt.toISOString()}`
          : key.expiresAt && key.expiresAt <= new Date()
            ? "expired"
            : "active";
        out(
          `${key.id}  ${key.prefix}  ${key.name}  [${key.scopes.join(",")}]  ${state}  last used ${key.lastUsedAt?.toISOString() ?? "never"}`,
        );
      }
    } else {
      const revoked = await revokeApiKey(db.prisma, rest[0]!);
      out(`revoked API key "${revoked.name}" (id ${revoked.id})`);
    }
  } finally {
    await db.close();
  }
}
