/**
 * The dashboard's credential: `Authorization: Session <token>` with a session row that better-auth wrote at sign-in
 * (here written directly, as the dashboard's sign-in would). Role → scopes, expiry, disabled users, rate limits.
 */
import { randomBytes } from "node:crypto";
import { createUser, setUserDisabled, type Db } from "@moodlens/db";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import type { UserRole } from "@moodlens/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedApiServer } from "../src/server";
import {
  faceFreeImage,
  firstErrorCode,
  randomModelDir,
  startTestApi,
  toBase64,
  type GraphQLResponse,
} from "./helpers";

async function signIn(
  db: Db,
  email: string,
  role: UserRole,
  expiresAt = new Date(Date.now() + 3_600_000),
): Promise<string> {
  const user = await createUser(db.prisma, { email, role, passwordHash: "unused-here" });
  const token = randomBytes(24).toString("base64url");
  await db.prisma.session.create({ data: { token, userId: user.id, expiresAt } });
  return token;
}

describe("session credential (signed-in dashboard users)", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  const tokens: Record<string, string> = {};

  const gql = async <T = Record<string, unknown>>(
    query: string,
    token: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<T>> => {
    const response = await fetch(api.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Session ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, ...((await response.json()) as object) };
  };

  beforeAll(async () => {
    test = await createTestDatabase("postgres");
    api = await startTestApi(test.db, {
      modelDir: await randomModelDir(),
      limits: { rateLimitPerMinute: 40 },
    });
    tokens.analyst = await signIn(test.db, "analyst@example.org", "analyst");
    tokens.ml = await signIn(test.db, "ml@example.org", "ml");
    tokens.admin = await signIn(test.db, "admin@example.org", "admin");
    tokens.expired = await signIn(test.db, "expired@example.org", "admin", new Date(Date.now() - 1_000));
    tokens.disabled = await signIn(test.db, "disabled@example.org", "admin");
  });
  afterAll(async () => {
    await api?.close();
    await test?.drop();
  });

  it("a valid session acts as its user with the role's scopes", async () => {
    const me = await gql<{ me: { keyId: string; name: string; scopes: string[] } }>(
      "{ me { keyId name scopes } }",
      tokens.analyst!,
    );
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.name).toBe("analyst@example.org");
    expect(me.data!.me.keyId).toMatch(/^user:/);
    expect(me.data!.me.scopes.sort()).toEqual(["analyze", "read:stats"]);
    const stats = await gql<{ emotionStats: { totalFaces: number } }>(
      "{ emotionStats { totalFaces } }",
      tokens.analyst!,
    );
    expect(stats.errors).toBeUndefined();
    expect(stats.data!.emotionStats.totalFaces).toBe(0);
  });

  it("a role without the scope is FORBIDDEN, naming the role", async () => {
    const experiments = await gql("{ experiments { id } }", tokens.analyst!);
    expect(firstErrorCode(experiments)).toBe("FORBIDDEN");
    expect(experiments.errors![0]!.message).toMatch(/role "analyst"/);
    expect(firstErrorCode(await gql("{ experiments { id } }", tokens.ml!))).toBeUndefined();
    const PROMOTE = "mutation($v: String!) { promoteModel(version: $v) { version } }";
    expect(firstErrorCode(await gql(PROMOTE, tokens.ml!, { v: "nope" }))).toBe("FORBIDDEN");
    // admin gets past the scope check: the unknown version is the next error.
    expect(firstErrorCode(await gql(PROMOTE, tokens.admin!, { v: "nope" }))).toBe("BAD_USER_INPUT");
  });

  it("unknown and expired sessions and disabled users are UNAUTHENTICATED (HTTP 401)", async () => {
    for (const token of ["not-a-session", tokens.expired!, tokens.disabled!]) {
      if (token === tokens.disabled) await setUserDisabled(test.db.prisma, "disabled@example.org", true);
      const response = await gql("{ me { name } }", token);
      expect(response.status).toBe(401);
      expect(firstErrorCode(response)).toBe("UNAUTHENTICATED");
    }
  });

  it("stores a user's analysis idempotently per user, without an API key row", async () => {
    const ANALYZE = "mutation($i: AnalyzeImageInput!) { analyzeImage(input: $i) { id deduplicated } }";
    const input = {
      image: toBase64(await faceFreeImage()),
      clientRequestId: "same-request",
      source: "session-test",
    };
    const first = await gql<{ analyzeImage: { id: string; deduplicated: boolean } }>(ANALYZE, tokens.admin!, {
      i: input,
    });
    expect(first.errors).toBeUndefined();
    const again = await gql<{ analyzeImage: { id: string; deduplicated: boolean } }>(ANALYZE, tokens.admin!, {
      i: input,
    });
    expect(again.data!.analyzeImage).toEqual({ id: first.data!.analyzeImage.id, deduplicated: true });
    const other = await gql<{ analyzeImage: { id: string; deduplicated: boolean } }>(ANALYZE, tokens.ml!, {
      i: input,
    });
    expect(other.data!.analyzeImage.id).not.toBe(first.data!.analyzeImage.id);
    const row = await test.db.prisma.analysis.findUniqueOrThrow({
      where: { id: first.data!.analyzeImage.id },
    });
    expect(row.apiKeyId).toBeNull();
    expect(row.idempotencyScope).toMatch(/^user:/);
  });

  it("counts a user's requests against the same per-minute limit as a key", async () => {
    const token = await signIn(test.db, "busy@example.org", "analyst");
    // Within one minute window the 41st request is refused; a window may roll over mid-loop, hence up to 2 × 41.
    let limited: GraphQLResponse | undefined;
    let sent = 0;
    while (!limited && sent < 82) {
      const response = await gql("{ me { name } }", token);
      sent++;
      if (response.status === 429) limited = response;
      else expect(firstErrorCode(response)).toBeUndefined();
    }
    expect(sent).toBeGreaterThanOrEqual(41);
    expect(firstErrorCode(limited!)).toBe("RATE_LIMITED");
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
