import { test, expect } from "../support/fixtures";
import { EMOTION_STATS_CONTRACT, postGraphQL, type ContractStats } from "../support/graphql";

const HOUR_MS = 3_600_000;

test.describe("emotionStats (issue 5 contract) over HTTP", () => {
  test("totals equal the sum of the buckets, and the seeded faces are all counted", async ({
    request,
    stack,
  }) => {
    // The whole demo seed, demo rows only (analyses stored by other tests are real, not demo).
    const filter = {
      from: stack.seed.from,
      to: new Date(Date.parse(stack.seed.to) + HOUR_MS).toISOString(),
      demo: true,
    };
    const { response, body } = await postGraphQL<{ emotionStats: ContractStats }>(
      request,
      stack.graphqlUrl,
      EMOTION_STATS_CONTRACT,
      {
        key: stack.keys.client,
        variables: { filter, bucket: "DAY" },
      },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(response.status()).toBe(200);
    const stats = body.data!.emotionStats;
    expect(stats.bucket).toBe("DAY");
    expect(stats.buckets.length).toBeGreaterThanOrEqual(60);

    const visible = stats.buckets.filter((bucket) => !bucket.suppressed);
    expect(stats.totalFaces).toBe(visible.reduce((sum, bucket) => sum + bucket.faces, 0));
    for (const bucket of visible) {
      expect(bucket.counts).toHaveLength(7);
      expect(bucket.counts.reduce((sum, entry) => sum + entry.count, 0)).toBe(bucket.faces);
      if (bucket.faces > 0) {
        expect(bucket.meanValence).not.toBeNull();
        expect(Math.abs(bucket.meanValence!)).toBeLessThanOrEqual(1);
      }
    }
    // Only the night-time edges of the seed can fall under the privacy floor.
    expect(stats.totalFaces).toBeLessThanOrEqual(stack.seed.faces);
    expect(stats.totalFaces).toBeGreaterThan(stack.seed.faces * 0.95);

    // Weekly buckets are all far above the floor: every seeded face is counted, exactly once.
    const weekly = await postGraphQL<{ emotionStats: ContractStats }>(
      request,
      stack.graphqlUrl,
      EMOTION_STATS_CONTRACT,
      {
        key: stack.keys.client,
        variables: { filter, bucket: "WEEK" },
      },
    );
    expect(weekly.body.errors, JSON.stringify(weekly.body.errors)).toBeUndefined();
    // Except in the first hours of a UTC Monday: the seed ends at the current hour, so the new week's bucket then
    // holds an hour or two of night-time faces, under the floor (seen at 01:00 UTC on a Monday).
    const week = weekly.body.data!.emotionStats;
    expect(week.suppressed).toBeLessThanOrEqual(1);
    if (week.suppressed === 1) {
      expect(week.buckets.at(-1)!.suppressed).toBe(true);
      expect(week.totalFaces).toBeLessThan(stack.seed.faces);
      expect(week.totalFaces).toBeGreaterThan(stack.seed.faces * 0.99);
    } else expect(week.totalFaces).toBe(stack.seed.faces);
  });

  test("the contract query of the issue (fixed January range) answers with an empty, continuous series", async ({
    request,
    stack,
  }) => {
    const { body } = await postGraphQL<{ emotionStats: ContractStats }>(
      request,
      stack.graphqlUrl,
      `query { emotionStats(filter: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }, bucket: DAY) {
         totalFaces buckets { start faces meanValence counts { emotion count } } } }`,
      { key: stack.keys.client },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const stats = body.data!.emotionStats as Pick<ContractStats, "totalFaces" | "buckets">;
    // The seed covers the 60 days before the run, so January 2026 holds nothing, yet every day is listed.
    expect(stats.buckets).toHaveLength(31);
    expect(stats.buckets[0]!.start).toBe("2026-01-01T00:00:00.000Z");
    expect(stats.totalFaces).toBe(stats.buckets.reduce((sum, bucket) => sum + bucket.faces, 0));
  });

  test("filters narrow the counts: the sources add up to the whole", async ({ request, stack }) => {
    const filter = {
      from: stack.seed.from,
      to: new Date(Date.parse(stack.seed.to) + HOUR_MS).toISOString(),
      demo: true,
    };
    const query = `query($f: AnalysisFilter) { emotionBreakdown(filter: $f, by: SOURCE) { totalFaces suppressed groups { key faces suppressed } } }`;
    const { body } = await postGraphQL<{
      emotionBreakdown: {
        totalFaces: number;
        suppressed: number;
        groups: { key: string; faces: number; suppressed: boolean }[];
      };
    }>(request, stack.graphqlUrl, query, { key: stack.keys.client, variables: { f: filter } });
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const breakdown = body.data!.emotionBreakdown;
    expect(breakdown.groups.map((group) => group.key).sort()).toEqual([
      "kiosk-lobby",
      "mobile-app",
      "survey-video",
      "web",
    ]);
    expect(breakdown.totalFaces).toBe(stack.seed.faces);
    expect(breakdown.groups.reduce((sum, group) => sum + group.faces, 0)).toBe(breakdown.totalFaces);

    const web = await postGraphQL<{
      emotionStats: {
        totalFaces: number;
        minGroupSize: number;
        buckets: { faces: number; suppressed: boolean }[];
      };
    }>(
      request,
      stack.graphqlUrl,
      `query($f: AnalysisFilter) { emotionStats(filter: $f, bucket: WEEK) { totalFaces minGroupSize buckets { faces suppressed } } }`,
      { key: stack.keys.client, variables: { f: { ...filter, sources: ["web"] } } },
    );
    expect(web.body.errors, JSON.stringify(web.body.errors)).toBeUndefined();
    const webStats = web.body.data!.emotionStats;
    const webFaces = breakdown.groups.find((group) => group.key === "web")!.faces;
    // A week that the range cuts to a few night hours can hold fewer web faces than minGroupSize: that bucket is
    // suppressed and its faces leave totalFaces (CI saw 1878 vs 1877 on a Monday at 05:00), so the gap is bounded.
    const suppressedBuckets = webStats.buckets.filter((bucket) => bucket.suppressed).length;
    const hidden = webFaces - webStats.totalFaces;
    if (suppressedBuckets === 0) expect(hidden).toBe(0);
    else {
      expect(hidden).toBeGreaterThanOrEqual(suppressedBuckets);
      expect(hidden).toBeLessThanOrEqual((webStats.minGroupSize - 1) * suppressedBuckets);
    }
    expect(webStats.totalFaces).toBe(webStats.buckets.reduce((sum, bucket) => sum + bucket.faces, 0));
  });
});
