// The direct path of /graphql (lib/graphql/direct.ts) against graphql-yoga, request by request:
// two node:http servers on the same database, one with the production handler (direct path for
// plain API requests, yoga for the rest) and one with yoga alone, must give the same status, the
// same headers and the same bytes. Each case also says which path the production handler takes,
// so a change that quietly sends everything to yoga (or everything to the direct path) fails here.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);

import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { getIntrospectionQuery } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directRequest, negotiatedMediaType } from "@/lib/graphql/direct";
import { serveGraphQL } from "@/lib/graphql/http";
import { MAX_DEPTH, MAX_DOCUMENT_BYTES } from "@/lib/graphql/limits";
import { nodeYoga } from "@/lib/graphql/server";
import { SECURITY_HEADERS } from "@/lib/http/security-headers";
import { db } from "@/lib/db";
import { allowConsoleError } from "../console";
import { ASSET, CREATE_RECEIVE, mintKey, newSandbox, newTeam, newWallet } from "../receive/helpers";

type Answer = { status: number; headers: Record<string, string>; body: string };
type Case = {
  name: string;
  body: string;
  headers?: Record<string, string>;
  /** The path the production handler takes: the direct path, or yoga from the start. */
  path: "direct" | "yoga";
};

const servers: http.Server[] = [];
let production: string;
let yogaOnly: string;

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let key: string;
let walletId: string;
let environmentId: string;

beforeAll(async () => {
  production = await listen(serveGraphQL);
  yogaOnly = await listen((req, res) => {
    for (const { key: name, value } of SECURITY_HEADERS) res.setHeader(name, value);
    void nodeYoga(req, res);
  });
  const team = await newTeam("Direct path");
  environmentId = (await newSandbox(team)).id;
  walletId = (await newWallet(team, environmentId, ASSET.BTC)).id;
  key = await mintKey(team, environmentId);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** node:http, so that no header is added or changed on the way (fetch would add its own). */
function post(base: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const url = new URL("/graphql", base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers = { ...res.headers } as Record<string, string>;
        delete headers.date; // the clock, not the server
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** What directRequest sees of a request: method, path and node's lower-cased headers. */
function requestLike(headers: Record<string, string>): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: "POST", url: "/graphql", headers: lower } as unknown as IncomingMessage;
}

const JSON_HEADERS = { "content-type": "application/json" };
const doc = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ query, ...(variables === undefined ? {} : { variables }), ...extra });

async function compare(c: Case): Promise<Answer> {
  const headers = { ...JSON_HEADERS, ...c.headers };
  const taken = directRequest(requestLike(headers), Buffer.from(c.body)) ? "direct" : "yoga";
  expect(taken, `${c.name}: path taken`).toBe(c.path);
  const [direct, reference] = await Promise.all([post(production, c.body, headers), post(yogaOnly, c.body, headers)]);
  expect(direct, c.name).toEqual(reference);
  return direct;
}

describe("the direct path answers exactly as graphql-yoga", () => {
  const publicCases: Case[] = [
    { name: "{ hello }, no accept header", body: doc("{ hello }"), path: "direct" },
    { name: "accept */*", body: doc("{ hello }"), headers: { accept: "*/*" }, path: "direct" },
    { name: "accept application/json", body: doc("{ hello }"), headers: { accept: "application/json" }, path: "direct" },
    { name: "accept graphql-response+json first", body: doc("{ hello }"), headers: { accept: "application/graphql-response+json, application/json" }, path: "direct" },
    { name: "accept application/json first", body: doc("{ hello }"), headers: { accept: "application/json, application/graphql-response+json" }, path: "direct" },
    { name: "accept graphql-response+json only", body: doc("{ hello }"), headers: { accept: "application/graphql-response+json" }, path: "direct" },
    { name: "accept with q-values and charset", body: doc("{ hello }"), headers: { accept: "text/html;q=0.9, application/json; charset=utf-8" }, path: "direct" },
    { name: "accept a non-utf-8 charset only", body: doc("{ hello }"), headers: { accept: "application/json; charset=iso-8859-1" }, path: "yoga" },
    { name: "accept text/event-stream", body: doc("{ hello }"), headers: { accept: "text/event-stream" }, path: "yoga" },
    { name: "accept multipart/mixed", body: doc("{ hello }"), headers: { accept: "multipart/mixed" }, path: "yoga" },
    { name: "content-type with charset", body: doc("{ hello }"), headers: { "content-type": "application/json; charset=utf-8" }, path: "direct" },
    { name: "content-type with another charset (read as UTF-8 all the same)", body: doc("{ hello }"), headers: { "content-type": "application/json; charset=iso-8859-1" }, path: "direct" },
    { name: "content-type listing two types", body: doc("{ hello }"), headers: { "content-type": "application/json, text/plain" }, path: "direct" },
    { name: "content-type in capitals (yoga refuses it: 415)", body: doc("{ hello }"), headers: { "content-type": "Application/JSON;charset=UTF-8" }, path: "yoga" },
    { name: "a body starting with a byte-order mark", body: "\uFEFF" + doc("{ hello }"), path: "yoga" },
    { name: "content-type application/graphql+json", body: doc("{ hello }"), headers: { "content-type": "application/graphql+json" }, path: "yoga" },
    { name: "content-type text/plain", body: doc("{ hello }"), headers: { "content-type": "text/plain" }, path: "yoga" },
    { name: "a browser's cross-origin request (CORS)", body: doc("{ hello }"), headers: { origin: "https://shop.example" }, path: "yoga" },
    { name: "aliases, __typename, a fragment and @include", body: doc("query Q($x: Boolean!) { a: hello __typename ...F b: hello @include(if: $x) } fragment F on Query { c: hello }", { x: false }), path: "direct" },
    { name: "variables null, operationName null", body: JSON.stringify({ query: "{ hello }", variables: null, operationName: null, extensions: null }), path: "direct" },
    { name: "two operations, one named", body: doc("query A { hello } query B { __typename }", undefined, { operationName: "B" }), path: "direct" },
    { name: "two operations, none named", body: doc("query A { hello } query B { __typename }"), path: "yoga" },
    { name: "an unknown operationName", body: doc("query A { hello }", undefined, { operationName: "C" }), path: "yoga" },
    { name: "extensions given", body: doc("{ hello }", undefined, { extensions: { persistedQuery: { version: 1 } } }), path: "yoga" },
    { name: "an unknown top-level key", body: doc("{ hello }", undefined, { foo: 1 }), path: "yoga" },
    { name: "variables as a string", body: JSON.stringify({ query: "{ hello }", variables: "{}" }), path: "yoga" },
    { name: "operationName as a number", body: JSON.stringify({ query: "{ hello }", operationName: 1 }), path: "yoga" },
    { name: "query missing", body: JSON.stringify({ variables: {} }), path: "yoga" },
    { name: "query not a string", body: JSON.stringify({ query: 42 }), path: "yoga" },
    { name: "a JSON array (batching is off)", body: JSON.stringify([{ query: "{ hello }" }]), path: "yoga" },
    { name: "not JSON", body: "{ hello", path: "yoga" },
    { name: "a syntax error", body: doc("{ hello "), path: "yoga" },
    { name: "an unknown field", body: doc("{ goodbye }"), path: "yoga" },
    { name: "a subscription", body: doc("subscription { hello }"), path: "yoga" },
    { name: `deeper than ${MAX_DEPTH}`, body: doc(`{ ${"payment { environment { find_one(id: \"x\") { ".repeat(6)}id${" } } }".repeat(6)} }`), path: "yoga" },
    { name: `a document over ${MAX_DOCUMENT_BYTES} bytes`, body: doc(`{ hello ${" ".repeat(MAX_DOCUMENT_BYTES)}}`), path: "yoga" },
    { name: "nesting as deep as the size limit allows", body: doc(`{ ${"hello { ".repeat(3000)}${"} ".repeat(3000)}}`), path: "yoga" },
    { name: "the introspection query", body: doc(getIntrospectionQuery()), path: "direct" },
    { name: "an authenticated field without credentials", body: doc("{ hello user { id } }"), path: "direct" },
    { name: "a malformed API key", body: doc("{ payment { environment { find_many { list { id } } } } }"), headers: { "x-api-key": "not-a-key" }, path: "direct" },
    { name: "a well-formed but unknown API key", body: doc("{ payment { environment { find_many { list { id } } } } }"), headers: { "x-api-key": `amb_test_${"A".repeat(43)}` }, path: "direct" },
    { name: "a bad Authorization header", body: doc("{ user { id } }"), headers: { authorization: "Basic abc" }, path: "direct" },
  ];

  for (const c of publicCases) {
    it(c.name, async () => {
      await compare(c);
    });
  }

  it("with a service key: reads, a resolver's BAD_USER_INPUT, a NOT_FOUND with partial data, and variables that do not coerce", async () => {
    const auth = { "x-api-key": key };
    const cases: Case[] = [
      { name: "environments", body: doc("{ payment { environment { find_many { list { id name type wallet_count } } } } }"), headers: auth, path: "direct" },
      { name: "a wallet", body: doc(`query W($id: String!) { payment { wallet { find_one(id: $id) { id balance { balance } } } } }`, { id: walletId }), headers: auth, path: "direct" },
      { name: "an unknown wallet, next to a field that answers", body: doc(`query W($id: String!) { hello payment { wallet { find_one(id: $id) { id } } } }`, { id: "nope" }), headers: auth, path: "direct" },
      {
        name: "create_receive with a bad amount (nothing written)",
        body: doc(CREATE_RECEIVE, { input: { wallet_id: walletId, amount: "12.5" } }),
        headers: auth,
        path: "direct",
      },
      {
        name: "create_receive with an amount of the wrong GraphQL type",
        body: doc(CREATE_RECEIVE, { input: { wallet_id: walletId, amount: 12 } }),
        headers: auth,
        path: "direct",
      },
      { name: "create_receive without its input", body: doc(CREATE_RECEIVE, {}), headers: auth, path: "direct" },
      { name: "a mutation with graphql-response+json", body: doc(CREATE_RECEIVE, { input: { wallet_id: walletId, amount: "-1" } }), headers: { ...auth, accept: "application/graphql-response+json" }, path: "direct" },
    ];
    const statuses: number[] = [];
    for (const c of cases) statuses.push((await compare(c)).status);
    // The variables that do not coerce are yoga's answer (400), after the direct path stepped aside.
    expect(statuses).toEqual([200, 200, 200, 200, 400, 400, 200]);
  });

  it("an unexpected error in a resolver: the same masked INTERNAL_SERVER_ERROR, no internals", async () => {
    // The wallets table gone for a moment (this file's own database): the resolver's query fails.
    const errors = allowConsoleError();
    await db.$executeRawUnsafe(`ALTER TABLE wallets RENAME TO wallets_away`);
    try {
      const answer = await compare({
        name: "a database error",
        body: doc(`query W($id: String!) { hello payment { wallet { find_one(id: $id) { id } } } }`, { id: walletId }),
        headers: { "x-api-key": key },
        path: "direct",
      });
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.body) as { data: unknown; errors: { extensions: { code: string } }[] };
      expect(body.data).toBeNull();
      expect(body.errors.map((e) => e.extensions.code)).toEqual(["INTERNAL_SERVER_ERROR"]);
      expect(answer.body).not.toMatch(/wallets|stack|node_modules|prisma|SELECT|relation/i);
    } finally {
      await db.$executeRawUnsafe(`ALTER TABLE wallets_away RENAME TO wallets`);
    }
    expect(errors).toHaveBeenCalled();
  });
});

describe("negotiatedMediaType (yoga's result processors: the regular one, last match wins)", () => {
  it.each([
    [undefined, "application/json"],
    ["", "application/json"],
    ["*/*", "application/json"],
    ["application/*", "application/json"],
    ["application/json", "application/json"],
    ["application/graphql-response+json", "application/graphql-response+json"],
    ["application/graphql-response+json, application/json", "application/graphql-response+json"],
    ["application/json, application/graphql-response+json", "application/json"],
    ["text/html, application/graphql-response+json;q=0.5", "application/graphql-response+json"],
    ["application/json; charset=latin1, application/graphql-response+json", "application/graphql-response+json"],
    ["application/json; charset=latin1", null],
    ["text/html", null],
    ["text/event-stream", null],
  ])("%j → %j", (accept, expected) => {
    expect(negotiatedMediaType(accept)).toBe(expected);
  });
});
