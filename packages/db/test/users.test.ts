import { expect, it } from "vitest";
import {
  consumeUserRateLimit,
  createUser,
  listUsers,
  setUserDisabled,
  setUserRole,
  verifySessionToken,
} from "../src/users";
import { describeEachDatabase } from "../src/testing";

describeEachDatabase("dashboard users", (database) => {
  it("creates a user with a credential account, lower-cases the email and refuses a duplicate", async () => {
    const { prisma } = database().db;
    const user = await createUser(prisma, {
      email: " Ada@Example.org ",
      role: "admin",
      passwordHash: "salt:hash",
    });
    expect(user).toMatchObject({ email: "ada@example.org", name: "ada", role: "admin", disabled: false });
    const account = await prisma.account.findFirstOrThrow({ where: { userId: user.id } });
    expect(account).toMatchObject({ providerId: "credential", accountId: user.id, password: "salt:hash" });
    await expect(
      createUser(prisma, { email: "ADA@example.org", role: "analyst", passwordHash: "x" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(
      createUser(prisma, { email: "not-an-email", role: "analyst", passwordHash: "x" }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(
      createUser(prisma, { email: "b@example.org", role: "root" as never, passwordHash: "x" }),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    expect((await listUsers(prisma)).map((listed) => listed.email)).toEqual(["ada@example.org"]);
  });

  it("verifies session tokens: valid, unknown, expired, and disabled users (whose sessions end)", async () => {
    const { prisma } = database().db;
    const user = await createUser(prisma, { email: "sam@example.org", role: "analyst", passwordHash: "x" });
    const expiresAt = new Date("2030-01-01T00:00:00Z");
    await prisma.session.create({ data: { token: "token-sam", userId: user.id, expiresAt } });

    const valid = await verifySessionToken(prisma, "token-sam", new Date("2029-12-31T00:00:00Z"));
    expect(valid).toMatchObject({ reason: null, user: { id: user.id, role: "analyst" } });
    expect(await verifySessionToken(prisma, "nope")).toMatchObject({ user: null, reason: "unknown" });
    expect(await verifySessionToken(prisma, "")).toMatchObject({ user: null, reason: "unknown" });
    expect(await verifySessionToken(prisma, "token-sam", expiresAt)).toMatchObject({
      user: null,
      reason: "expired",
    });

    expect((await setUserRole(prisma, "SAM@example.org", "ml")).role).toBe("ml");
    await expect(setUserRole(prisma, "sam@example.org", "owner")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(setUserRole(prisma, "nobody@example.org", "ml")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });

    await prisma.session.create({ data: { token: "token-sam-2", userId: user.id, expiresAt } });
    expect((await setUserDisabled(prisma, "sam@example.org", true)).disabled).toBe(true);
    expect(await prisma.session.count({ where: { userId: user.id } })).toBe(0);
    // A session written after disabling (e.g. by a racing sign-in) is still refused.
    await prisma.session.create({ data: { token: "token-sam-3", userId: user.id, expiresAt } });
    expect(await verifySessionToken(prisma, "token-sam-3", new Date("2029-01-01T00:00:00Z"))).toMatchObject({
      user: null,
      reason: "disabled",
    });
    expect((await setUserDisabled(prisma, "sam@example.org", false)).disabled).toBe(false);
    expect(
      (await verifySessionToken(prisma, "token-sam-3", new Date("2029-01-01T00:00:00Z"))).reason,
    ).toBeNull();
  });

  it("counts a user's API requests per minute", async () => {
    const { prisma } = database().db;
    const user = await createUser(prisma, { email: "rate@example.org", role: "analyst", passwordHash: "x" });
    const now = new Date("2026-01-01T10:00:30Z");
    expect((await consumeUserRateLimit(prisma, user.id, 2, now)).allowed).toBe(true);
    expect((await consumeUserRateLimit(prisma, user.id, 2, now)).remaining).toBe(0);
    expect((await consumeUserRateLimit(prisma, user.id, 2, now)).allowed).toBe(false);
    expect((await consumeUserRateLimit(prisma, user.id, 2, new Date("2026-01-01T10:01:00Z"))).allowed).toBe(
      true,
    );
  });
});
