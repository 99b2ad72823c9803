import { test, expect } from "../support/fixtures";

test.describe("health endpoints", () => {
  test("GET /healthz answers ok without a key", async ({ request }) => {
    const response = await request.get("/healthz");
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  test("GET /readyz is ready: database reachable and a model loaded", async ({ request, stack }) => {
    const response = await request.get("/readyz");
    const body = await response.json();
    expect(response.status(), JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ status: "ready" });
    expect(stack.modelVersion).not.toBeNull();
  });
});
