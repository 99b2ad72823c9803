import { execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { verifyPassword } from "@moodlens/auth";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usersCommand } from "../src/cli/users-command";

const run = promisify(execFile);
const API_DIR = fileURLToPath(new URL("..", import.meta.url));
const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

describe("users CLI", () => {
  let test: TestDatabase;
  const env = () => ({
    ...process.env,
    DATABASE_URL: test.url!,
    MOODLENS_MODEL_DIR: "/nonexistent-model-dir",
  });
  const inProcess = async (args: string[], password?: string) => {
    const lines: string[] = [];
    await usersCommand(args, {
      out: (line) => lines.push(line),
      env: env(),
      ...(password === undefined ? {} : { readPassword: async () => password }),
    });
    return lines;
  };
  const passwordHashOf = async (email: string) =>
    (await test.db.prisma.account.findFirstOrThrow({ where: { user: { email }, providerId: "credential" } }))
      .password!;

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await test?.drop();
  });

  it("create prints a generated password alone on its last line, once, and stores only its hash (real process)", async () => {
    const { stdout } = await run(
      TSX,
      ["src/cli/users.ts", "create", "--email", "Root@Example.org", "--role", "admin"],
      { cwd: API_DIR, env: env() },
    );
    const password = stdout.trimEnd().split("\n").at(-1)!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const hash = await passwordHashOf("root@example.org");
    expect(hash).not.toContain(password);
    expect(await verifyPassword({ hash, password })).toBe(true);
    const user = await test.db.prisma.user.findUniqueOrThrow({ where: { email: "root@example.org" } });
    expect(user.role).toBe("admin");
  });

  it("create --password-stdin reads the password from standard input and prints none (real process)", async () => {
    const child = spawn(
      TSX,
      ["src/cli/users.ts", "create", "--email", "stdin@example.org", "--role", "ml", "--password-stdin"],
      { cwd: API_DIR, env: env() },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.end("a long enough password\n");
    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(0);
    expect(stdout).not.toContain("a long enough password");
    expect(
      await verifyPassword({
        hash: await passwordHashOf("stdin@example.org"),
        password: "a long enough password",
      }),
    ).toBe(true);
  });

  it("refuses short passwords, unknown roles, missing emails and duplicates", async () => {
    await expect(
      inProcess(["create", "--email", "a@example.org", "--role", "admin", "--password-stdin"], "short"),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(inProcess(["create", "--email", "a@example.org", "--role", "owner"])).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
      message: /unknown role "owner"/,
    });
    await expect(inProcess(["create", "--role", "admin"])).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
      message: /--email is required/,
    });
    await expect(
      inProcess(["create", "--email", "root@example.org", "--role", "analyst"]),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await test.db.prisma.user.count({ where: { email: "a@example.org" } })).toBe(0);
  });

  it("lists users, changes a role, disables (ending sessions) and enables", async () => {
    await inProcess(["create", "--email", "ana@example.org", "--role", "analyst"]);
    const ana = await test.db.prisma.user.findUniqueOrThrow({ where: { email: "ana@example.org" } });
    await test.db.prisma.session.create({
      data: { token: "ana-session", userId: ana.id, expiresAt: new Date(Date.now() + 60_000) },
    });

    expect((await inProcess(["set-role", "--email", "ana@example.org", "--role", "ml"])).at(-1)).toBe(
      "ana@example.org is now ml",
    );
    expect((await inProcess(["disable", "--email", "ana@example.org"])).at(-1)).toMatch(
      /disabled; their sessions have ended/,
    );
    expect(await test.db.prisma.session.count({ where: { userId: ana.id } })).toBe(0);
    const listed = await inProcess(["list"]);
    expect(listed.find((line) => line.startsWith("ana@example.org"))).toMatch(
      /^ana@example\.org {2}ml {2}disabled/,
    );
    await inProcess(["enable", "--email", "ana@example.org"]);
    expect((await test.db.prisma.user.findUniqueOrThrow({ where: { id: ana.id } })).disabled).toBe(false);
    await expect(inProcess(["disable", "--email", "ghost@example.org"])).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
