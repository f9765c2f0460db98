// How the GraphQL integration tests reach /graphql: over HTTP, through the production server's
// handler (lib/graphql/http.ts: the 1 MB cap, the security headers, the direct path for plain API
// requests and graphql-yoga for everything else), on a node:http server of the test process.
// A test file's requests therefore take the same path as a client's against `npm start`.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serveGraphQL } from "@/lib/graphql/http";

let origin: Promise<string> | undefined;

function start(): Promise<string> {
  const server = http.createServer(serveGraphQL);
  server.unref();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** `fetch` against the test process's /graphql server; `url` is any URL whose path and query are kept (e.g. http://localhost/graphql?query=…). */
export async function graphqlFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const base = await (origin ??= start());
  const { pathname, search } = new URL(url);
  return fetch(`${base}${pathname}${search}`, init);
}
