import { EMOTIONS, valenceOf, type Emotion } from "@moodlens/shared";
import { beforeAll, expect, it } from "vitest";
import { recordAnalysis } from "../src/analyses";
import { emotionBreakdown, emotionStats, listCampaigns, listSources, type StatsBucket } from "../src/stats";
import { describeEachDatabase } from "../src/testing";
import { analysisInput, face, probabilitiesFor } from "./helpers";

/** Deterministic pseudo-random faces spread over ~5 weeks, including both sides of the US DST change. */
function fixture() {
  let state = 42;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const start = Date.parse("2026-02-23T00:00:00Z");
  const items: { at: Date; source: string; campaign: string; emotions: Emotion[] }[] = [];
  for (let i = 0; i < 120; i++) {
    const at = new Date(start + Math.floor(random() * 35 * 24 * 60) * 60_000 + Math.floor(random() * 60) * 1000);
    const count = 1 + Math.floor(random() * 3);
    const emotions = Array.from({ length: count }, () => EMOTIONS[Math.floor(random() * EMOTIONS.length)]!);
    items.push({ at, source: random() < 0.6 ? "web" : "kiosk", campaign: random() < 0.5 ? "spring" : "none", emotions });
  }
  // Edge cases: right at UTC midnight, at local midnights of New York and Kolkata.
  items.push({ at: new Date("2026-03-01T00:00:00Z"), source: "web", campaign: "none", emotions: ["happy"] });
  items.push({ at: new Date("2026-03-02T05:00:00Z"), source: "web", campaign: "none", emotions: ["sad"] });
  items.push({ at: new Date("2026-03-02T18:30:00Z"), source: "kiosk", campaign: "spring", emotions: ["angry"] });
  items.push({ at: new Date("2026-03-02T18:29:59Z"), source: "kiosk", campaign: "spring", emotions: ["fear"] });
  return items;
}

/** Local calendar parts of an instant in a zone, independently of the database (Intl). */
function localParts(date: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23", weekday: "short" })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return parts as Record<"year" | "month" | "day" | "hour" | "weekday", string>;
}

function bucketKey(date: Date, zone: string, bucket: StatsBucket): string {
  const p = localParts(date, zone);
  if (bucket === "HOUR") return `${p.year}-${p.month}-${p.day}T${p.hour}`;
  if (bucket === "MONTH") return `${p.year}-${p.month}`;
  if (bucket === "DAY") return `${p.year}-${p.month}-${p.day}`;
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(p.weekday);
  const monday = new Date(Date.UTC(+p.year, +p.month - 1, +p.day - weekday));
  return monday.toISOString().slice(0, 10);
}

describeEachDatabase("stats", (database) => {
  const items = fixture();
  const from = new Date("2026-02-23T00:00:00Z");
  const to = new Date("2026-03-30T00:00:00Z");

  beforeAll(async () => {
    const { prisma } = database().db;
    for (const item of items) {
      await recordAnalysis(prisma, analysisInput({ capturedAt: item.at, source: item.source, campaign: item.campaign, faces: item.emotions.map((e, i) => face(e, i)) }));
    }
  });

  const cases: [string, StatsBucket, Date, Date][] = [
    ["UTC", "DAY", from, to],
    ["America/New_York", "DAY", new Date("2026-02-23T05:00:00Z"), new Date("2026-03-29T04:00:00Z")],
    ["America/New_York", "HOUR", new Date("2026-03-07T00:00:00Z"), new Date("2026-03-10T00:00:00Z")],
    ["Europe/Berlin", "WEEK", new Date("2026-02-22T23:00:00Z"), new Date("2026-03-29T22:00:00Z")],
    ["Asia/Kolkata", "DAY", new Date("2026-02-22T18:30:00Z"), new Date("2026-03-28T18:30:00Z")],
    // Whole UTC hours, but a +05:30 zone: hourly rollups cannot be split, so the faces must be used.
    ["Asia/Kolkata", "DAY", from, to],
    ["Asia/Kolkata", "HOUR", new Date("2026-03-02T12:30:00Z"), new Date("2026-03-03T12:30:00Z")],
    ["Australia/Adelaide", "MONTH", new Date("2026-01-31T13:30:00Z"), new Date("2026-03-31T13:30:00Z")],
  ];

  for (const [zone, bucket, rangeFrom, rangeTo] of cases) {
    it(`${bucket} buckets in ${zone} from ${rangeFrom.toISOString()} equal a direct count of the stored faces`, async () => {
      const { prisma } = database().db;
      const stats = await emotionStats(prisma, { from: rangeFrom, to: rangeTo, timezone: zone }, bucket);
      const expected = new Map<string, Map<Emotion, number>>();
      let expectedTotal = 0;
      let expectedValence = 0;
      for (const item of items) {
        if (item.at < rangeFrom || item.at >= rangeTo) continue;
        const key = bucketKey(item.at, zone, bucket);
        const counts = expected.get(key) ?? new Map<Emotion, number>();
        expected.set(key, counts);
        for (const emotion of item.emotions) {
          counts.set(emotion, (counts.get(emotion) ?? 0) + 1);
          expectedTotal++;
          expectedValence += valenceOf(probabilitiesFor(emotion));
        }
      }
      expect(stats.totalFaces).toBe(expectedTotal);
      expect(stats.meanValence!).toBeCloseTo(expectedValence / expectedTotal, 9);
      // Every bucket start is the local start of its bucket; faces land in the bucket the calendar says.
      const actual = new Map<string, Map<Emotion, number>>();
      for (const row of stats.buckets) {
        const key = bucketKey(new Date(row.start), zone, bucket);
        expect(actual.has(key), `duplicate bucket ${key}`).toBe(false);
        actual.set(key, new Map(row.counts.filter((c) => c.count > 0).map((c) => [c.emotion, c.count])));
        expect(row.faces).toBe(row.counts.reduce((sum, c) => sum + c.count, 0));
        if (bucket !== "HOUR") expect(localParts(new Date(row.start), zone).hour).toBe("00");
      }
      for (const [key, counts] of expected) expect(actual.get(key), key).toEqual(counts);
      for (const [key, counts] of actual) if (!expected.has(key)) expect(counts.size, key).toBe(0);
      // Continuous series: consecutive buckets, no gaps.
      const starts = stats.buckets.map((b) => Date.parse(b.start));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(stats.computedFrom).toBe(zone === "Asia/Kolkata" || zone === "Australia/Adelaide" ? "faces" : "rollup");
    });
  }

  it("returns every bucket of the range, empty ones with zero faces", async () => {
    const { prisma } = database().db;
    const stats = await emotionStats(prisma, { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-08T00:00:00Z") }, "DAY");
    expect(stats.buckets).toHaveLength(7);
    expect(stats.buckets[0]!.start).toBe("2026-01-01T00:00:00.000Z");
    expect(stats.buckets.every((b) => b.faces === 0 && b.meanValence === null && b.counts.length === 7)).toBe(true);
    // A DST week in New York: 7 local days, one of them 23 hours long.
    const ny = await emotionStats(prisma, { from: new Date("2026-03-05T05:00:00Z"), to: new Date("2026-03-12T04:00:00Z"), timezone: "America/New_York" }, "DAY");
    expect(ny.buckets.map((b) => b.start)).toContain("2026-03-08T05:00:00.000Z");
    expect(ny.buckets.map((b) => b.start)).toContain("2026-03-09T04:00:00.000Z");
    expect(ny.buckets).toHaveLength(7);
  });

  it("filters by source and campaign and suppresses small groups", async () => {
    const { prisma } = database().db;
    const filter = { from, to, sources: ["kiosk"], campaigns: ["spring"] };
    const stats = await emotionStats(prisma, filter, "WEEK");
    const expected = items.filter((i) => i.source === "kiosk" && i.campaign === "spring" && i.at >= from && i.at < to).reduce((n, i) => n + i.emotions.length, 0);
    expect(stats.totalFaces).toBe(expected);
    const private_ = await emotionStats(prisma, { ...filter, minGroupSize: 1_000 }, "WEEK");
    expect(private_.suppressed).toBe(true);
    expect(private_.totalFaces).toBe(0);
    expect(private_.buckets.filter((b) => b.suppressed).length).toBe(private_.suppressedBuckets);
    expect(private_.buckets.every((b) => b.faces === 0)).toBe(true);
  });

  it("breaks down by source and campaign, consistent with the totals", async () => {
    const { prisma } = database().db;
    const bySource = await emotionBreakdown(prisma, { from, to }, "SOURCE");
    const total = (await emotionStats(prisma, { from, to }, "MONTH")).totalFaces;
    expect(bySource.totalFaces).toBe(total);
    expect(bySource.groups.map((g) => g.key).sort()).toEqual(["kiosk", "web"]);
    const web = items.filter((i) => i.source === "web").reduce((n, i) => n + i.emotions.length, 0);
    expect(bySource.groups.find((g) => g.key === "web")!.faces).toBe(web);
    const byCampaign = await emotionBreakdown(prisma, { from, to, minGroupSize: web + 1 }, "CAMPAIGN");
    expect(byCampaign.groups.length).toBe(2);
    expect(byCampaign.suppressedGroups).toBeGreaterThanOrEqual(1);
    for (const group of byCampaign.groups) expect(group.counts.reduce((s, c) => s + c.share, 0)).toBeCloseTo(group.suppressed ? 0 : 1, 9);
  });

  it("lists sources and campaigns", async () => {
    const { prisma } = database().db;
    const sources = await listSources(prisma);
    expect(sources.map((s) => s.name).sort()).toEqual(["kiosk", "web"]);
    expect(sources.reduce((n, s) => n + s.faces, 0)).toBe(items.reduce((n, i) => n + i.emotions.length, 0));
    expect((await listCampaigns(prisma)).map((c) => c.name).sort()).toEqual(["none", "spring"]);
    expect(await listSources(prisma, { isDemo: true })).toEqual([]);
  });

  it("rejects unknown time zones and reversed ranges", async () => {
    const { prisma } = database().db;
    await expect(emotionStats(prisma, { from, to, timezone: "Mars/Olympus" }, "DAY")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(emotionStats(prisma, { from: to, to: from }, "DAY")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
    await expect(emotionStats(prisma, { from: new Date("2000-01-01"), to }, "HOUR")).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});
