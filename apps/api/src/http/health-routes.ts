import { Router } from "express";
import type { ApiRuntime } from "../runtime";
import { checkReadiness } from "../services/health";

/** GET /healthz: the process is up (no dependencies checked). GET /readyz: database reachable AND a model loaded. */
export function healthRoutes(runtime: ApiRuntime): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok", version: runtime.version });
  });
  router.get("/readyz", async (_req, res) => {
    const readiness = await checkReadiness(runtime);
    res
      .status(readiness.ready ? 200 : 503)
      .json({ status: readiness.ready ? "ready" : "not ready", ...readiness });
  });
  return router;
}
