/** The photo client against a real local HTTP server: raw bytes out, the analysis back, REST errors as ApiError. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeImageWith, type AnalyzeRequest } from "../lib/api/analyze";
import { ApiError } from "../lib/graphql";

let server: Server;
let baseUrl: string;
const seen: { url: string; contentType?: string; authorization?: string; body: Buffer }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({
        url: request.url ?? "",
        contentType: request.headers["content-type"],
        authorization: request.headers.authorization,
        body,
      });
      const source = new URL(request.url ?? "/", "http://x").searchParams.get("source");
      response.setHeader("content-type", "application/json");
      if (source === "refuse") {
        response.statusCode = 415;
        response.end(
          JSON.stringify({
            error: {
              code: "UNSUPPORTED_IMAGE",
              message: "not an image",
              hint: "send a JPEG",
              details: { field: "image" },
            },
          }),
        );
      } else if (source === "too-large") {
        response.statusCode = 413;
        response.setHeader("content-type", "text/html");
        response.end("<html>too large</html>");
      } else if (source === "slow") {
        setTimeout(() => response.end("{}"), 2_000);
      } else {
        response.end(
          JSON.stringify({ analysis: { id: "a-1", faceCount: 0, faces: [], bytes: body.byteLength } }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70, 0, 1, 2, 3, 250, 251]);
const request = (overrides: Partial<AnalyzeRequest> = {}): AnalyzeRequest => ({
  bytes: photo,
  contentType: "image/jpeg",
  store: true,
  explain: false,
  ...overrides,
});
const config = (timeoutMs = 5_000) => ({ baseUrl, sessionToken: "session-token", timeoutMs });

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("analyzeImageWith", () => {
  it("posts the photo's bytes as they are, with the options as query parameters, as the signed-in user", async () => {
    const analysis = await analyzeImageWith(
      config(),
      request({ source: "dashboard", campaign: "spring", clientRequestId: "dashboard-1" }),
    );
    expect(analysis).toMatchObject({ id: "a-1", faceCount: 0 });
    const sent = seen.at(-1)!;
    expect(sent.body.equals(Buffer.from(photo))).toBe(true);
    expect(sent.contentType).toBe("image/jpeg");
    expect(sent.authorization).toBe("Session session-token");
    const params = new URL(sent.url, "http://x").searchParams;
    expect(new URL(sent.url, "http://x").pathname).toBe("/v1/analyze");
    expect(Object.fromEntries(params)).toEqual({
      store: "true",
      explain: "false",
      source: "dashboard",
      campaign: "spring",
      clientRequestId: "dashboard-1",
    });
  });

  it("turns the API's REST errors, bare HTTP errors, timeouts and refusals into ApiError codes", async () => {
    const refused = await failure(analyzeImageWith(config(), request({ source: "refuse" })));
    expect(refused).toMatchObject({
      code: "UNSUPPORTED_IMAGE",
      message: "not an image",
      details: { field: "image", hint: "send a JPEG" },
    });
    expect((await failure(analyzeImageWith(config(), request({ source: "too-large" })))).code).toBe(
      "PAYLOAD_TOO_LARGE",
    );
    expect((await failure(analyzeImageWith(config(200), request({ source: "slow" })))).code).toBe(
      "API_TIMEOUT",
    );
    const unreachable = await failure(
      analyzeImageWith({ ...config(), baseUrl: "http://127.0.0.1:1" }, request()),
    );
    expect(unreachable.code).toBe("API_UNREACHABLE");
  });
});
