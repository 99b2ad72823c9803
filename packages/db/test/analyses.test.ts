import { valenceOf } from "@moodlens/shared";
import { expect, it } from "vitest";
import { countAnalyses, getAnalysis, getStoredImage, listAnalyses, recordAnalysis } from "../src/analyses";
import { createApiKey } from "../src/api-keys";
import { describeEachDatabase } from "../src/testing";
import { analysisInput, face, probabilitiesFor } from "./helpers";

describeEachDatabase("analyses", (database) => {
  it("stores an analysis with its faces and reads it back", async () => {
    const { prisma } = database().db;
    const { analysis, replayed } = await recordAnalysis(
      prisma,
      analysisInput({ faces: [face("happy"), face("sad", 1)] }),
    );
    expect(replayed).toBe(false);
    expect(analysis.faceCount).toBe(2);
    expect(analysis.faces.map((f) => f.dominantEmotion)).toEqual(["happy", "sad"]);
    expect(analysis.faces[1]!.valence).toBeCloseTo(valenceOf(probabilitiesFor("sad")), 10);
    expect(analysis.faces[0]!.probabilities).toHaveLength(7);
    expect(analysis.hasStoredImage).toBe(false);
    const read = await getAnalysis(prisma, analysis.id);
    expect(read?.faces).toHaveLength(2);
    expect(read?.capturedAt.toISOString()).toBe("2026-03-10T12:15:00.000Z");
    expect(await getAnalysis(prisma, "not-a-uuid")).toBeNull();
    expect(await getAnalysis(prisma, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("writes the hourly rollup in the same transaction", async () => {
    const { prisma } = database().db;
    const at = new Date("2026-03-11T08:59:59.999Z");
    await recordAnalysis(
      prisma,
      analysisInput({
        capturedAt: at,
        source: "rollup-test",
        faces: [face("fear"), face("fear", 1), face("happy", 2)],
      }),
    );
    const rows = await prisma.hourlyEmotionRollup.findMany({
      where: { source: "rollup-test" },
      orderBy: { emotion: "asc" },
    });
    expect(rows.map((r) => [r.hourStart.toISOString(), r.emotion, r.faces])).toEqual([
      ["2026-03-11T08:00:00.000Z", "fear", 2],
      ["2026-03-11T08:00:00.000Z", "happy", 1],
    ]);
    expect(rows[0]!.valenceSum).toBeCloseTo(2 * valenceOf(probabilitiesFor("fear")), 10);
  });

  it("rejects bad input without storing anything", async () => {
    const { prisma } = database().db;
    const before = await countAnalyses(prisma);
    await expect(
      recordAnalysis(
        prisma,
        analysisInput({ faces: [{ ...face("happy"), probabilities: [0.5, 0.5, 0.5, 0, 0, 0, 0] }] }),
      ),
    ).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(recordAnalysis(prisma, analysisInput({ imageWidth: 0 }))).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    expect(await countAnalyses(prisma)).toBe(before);
  });

  it("returns the stored analysis for a repeated clientRequestId, per API key, also under concurrency", async () => {
    const { prisma } = database().db;
    const { record: key } = await createApiKey(prisma, { name: "idem", scopes: ["analyze"] });
    const first = await recordAnalysis(prisma, analysisInput({ apiKeyId: key.id, clientRequestId: "req-1" }));
    const again = await recordAnalysis(
      prisma,
      analysisInput({ apiKeyId: key.id, clientRequestId: "req-1", faces: [face("angry")] }),
    );
    expect(again.replayed).toBe(true);
    expect(again.analysis.id).toBe(first.analysis.id);
    expect(again.analysis.faces[0]!.dominantEmotion).toBe("happy");
    // Same id from an anonymous caller is another request.
    const anonymous = await recordAnalysis(prisma, analysisInput({ clientRequestId: "req-1" }));
    expect(anonymous.analysis.id).not.toBe(first.analysis.id);
    const anonymousAgain = await recordAnalysis(prisma, analysisInput({ clientRequestId: "req-1" }));
    expect(anonymousAgain.analysis.id).toBe(anonymous.analysis.id);

    const racers = await Promise.all(
      Array.from({ length: 5 }, () =>
        recordAnalysis(prisma, analysisInput({ apiKeyId: key.id, clientRequestId: "race", source: "race" })),
      ),
    );
    expect(new Set(racers.map((r) => r.analysis.id)).size).toBe(1);
    expect(await countAnalyses(prisma, { sources: ["race"] })).toBe(1);
    const rollup = await prisma.hourlyEmotionRollup.findMany({ where: { source: "race" } });
    expect(rollup.reduce((sum, r) => sum + r.faces, 0)).toBe(1);
  });

  it("keeps an uploaded image only when given", async () => {
    const { prisma } = database().db;
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const { analysis } = await recordAnalysis(
      prisma,
      analysisInput({ storedImage: { bytes, mimeType: "image/jpeg" } }),
    );
    expect(analysis.hasStoredImage).toBe(true);
    const image = await getStoredImage(prisma, analysis.id);
    expect(image?.mimeType).toBe("image/jpeg");
    expect([...image!.bytes]).toEqual([...bytes]);
  });

  it("pages newest first with stable cursors and filters", async () => {
    const { prisma } = database().db;
    const base = Date.parse("2026-04-01T00:00:00Z");
    for (let i = 0; i < 7; i++) {
      await recordAnalysis(
        prisma,
        analysisInput({
          source: "paging",
          capturedAt: new Date(base + (i % 3) * 60_000),
          campaign: i % 2 ? "odd" : "even",
        }),
      );
    }
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await listAnalyses(prisma, { sources: ["paging"] }, { first: 3, after });
      seen.push(...page.items.map((a) => a.id));
      for (let i = 1; i < page.items.length; i++) {
        expect(page.items[i - 1]!.capturedAt.getTime()).toBeGreaterThanOrEqual(
          page.items[i]!.capturedAt.getTime(),
        );
      }
      after = page.hasNextPage ? page.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
    const odd = await listAnalyses(prisma, { sources: ["paging"], campaigns: ["odd"] }, { first: 10 });
    expect(odd.items).toHaveLength(3);
    expect(odd.hasNextPage).toBe(false);
    const inRange = await listAnalyses(prisma, {
      sources: ["paging"],
      from: new Date(base + 60_000),
      to: new Date(base + 120_000),
    });
    expect(inRange.items.every((a) => a.capturedAt.getTime() === base + 60_000)).toBe(true);
    expect(inRange.items.length).toBeGreaterThan(0);
    await expect(listAnalyses(prisma, {}, { first: 0 })).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(listAnalyses(prisma, {}, { after: "garbage" })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });
});
