/**
 * Every GraphQL document the dashboard sends, in one place so a test can validate them all against the API's SDL
 * (apps/api/src/schema/*.graphql) and catch drift before a page breaks.
 */

const COUNTS = `counts { emotion count share }`;

export const OVERVIEW_QUERY = /* GraphQL */ `
  query Overview($filter: AnalysisFilter!, $previous: AnalysisFilter!, $demoOnly: AnalysisFilter!, $bucket: StatsBucket!) {
    current: emotionStats(filter: $filter, bucket: $bucket) {
      bucket
      timezone
      totalFaces
      totalAnalyses
      meanValence
      suppressed
      minGroupSize
      buckets { start end faces analyses meanValence ${COUNTS} }
      ${COUNTS}
    }
    previous: emotionStats(filter: $previous, bucket: $bucket) {
      totalFaces
      totalAnalyses
      meanValence
      ${COUNTS}
    }
    bySource: emotionBreakdown(filter: $filter, by: SOURCE) {
      by totalFaces suppressed minGroupSize
      groups { key faces analyses meanValence ${COUNTS} }
    }
    byCampaign: emotionBreakdown(filter: $filter, by: CAMPAIGN) {
      by totalFaces suppressed minGroupSize
      groups { key faces analyses meanValence ${COUNTS} }
    }
    demoOnly: emotionStats(filter: $demoOnly, bucket: $bucket) {
      totalFaces
    }
  }
`;

export const FILTER_OPTIONS_QUERY = /* GraphQL */ `
  query FilterOptions {
    sources {
      name
      analyses
      faces
      firstSeen
      lastSeen
    }
    campaigns {
      name
      analyses
      faces
      firstSeen
      lastSeen
    }
    latest: analyses(first: 1) {
      totalCount
      nodes {
        capturedAt
      }
    }
  }
`;

const ANALYSIS_ROW = `
  id capturedAt source campaign faceCount modelVersion demo
  faces { index dominantEmotion valence detectionScore box { x y width height } emotions { emotion probability } }
`;

export const ANALYSES_QUERY = /* GraphQL */ `
  query Analyses($filter: AnalysisFilter!, $first: Int!, $after: String) {
    analyses(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ${ANALYSIS_ROW} } }
    }
  }
`;

export const ANALYZE_IMAGE_MUTATION = /* GraphQL */ `
  mutation AnalyzeImage($input: AnalyzeImageInput!) {
    analyzeImage(input: $input) {
      id
      modelVersion
      backend
      stored
      deduplicated
      faceCount
      skipped
      image {
        width
        height
        format
        bytes
      }
      timings {
        totalMs
        detectMs
        classifyMs
        explainMs
      }
      faces {
        index
        detectionScore
        dominantEmotion
        valence
        saliency
        box {
          x
          y
          width
          height
        }
        emotions {
          emotion
          probability
        }
      }
    }
  }
`;

export const TRY_PAGE_QUERY = /* GraphQL */ `
  query TryPage {
    health {
      status
      modelLoaded
      modelVersion
      modelError
      backend
      limits {
        maxImageBytes
        maxImagePixels
        minGroupSize
      }
    }
  }
`;

const RUN_SUMMARY = `
  id name status architecture experimentId experiment { id name }
  params metrics bestValAccuracy epochCount createdAt finishedAt
`;

export const RUNS_QUERY = /* GraphQL */ `
  query Runs($filter: RunFilter, $orderBy: RunOrderBy) {
    experiments { id name runCount }
    runs(filter: $filter, orderBy: $orderBy, first: 500) { ${RUN_SUMMARY} tags }
  }
`;

/** For an API whose Run type has no tags field yet: tags then come from params.tags. */
export const RUNS_QUERY_WITHOUT_TAGS = /* GraphQL */ `
  query RunsWithoutTags($filter: RunFilter, $orderBy: RunOrderBy) {
    experiments { id name runCount }
    runs(filter: $filter, orderBy: $orderBy, first: 500) { ${RUN_SUMMARY} }
  }
`;

export const COMPARE_RUNS_QUERY = /* GraphQL */ `
  query CompareRuns($ids: [ID!]!) {
    compareRuns(ids: $ids) {
      runs {
        ${RUN_SUMMARY}
        epochs { epoch loss accuracy valLoss valAccuracy valMacroF1 }
        evaluations {
          id split accuracy macroF1 ece samples labels confusion createdAt
          perClass { emotion precision recall f1 support }
        }
      }
      params { name values differs }
      metrics { name values bestRunId }
    }
  }
`;

/** One run alone (the compare view with a single id, since compareRuns needs two or more). */
export const RUN_QUERY = /* GraphQL */ `
  query Run($id: ID!) {
    run(id: $id) {
      ${RUN_SUMMARY}
      epochs { epoch loss accuracy valLoss valAccuracy valMacroF1 }
      evaluations {
        id split accuracy macroF1 ece samples labels confusion createdAt
        perClass { emotion precision recall f1 support }
      }
    }
  }
`;

const MODEL_VERSION = `
  id version stage active runId run { id name } architecture metrics accuracy macroF1 createdAt promotedAt
`;

export const MODELS_QUERY = /* GraphQL */ `
  query Models {
    modelVersions { ${MODEL_VERSION} }
    servedModel { loaded version backend error loadedAt }
  }
`;

export const PROMOTE_MODEL_MUTATION = /* GraphQL */ `
  mutation PromoteModel($version: String!) {
    promoteModel(version: $version) { ${MODEL_VERSION} }
  }
`;

const VIDEO_JOB_SUMMARY = `
  id status source campaign capturedAt sampleFps fileName framesDone framesTotal progress attempts
  error { code message }
  timings { queuedMs decodeMs analyzeMs totalMs }
  video { width height durationSeconds fps codec format bytes }
  modelVersion createdAt startedAt finishedAt videoStored
`;

export const VIDEO_JOBS_QUERY = /* GraphQL */ `
  query VideoJobs($first: Int!, $after: String, $status: VideoJobStatus) {
    videoJobs(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { ${VIDEO_JOB_SUMMARY} }
    }
  }
`;

/** The progress poll: the job without its (possibly large) results. */
export const VIDEO_JOB_STATUS_QUERY = /* GraphQL */ `
  query VideoJobStatus($id: ID!) {
    videoJob(id: $id) { ${VIDEO_JOB_SUMMARY} }
  }
`;

/** The video page: tracks (without their per-frame series) and the per-second timeline. */
export const VIDEO_JOB_QUERY = /* GraphQL */ `
  query VideoJob($id: ID!) {
    videoJob(id: $id) {
      ${VIDEO_JOB_SUMMARY}
      tracks { index firstSeconds lastSeconds frames dominantEmotion meanValence emotions { emotion probability } }
      timeline { second faces meanValence emotions { emotion probability } }
    }
  }
`;

export const CANCEL_VIDEO_JOB_MUTATION = /* GraphQL */ `
  mutation CancelVideoJob($id: ID!) {
    cancelVideoJob(id: $id) { ${VIDEO_JOB_SUMMARY} }
  }
`;

export const ANALYZE_FRAME_MUTATION = /* GraphQL */ `
  mutation AnalyzeFrame($input: AnalyzeFrameInput!) {
    analyzeFrame(input: $input) {
      streamId
      timestamp
      modelVersion
      timings {
        totalMs
      }
      faces {
        trackId
        detectionScore
        dominantEmotion
        valence
        frames
        box {
          x
          y
          width
          height
        }
        emotions {
          emotion
          probability
        }
        rawEmotions {
          emotion
          probability
        }
      }
    }
  }
`;

export const ALL_DOCUMENTS = {
  OVERVIEW_QUERY,
  FILTER_OPTIONS_QUERY,
  ANALYSES_QUERY,
  ANALYZE_IMAGE_MUTATION,
  TRY_PAGE_QUERY,
  RUNS_QUERY,
  RUNS_QUERY_WITHOUT_TAGS,
  COMPARE_RUNS_QUERY,
  RUN_QUERY,
  MODELS_QUERY,
  PROMOTE_MODEL_MUTATION,
  VIDEO_JOBS_QUERY,
  VIDEO_JOB_STATUS_QUERY,
  VIDEO_JOB_QUERY,
  CANCEL_VIDEO_JOB_MUTATION,
  ANALYZE_FRAME_MUTATION,
} as const;
