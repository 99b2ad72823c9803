import { test, expect } from "../support/fixtures";
import { ANALYZE_CONTRACT, EMOTION_STATS_CONTRACT, firstErrorCode, postGraphQL } from "../support/graphql";

test.describe("GraphQL errors are typed", () => {
  test("malformed GraphQL answers HTTP 400 with a GraphQL error", async ({ request, stack }) => {
    const { response, body } = await postGraphQL(
      request,
      stack.graphqlUrl,
      "query { emotionStats(filter: { from: ",
      {
        key: stack.keys.client,
      },
    );
    expect(response.status()).toBe(400);
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(body.errors![0]!.message).toMatch(/syntax/i);
    expect(firstErrorCode(body)).toBe("GRAPHQL_PARSE_FAILED");
    expect(body.data ?? undefined).toBeUndefined();
  });

  test("a variable of the wrong type answers 400 BAD_USER_INPUT", async ({ request, stack }) => {
    const { response, body } = await postGraphQL(request, stack.graphqlUrl, EMOTION_STATS_CONTRACT, {
      key: stack.keys.client,
      variables: { bucket: "FORTNIGHT" },
    });
    expect(response.status()).toBe(400);
    expect(firstErrorCode(body)).toBe("BAD_USER_INPUT");
  });

  test("a request without API key is UNAUTHENTICATED", async ({ request, stack }) => {
    const { body } = await postGraphQL(request, stack.graphqlUrl, EMOTION_STATS_CONTRACT);
    expect(firstErrorCode(body)).toBe("UNAUTHENTICATED");
    expect(body.data?.["emotionStats" as keyof typeof body.data] ?? null).toBeNull();
  });

  test("an unknown API key is UNAUTHENTICATED", async ({ request, stack }) => {
    const { body } = await postGraphQL(request, stack.graphqlUrl, EMOTION_STATS_CONTRACT, {
      key: "mlk_not_a_real_key_0000000000",
    });
    expect(firstErrorCode(body)).toBe("UNAUTHENTICATED");
  });

  test("a key without the analyze scope is FORBIDDEN for analyzeImage (and may read stats)", async ({
    request,
    stack,
  }) => {
    const analyze = await postGraphQL(request, stack.graphqlUrl, ANALYZE_CONTRACT, {
      key: stack.keys.statsOnly,
      variables: { input: { image: "aGVsbG8=", store: false } },
    });
    expect(firstErrorCode(analyze.body)).toBe("FORBIDDEN");
    const stats = await postGraphQL(request, stack.graphqlUrl, EMOTION_STATS_CONTRACT, {
      key: stack.keys.statsOnly,
    });
    expect(stats.body.errors, JSON.stringify(stats.body.errors)).toBeUndefined();
  });

  test("bytes that are not an image are UNSUPPORTED_IMAGE", async ({ request, stack }) => {
    const { body } = await postGraphQL(request, stack.graphqlUrl, ANALYZE_CONTRACT, {
      key: stack.keys.client,
      variables: {
        input: { image: Buffer.from("this is plain text, not a picture").toString("base64"), store: false },
      },
    });
    expect(firstErrorCode(body)).toBe("UNSUPPORTED_IMAGE");
  });
});
