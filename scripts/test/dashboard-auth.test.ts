// What npm start prepares for the dashboard's sign-in, on a real PostgreSQL database and a temporary data folder.
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiKey, createUser, verifyApiKey } from "@moodlens/db";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureAuthSecret, firstAdminHint, retireLegacyDashboardKey } from "../dashboard-auth";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase("postgres");
}, 120_000);
afterAll(async () => {
  await test?.drop();
});

it("creates the cookie secret once, readable by its owner only, and reuses it", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "moodlens-auth-secret-"));
  const saved = process.env.MOODLENS_AUTH_SECRET;
  delete process.env.MOODLENS_AUTH_SECRET;
  try {
    const secret = ensureAuthSecret(dataDir);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dataDir, "auth-secret")).mode & 0o777).toBe(0o600);
    expect(ensureAuthSecret(dataDir)).toBe(secret);
  } finally {
    if (saved !== undefined) process.env.MOODLENS_AUTH_SECRET = saved;
  }
});

it("revokes the all-scope key earlier versions gave the dashboard, deletes its file, keeps other keys", async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "moodlens-legacy-key-"));
  const legacy = await createApiKey(test.db.prisma, {
    name: "dashboard (created by npm start)",
    scopes: ["admin"],
  });
  const other = await createApiKey(test.db.prisma, { name: "kiosk", scopes: ["analyze"] });
  writeFileSync(path.join(dataDir, "dashboard-api-key"), `${legacy.key}\n`);
  expect(await retireLegacyDashboardKey(test.url!, dataDir)).toBe(1);
  expect((await verifyApiKey(test.db.prisma, legacy.key)).reason).toBe("revoked");
  expect((await verifyApiKey(test.db.prisma, other.key)).reason).toBeNull();
  expect(existsSync(path.join(dataDir, "dashboard-api-key"))).toBe(false);
  expect(await retireLegacyDashboardKey(test.url!, dataDir)).toBe(0);
}, 60_000);

it("says how to create the first admin until a user exists", async () => {
  expect(await firstAdminHint(test.url!)).toMatch(
    /npm run users -- create --email you@example.org --role admin/,
  );
  await createUser(test.db.prisma, { email: "first@example.org", role: "admin", passwordHash: "x" });
  expect(await firstAdminHint(test.url!)).toBeNull();
}, 60_000);
