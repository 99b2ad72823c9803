import { gql } from "../graphql";
import { dashboardEnv } from "../env";
import { ANALYZE_TIMEOUT_MS } from "../upload";
import { ANALYZE_IMAGE_MUTATION, TRY_PAGE_QUERY } from "./documents";
import type { AnalyzedImage, ApiLimits } from "./types";

export interface AnalyzeRequest {
  imageDataUrl: string;
  store: boolean;
  explain: boolean;
  source?: string;
  campaign?: string;
  clientRequestId?: string;
}

export async function analyzeImage(request: AnalyzeRequest, signal?: AbortSignal): Promise<AnalyzedImage> {
  const data = await gql<{ analyzeImage: AnalyzedImage }>(
    ANALYZE_IMAGE_MUTATION,
    {
      input: {
        image: request.imageDataUrl,
        store: request.store,
        explain: request.explain,
        ...(request.source ? { source: request.source } : {}),
        ...(request.campaign ? { campaign: request.campaign } : {}),
        ...(request.clientRequestId ? { clientRequestId: request.clientRequestId } : {}),
      },
    },
    {
      timeoutMs: Math.max(ANALYZE_TIMEOUT_MS, dashboardEnv().MOODLENS_API_TIMEOUT_MS),
      ...(signal ? { signal } : {}),
    },
  );
  return data.analyzeImage;
}

export interface TryPageData {
  health: {
    status: string;
    modelLoaded: boolean;
    modelVersion: string | null;
    modelError: string | null;
    backend: string | null;
    limits: ApiLimits;
  };
}

export function fetchTryPage(): Promise<TryPageData> {
  return gql<TryPageData>(TRY_PAGE_QUERY);
}
