import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { test, expect } from "../support/fixtures";
import { ANALYZE_CONTRACT, postGraphQL, type ContractAnalysis, type ContractFace } from "../support/graphql";
import { GROUP_PHOTO } from "../support/paths";

const EMOTION_ENUM = ["ANGRY", "DISGUST", "FEAR", "HAPPY", "SAD", "SURPRISE", "NEUTRAL"];
const photo = readFileSync(GROUP_PHOTO);
const photoDataUrl = `data:image/jpeg;base64,${photo.toString("base64")}`;
/** 2007_007763.jpg is 500 x 375 pixels. */
const PHOTO_SIZE = { width: 500, height: 375 };
/** Stored test analyses are dated long before the demo seed, so the dashboard's views (and screenshots) show only
 *  the demo data; the API tests find them by their unique source. */
const CAPTURED_AT = "2025-01-15T12:00:00.000Z";

/** What every face of every analysis must satisfy, whatever the (possibly untrained) model predicts. */
function expectWellFormedFace(face: ContractFace, image: { width: number; height: number }) {
  const { x, y, width, height } = face.box;
  expect(width).toBeGreaterThan(0);
  expect(height).toBeGreaterThan(0);
  // Boxes are in original-image pixels: inside the photo (a pixel of rounding allowed).
  expect(x).toBeGreaterThanOrEqual(-1);
  expect(y).toBeGreaterThanOrEqual(-1);
  expect(x + width).toBeLessThanOrEqual(image.width + 1);
  expect(y + height).toBeLessThanOrEqual(image.height + 1);
  expect(face.detectionScore).toBeGreaterThan(0);
  expect(face.detectionScore).toBeLessThanOrEqual(1);
  expect(face.emotions.map((entry) => entry.emotion).sort()).toEqual([...EMOTION_ENUM].sort());
  for (const entry of face.emotions) {
    expect(entry.probability).toBeGreaterThanOrEqual(0);
    expect(entry.probability).toBeLessThanOrEqual(1);
  }
  const sum = face.emotions.reduce((total, entry) => total + entry.probability, 0);
  expect(sum).toBeCloseTo(1, 4);
  const top = face.emotions.reduce((best, entry) => (entry.probability > best.probability ? entry : best));
  expect(face.dominantEmotion).toBe(top.emotion);
  expect(face.valence).toBeGreaterThanOrEqual(-1);
  expect(face.valence).toBeLessThanOrEqual(1);
}

test.describe("analyzeImage (issue 5 contract) over HTTP", () => {
  test("a group photo: one well-formed face entry per detected face, boxes inside the image", async ({
    request,
    stack,
  }) => {
    const { response, body } = await postGraphQL<{ analyzeImage: ContractAnalysis }>(
      request,
      stack.graphqlUrl,
      ANALYZE_CONTRACT,
      {
        key: stack.keys.client,
        variables: {
          input: {
            image: photoDataUrl,
            source: "e2e-api",
            campaign: "spring",
            capturedAt: CAPTURED_AT,
            clientRequestId: `contract-${randomUUID()}`,
          },
        },
        timeout: 120_000,
      },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(response.status()).toBe(200);
    const analysis = body.data!.analyzeImage;
    expect(analysis.id).toBeTruthy();
    expect(analysis.modelVersion).toBe(stack.modelVersion);
    expect(analysis.image).toEqual(expect.objectContaining(PHOTO_SIZE));
    // A group photo: several faces found, and the list matches the count the API reports.
    expect(analysis.faces.length).toBeGreaterThanOrEqual(2);
    expect(analysis.faceCount).toBe(analysis.faces.length);
    expect(analysis.stored).toBe(true);
    expect(analysis.deduplicated).toBe(false);
    for (const face of analysis.faces) expectWellFormedFace(face, PHOTO_SIZE);
  });

  test("the same clientRequestId returns the stored analysis instead of counting twice", async ({
    request,
    stack,
  }) => {
    const source = `e2e-idem-${randomUUID().slice(0, 8)}`;
    const input = {
      image: photoDataUrl,
      source,
      capturedAt: CAPTURED_AT,
      clientRequestId: `idem-${randomUUID()}`,
    };
    const send = () =>
      postGraphQL<{ analyzeImage: ContractAnalysis }>(request, stack.graphqlUrl, ANALYZE_CONTRACT, {
        key: stack.keys.client,
        variables: { input },
        timeout: 120_000,
      });
    const first = await send();
    expect(first.body.errors, JSON.stringify(first.body.errors)).toBeUndefined();
    const second = await send();
    expect(second.body.errors, JSON.stringify(second.body.errors)).toBeUndefined();
    const [a, b] = [first.body.data!.analyzeImage, second.body.data!.analyzeImage];
    expect(a.deduplicated).toBe(false);
    expect(b.deduplicated).toBe(true);
    expect(b.id).toBe(a.id);
    expect(b.faces.length).toBe(a.faces.length);

    // Stored once: one analysis for this source, with its faces counted once.
    const { body } = await postGraphQL<{
      analyses: { totalCount: number; nodes: { id: string; faceCount: number }[] };
    }>(
      request,
      stack.graphqlUrl,
      "query($f: AnalysisFilter) { analyses(filter: $f, first: 10) { totalCount nodes { id faceCount } } }",
      { key: stack.keys.client, variables: { f: { sources: [source] } } },
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data!.analyses.totalCount).toBe(1);
    expect(body.data!.analyses.nodes[0]).toEqual({ id: a.id, faceCount: a.faces.length });
  });

  test("POST /v1/analyze takes the raw file (curl --data-binary) and finds the same faces", async ({
    request,
    stack,
  }) => {
    const binary = await request.post(`/v1/analyze?store=false&source=e2e-binary`, {
      headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "image/jpeg" },
      data: photo,
      timeout: 120_000,
    });
    const body = (await binary.json()) as {
      analysis?: ContractAnalysis & { stored: boolean };
      errors?: unknown;
    };
    expect(binary.status(), JSON.stringify(body.errors)).toBe(200);
    const analysis = body.analysis!;
    expect(analysis.stored).toBe(false);
    expect(analysis.image).toEqual(expect.objectContaining(PHOTO_SIZE));
    for (const face of analysis.faces) expectWellFormedFace(face, PHOTO_SIZE);

    // Same bytes through GraphQL (not stored): the detector is deterministic, so the same boxes come back.
    const { body: gql } = await postGraphQL<{ analyzeImage: ContractAnalysis }>(
      request,
      stack.graphqlUrl,
      ANALYZE_CONTRACT,
      {
        key: stack.keys.client,
        variables: { input: { image: photo.toString("base64"), store: false } },
        timeout: 120_000,
      },
    );
    expect(gql.errors, JSON.stringify(gql.errors)).toBeUndefined();
    const boxes = (faces: ContractFace[]) =>
      faces
        .map((face) => face.box)
        .map(({ x, y, width, height }) => [x, y, width, height].map(Math.round).join(","));
    expect(boxes(analysis.faces).sort()).toEqual(boxes(gql.data!.analyzeImage.faces).sort());
  });

  test("POST /v1/analyze refuses a body that is not an image, and a request without key", async ({
    request,
    stack,
  }) => {
    /** The REST route's error shape: `{ error: { code, message, hint? } }`, not GraphQL's `errors` list. */
    const restErrorCode = (body: { error?: { code?: string; message?: string } }) =>
      body.error?.message ? body.error.code : undefined;
    const text = await request.post(`/v1/analyze?store=false`, {
      headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "text/plain" },
      data: "hello, I am not a photo",
    });
    expect(text.status()).toBe(415);
    expect(restErrorCode(await text.json())).toBe("UNSUPPORTED_IMAGE");

    const garbage = await request.post(`/v1/analyze?store=false`, {
      headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "image/jpeg" },
      data: Buffer.from("definitely not a JPEG, just bytes".repeat(20)),
    });
    expect(garbage.status()).toBe(415);
    expect(restErrorCode(await garbage.json())).toBe("UNSUPPORTED_IMAGE");

    const anonymous = await request.post(`/v1/analyze?store=false`, {
      headers: { "content-type": "image/jpeg" },
      data: photo,
    });
    expect(anonymous.status()).toBe(401);
    expect(restErrorCode(await anonymous.json())).toBe("UNAUTHENTICATED");
  });
});
