/**
 * POST /v1/analyze hands its body's bytes straight to the analysis service: it must answer exactly what the
 * analyzeImage mutation answers, and a request without a key is limited per client address like a GraphQL one.
 */
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedApiServer } from "../src/server";
import { createKey, faceFreeImage, gql, groupPhoto, randomModelDir, startTestApi, toBase64 } from "./helpers";

/** The selection the route answers with (the same fields, in the same order). */
const ANALYZE = /* GraphQL */ `
  mutation ($input: AnalyzeImageInput!) {
    analyzeImage(input: $input) {
      id
      modelVersion
      backend
      faceCount
      skipped
      source
      campaign
      capturedAt
      createdAt
      clientRequestId
      stored
      deduplicated
      timings {
        decodeMs
        detectMs
        classifyMs
        explainMs
        totalMs
      }
      image {
        width
        height
        format
        bytes
      }
      faces {
        index
        detectionScore
        dominantEmotion
        valence
        saliency
        box {
          x
          y
          width
          height
        }
        emotions {
          emotion
          probability
        }
        landmarks {
          x
          y
        }
      }
    }
  }
`;

describe("POST /v1/analyze", () => {
  let test: TestDatabase;
  let api: StartedApiServer;
  let key: string;

  beforeAll(async () => {
    test = await createTestDatabase("pglite");
    api = await startTestApi(test.db, { modelDir: await randomModelDir() });
    key = (await createKey(test.db, ["analyze"])).key;
  });
  afterAll(async () => {
    await api?.close();
    await test?.drop();
  });

  const post = (
    server: StartedApiServer,
    query: string,
    body: Uint8Array,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.url}/v1/analyze${query}`, {
      method: "POST",
      headers: { "content-type": "image/jpeg", ...headers },
      body,
    });

  it("answers the same analysis as the analyzeImage mutation", async () => {
    const photo = groupPhoto();
    const first = await post(
      api,
      "?source=rest&campaign=same&clientRequestId=same-1",
      new Uint8Array(photo),
      { authorization: `Bearer ${key}` },
    );
    expect(first.status).toBe(200);
    const fresh = (
      (await first.json()) as { analysis: Record<string, unknown> & { faces: { landmarks: unknown }[] } }
    ).analysis;
    expect(fresh).toMatchObject({
      stored: true,
      deduplicated: false,
      source: "rest",
      campaign: "same",
      image: { width: 500, height: 375, format: "jpeg", bytes: photo.byteLength },
    });
    expect(fresh.faces.length).toBeGreaterThan(0);
    expect(fresh.faces[0]!.landmarks).not.toBeNull();

    // Replays of the stored analysis through both edges: field for field the same JSON.
    const replay = await post(api, "?clientRequestId=same-1", new Uint8Array(await faceFreeImage()), {
      authorization: `Bearer ${key}`,
      "content-type": "image/png",
    });
    const rest = ((await replay.json()) as { analysis: unknown }).analysis;
    const graphql = await gql<{ analyzeImage: unknown }>(
      api,
      ANALYZE,
      { input: { image: toBase64(await faceFreeImage()), clientRequestId: "same-1" } },
      key,
    );
    expect(graphql.errors).toBeUndefined();
    expect(rest).toEqual(graphql.data!.analyzeImage);
    expect(JSON.stringify(rest)).toBe(JSON.stringify(graphql.data!.analyzeImage));
    expect(rest).toMatchObject({ id: fresh.id, deduplicated: true, faceCount: fresh.faceCount });
  });

  it("limits requests without a key per client address, like GraphQL requests without one", async () => {
    const limited = await startTestApi(test.db, {
      modelDir: await randomModelDir(),
      limits: { anonymousRateLimitPerMinute: 3 },
    });
    try {
      const image = new Uint8Array(await faceFreeImage());
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await post(limited, "", image, { "content-type": "image/png" })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      // One budget per address across both edges: GraphQL without a key is refused as well now.
      expect((await gql(limited, "{ health { status } }")).status).toBe(429);
      const refused = await post(limited, "", image, { "content-type": "image/png" });
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
      // A request with a key is counted against the key instead.
      expect(
        (
          await post(limited, "?store=false", image, {
            "content-type": "image/png",
            authorization: `Bearer ${key}`,
          })
        ).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
