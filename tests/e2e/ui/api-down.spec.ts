import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { test, expect } from "../support/fixtures";
import { REPO_ROOT } from "../support/paths";
import { GroupProcess, TOOL_ENV, freePorts, waitForHttp } from "../support/processes";
import { e2eState } from "../support/state";

/**
 * The shared stack is never stopped: a second dashboard (the same build, `next start`) is started alone, pointed
 * at a port where no API listens ("API down"), and then at a server that accepts connections but never answers
 * ("API slow", with a 3 s client timeout).
 */
test.describe("when the API is down or slow", () => {
  test.describe.configure({ mode: "serial" });
  let dashboard: GroupProcess | undefined;
  let dashboardUrl = "";
  let apiPort = 0;
  let blackHole: Server | undefined;
  const sockets = new Set<Socket>();

  test.beforeAll(async () => {
    const [dashboardPort, deadApiPort] = (await freePorts(2)) as [number, number];
    apiPort = deadApiPort;
    dashboardUrl = `http://localhost:${dashboardPort}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...TOOL_ENV,
      MOODLENS_API_URL: `http://127.0.0.1:${apiPort}/graphql`,
      MOODLENS_API_TIMEOUT_MS: "3000",
      // The same database and cookie secret as the shared stack: the admin's session (cookies ignore the port) works here.
      DATABASE_URL: e2eState().dashboardAuth.databaseUrl,
      MOODLENS_AUTH_SECRET: e2eState().dashboardAuth.secret,
    };
    dashboard = new GroupProcess(
      "dashboard (API down)",
      process.execPath,
      [path.join(REPO_ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(dashboardPort)],
      {
        cwd: path.join(REPO_ROOT, "apps", "dashboard"),
        env,
      },
    );
    await Promise.race([
      waitForHttp(`${dashboardUrl}/try`, 60_000, (status) => status < 600),
      dashboard.exited.then((code) => {
        throw new Error(`next start exited (code ${code}):\n${dashboard!.tail()}`);
      }),
    ]);
  });

  test.afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (blackHole ? blackHole.close(resolve) : resolve(undefined)));
    await dashboard?.stop(10_000);
  });

  test("every page shows an explained error state with a retry, never a blank page", async ({
    page,
    capture,
  }) => {
    await page.goto(`${dashboardUrl}/`);
    const error = page.getByTestId("error-state");
    await expect(error).toBeVisible();
    await expect(error).toHaveAttribute("data-error-code", "API_UNREACHABLE");
    await expect(error.getByRole("heading")).not.toBeEmpty();
    await expect(page.getByTestId("retry-button")).toBeVisible();
    await expect(page.getByTestId("filter-bar")).toBeVisible(); // the page around it still works
    await capture(page, "error-api-down");

    for (const route of ["/analyses", "/experiments", "/models"]) {
      await page.goto(`${dashboardUrl}${route}`);
      await expect(page.getByTestId("error-state"), route).toBeVisible();
      await expect(page.getByTestId("loading-state"), route).toHaveCount(0);
    }
    await page.goto(`${dashboardUrl}/try`);
    await expect(page.getByTestId("try-api-notice")).toBeVisible();
  });

  test("a CSV export while the API is down answers with a message, not a broken file", async ({ page }) => {
    // page.request carries the signed-in browser's cookies.
    const response = await page.request.get(`${dashboardUrl}/api/analyses/csv?range=7d`);
    expect(response.status()).toBeGreaterThanOrEqual(500);
    expect(await response.text()).toMatch(/CSV export failed/);
  });

  test("an API that never answers times out into the error state instead of a stuck spinner", async ({
    page,
  }) => {
    blackHole = createServer((socket) => {
      sockets.add(socket); // accept, read, never answer
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole!.listen(apiPort, "127.0.0.1", resolve));
    const started = Date.now();
    await page.goto(`${dashboardUrl}/experiments`);
    const error = page.getByTestId("error-state");
    await expect(error).toBeVisible({ timeout: 30_000 });
    await expect(error).toHaveAttribute("data-error-code", "API_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
