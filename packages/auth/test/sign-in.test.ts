/**
 * better-auth against our schema on a real PostgreSQL database: a user made like the users CLI makes one
 * (createUser + hashPassword) signs in; the session row is what the API looks up; wrong passwords, disabled users
 * and sign-up are refused.
 */
import { createUser, setUserDisabled, verifySessionToken } from "@moodlens/db";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardAuth, hashPassword, type DashboardAuth } from "../src";

const PASSWORD = "correct horse battery";

describe("dashboard sign-in (better-auth on our tables)", () => {
  let test: TestDatabase;
  let auth: DashboardAuth;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    auth = createDashboardAuth({
      databaseUrl: test.url!,
      secret: "x".repeat(32),
      baseUrl: "http://localhost:3000",
    });
    await createUser(test.db.prisma, {
      email: "Admin@Example.org",
      role: "admin",
      passwordHash: await hashPassword(PASSWORD),
    });
    await createUser(test.db.prisma, {
      email: "off@example.org",
      role: "analyst",
      passwordHash: await hashPassword(PASSWORD),
    });
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("signs a CLI-made user in; the session row carries the token the API accepts, with the role", async () => {
    const result = await auth.api.signInEmail({ body: { email: "admin@example.org", password: PASSWORD } });
    expect(result.token).toMatch(/^\S{20,}$/);
    expect(result.user).toMatchObject({ email: "admin@example.org", role: "admin" });
    const verified = await verifySessionToken(test.db.prisma, result.token);
    expect(verified).toMatchObject({ reason: null, user: { email: "admin@example.org", role: "admin" } });

    // What the dashboard does on every request: the signed cookie → the session with its token and role.
    const response = await auth.api.signInEmail({
      body: { email: "admin@example.org", password: PASSWORD },
      asResponse: true,
    });
    const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie).toMatch(/^moodlens\.session_token=/);
    const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(session?.user.role).toBe("admin");
    expect((await verifySessionToken(test.db.prisma, session!.session.token)).user?.email).toBe(
      "admin@example.org",
    );
  });

  it("refuses a wrong password and sign-up", async () => {
    await expect(
      auth.api.signInEmail({ body: { email: "admin@example.org", password: "wrong password!" } }),
    ).rejects.toMatchObject({ status: "UNAUTHORIZED" });
    await expect(
      auth.api.signUpEmail({ body: { email: "new@example.org", password: PASSWORD, name: "new" } }),
    ).rejects.toBeTruthy();
    expect(await test.db.prisma.user.count({ where: { email: "new@example.org" } })).toBe(0);
  });

  it("refuses a disabled user even with the right password", async () => {
    await setUserDisabled(test.db.prisma, "off@example.org", true);
    await expect(
      auth.api.signInEmail({ body: { email: "off@example.org", password: PASSWORD } }),
    ).rejects.toMatchObject({ status: "FORBIDDEN" });
    expect(await test.db.prisma.session.count({ where: { user: { email: "off@example.org" } } })).toBe(0);
  });
});
