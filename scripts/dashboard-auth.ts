/**
 * What `npm start` prepares for the dashboard's sign-in: the secret that signs session cookies (kept in the data
 * folder, mode 600, like a database password), the retirement of the all-scope key earlier versions gave the
 * dashboard, and a hint when no user exists yet. No first admin is created here: a password printed into a
 * launcher's log would outlive the moment; `npm run users -- create` prints it once to the person who asked.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { countUsers, createDb, listApiKeys, revokeApiKey } from "@moodlens/db";

const LEGACY_DASHBOARD_KEY_NAME = "dashboard (created by npm start)";

/** MOODLENS_AUTH_SECRET, or the one in <dataDir>/auth-secret (created on first start). */
export function ensureAuthSecret(dataDir: string): string {
  const fromEnv = process.env.MOODLENS_AUTH_SECRET?.trim();
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return secret;
  }
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Revokes the all-scope API key that npm start used to create for the dashboard (the dashboard now acts as the
 * signed-in user), and deletes its file. Returns the number of keys revoked.
 */
export async function retireLegacyDashboardKey(databaseUrl: string, dataDir: string): Promise<number> {
  rmSync(path.join(dataDir, "dashboard-api-key"), { force: true });
  const db = await createDb({ url: databaseUrl, poolSize: 1 });
  try {
    const legacy = (await listApiKeys(db.prisma)).filter(
      (key) => key.name === LEGACY_DASHBOARD_KEY_NAME && !key.revokedAt,
    );
    for (const key of legacy) await revokeApiKey(db.prisma, key.id);
    return legacy.length;
  } finally {
    await db.close();
  }
}

/** The lines to print when nobody can sign in yet. */
export async function firstAdminHint(databaseUrl: string): Promise<string | null> {
  const db = await createDb({ url: databaseUrl, poolSize: 1 });
  try {
    if ((await countUsers(db.prisma)) > 0) return null;
    return (
      "No dashboard user yet. Create the first admin (the password is printed once):\n" +
      "  npm run users -- create --email you@example.org --role admin"
    );
  } finally {
    await db.close();
  }
}
