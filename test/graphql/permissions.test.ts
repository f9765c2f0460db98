import type { Json } from "../json";
// The permission matrix of the GraphQL API (DESIGN.md §4): every implemented operation × every
// kind of caller → data, or the `extensions.code` of the one error.
//
// To cover a new operation (wallets, transactions, webhooks…): append an entry to OPERATIONS and
// a row to EXPECTED (TypeScript insists on one cell per caller); to cover a new kind of caller,
// append it to CALLERS and give it a cell in every row.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { removeMember } from "@/lib/teams/members";
import {
  ALL_WRITE,
  FIND_MANY_ENVIRONMENTS,
  apiKey,
  codes,
  createEnvironment,
  createWalletRow,
  expiredKey,
  fails,
  gql,
  masterSession,
  memberSession,
  ok,
  revokeKey,
  sessionToken,
  unknownKey,
  type ApiKey,
  type Headers,
  type Permission,
  type Result,
  type Session,
} from "./helpers";

// ---------------------------------------------------------------------------------------------
// The world every cell runs in: team A (master, member, two sandboxes) and team B.

type World = {
  master: Session;
  member: Session;
  otherMaster: Session;
  /** Team A's environment most operations act on (and the keys under test belong to). */
  envA: string;
  /** A second environment of team A. */
  envA2: string;
  /** Team B's environment. */
  envB: string;
};

let w: World;

beforeAll(async () => {
  const [master, otherMaster] = await Promise.all([masterSession("Team A"), masterSession("Team B")]);
  const member = await memberSession(master);
  const [a, a2, b] = await Promise.all([
    createEnvironment(master, "SANDBOX", "A home"),
    createEnvironment(master, "SANDBOX", "A other"),
    createEnvironment(otherMaster, "SANDBOX", "B home"),
  ]);
  w = { master, member, otherMaster, envA: a.id, envA2: a2.id, envB: b.id };
});

// ---------------------------------------------------------------------------------------------
// Callers. `home` is the environment an operation targets: the keys under test belong to it, so
// "a key with ENVIRONMENTS WRITE" means a key of the very environment being deleted, say.

const perm = (resource: Permission["resource"], level: Permission["level"]): Permission[] => [{ resource, level }];

type Caller = {
  /** Whose scope a successful answer must stay within. */
  scope: (home: string) => { teamId: string; environmentId?: string };
  headers: (home: string) => Promise<Headers>;
};

const keyCache = new Map<string, Promise<ApiKey>>();
/** One key per (caller, environment), created on first use through the API. */
const cachedKey = (id: string, home: string, make: () => Promise<ApiKey>) => {
  const cacheKey = `${id}@${home}`;
  if (!keyCache.has(cacheKey)) keyCache.set(cacheKey, make());
  return keyCache.get(cacheKey)!.then((k) => k.headers);
};

const teamA = (home: string) => ({ teamId: w.master.teamId, environmentId: home });
const keyOfHome = (name: string, permissions: Permission[]): Caller => ({
  scope: teamA,
  headers: (home) => cachedKey(name, home, () => apiKey(w.master, home, permissions, { name })),
});
const invalid = (headers: () => Headers): Caller => ({ scope: teamA, headers: async () => headers() });

const CALLERS = {
  noCredentials: invalid(() => ({})),
  garbageKey: invalid(() => ({ "x-api-key": "garbage" })),
  unknownKey: invalid(() => ({ "x-api-key": unknownKey() })),
  revokedKey: {
    scope: teamA,
    headers: (home: string) =>
      cachedKey("revoked", home, async () => {
        const key = await apiKey(w.master, home, ALL_WRITE, { name: "revoked" });
        await revokeKey(w.master, key.id);
        return key;
      }),
  },
  expiredKey: { scope: teamA, headers: (home: string) => cachedKey("expired", home, () => expiredKey(w.master, home)) },
  otherTeamKey: {
    scope: () => ({ teamId: w.otherMaster.teamId, environmentId: w.envB }),
    headers: () => cachedKey("other-team", w.envB, () => apiKey(w.otherMaster, w.envB, ALL_WRITE, { name: "other team" })),
  },
  otherEnvironmentKey: {
    scope: () => ({ teamId: w.master.teamId, environmentId: w.envA2 }),
    headers: () => cachedKey("other-env", w.envA2, () => apiKey(w.master, w.envA2, ALL_WRITE, { name: "other environment" })),
  },
  environmentsRead: keyOfHome("ENVIRONMENTS READ", perm("ENVIRONMENTS", "READ")),
  environmentsWrite: keyOfHome("ENVIRONMENTS WRITE", perm("ENVIRONMENTS", "WRITE")),
  walletsWrite: keyOfHome("WALLETS WRITE", perm("WALLETS", "WRITE")),
  paymentsWrite: keyOfHome("PAYMENTS WRITE", perm("PAYMENTS", "WRITE")),
  webhooksWrite: keyOfHome("WEBHOOKS WRITE", perm("WEBHOOKS", "WRITE")),
  /** Scoped to one wallet of its environment; ENVIRONMENTS READ + PAYMENTS WRITE. */
  walletScopedKey: {
    scope: teamA,
    headers: (home: string) =>
      cachedKey("wallet-scoped", home, async () => {
        const wallet = await createWalletRow(home, { name: "scoped" });
        return apiKey(w.master, home, [...perm("ENVIRONMENTS", "READ"), ...perm("PAYMENTS", "WRITE")], { name: "wallet scoped", walletId: wallet.id });
      }),
  },
  malformedAuthorization: invalid(() => ({ authorization: "Basic dXNlcjpwYXNzd29yZA==" })),
  bearerGarbage: invalid(() => ({ authorization: "Bearer garbage" })),
  /** A real session token of the master whose token version has since changed (sessions revoked). */
  staleSession: {
    scope: teamA,
    headers: async () => ({ authorization: `Bearer ${await sessionToken(w.master.userId, 1)}` }),
  },
  /** A session token past its expiry. */
  expiredSession: {
    scope: teamA,
    headers: async () => ({ authorization: `Bearer ${await sessionToken(w.master.userId, 0, "authjs.session-token", -60)}` }),
  },
  memberSession: { scope: () => ({ teamId: w.master.teamId }), headers: async () => w.member.headers },
  masterSession: { scope: () => ({ teamId: w.master.teamId }), headers: async () => w.master.headers },
  otherTeamMasterSession: { scope: () => ({ teamId: w.otherMaster.teamId }), headers: async () => w.otherMaster.headers },
} satisfies Record<string, Caller>;

type CallerName = keyof typeof CALLERS;

// ---------------------------------------------------------------------------------------------
// Operations

type Prepared = { variables?: Record<string, unknown>; home: string; target?: string };

type CheckContext = { prepared: Prepared; caller: CallerName; scope: { teamId: string; environmentId?: string } };

type Operation = {
  document: string;
  /** Runs before each cell: the variables, and the environment the cell's keys belong to. */
  prepare: () => Promise<Prepared>;
  /** What a successful answer must satisfy for this caller. */
  check: (data: Record<string, unknown>, ctx: CheckContext) => Promise<void> | void;
  /** Observable state the operation may change: equal before and after a refused call. */
  state?: (prepared: Prepared) => Promise<unknown>;
};

const home = async (): Promise<Prepared> => ({ home: w.envA });

type Any = Json;

const teamEnvironmentIds = async (teamId: string) =>
  (await db.environment.findMany({ where: { teamId }, select: { id: true } })).map((e) => e.id).sort();

const KEY_SELECTION = "id name active environment_id key_prefix permissions { resource level }";

async function freshKey(): Promise<Prepared> {
  const key = await apiKey(w.master, w.envA, perm("WALLETS", "READ"), { name: "target" });
  return { home: w.envA, target: key.id, variables: { id: key.id } };
}
const keyRow = (p: Prepared) => db.serviceApiKey.findUniqueOrThrow({ where: { id: p.target! }, select: { name: true, revokedAt: true } });

function createEnvironmentOperation(type: "SANDBOX" | "LIVE"): Operation {
  return {
    document: `mutation ($input: CreatePaymentsEnvironmentInput!) {
      payment { environment { create(input: $input) { id name type checkout_url environment { id type } } } }
    }`,
    prepare: async () => {
      // One LIVE environment per team: start each cell from a team without one.
      if (type === "LIVE") await db.environment.deleteMany({ where: { type: "LIVE", teamId: { in: [w.master.teamId, w.otherMaster.teamId] } } });
      return { home: w.envA, variables: { input: { name: `created ${type}`, type } } };
    },
    check: async (data: Any, { scope }) => {
      const created = data.payment.environment.create;
      expect(created).toMatchObject({ name: `created ${type}`, type, checkout_url: null, environment: { id: created.id, type } });
      const row = await db.environment.findUniqueOrThrow({ where: { id: created.id } });
      expect(row.teamId).toBe(scope.teamId);
    },
    state: async () => db.environment.count(),
  };
}

const OPERATIONS = {
  hello: {
    document: `{ hello }`,
    prepare: home,
    check: (data) => expect(data).toEqual({ hello: "Hello from Boltrail" }),
  },
  "taproot_assets.list": {
    document: `{ taproot_assets { list { symbol precision type } } }`,
    prepare: home,
    check: (data: Any) =>
      expect(data.taproot_assets.list).toEqual([
        { symbol: "BTC", precision: 8, type: "BASE_ASSET" },
        { symbol: "USDC", precision: 6, type: "TAPROOT_ASSET" },
        { symbol: "USDT", precision: 6, type: "TAPROOT_ASSET" },
      ]),
  },
  user: {
    document: `{ user { id email is_master team { id } } }`,
    prepare: home,
    check: (data: Any, { caller }) => {
      const session = caller === "memberSession" ? w.member : caller === "masterSession" ? w.master : w.otherMaster;
      expect(data.user).toEqual({ id: session.userId, email: session.email, is_master: session.isMaster, team: { id: session.teamId } });
    },
  },
  "payment.environment.find_one": {
    document: `query ($id: String!) { payment { environment { find_one(id: $id) { id name type wallet_count } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: w.envA } }),
    check: (data: Any) => expect(data.payment.environment.find_one).toMatchObject({ id: w.envA, name: "A home", type: "SANDBOX" }),
  },
  "payment.environment.find_many": {
    document: FIND_MANY_ENVIRONMENTS,
    prepare: home,
    check: async (data: Any, { scope }) => {
      const ids = data.payment.environment.find_many.list.map((e: { id: string }) => e.id).sort();
      // A key sees exactly its own environment; a session its whole team, nothing else.
      expect(ids).toEqual(scope.environmentId ? [scope.environmentId] : await teamEnvironmentIds(scope.teamId));
    },
  },
  "payment.environment.create SANDBOX": createEnvironmentOperation("SANDBOX"),
  "payment.environment.create LIVE": createEnvironmentOperation("LIVE"),
  "payment.environment.delete": {
    document: `mutation ($id: String!) { payment { environment { delete(id: $id) } } }`,
    // A fresh environment of team A per cell; the keys under test belong to it.
    prepare: async () => {
      const env = await createEnvironment(w.master, "SANDBOX", "to delete");
      return { home: env.id, target: env.id, variables: { id: env.id } };
    },
    check: async (data: Any, { prepared }) => {
      expect(data).toEqual({ payment: { environment: { delete: true } } });
      expect(await db.environment.count({ where: { id: prepared.target } })).toBe(0);
    },
    state: async (p) => db.environment.count({ where: { id: p.target } }),
  },
  "service_api_key.create": {
    document: `mutation ($input: CreateServiceApiKeyInput!) { service_api_key { create(input: $input) { plaintext_key key { ${KEY_SELECTION} } } } }`,
    prepare: async () => ({
      home: w.envA,
      variables: { input: { name: "made in matrix", environment_id: w.envA, permissions: perm("WALLETS", "READ") } },
    }),
    check: (data: Any) => {
      const { plaintext_key, key } = data.service_api_key.create;
      expect(plaintext_key).toMatch(/^amb_test_[A-Za-z0-9_-]{43}$/);
      expect(key).toMatchObject({ name: "made in matrix", active: true, environment_id: w.envA, key_prefix: plaintext_key.slice(0, 13) });
    },
    state: async () => db.serviceApiKey.count(),
  },
  "service_api_key.update": {
    document: `mutation ($id: String!, $input: UpdateServiceApiKeyInput!) { service_api_key { update(id: $id, input: $input) { ${KEY_SELECTION} } } }`,
    prepare: async () => {
      const p = await freshKey();
      return { ...p, variables: { id: p.target, input: { name: "renamed" } } };
    },
    check: (data: Any, { prepared }) => expect(data.service_api_key.update).toMatchObject({ id: prepared.target, name: "renamed", active: true }),
    state: keyRow,
  },
  "service_api_key.revoke": {
    document: `mutation ($id: String!) { service_api_key { revoke(id: $id) { ${KEY_SELECTION} } } }`,
    prepare: freshKey,
    check: (data: Any, { prepared }) => expect(data.service_api_key.revoke).toMatchObject({ id: prepared.target, active: false }),
    state: keyRow,
  },
  "service_api_keys.get_many": {
    document: `{ service_api_keys { get_many { list { ${KEY_SELECTION} } } } }`,
    prepare: home,
    check: async (data: Any, { scope }) => {
      const list: { environment_id: string }[] = data.service_api_keys.get_many.list;
      const teamEnvs = await teamEnvironmentIds(scope.teamId);
      expect(list.every((k) => teamEnvs.includes(k.environment_id))).toBe(true);
      const teamKeys = await db.serviceApiKey.count({ where: { environment: { teamId: scope.teamId } } });
      expect(list).toHaveLength(teamKeys);
    },
  },
} satisfies Record<string, Operation>;

type OperationName = keyof typeof OPERATIONS;

// ---------------------------------------------------------------------------------------------
// Expectations: "ok" (data, no errors, `check` passes) or the code of the single error.

type Expectation = "ok" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" | "CONFLICT";
type Row = Record<CallerName, Expectation>;

const OK = "ok";
const U = "UNAUTHENTICATED";
const F = "FORBIDDEN";
const N = "NOT_FOUND";
const B = "BAD_USER_INPUT";

/** Credentials that are there but bad: always UNAUTHENTICATED, whatever the operation needs. */
const BAD_CREDENTIALS = {
  garbageKey: U,
  unknownKey: U,
  revokedKey: U,
  expiredKey: U,
  malformedAuthorization: U,
  bearerGarbage: U,
  staleSession: U,
  expiredSession: U,
} as const;

/** Valid keys of any kind get this. */
const allKeys = (e: Expectation) => ({
  otherTeamKey: e,
  otherEnvironmentKey: e,
  environmentsRead: e,
  environmentsWrite: e,
  walletsWrite: e,
  paymentsWrite: e,
  webhooksWrite: e,
  walletScopedKey: e,
});

/** Key management is master-session only: keys and members are FORBIDDEN. */
const masterOnly = (otherTeamMaster: Expectation): Row => ({
  noCredentials: U,
  ...BAD_CREDENTIALS,
  ...allKeys(F),
  memberSession: F,
  masterSession: OK,
  otherTeamMasterSession: otherTeamMaster,
});

// prettier-ignore
const EXPECTED: Record<OperationName, Row> = {
  hello: {
    noCredentials: OK, garbageKey: OK, unknownKey: OK, revokedKey: OK, expiredKey: OK, malformedAuthorization: OK, bearerGarbage: OK, staleSession: OK, expiredSession: OK,
    ...allKeys(OK), memberSession: OK, masterSession: OK, otherTeamMasterSession: OK,
  },
  "taproot_assets.list": {
    noCredentials: OK, ...BAD_CREDENTIALS, ...allKeys(OK), memberSession: OK, masterSession: OK, otherTeamMasterSession: OK,
  },
  user: {
    noCredentials: U, ...BAD_CREDENTIALS, ...allKeys(F), memberSession: OK, masterSession: OK, otherTeamMasterSession: OK,
  },
  "payment.environment.find_one": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: N, otherEnvironmentKey: N, environmentsRead: OK, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: OK,
    memberSession: OK, masterSession: OK, otherTeamMasterSession: N,
  },
  "payment.environment.find_many": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: OK, otherEnvironmentKey: OK, environmentsRead: OK, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: OK,
    memberSession: OK, masterSession: OK, otherTeamMasterSession: OK,
  },
  "payment.environment.create SANDBOX": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: OK, otherEnvironmentKey: OK, environmentsRead: F, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: F,
    memberSession: F, masterSession: OK, otherTeamMasterSession: OK,
  },
  // LIVE: the master's dashboard session only, even for a key with ENVIRONMENTS WRITE.
  "payment.environment.create LIVE": {
    noCredentials: U, ...BAD_CREDENTIALS, ...allKeys(F), memberSession: F, masterSession: OK, otherTeamMasterSession: OK,
  },
  "payment.environment.delete": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: N, otherEnvironmentKey: N, environmentsRead: F, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: F,
    memberSession: F, masterSession: OK, otherTeamMasterSession: N,
  },
  // Another team's environment id is as unknown as a made-up one: BAD_USER_INPUT on input.environment_id.
  "service_api_key.create": masterOnly(B),
  "service_api_key.update": masterOnly(N),
  "service_api_key.revoke": masterOnly(N),
  "service_api_keys.get_many": masterOnly(OK),
};

/** Cells that fail because of a known bug in the app: `it.fails` until it is fixed. */
const KNOWN_BUGS: Partial<Record<`${OperationName} × ${CallerName}`, string>> = {};

// ---------------------------------------------------------------------------------------------

async function run(name: OperationName, callerName: CallerName) {
  const op: Operation = OPERATIONS[name];
  const caller: Caller = CALLERS[callerName];
  const expected = EXPECTED[name][callerName];
  const prepared = await op.prepare();
  const headers = await caller.headers(prepared.home);
  const before = op.state ? await op.state(prepared) : undefined;

  const res: Result = await gql(op.document, prepared.variables, headers);

  if (expected === OK) {
    await op.check(ok(res), { prepared, caller: callerName, scope: caller.scope(prepared.home) });
  } else {
    fails(res, expected);
    if (op.state) expect(await op.state(prepared), "a refused call changed nothing").toEqual(before);
  }
}

describe.each(Object.keys(OPERATIONS) as OperationName[])("%s", (name) => {
  for (const callerName of Object.keys(CALLERS) as CallerName[]) {
    const bug = KNOWN_BUGS[`${name} × ${callerName}`];
    const title = `${callerName} → ${EXPECTED[name][callerName]}`;
    if (bug) it.fails(`${title} [known bug: ${bug}]`, () => run(name, callerName));
    else it(title, () => run(name, callerName));
  }
});

// ---------------------------------------------------------------------------------------------
// Rules the matrix cannot show in one request.

describe("revocation and sessions", () => {
  it("a revocation takes effect on the very next request", async () => {
    const key = await apiKey(w.master, w.envA, perm("ENVIRONMENTS", "READ"), { name: "soon revoked" });
    expect(ok(await gql(FIND_MANY_ENVIRONMENTS, null, key.headers))).toBeTruthy();
    const revoked = await revokeKey(w.master, key.id);
    expect(revoked.active).toBe(false);
    fails(await gql(FIND_MANY_ENVIRONMENTS, null, key.headers), U);
    // Revoking twice is harmless, and the key stays listed, inactive.
    expect((await revokeKey(w.master, key.id)).active).toBe(false);
    const listed = ok(await gql<Any>(`{ service_api_keys { get_many { list { id active } } } }`, null, w.master.headers));
    expect(listed.service_api_keys.get_many.list).toContainEqual({ id: key.id, active: false });
  });

  it("an expired key is listed as inactive and refused", async () => {
    const key = await expiredKey(w.master, w.envA, perm("ENVIRONMENTS", "READ"));
    fails(await gql(FIND_MANY_ENVIRONMENTS, null, key.headers), U);
    const listed = ok(await gql<Any>(`{ service_api_keys { get_many { list { id active expires_at } } } }`, null, w.master.headers));
    expect(listed.service_api_keys.get_many.list.find((k: { id: string }) => k.id === key.id)).toMatchObject({ active: false });
  });

  it("the session token also works salted for the https cookie name (__Secure-authjs.session-token)", async () => {
    const token = await sessionToken(w.master.userId, 0, "__Secure-authjs.session-token");
    const data = ok(await gql<Any>(`{ user { id } }`, null, { authorization: `Bearer ${token}` }));
    expect(data.user.id).toBe(w.master.userId);
  });

  it("a removed member's session stops working on its next request", async () => {
    const member = await memberSession(w.master);
    expect(ok(await gql<Any>(`{ user { id is_master } }`, null, member.headers)).user).toEqual({ id: member.userId, is_master: false });
    await removeMember(w.master.actor, member.userId);
    fails(await gql(`{ user { id } }`, null, member.headers), U);
  });

  it("bad credentials are refused even where no credentials are needed, and next to a valid Authorization", async () => {
    fails(await gql(`{ taproot_assets { list { id } } }`, null, { "x-api-key": "garbage" }), U);
    // x-api-key is what a request is authenticated with when present: a bad one is not rescued by a good session.
    fails(await gql(FIND_MANY_ENVIRONMENTS, null, { ...w.master.headers, "x-api-key": unknownKey() }), U);
  });
});

describe("environment rules", () => {
  it("one LIVE environment per team: the second is a CONFLICT naming input.type, and nothing is written", async () => {
    const master = await masterSession("Live team");
    const first = await createEnvironment(master, "LIVE", "Production");
    expect(first.type).toBe("LIVE");
    const before = await db.environment.count({ where: { teamId: master.teamId } });
    const res = await gql(OPERATIONS["payment.environment.create LIVE"].document, { input: { name: "Production 2", type: "LIVE" } }, master.headers);
    fails(res, "CONFLICT", "input.type");
    expect(await db.environment.count({ where: { teamId: master.teamId } })).toBe(before);
    // Sandboxes are unlimited.
    await createEnvironment(master, "SANDBOX", "sb 1");
    await createEnvironment(master, "SANDBOX", "sb 2");
  });

  it("a key of a LIVE environment is amb_live_…, reads it, and cannot delete it (master session only)", async () => {
    const master = await masterSession("Live keys");
    const live = await createEnvironment(master, "LIVE", "Production");
    const key = await apiKey(master, live.id, perm("ENVIRONMENTS", "WRITE"));
    expect(key.plaintext).toMatch(/^amb_live_[A-Za-z0-9_-]{43}$/);
    expect(key.key.key_prefix).toBe(key.plaintext.slice(0, 13));
    const found = ok(await gql<Any>(`query ($id: String!) { payment { environment { find_one(id: $id) { id type } } } }`, { id: live.id }, key.headers));
    expect(found.payment.environment.find_one).toEqual({ id: live.id, type: "LIVE" });
    fails(await gql(`mutation ($id: String!) { payment { environment { delete(id: $id) } } }`, { id: live.id }, key.headers), F);
    expect(await db.environment.count({ where: { id: live.id } })).toBe(1);
    // The same characters under the sandbox prefix are not a key.
    fails(await gql(FIND_MANY_ENVIRONMENTS, null, { "x-api-key": key.plaintext.replace("amb_live_", "amb_test_") }), U);
  });

  it("a key with ENVIRONMENTS WRITE creates sandboxes in its own team, which its own scope then does not include", async () => {
    const key = await apiKey(w.master, w.envA, perm("ENVIRONMENTS", "WRITE"), { name: "creator" });
    const created = ok(
      await gql<Any>(`mutation { payment { environment { create(input: { name: "by key", type: SANDBOX }) { id } } } }`, null, key.headers),
    ).payment.environment.create;
    expect((await db.environment.findUniqueOrThrow({ where: { id: created.id } })).teamId).toBe(w.master.teamId);
    fails(await gql(`query ($id: String!) { payment { environment { find_one(id: $id) { id } } } }`, { id: created.id }, key.headers), N);
    // The master sees it.
    const seen = ok(await gql<Any>(FIND_MANY_ENVIRONMENTS, null, w.master.headers));
    expect(seen.payment.environment.find_many.list.map((e: { id: string }) => e.id)).toContain(created.id);
  });

  it("two LIVE environments created at the same moment: exactly one wins, the other is a CONFLICT", async () => {
    const master = await masterSession("Race team");
    const create = () => gql(OPERATIONS["payment.environment.create LIVE"].document, { input: { name: "Production", type: "LIVE" } }, master.headers);
    const results = await Promise.all([create(), create(), create()]);
    expect(results.map((r) => codes(r)[0] ?? "ok").sort()).toEqual(["CONFLICT", "CONFLICT", "ok"]);
    expect(await db.environment.count({ where: { teamId: master.teamId, type: "LIVE" } })).toBe(1);
  });

  it("every resource × level can be granted, WALLET_CREDENTIALS included", async () => {
    const all: Permission[] = (["ENVIRONMENTS", "WALLETS", "PAYMENTS", "WEBHOOKS", "WALLET_CREDENTIALS"] as const).map((resource) => ({ resource, level: "READ" }));
    const key = await apiKey(w.master, w.envA, all);
    expect(key.key.permissions).toEqual(all);
    expect(codes(await gql(FIND_MANY_ENVIRONMENTS, null, key.headers))).toEqual([]);
  });

  it("WRITE implies READ, READ does not imply WRITE", async () => {
    const write = await apiKey(w.master, w.envA, perm("ENVIRONMENTS", "WRITE"));
    const read = await apiKey(w.master, w.envA, perm("ENVIRONMENTS", "READ"));
    expect(codes(await gql(FIND_MANY_ENVIRONMENTS, null, write.headers))).toEqual([]);
    expect(codes(await gql(FIND_MANY_ENVIRONMENTS, null, read.headers))).toEqual([]);
    fails(await gql(`mutation { payment { environment { create(input: { name: "x", type: SANDBOX }) { id } } } }`, null, read.headers), F);
  });
});
