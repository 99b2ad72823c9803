import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { createRun } from "../src/experiments";
import {
  findModelVersionByWeights,
  getActiveModelVersion,
  getModelVersion,
  listModelVersions,
  promoteModelVersion,
  registerModelVersion,
  setModelStage,
} from "../src/models";
import { seedDefaultModel } from "../src/seed";
import { describeEachDatabase } from "../src/testing";

describeEachDatabase("model registry", (database) => {
  it("registers versions, idempotently, and numbers them per day", async () => {
    const { prisma } = database().db;
    const now = new Date("2026-11-24T10:00:00Z");
    const first = await registerModelVersion(prisma, { path: "/models/a", weightsSha256: "aa", now });
    const second = await registerModelVersion(prisma, { path: "/models/b", weightsSha256: "bb", now });
    expect([first.version, second.version]).toEqual(["2026.11.24-1", "2026.11.24-2"]);
    expect(first.stage).toBe("development");
    const again = await registerModelVersion(prisma, {
      version: "2026.11.24-1",
      path: "/models/a",
      weightsSha256: "aa",
    });
    expect(again.id).toBe(first.id);
    await expect(
      registerModelVersion(prisma, { version: "2026.11.24-1", path: "/x", weightsSha256: "cc" }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(registerModelVersion(prisma, { version: "bad version!", path: "/x" })).rejects.toMatchObject(
      { code: "BAD_USER_INPUT" },
    );
    expect((await getModelVersion(prisma, "2026.11.24-2"))?.path).toBe("/models/b");
    expect((await findModelVersionByWeights(prisma, "bb"))?.version).toBe("2026.11.24-2");
    expect(await findModelVersionByWeights(prisma, "no-such-weights")).toBeNull();
    expect((await setModelStage(prisma, "2026.11.24-2", "staging")).stage).toBe("staging");
    expect((await listModelVersions(prisma, { stage: "staging" })).map((v) => v.version)).toEqual([
      "2026.11.24-2",
    ]);
    await expect(setModelStage(prisma, "nope", "archived")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("keeps exactly one production version through promotions, also concurrent ones", async () => {
    const { prisma } = database().db;
    const run = await createRun(prisma, { experiment: { name: "registry" }, name: "r" });
    await registerModelVersion(prisma, {
      version: "1.0.0",
      runId: run.id,
      path: "/m/1",
      metrics: { accuracy: 0.6 },
    });
    await registerModelVersion(prisma, { version: "1.1.0", path: "/m/2" });
    await registerModelVersion(prisma, { version: "1.2.0", path: "/m/3" });
    expect(await getActiveModelVersion(prisma)).toBeNull();

    const firstPromotion = await promoteModelVersion(prisma, "1.0.0");
    expect(firstPromotion.demoted).toBeNull();
    expect(firstPromotion.promoted.promotedAt).toBeInstanceOf(Date);
    const { promoted, demoted } = await promoteModelVersion(prisma, "1.1.0", { demoteTo: "staging" });
    expect(promoted.stage).toBe("production");
    expect(demoted?.version).toBe("1.0.0");
    expect(demoted?.stage).toBe("staging");

    await Promise.all([
      promoteModelVersion(prisma, "1.2.0"),
      promoteModelVersion(prisma, "1.0.0"),
      promoteModelVersion(prisma, "1.1.0"),
    ]);
    expect(await listModelVersions(prisma, { stage: "production" })).toHaveLength(1);

    // The database itself refuses a second production row, whatever the code does.
    const nonProduction = (await listModelVersions(prisma)).find((v) => v.stage !== "production")!;
    await expect(
      prisma.modelVersion.update({ where: { id: nonProduction.id }, data: { stage: "production" } }),
    ).rejects.toThrow();
    await expect(promoteModelVersion(prisma, "9.9.9")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("seeds the shipped model as production only when there is none", async () => {
    const { prisma } = database().db;
    const empty = await mkdtemp(path.join(os.tmpdir(), "moodlens-model-"));
    const active = await getActiveModelVersion(prisma);
    // This suite already has a production version from the previous test.
    expect((await seedDefaultModel(prisma, empty)).outcome).toBe(active ? "production-exists" : "no-model");
  });
});

describeEachDatabase("default model seeding", (database) => {
  it("registers models/default from its metadata.json and promotes it", async () => {
    const { prisma } = database().db;
    const empty = await mkdtemp(path.join(os.tmpdir(), "moodlens-model-"));
    expect(await seedDefaultModel(prisma, empty)).toEqual({ version: null, outcome: "no-model" });
    const dir = await mkdtemp(path.join(os.tmpdir(), "moodlens-model-"));
    await writeFile(
      path.join(dir, "metadata.json"),
      JSON.stringify({
        runId: "unknown-run",
        weightsSha256: "0123456789abcdef",
        metrics: { accuracy: 0.61 },
        labels: [],
      }),
    );
    const seeded = await seedDefaultModel(prisma, dir);
    expect(seeded.outcome).toBe("registered");
    expect(seeded.version).toMatchObject({
      version: "default-0123456789ab",
      stage: "production",
      runId: null,
      weightsSha256: "0123456789abcdef",
    });
    expect(seeded.version?.metrics).toEqual({ accuracy: 0.61 });
    expect((await seedDefaultModel(prisma, dir)).outcome).toBe("production-exists");
  });
});
