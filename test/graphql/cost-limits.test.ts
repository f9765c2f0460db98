// The cost limits of POST /graphql (issue 12, findings 1 and 7): what a document may ask for is
// bounded before anything runs, QUERY_TOO_COMPLEX (400) for a document over the limits, quickly
// whatever its shape, on both paths (graphql-yoga and lib/graphql/direct.ts).
import type { IncomingMessage } from "node:http";
import { getIntrospectionQuery, Kind, parse, type OperationDefinitionNode } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { directRequest } from "@/lib/graphql/direct";
import { limitErrors, MAX_COST, MAX_DOCUMENT_BYTES, MAX_MUTATION_OPERATIONS, operationCost } from "@/lib/graphql/limits";
import { schema } from "@/lib/graphql/server";
import { codes, createEnvironment, gql, masterSession, ok, type Result, type Session } from "./helpers";
import { newWallet, SEED_AVAILABLE_ASSETS, seedCreateReceive, seedCreateWallet } from "../receive/helpers";

let master: Session;
const receiveVariables = () => ({ r: { wallet_id: walletId, amount: "1000" } });
let envId: string;
let walletId: string;

beforeAll(async () => {
  master = await masterSession("Cost team");
  envId = (await createEnvironment(master, "SANDBOX", "costs")).id;
  walletId = (await newWallet(master, envId)).id;
});

/** Asserts one QUERY_TOO_COMPLEX error, 400, no data; returns its message. */
function tooComplex(res: Result<unknown>): string {
  expect(codes(res), res.text).toEqual(["QUERY_TOO_COMPLEX"]);
  expect(res.status).toBe(400);
  expect(res.body.data).toBeUndefined();
  return res.body.errors![0].message;
}

const rows = async () => ({ transactions: await db.transaction.count(), events: await db.transactionEvent.count(), jobs: await db.job.count() });

/** `query { ...F0 }` with fragment F<i> spreading F<i+1> twice: 2^n fields once expanded. */
function fragmentChain(n: number): string {
  let doc = "query { ...F0 }\n";
  for (let i = 0; i < n; i++) doc += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
  return `${doc}fragment F${n} on Query { hello }\n`;
}

/** The fastest of `times` runs of `run`, in ms (the machine is shared: the minimum is the rule's own time). */
async function fastest(times: number, run: () => Promise<unknown> | unknown): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const aliases = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join(" ");

const RECEIVE = (i: number) => `r${i.toString(36)}:create_receive(input:$r){id}`;
const manyReceives = (count: number) => `mutation($r:CreateReceiveTransactionInput!){payment{transaction{${aliases(count, RECEIVE)}}}}`;

const FULL_TRANSACTION = `id created_at updated_at settled_at description direction fee metadata status wallet_id
  amount { id display_amount full_amount value { id usd_value } }
  asset { id description precision symbol type website_url prices { id usd } taproot_asset_details { asset_id group_key universe } }`;

describe("the fragment chain (2^n fields in under 1 KB)", () => {
  it("n = 30 is refused with QUERY_TOO_COMPLEX in under 50 ms", async () => {
    const doc = fragmentChain(30);
    expect(Buffer.byteLength(doc)).toBeLessThan(1300);
    const message = tooComplex(await gql(doc));
    expect(message).toMatch(new RegExp(`Query cost ${2 ** 30}\\b.*the limit is ${MAX_COST}`));
    // In process (parse + the limit rules), and over HTTP (the whole request).
    const inProcess = await fastest(5, () => expect(limitErrors(schema, parse(doc))).toHaveLength(1));
    const overHttp = await fastest(3, async () => tooComplex(await gql(doc)));
    console.log(`fragment chain n=30 (${Buffer.byteLength(doc)} bytes): refused in ${inProcess.toFixed(2)} ms in process, ${overHttp.toFixed(2)} ms over HTTP`);
    expect(inProcess).toBeLessThan(50);
    expect(overHttp).toBeLessThan(50);
  });

  it("a chain that stays within the limits is answered (fragments counted once per use, not walked per use)", async () => {
    // 2^5 = 32 hellos, under every limit, merged into one field by the executor.
    expect(ok(await gql(fragmentChain(5)))).toEqual({ hello: "Hello from Boltrail" });
  });
});

describe(`mutations: at most ${MAX_MUTATION_OPERATIONS} operations per document`, () => {
  it("965 aliases of create_receive in 32 KB are refused, and nothing is written", async () => {
    const doc = manyReceives(965);
    expect(Buffer.byteLength(doc)).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
    const before = await rows();
    const message = tooComplex(await gql(doc, receiveVariables(), master.headers));
    expect(message).toBe(`This operation runs 965 mutations (aliases count); the limit is ${MAX_MUTATION_OPERATIONS} per request`);
    expect(await rows()).toEqual(before);
  });

  it(`${MAX_MUTATION_OPERATIONS + 1} are refused, ${MAX_MUTATION_OPERATIONS} run`, async () => {
    const before = await rows();
    tooComplex(await gql(manyReceives(MAX_MUTATION_OPERATIONS + 1), receiveVariables(), master.headers));
    expect(await rows()).toEqual(before);
    const data = ok(await gql<{ payment: { transaction: Record<string, { id: string }> } }>(manyReceives(MAX_MUTATION_OPERATIONS), receiveVariables(), master.headers));
    expect(Object.keys(data.payment.transaction)).toHaveLength(MAX_MUTATION_OPERATIONS);
    expect((await rows()).transactions).toBe(before.transactions + MAX_MUTATION_OPERATIONS);
  });

  it("operations are counted through fragments, inline fragments and separate namespaces", async () => {
    const before = await rows();
    const viaFragments = `mutation ($r: CreateReceiveTransactionInput!) {
      payment { transaction { ...Six } t2: transaction { ... on TransactionMutations { ...Six } } }
    }
    fragment Six on TransactionMutations { ${aliases(6, RECEIVE)} }`;
    expect(tooComplex(await gql(viaFragments, receiveVariables(), master.headers))).toMatch(/runs 12 mutations/);
    const mixed = `mutation ($r: CreateReceiveTransactionInput!) {
      payment { transaction { ${aliases(6, RECEIVE)} } environment { ${aliases(5, (i) => `d${i}: delete(id: "nope")`)} } }
    }`;
    expect(tooComplex(await gql(mixed, receiveVariables(), master.headers))).toMatch(/runs 11 mutations/);
    expect(await rows()).toEqual(before);
  });
});

describe("lists: counted at the rows they may return", () => {
  it("1052 aliases of transaction.find_many are refused", async () => {
    const doc = `query($i:ListTransactionsInput!){payment{transaction{${aliases(1052, (i) => `f${i.toString(36)}:find_many(input:$i){...L}`)}}}}
      fragment L on FindManyTransactions { total_count list { id status amount { display_amount } } }`;
    expect(Buffer.byteLength(doc)).toBeLessThanOrEqual(MAX_DOCUMENT_BYTES);
    const started = performance.now();
    const message = tooComplex(await gql(doc, { i: { environment_id: envId } }, master.headers));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(message).toMatch(/^Query cost \d+ .*the limit is/);
  });

  it("a large page limit on a nested list is refused; the largest real page is answered", async () => {
    const page = (limit: number) => `{ payment { transaction { find_many(input: { environment_id: "${envId}", page: { limit: ${limit}, offset: 0 } }) { total_count list { ${FULL_TRANSACTION} } } } } }`;
    tooComplex(await gql(page(100_000), null, master.headers));
    tooComplex(await gql(`{ user { liquidity_provider { transaction_list(input: { page: { limit: 1000000, offset: 0 } }) { list { id amount { sats usd } fee { sats usd } metadata { id type } } } } } }`, null, master.headers));
    // The API's largest page (100) of every field is fine…
    expect(ok(await gql<{ payment: { transaction: { find_many: { total_count: number } } } }>(page(100), null, master.headers)).payment.transaction.find_many.total_count).toBeGreaterThanOrEqual(0);
    // …four of them in one document are not.
    const four = `{ payment { transaction { ${aliases(4, (i) => `p${i}: find_many(input: { page: { limit: 100, offset: ${i * 100} } }) { list { ${FULL_TRANSACTION} } }`)} } } }`;
    tooComplex(await gql(four, null, master.headers));
    // A limit from a variable counts as the largest page (the service refuses more, BAD_USER_INPUT).
    const byVariable = `query ($i: ListTransactionsInput!) { payment { transaction { ${aliases(4, (i) => `p${i}: find_many(input: $i) { list { ${FULL_TRANSACTION} } }`)} } } }`;
    tooComplex(await gql(byVariable, { i: { page: { limit: 1, offset: 0 } } }, master.headers));
  });

  it("nested lists multiply", async () => {
    // nodes × (partners.list + credentials.list): 20 × (20 + 20) rows assumed of these unbounded lists, ×3.
    const doc = `query ($id: String!) { payment { wallet { ${aliases(3, (i) => `w${i}: find_one(id: $id) { nodes { partners { list { node { id alias pubkey sockets } } } credentials { list { id macaroon permissions } } } }`)} } } }`;
    tooComplex(await gql(doc, { id: walletId }, master.headers));
  });
});

it("the seed documents cost tens (the seed tests send them: test/graphql and test/receive seed-documents)", () => {
  const seeds = [
    `mutation CreateEnvironment { payment { environment { create(input: { name: "Sandbox - dev" type: SANDBOX }) { id name type created_at } } } }`,
    `mutation CreateApiKey { service_api_key { create(input: { name: "backend-prod" environment_id: "81b73615-ddf3-46e3-943a-467c3e442e04" permissions: [ { resource: WALLETS, level: WRITE } { resource: PAYMENTS, level: WRITE } { resource: WEBHOOKS, level: WRITE } ] }) { plaintext_key key { id name key_prefix key_suffix permissions { resource level } } } } }`,
    SEED_AVAILABLE_ASSETS,
    seedCreateWallet("e", "a"),
    seedCreateReceive("w"),
  ];
  for (const seed of seeds) {
    const document = parse(seed);
    expect(limitErrors(schema, document)).toEqual([]);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    expect(operationCost(schema, new Map(), operation).fields).toBeLessThan(100);
  }
});

describe("introspection", () => {
  it("the standard introspection query, with and without every option, is answered", async () => {
    for (const query of [
      getIntrospectionQuery(),
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
    ]) {
      const res = await gql<{ __schema: { types: unknown[] } }>(query);
      expect(res.status).toBe(200);
      expect(ok(res).__schema.types.length).toBeGreaterThan(50);
    }
  });

  it("introspection's own nesting (types → fields → type → fields …) is refused within the depth limit", async () => {
    const doc = `{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }`;
    expect(tooComplex(await gql(doc))).toMatch(/^Introspection cost \d+; the limit is/);
    // 200 aliases of the list of types: cheap each, too much together.
    tooComplex(await gql(`{ ${aliases(200, (i) => `s${i}: __schema { types { name kind description fields { name } } }`)} }`));
  });
});

describe("every over-limit shape is refused quickly, and on the direct path too", () => {
  const shapes: Record<string, string> = {
    "fragment chain n=30": fragmentChain(30),
    "965 create_receive": manyReceives(965),
    "1200 aliases of a lookup": `{ payment { environment { ${aliases(1200, (i) => `e${i}:find_one(id:"x"){id}`)} } } }`,
    "wide fragments": `{ ${aliases(300, (i) => `...W${i}`)} } ${aliases(300, (i) => `fragment W${i} on Query { payment { environment { find_many { list { id name } } } } }`)}`,
    "2000 repeats of one field": `{ ${"payment { id } ".repeat(2000)} }`,
    "2400 fields under one alias": `{ ${"a: payment { id } a: hello ".repeat(1200)} }`,
    "700 fragments of one alias": `{ ${aliases(700, (i) => `...R${i}`)} } ${aliases(700, (i) => `fragment R${i} on Query { a: hello }`)}`,
    "introspection fan-out": `{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }`,
  };

  const fakeRequest = () => ({ method: "POST", url: "/graphql", headers: { "content-type": "application/json", accept: "application/json" } }) as unknown as IncomingMessage;

  for (const [name, doc] of Object.entries(shapes)) {
    it(name, async () => {
      const document = parse(doc);
      const ms = await fastest(3, () => expect(limitErrors(schema, document).map((e) => e.extensions.code)).toEqual(["QUERY_TOO_COMPLEX"]));
      expect(ms).toBeLessThan(50);
      // The direct path does not answer it: graphql-yoga does, with the same refusal.
      expect(directRequest(fakeRequest(), Buffer.from(JSON.stringify({ query: doc, variables: receiveVariables() })))).toBeNull();
      const before = await rows();
      tooComplex(await gql(doc, receiveVariables(), master.headers));
      expect(await rows()).toEqual(before);
    });
  }

  it("a document within the limits still takes the direct path", () => {
    const query = `{ payment { transaction { find_many(input: {}) { list { ${FULL_TRANSACTION} } } } } }`;
    expect(directRequest(fakeRequest(), Buffer.from(JSON.stringify({ query })))).not.toBeNull();
  });
});
