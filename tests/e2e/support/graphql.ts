import type { APIRequestContext, APIResponse } from "@playwright/test";

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}
export interface GraphQLBody<T> {
  data?: T | null;
  errors?: GraphQLError[];
}

/** One GraphQL request over plain fetch (global setup has no Playwright fixtures). */
export async function fetchGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  key?: string,
): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await response.json()) as GraphQLBody<T>;
  if (body.errors?.length || !body.data) {
    throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

/** A GraphQL POST through Playwright's request fixture; returns the raw response and its parsed body. */
export async function postGraphQL<T>(
  request: APIRequestContext,
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; key?: string; timeout?: number } = {},
): Promise<{ response: APIResponse; body: GraphQLBody<T> }> {
  const response = await request.post(url, {
    headers: {
      "content-type": "application/json",
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    },
    data: { query, variables: options.variables ?? {} },
    timeout: options.timeout ?? 60_000,
  });
  const body = (await response.json()) as GraphQLBody<T>;
  return { response, body };
}

export const firstErrorCode = (body: GraphQLBody<unknown>): string | undefined =>
  body.errors?.[0]?.extensions?.code;

/** The contract queries from issue 5, verbatim apart from variables. */
export const ANALYZE_CONTRACT = /* GraphQL */ `
  mutation Analyze($input: AnalyzeImageInput!) {
    analyzeImage(input: $input) {
      id
      modelVersion
      faces {
        box {
          x
          y
          width
          height
        }
        detectionScore
        dominantEmotion
        valence
        emotions {
          emotion
          probability
        }
      }
      image {
        width
        height
      }
      faceCount
      skipped
      stored
      deduplicated
      clientRequestId
    }
  }
`;

export const EMOTION_STATS_CONTRACT = /* GraphQL */ `
  query Stats($filter: AnalysisFilter, $bucket: StatsBucket) {
    emotionStats(filter: $filter, bucket: $bucket) {
      totalFaces
      suppressed
      bucket
      buckets {
        start
        faces
        meanValence
        suppressed
        counts {
          emotion
          count
        }
      }
    }
  }
`;

export interface ContractFace {
  box: { x: number; y: number; width: number; height: number };
  detectionScore: number;
  dominantEmotion: string;
  valence: number;
  emotions: { emotion: string; probability: number }[];
}
export interface ContractAnalysis {
  id: string;
  modelVersion: string;
  faces: ContractFace[];
  image: { width: number; height: number } | null;
  faceCount: number;
  skipped: number;
  stored: boolean;
  deduplicated: boolean;
  clientRequestId: string | null;
}
export interface ContractStats {
  totalFaces: number;
  suppressed: number;
  bucket: string;
  buckets: {
    start: string;
    faces: number;
    meanValence: number | null;
    suppressed: boolean;
    counts: { emotion: string; count: number }[];
  }[];
}
