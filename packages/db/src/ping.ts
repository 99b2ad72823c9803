import type { DbClient } from "./types";

/** A trivial round trip: resolves when the database answers a query (readiness checks). */
export async function pingDatabase(prisma: DbClient): Promise<void> {
  await prisma.$queryRaw`SELECT 1`;
}
