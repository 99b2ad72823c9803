import { test, expect } from "../support/fixtures";
import { ANALYST_STORAGE_STATE } from "../support/paths";

/** Sign-in, roles and the headers every page carries. The ui project is signed in as the admin unless a test says otherwise. */

test.describe("signed out", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("pages redirect to sign-in and back; data routes answer 401; security headers are sent", async ({
    page,
    stack,
  }) => {
    const request = page.request; // the browser's cookies (none yet)
    const response = await page.goto("/models?x=1");
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fmodels%3Fx%3D1$/);
    const headers = response!.headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("same-origin");

    for (const route of ["/api/analyses/csv?range=7d"])
      expect((await request.get(route)).status(), route).toBe(401);
    expect((await request.post("/api/analyze", { multipart: { store: "true" } })).status()).toBe(401);

    await page.getByTestId("sign-in-email").fill(stack.users.analyst.email);
    await page.getByTestId("sign-in-password").fill("not the password");
    await page.getByTestId("sign-in-submit").click();
    await expect(page.getByTestId("sign-in-error")).toHaveText(/Wrong email or password/);

    await page.getByTestId("sign-in-password").fill(stack.users.analyst.password);
    await page.getByTestId("sign-in-submit").click();
    await expect(page).toHaveURL(/\/models\?x=1$/);
    await expect(page.getByTestId("user-menu")).toHaveAttribute("data-role", "analyst");
    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in$/);
  });
});

test.describe("as an analyst", () => {
  test.use({ storageState: ANALYST_STORAGE_STATE });

  test("sees the statistics, but models (and promoting) are explained as not allowed", async ({ page }) => {
    const request = page.request; // the analyst's cookies
    await page.goto("/");
    await expect(page.getByTestId("kpis")).toBeVisible();
    await page.goto("/models");
    const error = page.getByTestId("error-state");
    await expect(error).toHaveAttribute("data-error-code", "FORBIDDEN");
    await expect(error).toContainText(/Your role may not use this/);
    await expect(error).toContainText(/role "analyst"/);
    await expect(page.getByTestId("promote-button")).toHaveCount(0);
    expect((await request.get("/api/analyses/csv?range=7d")).status()).toBe(200);
  });
});

test.describe("as an admin", () => {
  test("promotes another model version, then the original again", async ({ page }) => {
    await page.goto("/models");
    const activeRow = page.locator('[data-testid="model-row"][data-active="true"]');
    const original = (await activeRow.getAttribute("data-version"))!;
    const other = page.locator('[data-testid="model-row"][data-active="false"]').first();
    const candidate = (await other.getAttribute("data-version"))!;

    await other.getByTestId("promote-button").click();
    await expect(page.locator(`[data-testid="model-row"][data-version="${candidate}"]`)).toHaveAttribute(
      "data-active",
      "true",
    );
    await expect(page.getByTestId("promote-error")).toHaveCount(0);

    await page
      .locator(`[data-testid="model-row"][data-version="${original}"]`)
      .getByTestId("promote-button")
      .click();
    await expect(page.locator(`[data-testid="model-row"][data-version="${original}"]`)).toHaveAttribute(
      "data-active",
      "true",
    );
  });
});
