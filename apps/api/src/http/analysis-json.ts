/**
 * The JSON body of POST /v1/analyze: exactly what the GraphQL selection below returns for analyzeImage, so the
 * binary route and the mutation answer the same fields (enums in their GraphQL spelling, instants as ISO strings).
 *
 *   id modelVersion backend faceCount skipped source campaign capturedAt createdAt clientRequestId stored deduplicated
 *   timings { decodeMs detectMs classifyMs explainMs totalMs }  image { width height format bytes }
 *   faces { index detectionScore dominantEmotion valence saliency box { x y width height }
 *           emotions { emotion probability } landmarks { x y } }
 */
import { EMOTIONS, type Emotion } from "@moodlens/shared";
import { publicTimings, type AnalysisView, type FaceView } from "../services/analysis-view";

const enumName = (emotion: Emotion): string => emotion.toUpperCase();

function faceJson(face: FaceView) {
  return {
    index: face.index,
    detectionScore: face.detectionScore,
    dominantEmotion: enumName(face.dominantEmotion),
    valence: face.valence,
    saliency: face.saliency ?? null,
    box: { x: face.box.x, y: face.box.y, width: face.box.width, height: face.box.height },
    emotions: EMOTIONS.map((emotion, i) => ({
      emotion: enumName(emotion),
      probability: face.probabilities[i] ?? 0,
    })),
    landmarks: face.landmarks?.map((point) => ({ x: point.x, y: point.y })) ?? null,
  };
}

export function analysisJson(analysis: AnalysisView) {
  const { image } = analysis;
  return {
    id: analysis.id,
    modelVersion: analysis.modelVersion,
    backend: analysis.backend,
    faceCount: analysis.faceCount,
    skipped: analysis.skipped,
    source: analysis.source,
    campaign: analysis.campaign,
    capturedAt: analysis.capturedAt.toISOString(),
    createdAt: analysis.createdAt.toISOString(),
    clientRequestId: analysis.clientRequestId,
    stored: analysis.stored,
    deduplicated: analysis.deduplicated,
    timings: publicTimings(analysis.timings),
    image: image
      ? { width: image.width, height: image.height, format: image.format ?? null, bytes: image.bytes ?? null }
      : null,
    // A fresh analysis always carries its faces (only list reads leave them to a loader).
    faces: (analysis.faces ?? []).map(faceJson),
  };
}
