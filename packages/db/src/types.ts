import type { PrismaClient } from "./generated/prisma/client";

/** What every query function takes: the `prisma` of createDb(). */
export type DbClient = PrismaClient;

export interface Page<T> {
  items: T[];
  /** Opaque cursor of the last item; pass as `after` for the next page. */
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface PageArgs {
  /** Page size (default 20, at most 100). */
  first?: number;
  after?: string | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
