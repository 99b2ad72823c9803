/** The GraphQL client against real local HTTP servers: success, GraphQL errors, HTTP errors, timeouts, refusal. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, describeApiError, gqlWith } from "../lib/graphql";

let server: Server;
let url: string;
const seen: { authorization?: string; body?: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      seen.push({ authorization: request.headers.authorization, body });
      const route = request.url ?? "/";
      if (route === "/ok") {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ data: { ping: true } }));
      } else if (route === "/forbidden") {
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify({
            errors: [
              { message: "needs scope admin", extensions: { code: "FORBIDDEN", hint: "ask an admin" } },
            ],
            data: null,
          }),
        );
      } else if (route === "/html") {
        response.statusCode = 502;
        response.end("<html>bad gateway</html>");
      } else if (route === "/slow") {
        setTimeout(() => response.end(JSON.stringify({ data: { ping: true } })), 2_000);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const config = (path: string, timeoutMs = 5_000) => ({
  url: `${url}${path}`,
  sessionToken: "session-token",
  timeoutMs,
});

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("gqlWith", () => {
  it("sends the query with the user's session token and returns data", async () => {
    await expect(gqlWith(config("/ok"), "mutation { ping }", { a: 1 })).resolves.toEqual({ ping: true });
    const last = seen.at(-1)!;
    expect(last.authorization).toBe("Session session-token");
    expect(JSON.parse(last.body!)).toEqual({ query: "mutation { ping }", variables: { a: 1 } });
  });

  it("turns a GraphQL error into its code, message and hint", async () => {
    const error = await failure(gqlWith(config("/forbidden"), "{ x }"));
    expect(error.code).toBe("FORBIDDEN");
    expect(describeApiError(error)).toMatchObject({
      title: expect.stringMatching(/Your role may not use this/),
      hint: "ask an admin",
    });
  });

  it("explains a non-GraphQL answer", async () => {
    const error = await failure(gqlWith(config("/html"), "{ x }"));
    expect(error.code).toBe("API_BAD_RESPONSE");
    expect(error.message).toMatch(/HTTP 502/);
  });

  it("gives up on a slow API after the timeout", async () => {
    const error = await failure(gqlWith(config("/slow", 300), "{ x }"));
    expect(error.code).toBe("API_TIMEOUT");
  });

  it("reports an API that is not listening", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(
      gqlWith({ url: `http://127.0.0.1:${port}/graphql`, timeoutMs: 2_000 }, "{ x }"),
    );
    expect(error.code).toBe("API_UNREACHABLE");
    expect(describeApiError(error).hint).toMatch(/MOODLENS_API_URL/);
  });
});
