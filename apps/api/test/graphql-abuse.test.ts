/**
 * Hostile and careless GraphQL documents are refused before anything costly runs, with a client error code:
 * aliases, analyses per operation (aliases and batch inputs), the rate limit per analysis, statistics buckets,
 * introspection that is not free, fragment cycles, field suggestions, persisted-query hash mismatches and
 * requests without a key (limited per client address).
 */
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedApiServer } from "../src/server";
import {
  createKey,
  faceFreeImage,
  firstErrorCode,
  gql,
  randomModelDir,
  startTestApi,
  toBase64,
} from "./helpers";

const aliased = (count: number, field: string) =>
  Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(" ");

describe("GraphQL abuse", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  let quiet: StartedApiServer;
  let key: string;
  let image: string;

  beforeAll(async () => {
    test = await createTestDatabase("pglite");
    const modelDir = await randomModelDir();
    api = await startTestApi(test.db, {
      modelDir,
      limits: { maxBatchSize: 4, anonymousRateLimitPerMinute: 1_000 },
    });
    quiet = await startTestApi(test.db, { modelDir, introspection: false });
    key = (await createKey(test.db, ["analyze", "read:stats"])).key;
    image = toBase64(await faceFreeImage());
  });
  afterAll(async () => {
    await quiet?.close();
    await api?.close();
    await test?.drop();
  });

  it("refuses 1000 aliased analyzeImage fields before analysing anything", async () => {
    const response = await gql(
      api,
      `mutation($i: AnalyzeImageInput!) { ${aliased(1000, "analyzeImage(input: $i) { id }")} }`,
      { i: { image } },
      key,
    );
    expect(response.status).toBe(400);
    expect(firstErrorCode(response)).toMatch(/^GRAPHQL_(PARSE|VALIDATION)_FAILED$/);
    expect(await test.db.prisma.analysis.count()).toBe(0);
    // Under the token limit the alias cap answers (the 1000-alias document above is stopped by its token count).
    const sixteen = await gql(
      api,
      `mutation($i: AnalyzeImageInput!) { ${aliased(16, "analyzeImage(input: $i) { id }")} }`,
      { i: { image } },
      key,
    );
    expect(firstErrorCode(sixteen)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(sixteen.errors![0]!.message).toMatch(/Aliases limit of 15/);
  });

  it("counts every analysis toward the batch limit: aliases and batch inputs together", async () => {
    const query = `mutation($i: AnalyzeImageInput!, $batch: [AnalyzeImageInput!]!) {
      one: analyzeImage(input: $i) { id } two: analyzeImage(input: $i) { id } many: analyzeImages(inputs: $batch) { results { __typename } } }`;
    const response = await gql(api, query, { i: { image }, batch: [{ image }, { image }, { image }] }, key);
    expect(firstErrorCode(response)).toBe("PAYLOAD_TOO_LARGE");
    expect(response.status).toBe(413);
    expect(response.errors![0]!.message).toMatch(/at most 4 analyses .* asks for 5/);
    expect(await test.db.prisma.analysis.count()).toBe(0);
  });

  it("charges each analysis to the key's rate limit", async () => {
    const limited = (await createKey(test.db, ["analyze"], { rateLimitPerMinute: 5 })).key;
    const three = `mutation($i: AnalyzeImageInput!) { ${aliased(3, "analyzeImage(input: $i) { id }")} }`;
    const first = await gql(api, three, { i: { image, store: false } }, limited);
    expect(first.errors).toBeUndefined();
    const second = await gql(api, three, { i: { image, store: false } }, limited);
    expect(firstErrorCode(second)).toBe("RATE_LIMITED");
    expect(second.status).toBe(429);
  });

  it("prices statistics by the buckets they return, aliases included", async () => {
    const hourlyMonth = `emotionStats(filter: { from: "2025-01-01T00:00:00Z", to: "2025-02-01T00:00:00Z" }, bucket: HOUR) { totalFaces }`;
    expect((await gql(api, `{ ${aliased(13, hourlyMonth)} }`, {}, key)).errors).toBeUndefined(); // 13 x 745 buckets
    const over = await gql(api, `{ ${aliased(14, hourlyMonth)} }`, {}, key); // 14 x 745 > 10,000
    expect(firstErrorCode(over)).toBe("BAD_USER_INPUT");
    expect(over.errors![0]!.message).toMatch(/statistics buckets; the limit is 10000/);
  });

  it("does not serve 1000 aliased __schema fields: introspection is capped per operation", async () => {
    const flood = await gql(api, `{ ${aliased(1000, "__schema { types { name fields { name } } }")} }`);
    expect(flood.status).toBe(400);
    expect(firstErrorCode(flood)).toMatch(/^GRAPHQL_(PARSE|VALIDATION)_FAILED$/);
    const three = await gql(api, `{ ${aliased(3, "__schema { queryType { name } }")} }`);
    expect(firstErrorCode(three)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(three.errors![0]!.message).toMatch(/at most 2 __schema\/__type fields/);
    // Tools still get the schema the usual way.
    const standard = await gql<{ __schema: { types: unknown[] } }>(api, getIntrospectionQuery());
    expect(standard.errors).toBeUndefined();
    expect(standard.data!.__schema.types.length).toBeGreaterThan(10);
  });

  it("answers a fragment cycle with a validation error, not a stack overflow", async () => {
    const response = await gql(
      api,
      "query { ...A } fragment A on Query { health { status } ...B } fragment B on Query { ...A }",
    );
    expect(response.status).toBe(400);
    expect(firstErrorCode(response)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(response.errors!.map((error) => error.message).join(" ")).toMatch(
      /Cannot spread fragment "A" within itself/,
    );
  });

  it("answers a persisted-query hash mismatch with a client error", async () => {
    const response = await fetch(api.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "{ health { status } }",
        extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("BAD_REQUEST");
  });

  it("gives no field suggestions when introspection is off", async () => {
    const response = await gql(quiet, "{ healt { status } }");
    expect(firstErrorCode(response)).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(response.errors)).not.toMatch(/Did you mean|"health"/);
    // With introspection on, suggestions help (the schema is public anyway).
    expect(JSON.stringify((await gql(api, "{ healt { status } }")).errors)).toMatch(/Did you mean/);
  });

  it("rate-limits requests without a key per client address", async () => {
    const limited = await startTestApi(test.db, {
      modelDir: await randomModelDir(),
      limits: { anonymousRateLimitPerMinute: 3 },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await gql(limited, "{ health { status } }")).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      // Requests with a key are counted against the key instead.
      expect((await gql(limited, "{ me { name } }", {}, key)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
