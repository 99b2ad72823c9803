import { describe, expect, it } from "vitest";
import { SignInAttempts } from "../lib/auth/attempts";
import { safeNextPath, signInUrl } from "../lib/auth/paths";

describe("sign-in redirects", () => {
  it("return only to paths on this dashboard", () => {
    expect(safeNextPath("/models?x=1")).toBe("/models?x=1");
    for (const evil of [
      "https://evil.example",
      "//evil.example/x",
      "/\\evil.example",
      "models",
      "",
      null,
      42,
    ])
      expect(safeNextPath(evil)).toBe("/");
    expect(safeNextPath("/sign-in?next=/models")).toBe("/");
    expect(signInUrl("/analyses?range=7d")).toBe("/sign-in?next=%2Fanalyses%3Frange%3D7d");
    expect(signInUrl("/")).toBe("/sign-in");
  });
});

describe("sign-in attempts", () => {
  it("refuse further attempts after too many failures within the window, per key", () => {
    const attempts = new SignInAttempts(3, 60_000);
    const keys = ["email:a@example.org", "ip:10.0.0.1"];
    for (let i = 0; i < 3; i++) {
      expect(attempts.retryAfterSeconds(keys, 1_000 * i)).toBe(0);
      attempts.fail(keys, 1_000 * i);
    }
    expect(attempts.retryAfterSeconds(keys, 3_000)).toBe(57);
    expect(attempts.retryAfterSeconds(["email:b@example.org", "ip:10.0.0.1"], 3_000)).toBe(57); // same address
    expect(attempts.retryAfterSeconds(["email:b@example.org", "ip:10.0.0.2"], 3_000)).toBe(0);
    expect(attempts.retryAfterSeconds(keys, 61_000)).toBe(0); // the first failure left the window
    attempts.succeed(keys);
    expect(attempts.retryAfterSeconds(keys, 3_000)).toBe(0);
  });
});
