import { describe, expect, it } from "vitest";
import { API_SCOPES, USER_ROLES, isUserRole, roleAllows, scopesForRole } from "../src";

describe("roles → API scopes", () => {
  it("analysts read statistics and may analyse, nothing else", () => {
    expect(scopesForRole("analyst").sort()).toEqual(["analyze", "read:stats"]);
    expect(roleAllows("analyst", "read:experiments")).toBe(false);
    expect(roleAllows("analyst", "admin")).toBe(false);
  });

  it("ML staff also read experiments, runs and models, but may not promote (admin)", () => {
    expect(scopesForRole("ml").sort()).toEqual(["analyze", "read:experiments", "read:stats"]);
    expect(roleAllows("ml", "admin")).toBe(false);
  });

  it("admins get every scope", () => {
    expect(scopesForRole("admin").sort()).toEqual([...API_SCOPES].sort());
    for (const scope of API_SCOPES) expect(roleAllows("admin", scope)).toBe(true);
  });

  it("an unknown role (a hand-edited row) grants nothing", () => {
    expect(isUserRole("superuser")).toBe(false);
    expect(scopesForRole("superuser")).toEqual([]);
    expect(roleAllows("", "read:stats")).toBe(false);
    expect(USER_ROLES).toEqual(["analyst", "ml", "admin"]);
  });
});
