// bracketDepth: the nesting of a document's brackets, measured on its text before parsing; the
// depth and cost rules.
import { buildSchema, getIntrospectionQuery, Kind, parse, validate, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import {
  bracketDepth,
  costLimitRule,
  DEFAULT_LIST_SIZE,
  depthLimitRule,
  LOOKUP_COST,
  MAX_COST,
  MAX_DEPTH,
  MAX_INTROSPECTION_COST,
  MAX_MUTATION_OPERATIONS,
  MAX_NESTING,
  MAX_PAGE_SIZE,
  MAX_REPEATED_FIELD,
  operationCost,
} from "./limits";

describe("bracketDepth", () => {
  it.each([
    ["", 0],
    ["{ hello }", 1],
    ["query Q($a: [[Int!]]) { f(x: { y: [1, [2]] }) { g } }", 5],
    ["{ a { b { c } } d { e } }", 3],
    // Brackets inside strings, block strings and comments do not count.
    ['{ f(s: "{{{ ((( [[[") }', 2],
    ['{ f(s: "escaped \\" quote {{{") }', 2],
    ['{ f(s: """block {{{ " "" \\""" still inside {{{ """) }', 2],
    ["{ f # a comment {{{\n { g } }", 2],
    ["{ f # a comment at the end {{{", 1],
  ])("%j → %i", (source, depth) => {
    expect(bracketDepth(source)).toBe(depth);
  });

  it("an unterminated string or block string ends the count (the parser reports it)", () => {
    expect(bracketDepth('{ f(s: "open { { {')).toBe(2);
    expect(bracketDepth('{ f(s: """open { { {')).toBe(2);
    // A string ends at a line break: what follows counts again.
    expect(bracketDepth('{ f(s: "open\n{ { } }')).toBe(4);
  });

  it(`the standard introspection query stays far below MAX_NESTING (${MAX_NESTING})`, () => {
    expect(bracketDepth(getIntrospectionQuery())).toBeLessThan(MAX_NESTING / 2);
  });

  it("measures 32 KB of nesting without recursion", () => {
    const depth = 16_000;
    expect(bracketDepth("{".repeat(depth) + "}".repeat(depth))).toBe(depth);
  });
});

// ---------------------------------------------------------------------------------------------
// depthLimitRule and costLimitRule, on a small schema of the same shapes as the Rails one.

const SCHEMA = buildSchema(`
  type Query { hello: String! payment: PaymentQueries! }
  type PaymentQueries { id: String! transaction: TransactionQueries! wallet(id: String!): Wallet! }
  type TransactionQueries { find_many(input: ListInput!): Page! find_one(id: String!): Item! }
  input ListInput { wallet_id: String page: PageInput }
  input PageInput { limit: Float! offset: Float! }
  type Page { total_count: Int! list: [Item!]! }
  type Item { id: String! amount: Amount! events: [Event!]! tags: [String!]! }
  type Amount { display: String! }
  type Event { id: String! }
  type Wallet { id: String! items: [Item!]! }
  type Mutation { payment: PaymentMutations! }
  type PaymentMutations { id: String! transaction: TransactionMutations! }
  type TransactionMutations { id: String! create(input: String!): Item! delete(id: String!): Boolean! }
`);

const check = (source: string, rules = [costLimitRule()]) => validate(SCHEMA, parse(source), rules);
const costs = (source: string) => {
  const document = parse(source);
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION).map((op) => operationCost(SCHEMA, fragments, op));
};
const cost = (source: string) => costs(source)[0];

/** `query { ...F0 }` with F<i> spreading F<i+1> twice. */
const chain = (n: number, leaf = "hello") => {
  let doc = "query { ...F0 }\n";
  for (let i = 0; i < n; i++) doc += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
  return `${doc}fragment F${n} on Query { ${leaf} }\n`;
};

describe("depthLimitRule", () => {
  it("measures a fragment once, however often it is spread (a 2^30 chain in milliseconds)", () => {
    const started = performance.now();
    expect(check(chain(30, "payment { id }"), [depthLimitRule(MAX_DEPTH)])).toEqual([]);
    expect(check(chain(30, `payment { ${"transaction { find_one(id: \"x\") { amount { display } } } ".repeat(1)} }`), [depthLimitRule(2)]).map((e) => e.message)).toEqual([
      "Query is nested 5 levels deep; the limit is 2",
    ]);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("fragment cycles end the count (NoFragmentCycles reports them)", () => {
    expect(check(`{ ...A } fragment A on Query { payment { ...B } } fragment B on PaymentQueries { id ...A }`, [depthLimitRule(MAX_DEPTH)])).toEqual([]);
  });
});

describe("costLimitRule", () => {
  it("counts fields 1, lookups (arguments, lists of objects) LOOKUP_COST, aliases and fragments as written out", () => {
    expect(cost(`{ hello }`)).toEqual({ fields: 1, introspection: 0, mutations: 0, repeated: 1 });
    expect(cost(`{ a: hello b: hello __typename }`).fields).toBe(3);
    expect(cost(`{ payment { id } }`).fields).toBe(2);
    expect(cost(`{ payment { transaction { find_one(id: "x") { id } } } }`).fields).toBe(1 + 1 + LOOKUP_COST + 1);
    expect(cost(`{ ...P ...P } fragment P on Query { payment { id } }`).fields).toBe(4);
    expect(cost(`{ ... on Query { payment { ... { id } } } }`).fields).toBe(2);
    expect(cost(chain(30)).fields).toBe(2 ** 30);
  });

  it("counts what is below a list once per row: the page asked for, else DEFAULT_LIST_SIZE", () => {
    const page = (args: string) => cost(`query ($p: PageInput, $i: ListInput!) { payment { transaction { find_many(${args}) { total_count list { id amount { display } } } } } }`).fields;
    const below = (rows: number) => 1 + 1 + LOOKUP_COST + 1 + LOOKUP_COST + rows * 3;
    expect(page(`input: {}`)).toBe(below(DEFAULT_LIST_SIZE));
    expect(page(`input: { page: { limit: 5, offset: 0 } }`)).toBe(below(5));
    expect(page(`input: { page: { limit: 100000, offset: 0 } }`)).toBe(below(100_000));
    expect(page(`input: { page: $p }`)).toBe(below(MAX_PAGE_SIZE));
    expect(page(`input: $i`)).toBe(below(MAX_PAGE_SIZE));
    expect(page(`input: { page: { limit: 2.5, offset: 0 } }`)).toBe(below(3));
    // Lists nest: wallet.items (20) × item.events (20); a list of scalars is one field.
    expect(cost(`{ payment { wallet(id: "w") { items { tags events { id } } } } }`).fields).toBe(1 + LOOKUP_COST + LOOKUP_COST + DEFAULT_LIST_SIZE * (1 + LOOKUP_COST + DEFAULT_LIST_SIZE * 1));
    // The page applies to the list below the paged field, not to lists further down.
    expect(cost(`{ payment { transaction { find_many(input: { page: { limit: 2, offset: 0 } }) { list { events { id } } } } } }`).fields).toBe(
      1 + 1 + LOOKUP_COST + LOOKUP_COST + 2 * (LOOKUP_COST + DEFAULT_LIST_SIZE),
    );
  });

  it("memoises a fragment per page size it is spread under", () => {
    const doc = `{ payment { transaction {
      a: find_many(input: { page: { limit: 1, offset: 0 } }) { ...L }
      b: find_many(input: { page: { limit: 10, offset: 0 } }) { ...L }
    } } } fragment L on Page { list { id } }`;
    expect(cost(doc).fields).toBe(1 + 1 + 2 * (LOOKUP_COST + LOOKUP_COST) + 1 + 10);
  });

  it("counts mutation operations: fields taking arguments on the mutation namespaces, aliases and fragments included", () => {
    expect(cost(`mutation { payment { id transaction { id create(input: "x") { id events { id } } } } }`).mutations).toBe(1);
    expect(cost(`mutation { payment { transaction { ${Array.from({ length: 11 }, (_, i) => `c${i}: create(input: "x") { id }`).join(" ")} } } }`).mutations).toBe(11);
    expect(cost(`mutation { payment { transaction { ...T } t: transaction { ...T } } } fragment T on TransactionMutations { create(input: "x") { id } delete(id: "y") }`).mutations).toBe(4);
    expect(check(`mutation { payment { transaction { ${Array.from({ length: 11 }, (_, i) => `c${i}: delete(id: "x")`).join(" ")} } } }`).map((e) => [e.message, e.extensions.code])).toEqual([
      [`This operation runs 11 mutations (aliases count); the limit is ${MAX_MUTATION_OPERATIONS} per request`, "QUERY_TOO_COMPLEX"],
    ]);
    expect(check(`mutation { payment { transaction { ${Array.from({ length: 10 }, (_, i) => `c${i}: delete(id: "x")`).join(" ")} } } }`)).toEqual([]);
  });

  it("refuses over the limit with QUERY_TOO_COMPLEX (400), once per operation", () => {
    const errors = check(`query A { ...F0 } query B { hello } ${chain(20).replace("query { ...F0 }\n", "")}`);
    expect(errors.map((e) => [e.message, e.extensions])).toEqual([
      [`Query cost ${2 ** 20} (fields with fragments expanded, times the rows of the lists they are in); the limit is ${MAX_COST}`, { code: "QUERY_TOO_COMPLEX", http: { status: 400 } }],
    ]);
    const hellos = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `h${i.toString(36)}: hello`).join(" ")} }`;
    expect(check(hellos(MAX_COST))).toEqual([]);
    expect(check(hellos(MAX_COST + 1))).toHaveLength(1);
  });

  it(`refuses more than ${MAX_REPEATED_FIELD} fields of one response name in a selection set, fragments merged`, () => {
    const repeated = (source: string) => cost(source).repeated;
    expect(repeated(`{ hello a: hello hello }`)).toBe(2);
    expect(repeated(`{ ...A ...A ... { hello } } fragment A on Query { hello x: payment { id } }`)).toBe(3);
    expect(repeated(`{ payment { ${"id ".repeat(7)} } }`)).toBe(7);
    expect(repeated(chain(30))).toBe(2 ** 30);
    expect(check(`{ ${"hello ".repeat(MAX_REPEATED_FIELD)} }`)).toEqual([]);
    expect(check(`{ ${"a: hello ".repeat(MAX_REPEATED_FIELD + 1)} }`).map((e) => e.message)).toEqual([
      `A selection asks for one field ${MAX_REPEATED_FIELD + 1} times (aliases and fragments count); the limit is ${MAX_REPEATED_FIELD}`,
    ]);
  });

  it("ignores unknown fields and fragments and survives fragment cycles (other rules report them)", () => {
    expect(cost(`{ nope { deeper { still } } ...Missing }`).fields).toBe(3);
    expect(cost(`{ ...A } fragment A on Query { payment { ...B } } fragment B on PaymentQueries { id ...A }`).fields).toBe(2);
  });

  it("sizes introspection from the schema: the standard query passes, its fan-out does not", () => {
    const standard = cost(getIntrospectionQuery());
    expect(standard.fields).toBe(0);
    expect(standard.introspection).toBeGreaterThan(100);
    expect(standard.introspection).toBeLessThan(MAX_INTROSPECTION_COST / 4);
    expect(check(getIntrospectionQuery())).toEqual([]);
    const fanOut = `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`;
    expect(check(fanOut, [costLimitRule(MAX_COST, 1000)]).map((e) => e.extensions.code)).toEqual(["QUERY_TOO_COMPLEX"]);
    // `ofType` beyond the schema's deepest wrapping ([Item!]! is 3) is null, and costs nothing below.
    const ofType = (levels: number) => cost(`{ __type(name: "Item") { fields { type { ${"ofType { ".repeat(levels)}name${" }".repeat(levels)} } } } }`).introspection;
    expect(ofType(8)).toBe(ofType(3));
  });
});
