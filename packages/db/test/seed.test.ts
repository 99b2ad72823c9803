import { EMOTIONS } from "@moodlens/shared";
import { expect, it } from "vitest";
import { deleteDemoData, DEMO_CAMPAIGNS, DEMO_SOURCES, seedDemoData } from "../src/seed";
import { emotionBreakdown, emotionStats, listSources } from "../src/stats";
import { describeEachDatabase } from "../src/testing";

describeEachDatabase("demo seed", (database) => {
  const now = new Date("2026-11-24T09:30:00Z");

  it("loads plausible demo data whose rollups match the faces", async () => {
    const { prisma } = database().db;
    const result = await seedDemoData(prisma, { days: 14, facesPerDay: 120, seed: 3, now });
    expect(result.skipped).toBe(false);
    expect(result.to.toISOString()).toBe("2026-11-24T09:00:00.000Z");
    expect(result.faces).toBeGreaterThan(14 * 120 * 0.6);
    expect(result.faces).toBeLessThan(14 * 120 * 1.5);
    expect(await prisma.analysis.count({ where: { isDemo: false } })).toBe(0);

    const faces = await prisma.face.findMany({ take: 200 });
    for (const face of faces) {
      expect(face.isDemo).toBe(true);
      expect(face.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      const top = face.probabilities.indexOf(Math.max(...face.probabilities));
      expect(EMOTIONS[top]).toBe(face.dominantEmotion);
    }

    const stats = await emotionStats(prisma, { from: result.from, to: result.to }, "DAY");
    expect(stats.totalFaces).toBe(result.faces);
    expect(stats.buckets).toHaveLength(15); // 14 days from 09:00 UTC touch 15 UTC dates
    expect(stats.buckets.every((b) => b.faces > 0)).toBe(true);
    expect(await prisma.face.count()).toBe(result.faces);

    const sources = (await listSources(prisma, { isDemo: true })).map((s) => s.name).sort();
    expect(sources).toEqual([...DEMO_SOURCES].sort());
    // Campaigns shape the mix: the launch is surprise-heavy compared with no campaign.
    const byCampaign = await emotionBreakdown(prisma, { from: result.from, to: result.to }, "CAMPAIGN");
    expect(
      byCampaign.groups.map((g) => g.key).every((k) => (DEMO_CAMPAIGNS as readonly string[]).includes(k)),
    ).toBe(true);
    const share = (key: string, emotion: string) =>
      byCampaign.groups.find((g) => g.key === key)!.counts.find((c) => c.emotion === emotion)!.share;
    expect(share("product-launch", "surprise")).toBeGreaterThan(share("none", "surprise"));
  });

  it("is idempotent per seed, and demo data can be removed with its rollups", async () => {
    const { prisma } = database().db;
    const before = await prisma.face.count();
    const again = await seedDemoData(prisma, { days: 14, facesPerDay: 120, seed: 3, now });
    expect(again.skipped).toBe(true);
    expect(await prisma.face.count()).toBe(before);
    const other = await seedDemoData(prisma, { days: 2, facesPerDay: 50, seed: 4, now });
    expect(other.skipped).toBe(false);
    expect(await prisma.face.count()).toBe(before + other.faces);

    await deleteDemoData(prisma, { seed: 4 });
    expect(await prisma.face.count()).toBe(before);
    const rollupFaces = await prisma.hourlyEmotionRollup.aggregate({ _sum: { faces: true } });
    expect(rollupFaces._sum.faces).toBe(before);
    await deleteDemoData(prisma);
    expect(await prisma.hourlyEmotionRollup.count()).toBe(0);
    expect(await prisma.analysis.count()).toBe(0);
  });
});
