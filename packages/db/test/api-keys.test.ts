import { expect, it } from "vitest";
import { consumeRateLimit, createApiKey, listApiKeys, revokeApiKey, verifyApiKey } from "../src/api-keys";
import { describeEachDatabase } from "../src/testing";

describeEachDatabase("api keys", (database) => {
  it("creates a key shown once, stores only its hash, and verifies it", async () => {
    const { prisma } = database().db;
    const { key, record } = await createApiKey(prisma, {
      name: "dashboard",
      scopes: ["read:stats", "analyze"],
      rateLimitPerMinute: 30,
    });
    expect(key).toMatch(/^ml_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.split("_")[1]).toBe(record.prefix);
    expect(record).not.toHaveProperty("hash");
    const row = await prisma.apiKey.findUniqueOrThrow({ where: { id: record.id } });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.hash).not.toContain(key.slice(12));

    const verified = await verifyApiKey(prisma, key);
    expect(verified.reason).toBeNull();
    expect(verified.key?.id).toBe(record.id);
    expect(verified.key?.scopes.sort()).toEqual(["analyze", "read:stats"]);
    expect(verified.key?.lastUsedAt).toBeInstanceOf(Date);
  });

  it("rejects malformed, unknown, revoked and expired keys with a reason", async () => {
    const { prisma } = database().db;
    const { key, record } = await createApiKey(prisma, { name: "temp", scopes: ["analyze"] });
    expect(await verifyApiKey(prisma, "hello")).toEqual({ key: null, reason: "malformed" });
    const tampered = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
    expect(await verifyApiKey(prisma, tampered)).toEqual({ key: null, reason: "unknown" });
    expect((await verifyApiKey(prisma, `ml_zzzzzzzz_${key.slice(12)}`)).reason).toBe("unknown");

    const expiring = await createApiKey(prisma, {
      name: "expiring",
      scopes: ["analyze"],
      expiresAt: new Date("2030-01-01T00:00:00Z"),
    });
    expect((await verifyApiKey(prisma, expiring.key, new Date("2029-12-31T23:59:59Z"))).reason).toBeNull();
    expect(await verifyApiKey(prisma, expiring.key, new Date("2030-01-01T00:00:00Z"))).toEqual({
      key: null,
      reason: "expired",
    });

    const revoked = await revokeApiKey(prisma, record.prefix);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await verifyApiKey(prisma, key)).toEqual({ key: null, reason: "revoked" });
    expect((await revokeApiKey(prisma, record.id)).revokedAt).toEqual(revoked.revokedAt);
    await expect(revokeApiKey(prisma, "nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("validates scopes and names", async () => {
    const { prisma } = database().db;
    await expect(createApiKey(prisma, { name: "x", scopes: ["root" as never] })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(createApiKey(prisma, { name: " ", scopes: ["analyze"] })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(createApiKey(prisma, { name: "x", scopes: [] })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });

  it("lists keys without revoked ones unless asked", async () => {
    const { prisma } = database().db;
    const active = await createApiKey(prisma, { name: "listed", scopes: ["admin"] });
    const gone = await createApiKey(prisma, { name: "gone", scopes: ["admin"] });
    await revokeApiKey(prisma, gone.record.id);
    const ids = (await listApiKeys(prisma)).map((k) => k.id);
    expect(ids).toContain(active.record.id);
    expect(ids).not.toContain(gone.record.id);
    expect((await listApiKeys(prisma, { includeRevoked: true })).map((k) => k.id)).toContain(gone.record.id);
    expect((await listApiKeys(prisma))[0]).not.toHaveProperty("hash");
  });

  it("counts requests per minute atomically, also when they arrive together", async () => {
    const { prisma } = database().db;
    const { record } = await createApiKey(prisma, { name: "limited", scopes: ["analyze"] });
    const now = new Date("2026-05-01T10:00:30Z");
    const results = await Promise.all(
      Array.from({ length: 8 }, () => consumeRateLimit(prisma, record.id, 5, now)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(results.map((r) => r.remaining).sort()).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
    expect(results[0]!.resetAt.toISOString()).toBe("2026-05-01T10:01:00.000Z");
    // The next minute is a new window.
    const next = await consumeRateLimit(prisma, record.id, 5, new Date("2026-05-01T10:01:00Z"));
    expect(next).toMatchObject({ allowed: true, remaining: 4 });
    // Old windows are pruned when a new one opens.
    await consumeRateLimit(prisma, record.id, 5, new Date("2026-05-01T11:00:00Z"));
    const windows = await prisma.rateLimitWindow.findMany({ where: { apiKeyId: record.id } });
    expect(windows.map((w) => w.windowStart.toISOString())).toEqual(["2026-05-01T11:00:00.000Z"]);
  });
});
