// A seeded fuzz of POST /graphql (and a few GETs): documents generated from the schema (aliases,
// fragments, inline fragments, arguments and variables of the right and the wrong types, odd and
// huge strings), mutations of real documents, and malformed bodies, through the production
// handler on the test process's server (test/graphql-transport.ts: the direct path and
// graphql-yoga). Whatever comes in: no 5xx, no INTERNAL_SERVER_ERROR, no leak of internals, and no
// console.error (test/setup.ts). Deterministic: FUZZ_SEED (default below) reproduces a run.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
} from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { schema } from "@/lib/graphql/server";
import { graphqlFetch } from "../graphql-transport";
import { apiKey, createEnvironment, expectNoLeak, masterSession, type Headers } from "./helpers";
import { newWallet } from "../receive/helpers";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_12);
const REQUESTS = 10_000;
const CONCURRENCY = 8;
// Bounded so a pathological document (a hang) fails the run, with room for a loaded CI machine (21 s alone, 32 s beside 15 other files).
const BUDGET_MS = 120_000;

/** mulberry32: small, fast, seeded. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

// Fields whose side effects reach outside the process (LNURL and webhook HTTP calls) are left out
// of authenticated requests; unauthenticated ones may name anything.
const OUTBOUND = new Set(["TransactionMutations.create_send", "PaymentMutations.webhook_endpoint", "PaymentMutations.webhook_event"]);
const outbound = (parent: GraphQLObjectType, field: string) => OUTBOUND.has(`${parent.name}.${field}`);

let ids: string[] = [];

function oddString(rng: Rng): string {
  switch (rng.int(14)) {
    case 0:
      return "";
    case 1:
      return " \t ";
    case 2:
      return "x".repeat(rng.pick([81, 256, 5_000, 40_000]));
    case 3:
      return "é😀\u202e\u200b中文";
    case 4:
      return "a\u0000b";
    case 5:
      return "\ud800"; // a lone surrogate
    case 6:
      return "'; DROP TABLE transactions; --";
    case 7:
      return rng.pick(ids);
    case 8:
      return rng.pick(["100000", "-1", "0", "1e9", "99999999999999999999999", "0.000000001", "NaN", "1,5"]);
    case 9:
      return rng.pick(["2099-02-31T00:00:00Z", "2020-01-01T00:00:00Z", "next tuesday", new Date().toISOString()]);
    case 10:
      return rng.pick(["lnbc1", "lnbcrt10u1p", "user@example.com", "http://127.0.0.1:1/hook"]);
    case 11:
      return "{".repeat(rng.int(50));
    case 12:
      return "\\u0000\\n\"";
    default:
      return `s${rng.int(1000)}`;
  }
}

/** A JSON value for a variable: of its type most of the time, of any other type sometimes. */
function jsonValue(rng: Rng, type: GraphQLInputType | undefined, depth = 0): unknown {
  if (!type || rng.chance(0.12) || depth > 4) {
    return rng.pick<() => unknown>([
      () => null,
      () => oddString(rng),
      () => rng.int(2 ** 31) * (rng.chance(0.5) ? -1 : 1),
      () => rng.next() * 1e30,
      () => rng.chance(0.5),
      () => [oddString(rng), 1, null],
      () => ({ [oddString(rng).slice(0, 20)]: 1 }),
      () => Array.from({ length: rng.int(2000) }, () => 7),
    ])();
  }
  const nullable = getNullableType(type);
  if (isListType(nullable)) return Array.from({ length: rng.int(4) }, () => jsonValue(rng, nullable.ofType, depth + 1));
  if (isInputObjectType(nullable)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) if (isNonNullType(field.type) || rng.chance(0.5)) value[field.name] = jsonValue(rng, field.type, depth + 1);
    if (rng.chance(0.05)) value.unknown_field = 1;
    return value;
  }
  if (isEnumType(nullable)) return rng.chance(0.9) ? rng.pick(nullable.getValues()).value : "NOT_A_VALUE";
  switch (nullable.name) {
    case "Int":
      return rng.pick([0, 1, -1, 3600, 2 ** 31, 1.5]);
    case "Float":
      return rng.pick([0, 1, 2, 20, 100, 101, 1e9, -5, 2.5]);
    case "Boolean":
      return rng.chance(0.5);
    default:
      return oddString(rng);
  }
}

/** The same as a GraphQL literal (possibly not a valid one). */
function literal(rng: Rng, type: GraphQLInputType | undefined, depth = 0): string {
  if (type && isEnumType(getNullableType(type)) && rng.chance(0.9)) return rng.pick((getNullableType(type) as GraphQLEnumType).getValues()).name;
  const toLiteral = (value: unknown): string => {
    if (value === null || value === undefined) return "null";
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number") return Number.isFinite(value) ? String(value) : "0";
    if (typeof value === "boolean") return String(value);
    if (Array.isArray(value)) return `[${value.slice(0, 20).map(toLiteral).join(", ")}]`;
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : "bad_name"}: ${toLiteral(v)}`)
      .join(", ")} }`;
  };
  return toLiteral(jsonValue(rng, type, depth));
}

type Doc = { query: string; variables: Record<string, unknown> };

/** A document generated from the schema. */
function generated(rng: Rng, authenticated: boolean): Doc {
  const variables: Record<string, unknown> = {};
  const declarations: string[] = [];
  const fragments: string[] = [];
  let aliasCount = 0;
  const selection = (type: GraphQLNamedType | undefined, depth: number): string => {
    if (!type || !isObjectType(type)) return "";
    const fields = Object.values(type.getFields()) as GraphQLField<unknown, unknown>[];
    const parts: string[] = [];
    const count = 1 + rng.int(depth === 0 ? 3 : 5);
    for (let i = 0; i < count; i++) {
      if (rng.chance(0.05)) {
        parts.push(rng.pick(["__typename", "password_hash", "nope { x }", "__schema { types { name } }"]));
        continue;
      }
      const field = rng.pick(fields);
      if (authenticated && outbound(type, field.name)) continue;
      let text = rng.chance(0.2) ? `a${aliasCount++}: ${field.name}` : field.name;
      if (field.args.length > 0 || rng.chance(0.03)) {
        const args = field.args.filter((arg) => isNonNullType(arg.type) || rng.chance(0.5)).map((arg) => {
          if (rng.chance(0.4)) {
            const name = `v${declarations.length}`;
            declarations.push(`$${name}: ${rng.chance(0.9) ? String(arg.type) : rng.pick(["String", "Int!", "[String]", "Nope"])}`);
            variables[name] = jsonValue(rng, arg.type);
            return `${arg.name}: $${name}`;
          }
          return `${arg.name}: ${literal(rng, arg.type)}`;
        });
        if (rng.chance(0.03)) args.push(`bogus: 1`);
        if (args.length > 0) text += `(${args.join(", ")})`;
      }
      const named = getNamedType(field.type);
      if (!isLeafType(named) && depth < 7) {
        const inner = selection(named, depth + 1) || "__typename";
        if (rng.chance(0.1)) {
          const name = `F${fragments.length}`;
          fragments.push(`fragment ${name} on ${named.name} { ${inner} }`);
          text += ` { ...${name} ${rng.chance(0.3) ? `...${name}` : ""} }`;
        } else if (rng.chance(0.1)) text += ` { ... on ${named.name} { ${inner} } }`;
        else text += ` { ${inner} }`;
      } else if (!isLeafType(named) && rng.chance(0.5)) {
        text += " { id }";
      } else if (isLeafType(named) && rng.chance(0.02)) {
        text += " { id }"; // a selection on a leaf
      }
      parts.push(text);
    }
    return parts.join(" ");
  };
  const mutation = rng.chance(0.35);
  const root = mutation ? schema.getMutationType()! : schema.getQueryType()!;
  const body = selection(root, 0) || "__typename";
  const header = declarations.length > 0 ? `(${declarations.join(", ")})` : "";
  return { query: `${mutation ? "mutation" : "query"} Fuzz${header} { ${body} } ${fragments.join(" ")}`, variables };
}

/** A document text damaged at random. */
function mutated(rng: Rng, source: string): string {
  let text = source;
  for (let n = 1 + rng.int(4); n > 0; n--) {
    const at = rng.int(text.length + 1);
    switch (rng.int(6)) {
      case 0:
        text = text.slice(0, at) + text.slice(at + 1 + rng.int(20));
        break;
      case 1:
        text = text.slice(0, at) + rng.pick(["{", "}", "(", ")", "[", "]", ":", "$", "@", "!", "...", '"', '"""', "#", ",", "\n", "\u0000", "é", "on", "fragment"]) + text.slice(at);
        break;
      case 2: {
        const span = text.slice(at, at + 1 + rng.int(60));
        text = text.slice(0, at) + span.repeat(1 + rng.int(30)) + text.slice(at);
        break;
      }
      case 3:
        text = text.slice(0, at);
        break;
      case 4:
        text = text.replace(/\w+/, oddString(rng).slice(0, 30));
        break;
      default:
        text = text.slice(0, at) + " @skip(if: true) " + text.slice(at);
    }
  }
  return text;
}

/** What hostile clients send: the attacks of issue 12 in small, and bodies that are not GraphQL. */
function hostile(rng: Rng): RequestInit & { url?: string } {
  const post = (body: string, contentType = "application/json"): RequestInit => ({ method: "POST", headers: { "content-type": contentType }, body });
  switch (rng.int(10)) {
    case 0: {
      const n = 10 + rng.int(25);
      let doc = "query { ...F0 }";
      for (let i = 0; i < n; i++) doc += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
      return post(JSON.stringify({ query: `${doc} fragment F${n} on Query { hello }` }));
    }
    case 1:
      return post(JSON.stringify({ query: `{ ${Array.from({ length: 50 + rng.int(1500) }, (_, i) => `a${i}: hello`).join(" ")} }` }));
    case 2:
      return post(JSON.stringify({ query: `{ __schema { types { fields { type { fields { type { ${rng.chance(0.5) ? "fields { name }" : "name"} } } } } } } }` }));
    case 3:
      return post(rng.pick(["", "{", "[]", "null", "42", '"x"', "[{}]", '{"query": null}', '{"query": {}}', `{"query": "{ hello }", "variables": [1]}`]));
    case 4:
      return post(JSON.stringify({ query: "{ hello }" }), rng.pick(["text/plain", "application/graphql", "multipart/form-data", "application/x-www-form-urlencoded", "application/json; charset=latin1"]));
    case 5:
      return { method: "GET", url: `http://localhost/graphql?query=${encodeURIComponent(mutated(rng, "{ hello payment { id } }").replace(/[\ud800-\udfff]/g, "?"))}`, headers: { accept: rng.pick(["application/json", "text/html", "*/*", "application/xml"]) } };
    case 6:
      return post(JSON.stringify({ query: "{ hello }", operationName: rng.pick([1, [], "Nope", ""]), extensions: rng.pick([1, {}, { persistedQuery: { sha256Hash: "x" } }]) }));
    case 7:
      return post(JSON.stringify({ query: `{ ${"hello { ".repeat(rng.int(200))}x }` }));
    case 8:
      return post(JSON.stringify({ query: `query ($x: String) { hello }`, variables: { x: oddString(rng), y: jsonValue(rng, undefined) } }));
    default:
      return { method: rng.pick(["PUT", "DELETE", "PATCH", "OPTIONS"]), headers: { "content-type": "application/json", origin: "https://evil.example" }, body: JSON.stringify({ query: "{ hello }" }) };
  }
}

const CORPUS = [
  `mutation CreateEnvironment { payment { environment { create(input: { name: "Sandbox - dev" type: SANDBOX }) { id name type created_at } } } }`,
  `query AvailableAssets { taproot_assets { list { id symbol precision } } }`,
  `query ($i: ListTransactionsInput!) { payment { transaction { find_many(input: $i) { total_count pagination { limit offset } list { id status amount { display_amount } } } } } }`,
  `{ payment { environment { find_many { list { id name type wallet_count } } } } }`,
  `{ service_api_keys { get_many { list { id name permissions { resource level } } } } }`,
  `query ($id: String!) { payment { wallet { find_one(id: $id) { id name balance { balance received sent } asset { symbol } } } } }`,
  `{ user { id email team { id members { email } } } }`,
  `{ __schema { queryType { name } types { name kind fields { name type { name kind ofType { name } } } } } }`,
];

type Outcome = { status: number; codes: string[]; text: string; label: string; html: boolean };

describe("fuzz", () => {
  let auth: Headers[] = [];

  beforeAll(async () => {
    const master = await masterSession("Fuzz team");
    const env = await createEnvironment(master, "SANDBOX", "fuzz");
    const wallet = await newWallet(master, env.id);
    const key = await apiKey(master, env.id);
    ids = [env.id, wallet.id, key.id, "00000000-0000-0000-0000-000000000000", "tx_01HZZZZZZZZZZZZZZZZZZZZZZZ"];
    auth = [{}, master.headers, key.headers, { "x-api-key": "amb_test_garbage" }, { authorization: "Bearer nope" }];
  });

  it(`${REQUESTS} generated requests (seed ${SEED}): no 5xx, no INTERNAL_SERVER_ERROR, no leak`, { timeout: BUDGET_MS + 30_000 }, async () => {
    const rng = prng(SEED);
    // Requests are generated up front, in order, so that concurrency does not change them.
    const requests: (RequestInit & { url?: string; label: string })[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const headers = rng.pick(auth);
      const kind = rng.int(10);
      let init: RequestInit & { url?: string };
      let label: string;
      if (kind < 5) {
        const doc = generated(rng, Object.keys(headers).length > 0);
        label = "generated";
        init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(doc) };
      } else if (kind < 8) {
        label = "mutated";
        const source = rng.chance(0.5) ? rng.pick(CORPUS) : generated(rng, true).query;
        const variables = rng.chance(0.5) ? { i: jsonValue(rng, undefined), id: rng.pick(ids) } : undefined;
        init = { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ query: mutated(rng, source), variables }) };
      } else {
        label = "hostile";
        init = hostile(rng);
        init.headers = { ...(init.headers as Record<string, string>), ...headers };
      }
      if (rng.chance(0.3)) (init.headers as Record<string, string>).accept = rng.pick(["application/graphql-response+json", "application/json", "*/*", "text/event-stream", "application/json;charset=utf-16"]);
      requests.push({ ...init, label: `#${i} ${label}` });
    }

    const started = performance.now();
    const outcomes: Outcome[] = [];
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < requests.length) {
        const { label, url = "http://localhost/graphql", ...init } = requests[nextIndex++];
        const response = await graphqlFetch(url, init);
        const text = await response.text();
        let errorCodes: string[] = [];
        try {
          const body = JSON.parse(text) as { errors?: { extensions?: { code?: string } }[] };
          errorCodes = (body.errors ?? []).map((e) => e.extensions?.code ?? "NONE");
        } catch {
          // GraphiQL's page, an empty 405 …: not JSON, checked for status and leaks only.
        }
        outcomes.push({ status: response.status, codes: errorCodes, text, label, html: (response.headers.get("content-type") ?? "").startsWith("text/html") });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = performance.now() - started;

    const serverErrors = outcomes.filter((o) => o.status >= 500 || o.codes.includes("INTERNAL_SERVER_ERROR"));
    expect(serverErrors.map((o) => `${o.label}: ${o.status} ${o.text.slice(0, 300)}`)).toEqual([]);
    // GraphiQL's page bundles its scripts (their source names included): it is the one exception.
    for (const outcome of outcomes) if (!outcome.html) expectNoLeak(outcome.text);
    expect(outcomes).toHaveLength(REQUESTS);
    const tally = new Map<string, number>();
    for (const o of outcomes) for (const code of o.codes.length ? o.codes : [`HTTP ${o.status}`]) tally.set(code, (tally.get(code) ?? 0) + 1);
    console.log(`fuzz: ${REQUESTS} requests in ${(elapsed / 1000).toFixed(1)} s (seed ${SEED});`, Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])));
    // The generator reaches the limits and real answers, not only parse errors.
    for (const code of ["QUERY_TOO_COMPLEX", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT", "UNAUTHENTICATED", "HTTP 200"]) expect(tally.get(code) ?? 0, code).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(BUDGET_MS);
  });
});
