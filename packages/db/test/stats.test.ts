import { EMOTIONS, valenceOf, type Emotion } from "@moodlens/shared";
import { beforeAll, expect, it } from "vitest";
import { recordAnalysis } from "../src/analyses";
import {
  emotionBreakdown,
  emotionStats,
  listCampaigns,
  listSources,
  type ComputedFrom,
  type EmotionSummary,
  type StatsBucket,
  type StatsFilter,
} from "../src/stats";
import { describeEachDatabase } from "../src/testing";
import { analysisInput, face, probabilitiesFor } from "./helpers";

const HOUR = 3_600_000;

/** Deterministic pseudo-random faces spread over ~5 weeks, including both sides of the US DST change. */
function fixture() {
  let state = 42;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const start = Date.parse("2026-02-23T00:00:00Z");
  const items: { at: Date; source: string; campaign: string; emotions: Emotion[] }[] = [];
  for (let i = 0; i < 120; i++) {
    const at = new Date(
      start + Math.floor(random() * 35 * 24 * 60) * 60_000 + Math.floor(random() * 60) * 1000,
    );
    const count = 1 + Math.floor(random() * 3);
    const emotions = Array.from({ length: count }, () => EMOTIONS[Math.floor(random() * EMOTIONS.length)]!);
    items.push({
      at,
      source: random() < 0.6 ? "web" : "kiosk",
      campaign: random() < 0.5 ? "spring" : "none",
      emotions,
    });
  }
  // Edge cases: right at UTC midnight, at local midnights of New York and Kolkata.
  items.push({ at: new Date("2026-03-01T00:00:00Z"), source: "web", campaign: "none", emotions: ["happy"] });
  items.push({ at: new Date("2026-03-02T05:00:00Z"), source: "web", campaign: "none", emotions: ["sad"] });
  items.push({
    at: new Date("2026-03-02T18:30:00Z"),
    source: "kiosk",
    campaign: "spring",
    emotions: ["angry"],
  });
  items.push({
    at: new Date("2026-03-02T18:29:59Z"),
    source: "kiosk",
    campaign: "spring",
    emotions: ["fear"],
  });
  // Either side of local midnights that cut a UTC hour: Kathmandu (+05:45), St. John's before and after its DST
  // change (-03:30, then -02:30 from 8 March), and of the cut from/to of the ranges below.
  items.push({
    at: new Date("2026-03-04T18:14:59.999Z"),
    source: "web",
    campaign: "spring",
    emotions: ["surprise"],
  });
  items.push({
    at: new Date("2026-03-04T18:15:00Z"),
    source: "web",
    campaign: "spring",
    emotions: ["disgust", "happy"],
  });
  items.push({
    at: new Date("2026-03-05T03:29:59.999Z"),
    source: "kiosk",
    campaign: "none",
    emotions: ["neutral"],
  });
  items.push({ at: new Date("2026-03-05T03:30:00Z"), source: "kiosk", campaign: "none", emotions: ["sad"] });
  items.push({
    at: new Date("2026-03-12T02:29:59.999Z"),
    source: "web",
    campaign: "none",
    emotions: ["angry"],
  });
  items.push({ at: new Date("2026-03-12T02:30:00Z"), source: "web", campaign: "none", emotions: ["fear"] });
  items.push({
    at: new Date("2026-02-25T10:19:59.999Z"),
    source: "web",
    campaign: "none",
    emotions: ["happy"],
  });
  items.push({ at: new Date("2026-02-25T10:20:00Z"), source: "web", campaign: "none", emotions: ["sad"] });
  items.push({
    at: new Date("2026-03-20T15:40:29.999Z"),
    source: "kiosk",
    campaign: "spring",
    emotions: ["neutral"],
  });
  items.push({
    at: new Date("2026-03-20T15:40:30Z"),
    source: "kiosk",
    campaign: "spring",
    emotions: ["angry"],
  });
  return items;
}

/** Local calendar parts of an instant in a zone, independently of the database (Intl). */
function localParts(date: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      hourCycle: "h23",
      weekday: "short",
    })
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
      await recordAnalysis(
        prisma,
        analysisInput({
          capturedAt: item.at,
          source: item.source,
          campaign: item.campaign,
          faces: item.emotions.map((e, i) => face(e, i)),
        }),
      );
    }
  });

  // [zone, bucket, from, to, where the numbers must come from]
  const cases: [string, StatsBucket, Date, Date, ComputedFrom][] = [
    ["UTC", "DAY", from, to, "rollup"],
    ["America/New_York", "DAY", new Date("2026-02-23T05:00:00Z"), new Date("2026-03-29T04:00:00Z"), "rollup"],
    [
      "America/New_York",
      "HOUR",
      new Date("2026-03-07T00:00:00Z"),
      new Date("2026-03-10T00:00:00Z"),
      "rollup",
    ],
    ["Europe/Berlin", "WEEK", new Date("2026-02-22T23:00:00Z"), new Date("2026-03-29T22:00:00Z"), "rollup"],
    // Sub-hour zones: the rollups for the hours inside one bucket, the faces for the hours a local midnight cuts.
    [
      "Asia/Kolkata",
      "DAY",
      new Date("2026-02-22T18:30:00Z"),
      new Date("2026-03-28T18:30:00Z"),
      "rollup+faces",
    ],
    ["Asia/Kolkata", "DAY", from, to, "rollup+faces"],
    ["Asia/Kolkata", "MONTH", from, to, "rollup+faces"],
    ["Asia/Kathmandu", "DAY", from, to, "rollup+faces"],
    [
      "Australia/Adelaide",
      "MONTH",
      new Date("2026-01-31T13:30:00Z"),
      new Date("2026-03-31T13:30:00Z"),
      "rollup+faces",
    ],
    // Newfoundland (-03:30) across its DST change on 8 March: the cut hour moves from 03:00 to 02:00 UTC.
    ["America/St_Johns", "DAY", from, to, "rollup+faces"],
    [
      "America/St_Johns",
      "WEEK",
      new Date("2026-02-24T07:17:31.250Z"),
      new Date("2026-03-27T19:45:00Z"),
      "rollup+faces",
    ],
    // Whole-hour zones, ranges cut mid-hour: only the first and last hour come from the faces.
    ["UTC", "DAY", new Date("2026-02-25T10:20:00Z"), new Date("2026-03-20T15:40:30Z"), "rollup+faces"],
    [
      "Europe/Berlin",
      "HOUR",
      new Date("2026-03-28T12:10:00Z"),
      new Date("2026-03-29T20:50:00Z"),
      "rollup+faces",
    ],
    // Every hour is cut: the face table alone.
    ["Asia/Kolkata", "HOUR", new Date("2026-03-02T12:30:00Z"), new Date("2026-03-03T12:30:00Z"), "faces"],
    // More than 1000 cut-hour ranges (three years by DAY): the face table alone.
    ["Asia/Kolkata", "DAY", new Date("2024-01-01T00:00:00Z"), new Date("2026-12-31T00:00:00Z"), "faces"],
  ];

  for (const [zone, bucket, rangeFrom, rangeTo, computedFrom] of cases) {
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
      expect(stats.computedFrom).toBe(computedFrom);
    });
  }

  it("returns every bucket of the range, empty ones with zero faces", async () => {
    const { prisma } = database().db;
    const stats = await emotionStats(
      prisma,
      { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-08T00:00:00Z") },
      "DAY",
    );
    expect(stats.buckets).toHaveLength(7);
    expect(stats.buckets[0]!.start).toBe("2026-01-01T00:00:00.000Z");
    expect(stats.buckets.every((b) => b.faces === 0 && b.meanValence === null && b.counts.length === 7)).toBe(
      true,
    );
    // A DST week in New York: 7 local days, one of them 23 hours long.
    const ny = await emotionStats(
      prisma,
      {
        from: new Date("2026-03-05T05:00:00Z"),
        to: new Date("2026-03-12T04:00:00Z"),
        timezone: "America/New_York",
      },
      "DAY",
    );
    expect(ny.buckets.map((b) => b.start)).toContain("2026-03-08T05:00:00.000Z");
    expect(ny.buckets.map((b) => b.start)).toContain("2026-03-09T04:00:00.000Z");
    expect(ny.buckets).toHaveLength(7);
  });

  it("filters by source and campaign and suppresses small groups", async () => {
    const { prisma } = database().db;
    const filter = { from, to, sources: ["kiosk"], campaigns: ["spring"] };
    const stats = await emotionStats(prisma, filter, "WEEK");
    const expected = items
      .filter((i) => i.source === "kiosk" && i.campaign === "spring" && i.at >= from && i.at < to)
      .reduce((n, i) => n + i.emotions.length, 0);
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
    for (const group of byCampaign.groups)
      expect(group.counts.reduce((s, c) => s + c.share, 0)).toBeCloseTo(group.suppressed ? 0 : 1, 9);
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
    await expect(emotionStats(prisma, { from, to, timezone: "Mars/Olympus" }, "DAY")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(emotionStats(prisma, { from: to, to: from }, "DAY")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
    await expect(emotionStats(prisma, { from: new Date("2000-01-01"), to }, "HOUR")).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
    });
  });
});

interface Item {
  at: Date;
  source: string;
  campaign: string;
  isDemo: boolean;
  emotions: Emotion[];
}

/** Per-key faces, counts and valence sum of the items in [from, to) that pass the filter, counted in JavaScript. */
function directCount(items: Item[], filter: StatsFilter, keyOf: (item: Item) => string) {
  const groups = new Map<string, { faces: number; valence: number; counts: Map<Emotion, number> }>();
  for (const item of items) {
    if (item.at < filter.from || item.at >= filter.to) continue;
    if (filter.sources && !filter.sources.includes(item.source)) continue;
    if (filter.campaigns && !filter.campaigns.includes(item.campaign)) continue;
    if (filter.isDemo !== undefined && item.isDemo !== filter.isDemo) continue;
    const key = keyOf(item);
    const group = groups.get(key) ?? { faces: 0, valence: 0, counts: new Map<Emotion, number>() };
    groups.set(key, group);
    for (const emotion of item.emotions) {
      group.faces++;
      group.valence += valenceOf(probabilitiesFor(emotion));
      group.counts.set(emotion, (group.counts.get(emotion) ?? 0) + 1);
    }
  }
  return groups;
}

/** `actual` (a bucket or breakdown group) holds exactly the expected group, or is suppressed when it is too small. */
function expectGroup(
  actual: EmotionSummary,
  expected: ReturnType<typeof directCount> extends Map<string, infer G> ? G | undefined : never,
  minGroupSize: number,
  label: string,
) {
  const faces = expected?.faces ?? 0;
  if (faces > 0 && faces < minGroupSize) {
    expect(actual, label).toMatchObject({ suppressed: true, faces: 0, meanValence: null });
    return;
  }
  expect(actual.suppressed, label).toBe(false);
  expect(actual.faces, label).toBe(faces);
  expect(new Map(actual.counts.filter((c) => c.count > 0).map((c) => [c.emotion, c.count])), label).toEqual(
    expected?.counts ?? new Map(),
  );
  if (faces) expect(actual.meanValence!, label).toBeCloseTo(expected!.valence / faces, 9);
  else expect(actual.meanValence, label).toBeNull();
}

/**
 * The mixed path (rollups for the whole hours, faces for the cut ones) with everything the same code serves:
 * source/campaign/demo filters, breakdowns, small-group suppression, a DST change in a sub-hour zone. Faces every
 * hour for two weeks, so every cut hour holds faces on both sides of its boundary.
 */
describeEachDatabase("stats from rollups and faces", (database) => {
  const items: Item[] = [];
  {
    let state = 7;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const start = Date.parse("2026-02-27T00:00:00Z");
    for (let hour = 0; hour < 14 * 24; hour++) {
      if (random() < 0.35) continue;
      const at = new Date(start + hour * HOUR + Math.floor(random() * HOUR));
      const emotions = Array.from(
        { length: 1 + Math.floor(random() * 2) },
        () => EMOTIONS[Math.floor(random() * EMOTIONS.length)]!,
      );
      items.push({
        at,
        source: ["web", "kiosk", "app"][Math.floor(random() * 3)]!,
        campaign: random() < 0.5 ? "spring" : "none",
        isDemo: random() < 0.25,
        emotions,
      });
    }
  }

  beforeAll(async () => {
    const { prisma } = database().db;
    for (const item of items) {
      await recordAnalysis(
        prisma,
        analysisInput({
          capturedAt: item.at,
          source: item.source,
          campaign: item.campaign,
          isDemo: item.isDemo,
          faces: item.emotions.map((e, i) => face(e, i)),
        }),
      );
    }
  });

  const aligned = { from: new Date("2026-02-27T00:00:00Z"), to: new Date("2026-03-13T00:00:00Z") };
  const cut = { from: new Date("2026-02-27T09:41:07.500Z"), to: new Date("2026-03-12T22:05:00Z") };
  /** A minGroupSize that suppresses the smallest expected group(s) and keeps the largest. */
  const suppressingSome = (groups: ReturnType<typeof directCount>) =>
    Math.min(...[...groups.values()].map((g) => g.faces)) + 1;
  // [zone, bucket, filter, suppress small groups, where the numbers must come from]
  const cases: [string, StatsBucket, StatsFilter, boolean, ComputedFrom][] = [
    ["Asia/Kolkata", "DAY", { ...aligned, sources: ["web", "app"] }, false, "rollup+faces"],
    ["Asia/Kolkata", "WEEK", { ...cut, campaigns: ["spring"] }, true, "rollup+faces"],
    ["Asia/Kathmandu", "DAY", { ...cut, isDemo: false }, true, "rollup+faces"],
    ["America/St_Johns", "DAY", { ...aligned, isDemo: true }, false, "rollup+faces"],
    [
      "America/St_Johns",
      "HOUR",
      { from: new Date("2026-03-08T01:00:00Z"), to: new Date("2026-03-08T09:00:00Z") },
      false,
      "faces",
    ],
    ["Australia/Adelaide", "DAY", { ...cut, sources: ["kiosk"], campaigns: ["none"] }, true, "rollup+faces"],
    ["America/New_York", "DAY", cut, true, "rollup+faces"],
    [
      "America/New_York",
      "HOUR",
      { from: new Date("2026-03-08T03:00:00Z"), to: new Date("2026-03-08T12:00:00Z"), isDemo: false },
      false,
      "rollup",
    ],
  ];
  for (const [zone, bucket, baseFilter, suppress, computedFrom] of cases) {
    it(`${bucket} in ${zone}, ${JSON.stringify({ ...baseFilter, from: undefined, to: undefined })}${suppress ? " + minGroupSize" : ""} from ${baseFilter.from.toISOString()}: exact, ${computedFrom}`, async () => {
      const { prisma } = database().db;
      const expected = directCount(items, baseFilter, (item) => bucketKey(item.at, zone, bucket));
      const minGroupSize = suppress ? suppressingSome(expected) : 0;
      const stats = await emotionStats(prisma, { ...baseFilter, minGroupSize, timezone: zone }, bucket);
      expect(stats.computedFrom).toBe(computedFrom);
      const seen = new Set<string>();
      for (const row of stats.buckets) {
        const key = bucketKey(new Date(row.start), zone, bucket);
        seen.add(key);
        expectGroup(row, expected.get(key), minGroupSize, key);
      }
      for (const key of expected.keys()) expect(seen.has(key), key).toBe(true);
      const kept = [...expected.values()].filter((g) => !(g.faces > 0 && g.faces < minGroupSize));
      expect(stats.totalFaces).toBe(kept.reduce((n, g) => n + g.faces, 0));
      expect(stats.suppressedBuckets).toBe(expected.size - kept.length);
      if (suppress) expect(stats.suppressedBuckets).toBeGreaterThan(0);
      if (suppress) expect(stats.totalFaces).toBeGreaterThan(0);
    });
  }

  for (const by of ["SOURCE", "CAMPAIGN"] as const) {
    for (const [range, isDemo, suppress, computedFrom] of [
      [cut, undefined, false, "rollup+faces"],
      [cut, true, false, "rollup+faces"],
      [cut, false, true, "rollup+faces"],
      // Whole UTC hours: a breakdown has no buckets, so the zone's offset does not matter.
      [aligned, undefined, false, "rollup"],
    ] as const) {
      it(`breaks down by ${by} from ${range.from.toISOString()}, demo ${isDemo}${suppress ? " + minGroupSize" : ""}: exact, ${computedFrom}`, async () => {
        const { prisma } = database().db;
        const base: StatsFilter = {
          ...range,
          ...(isDemo === undefined ? {} : { isDemo }),
          timezone: "Asia/Kolkata",
        };
        const expected = directCount(items, base, (item) => (by === "SOURCE" ? item.source : item.campaign));
        const minGroupSize = suppress ? suppressingSome(expected) : 0;
        const breakdown = await emotionBreakdown(prisma, { ...base, minGroupSize }, by);
        expect(breakdown.computedFrom).toBe(computedFrom);
        expect(breakdown.groups.map((g) => g.key).sort()).toEqual([...expected.keys()].sort());
        for (const group of breakdown.groups)
          expectGroup(group, expected.get(group.key), minGroupSize, group.key);
        if (suppress) expect(breakdown.suppressedGroups).toBeGreaterThan(0);
        if (suppress) expect(breakdown.totalFaces).toBeGreaterThan(0);
      });
    }
  }

  it("reads the rollups for whole hours and the faces for the hours a local midnight cuts", async () => {
    const { prisma } = database().db;
    // Rollup rows without faces behind them (never written by the package): visible only where rollups are read.
    // 06:00 UTC lies inside a Kolkata day (11:30-12:30), 18:00 UTC is cut by Kolkata's midnight (18:30).
    const insert = (hour: string, source: string) => prisma.$executeRaw`
      INSERT INTO hourly_emotion_rollup (hour_start, source, campaign, emotion, is_demo, faces, valence_sum)
      VALUES (${hour}::timestamptz, ${source}, 'none', 'happy', false, 1000, 0)`;
    await insert("2026-03-03T06:00:00Z", "whole-hour");
    await insert("2026-03-03T18:00:00Z", "cut-hour");
    try {
      const filter = { ...aligned, sources: ["whole-hour", "cut-hour"] };
      const kolkata = await emotionStats(prisma, { ...filter, timezone: "Asia/Kolkata" }, "DAY");
      expect(kolkata.computedFrom).toBe("rollup+faces");
      expect(kolkata.totalFaces).toBe(1000);
      expect(kolkata.buckets.find((b) => b.faces > 0)!.start).toBe("2026-03-02T18:30:00.000Z");
      const utc = await emotionStats(prisma, { ...filter, timezone: "UTC" }, "DAY");
      expect(utc.computedFrom).toBe("rollup");
      expect(utc.totalFaces).toBe(2000);
      const breakdown = await emotionBreakdown(
        prisma,
        {
          from: new Date(aligned.from.getTime() + HOUR / 2),
          to: aligned.to,
          sources: ["whole-hour", "cut-hour"],
        },
        "SOURCE",
      );
      expect(breakdown.groups.map((g) => [g.key, g.faces])).toEqual([
        ["cut-hour", 1000],
        ["whole-hour", 1000],
      ]);
    } finally {
      await prisma.$executeRaw`DELETE FROM hourly_emotion_rollup WHERE source IN ('whole-hour', 'cut-hour')`;
    }
  });
});
