import { describe, expect, it } from "vitest";
import {
  bucketEnd,
  chooseBucket,
  describeRange,
  filtersToParams,
  parseFilters,
  parseList,
  presetRange,
  previousPeriod,
} from "../lib/filters";
import { toAnalysisFilter, toDemoOnlyFilter } from "../lib/stats";
import { DAY_MS, HOUR_MS, startOfDayInZone } from "../lib/time";

const NOW = new Date("2026-03-15T10:30:00Z");

describe("chooseBucket", () => {
  const from = new Date("2026-01-01T00:00:00Z");
  const after = (ms: number) => new Date(from.getTime() + ms);
  it("uses hours up to two days, days up to 90, weeks up to two years, months beyond", () => {
    expect(chooseBucket(from, after(2 * DAY_MS))).toBe("HOUR");
    expect(chooseBucket(from, after(2 * DAY_MS + HOUR_MS))).toBe("DAY");
    expect(chooseBucket(from, after(90 * DAY_MS))).toBe("DAY");
    expect(chooseBucket(from, after(91 * DAY_MS))).toBe("WEEK");
    expect(chooseBucket(from, after(730 * DAY_MS))).toBe("WEEK");
    expect(chooseBucket(from, after(10 * 365 * DAY_MS))).toBe("MONTH");
  });
});

describe("parseFilters", () => {
  it("defaults to the last 30 calendar days in UTC, ending with today", () => {
    const { filters, problems } = parseFilters({}, NOW);
    expect(problems).toEqual([]);
    expect(filters.range).toBe("30d");
    expect(filters.timezone).toBe("UTC");
    expect(filters.from.toISOString()).toBe("2026-02-14T00:00:00.000Z");
    expect(filters.to.toISOString()).toBe("2026-03-16T00:00:00.000Z");
  });

  it("reads inclusive calendar days in the chosen time zone", () => {
    const { filters } = parseFilters({ from: "2026-01-01", to: "2026-01-31", tz: "Europe/Berlin" }, NOW);
    expect(filters.range).toBe("custom");
    expect(filters.from.toISOString()).toBe("2025-12-31T23:00:00.000Z");
    expect(filters.to.toISOString()).toBe("2026-01-31T23:00:00.000Z");
  });

  it("keeps ISO instants from a drill-down link as they are (to exclusive)", () => {
    const { filters } = parseFilters(
      { from: "2026-01-05T00:00:00.000Z", to: "2026-01-06T00:00:00.000Z" },
      NOW,
    );
    expect(filters.to.getTime() - filters.from.getTime()).toBe(DAY_MS);
  });

  it("reports and ignores a reversed range, an unknown preset and an unknown zone", () => {
    expect(parseFilters({ from: "2026-02-01", to: "2026-01-01" }, NOW).problems[0]).toMatch(
      /start date is after/,
    );
    expect(parseFilters({ range: "5w" }, NOW).problems[0]).toMatch(/Unknown range/);
    const zone = parseFilters({ tz: "Mars/Olympus" }, NOW);
    expect(zone.filters.timezone).toBe("UTC");
    expect(zone.problems[0]).toMatch(/time zone/);
  });

  it("accepts comma lists and repeated parameters, dropping blanks and duplicates", () => {
    expect(parseList(["web,kiosk", "web", " "])).toEqual(["web", "kiosk"]);
    expect(parseFilters({ sources: "web,app", campaigns: ["spring", "summer"] }, NOW).filters).toMatchObject({
      sources: ["web", "app"],
      campaigns: ["spring", "summer"],
    });
  });

  it("round-trips through the URL", () => {
    const original = parseFilters({ range: "7d", sources: "web", tz: "America/New_York" }, NOW).filters;
    const again = parseFilters(Object.fromEntries(filtersToParams(original)), NOW).filters;
    expect(again).toEqual(original);
    const custom = {
      ...original,
      range: "custom" as const,
      from: new Date("2026-01-01T05:00:00Z"),
      to: new Date("2026-01-02T05:00:00Z"),
    };
    expect(parseFilters(Object.fromEntries(filtersToParams(custom)), NOW).filters).toEqual(custom);
  });
});

describe("demo data filter", () => {
  it("shows demo rows by default, hides them with ?demo=hide, keeps the choice in links and sends demo: false to the API", () => {
    expect(parseFilters({}, NOW).filters.demo).toBe("show");
    const hidden = parseFilters({ demo: "hide", sources: "web" }, NOW);
    expect(hidden.filters.demo).toBe("hide");
    expect(hidden.problems).toEqual([]);
    expect(filtersToParams(hidden.filters).get("demo")).toBe("hide");
    expect(filtersToParams(parseFilters({}, NOW).filters).has("demo")).toBe(false);
    expect(toAnalysisFilter(hidden.filters)).toMatchObject({ demo: false, sources: ["web"] });
    expect(toAnalysisFilter(parseFilters({}, NOW).filters)).not.toHaveProperty("demo");
    // The count of demo faces is asked for with the same range and narrowing, whatever the view shows.
    expect(toDemoOnlyFilter(hidden.filters)).toEqual({ ...toAnalysisFilter(hidden.filters), demo: true });
  });

  it("reports an unknown value and shows demo data", () => {
    const parsed = parseFilters({ demo: "maybe" }, NOW);
    expect(parsed.filters.demo).toBe("show");
    expect(parsed.problems).toEqual(['Unknown demo="maybe"; showing demo data.']);
  });
});

describe("describeRange", () => {
  it("names presets, whole days (inclusive end) and exact instants", () => {
    expect(describeRange(parseFilters({ range: "7d" }, NOW).filters)).toBe("Last 7 days");
    expect(describeRange(parseFilters({ from: "2020-01-01", to: "2020-01-31" }, NOW).filters)).toBe(
      "1 Jan 2020 – 31 Jan 2020",
    );
    expect(
      describeRange(parseFilters({ from: "2020-01-05", to: "2020-01-05", tz: "Asia/Tokyo" }, NOW).filters),
    ).toBe("5 Jan 2020");
    expect(
      describeRange(parseFilters({ from: "2020-01-05T10:00:00Z", to: "2020-01-05T11:00:00Z" }, NOW).filters),
    ).toBe("5 Jan 2020, 10:00 – 5 Jan 2020, 11:00");
  });
});

describe("periods and buckets", () => {
  it("the previous period has the same length and ends where the current one starts", () => {
    const from = new Date("2026-03-01T00:00:00Z");
    const to = new Date("2026-03-08T00:00:00Z");
    expect(previousPeriod(from, to)).toEqual({ from: new Date("2026-02-22T00:00:00Z"), to: from });
  });

  it("24h preset ends at the next full hour", () => {
    const range = presetRange("24h", NOW, "UTC");
    expect(range.to.toISOString()).toBe("2026-03-15T11:00:00.000Z");
    expect(range.to.getTime() - range.from.getTime()).toBe(DAY_MS);
  });

  it("day presets follow the zone's calendar across a DST change", () => {
    // Europe/Berlin switches to summer time on 2026-03-29.
    const range = presetRange("7d", new Date("2026-03-31T12:00:00Z"), "Europe/Berlin");
    expect(range.from.toISOString()).toBe("2026-03-24T23:00:00.000Z");
    expect(range.to.toISOString()).toBe("2026-03-31T22:00:00.000Z");
  });

  it("month buckets end at the next calendar month in the zone", () => {
    const start = startOfDayInZone("2026-01-01", "Asia/Tokyo");
    expect(bucketEnd(start, "MONTH", "Asia/Tokyo").toISOString()).toBe("2026-01-31T15:00:00.000Z");
    expect(bucketEnd(new Date("2026-01-01T00:00:00Z"), "WEEK", "UTC").toISOString()).toBe(
      "2026-01-08T00:00:00.000Z",
    );
  });
});

describe("kind filter", () => {
  it("reads ?kinds=video,live, keeps it in links and sends upper-case kinds to the API", () => {
    const { filters, problems } = parseFilters({ kinds: "live,video" }, NOW);
    expect(problems).toEqual([]);
    expect(filters.kinds).toEqual(["video", "live"]);
    expect(filtersToParams(filters).get("kinds")).toBe("video,live");
    expect(toAnalysisFilter(filters)).toMatchObject({ kinds: ["VIDEO", "LIVE"] });
    expect(parseFilters(Object.fromEntries(filtersToParams(filters)), NOW).filters).toEqual(filters);
  });

  it("means every kind when none or all are chosen, and names unknown kinds", () => {
    expect(toAnalysisFilter(parseFilters({}, NOW).filters)).not.toHaveProperty("kinds");
    const all = parseFilters({ kinds: "photo,video,live" }, NOW).filters;
    expect(all.kinds).toEqual([]);
    expect(filtersToParams(all).has("kinds")).toBe(false);
    const odd = parseFilters({ kinds: "photo,hologram" }, NOW);
    expect(odd.filters.kinds).toEqual(["photo"]);
    expect(odd.problems[0]).toMatch(/hologram/);
  });
});
