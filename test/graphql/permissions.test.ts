import type { Json } from "../json";
// The permission matrix of the GraphQL API (DESIGN.md §4): every operation of the API (the Rails
// subset of lib/graphql/rails-subset.ts and the extensions of lib/graphql/extensions.ts) × every
// kind of caller → data, or the `extensions.code` of the one error; and a refused write wrote nothing.
//
// To cover a new operation: append an entry to OPERATIONS and a row to EXPECTED (TypeScript insists
// on one cell per caller, and "the matrix covers the whole API" below on one row per operation of
// the served schema); to cover a new kind of caller, append it to CALLERS and give it a cell in
// every row.
import { beforeAll, describe, expect, it } from "vitest";
import { getNamedType, isObjectType, type GraphQLObjectType } from "graphql";
import { db } from "@/lib/db";
import { schema } from "@/lib/graphql/server";
import { removeMember } from "@/lib/teams/members";
import { hashPassword } from "@/lib/auth/password";
import { transition } from "@/lib/transactions/lifecycle";
import {
  ALL_WRITE,
  FIND_MANY_ENVIRONMENTS,
  apiKey,
  codes,
  createEnvironment,
  BTC_ASSET_ID,
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
  /** Two wallets of envA; the wallet-scoped key of envA is scoped to `walletA`. */
  walletA: string;
  walletB: string;
  /** A receive in each wallet (`txB`'s invoice is what create_send is asked to pay). */
  txA: string;
  txB: { id: string; payment_request: string };
  /** Endpoints of envA, one per row that acts on an existing endpoint (so no row disturbs another). */
  endpoints: { read: string; update: string; rotate: string; test: string; redeliver: string };
  /** The payment.pending webhook event of `txA` (delivered to every endpoint above). */
  eventA: string;
};

let w: World;

/** Team A's password_hash (what a client derives from the team password) and its encrypted symmetric key, both opaque to the server. */
const TEAM_PASSWORD_HASH = "ab".repeat(32);
const TEAM_ENVELOPE = Buffer.concat([Buffer.from([2]), Buffer.alloc(130, 7)]).toString("base64");

beforeAll(async () => {
  const [master, otherMaster] = await Promise.all([masterSession("Team A"), masterSession("Team B")]);
  const member = await memberSession(master);
  const [a, a2, b] = await Promise.all([
    createEnvironment(master, "SANDBOX", "A home"),
    createEnvironment(master, "SANDBOX", "A other"),
    createEnvironment(otherMaster, "SANDBOX", "B home"),
  ]);
  const [walletA, walletB] = await Promise.all([createWalletRow(a.id, { name: "A main" }), createWalletRow(a.id, { name: "A second" })]);
  // Endpoints first, so that the payment.pending events of the receives below have deliveries.
  const [read, update, rotate, test, redeliver] = await Promise.all(
    ["read", "update", "rotate", "test", "redeliver"].map((name) => createEndpointAs(master, a.id, name)),
  );
  const [txA, txB] = await Promise.all([createReceiveAs(master, walletA.id), createReceiveAs(master, walletB.id)]);
  const eventA = await db.webhookEvent.findFirstOrThrow({ where: { transactionId: txA.id }, select: { id: true } });
  // Team A has a team password (issue 14): its password_hash is TEAM_PASSWORD_HASH; team B has none.
  await db.team.update({ where: { id: master.teamId }, data: { passwordVerifier: await hashPassword(TEAM_PASSWORD_HASH), encryptedSymmetricKey: TEAM_ENVELOPE, passwordSetAt: new Date() } });
  w = {
    master,
    member,
    otherMaster,
    envA: a.id,
    envA2: a2.id,
    envB: b.id,
    walletA: walletA.id,
    walletB: walletB.id,
    txA: txA.id,
    txB,
    endpoints: { read, update, rotate, test, redeliver },
    eventA: eventA.id,
  };
});

/** A public IP literal: accepted at create without any DNS lookup (no delivery worker runs here). */
const HOOK_URL = (path: string) => `https://8.8.8.8/boltrail-matrix/${path}`;

async function createEndpointAs(session: Session, environmentId: string, path: string): Promise<string> {
  const res = await gql<Any>(
    `mutation ($input: CreateWebhookEndpointInput!) { payment { webhook_endpoint { create(input: $input) { endpoint { id } } } } }`,
    { input: { environment_id: environmentId, url: HOOK_URL(path) } },
    session.headers,
  );
  return ok(res).payment.webhook_endpoint.create.endpoint.id;
}

async function createReceiveAs(session: Session, walletId: string): Promise<{ id: string; payment_request: string }> {
  const res = await gql<Any>(
    `mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id payment_request } } } }`,
    { input: { wallet_id: walletId, amount: "1000", description: "matrix fixture" } },
    session.headers,
  );
  return ok(res).payment.transaction.create_receive;
}

// ---------------------------------------------------------------------------------------------
// Callers. `home` is the environment an operation targets: the keys under test belong to it, so
// "a key with ENVIRONMENTS WRITE" means a key of the very environment being deleted, say.

const perm = (resource: Permission["resource"], level: Permission["level"]): Permission[] => [{ resource, level }];

type Scope = { teamId: string; environmentId?: string; walletId?: string };

type Caller = {
  /** Whose scope a successful answer must stay within. */
  scope: (home: string) => Scope;
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
  /**
   * Scoped to one wallet of its environment (in envA: `walletA`, the wallet the transaction rows
   * act on); ENVIRONMENTS READ + PAYMENTS WRITE.
   */
  walletScopedKey: {
    scope: (home: string) => ({ ...teamA(home), walletId: home === w.envA ? w.walletA : undefined }),
    headers: (home: string) =>
      cachedKey("wallet-scoped", home, async () => {
        const walletId = home === w.envA ? w.walletA : (await createWalletRow(home, { name: "scoped" })).id;
        return apiKey(w.master, home, [...perm("ENVIRONMENTS", "READ"), ...perm("PAYMENTS", "WRITE")], { name: "wallet scoped", walletId });
      }),
  },
  /**
   * Scoped to the same wallet, with every permission (WRITE on all four resources): it still sees
   * and touches only its wallet's objects, and makes no environment-level writes.
   */
  walletScopedAllKey: {
    scope: (home: string) => ({ ...teamA(home), walletId: home === w.envA ? w.walletA : undefined }),
    headers: (home: string) =>
      cachedKey("wallet-scoped-all", home, async () => {
        const walletId = home === w.envA ? w.walletA : (await createWalletRow(home, { name: "scoped all" })).id;
        return apiKey(w.master, home, ALL_WRITE, { name: "wallet scoped, all permissions", walletId });
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

type CheckContext = { prepared: Prepared; caller: CallerName; scope: Scope };

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

const ids = (list: { id: string }[]) => list.map((x) => x.id).sort();

/**
 * What a refused write must leave untouched: the rows every write of the API creates or deletes
 * (not API keys: a key's last_used_at is written off the request path).
 */
async function writes() {
  const [environments, wallets, transactions, transactionEvents, jobs, webhookEndpoints, webhookEvents, webhookDeliveries, auditLogs] = await Promise.all([
    db.environment.count(),
    db.wallet.count(),
    db.transaction.count(),
    db.transactionEvent.count(),
    db.job.count(),
    db.webhookEndpoint.count(),
    db.webhookEvent.count(),
    db.webhookDelivery.count(),
    db.auditLog.count(),
  ]);
  return { environments, wallets, transactions, transactionEvents, jobs, webhookEndpoints, webhookEvents, webhookDeliveries, auditLogs };
}

const endpointRow = (id: string) =>
  db.webhookEndpoint.findUnique({
    where: { id },
    select: { url: true, eventFilters: true, active: true, secretEncrypted: true, previousSecretEncrypted: true, updatedAt: true },
  });

function createReceiveOperation(wallet: () => string): Operation {
  return {
    document: `mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id status direction wallet_id } } } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { wallet_id: wallet(), amount: "2100", description: "made in matrix" } } }),
    check: async (data: Any, { scope }) => {
      const created = data.payment.transaction.create_receive;
      expect(created).toMatchObject({ status: "PENDING", direction: "RECEIVE", wallet_id: wallet() });
      const row = await db.transaction.findUniqueOrThrow({ where: { id: created.id }, select: { environmentId: true, environment: { select: { teamId: true } } } });
      expect(row).toEqual({ environmentId: w.envA, environment: { teamId: scope.teamId } });
    },
    state: writes,
  };
}

function findTransactionOperation(tx: () => string, wallet: () => string): Operation {
  return {
    document: `query ($id: String!) { payment { transaction { find_one(id: $id) { id wallet_id status } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: tx() } }),
    check: (data: Any) => expect(data.payment.transaction.find_one).toEqual({ id: tx(), wallet_id: wallet(), status: "PENDING" }),
  };
}

function notImplemented(document: string): Operation {
  return { document, prepare: home, check: () => expect.unreachable("NOT_IMPLEMENTED for every caller"), state: writes };
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
  // --- payment.wallet.* (WALLETS) -------------------------------------------------------------
  "payment.wallet.create": {
    document: `mutation ($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id name environment_id team_id asset { symbol } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { name: "made in matrix", environment_id: w.envA, asset_id: BTC_ASSET_ID } } }),
    check: async (data: Any, { scope }) => {
      const created = data.payment.wallet.create;
      expect(created).toMatchObject({ name: "made in matrix", environment_id: w.envA, team_id: scope.teamId, asset: { symbol: "BTC" } });
      const row = await db.wallet.findUniqueOrThrow({ where: { id: created.id }, select: { environment: { select: { teamId: true } } } });
      expect(row.environment.teamId).toBe(scope.teamId);
    },
    state: writes,
  },
  "payment.wallet.delete": {
    document: `mutation ($id: String!) { payment { wallet { delete(id: $id) } } }`,
    // A fresh, empty wallet of envA per cell.
    prepare: async () => {
      const wallet = await createWalletRow(w.envA, { name: "to delete" });
      return { home: w.envA, target: wallet.id, variables: { id: wallet.id } };
    },
    check: async (data: Any, { prepared }) => {
      expect(data).toEqual({ payment: { wallet: { delete: true } } });
      expect(await db.wallet.count({ where: { id: prepared.target } })).toBe(0);
    },
    state: async (p) => ({ ...(await writes()), target: await db.wallet.count({ where: { id: p.target } }) }),
  },
  "payment.wallet.set_lightning_address": {
    document: `mutation ($id: String!, $name: String) { payment { wallet { set_lightning_address(id: $id, name: $name) { id lightning_address } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: w.walletA, name: `matrix-${Math.random().toString(36).slice(2, 10)}` } }),
    check: (data: Any, { prepared }) =>
      expect(data.payment.wallet.set_lightning_address).toEqual({ id: w.walletA, lightning_address: expect.stringMatching(new RegExp(`^${String(prepared.variables?.name)}@`)) }),
    state: async () => ({ ...(await writes()), address: (await db.wallet.findUniqueOrThrow({ where: { id: w.walletA }, select: { lightningAddress: true } })).lightningAddress }),
  },
  "payment.wallet.find_one": {
    document: `query ($id: String!) { payment { wallet { find_one(id: $id) { id name environment_id team_id balance { balance } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: w.walletA } }),
    check: async (data: Any) => {
      // walletA pays the create_send row's invoices: its available balance as stored.
      const row = await db.wallet.findUniqueOrThrow({ where: { id: w.walletA }, select: { received: true, sent: true, reserved: true } });
      const balance = (row.received - row.sent - row.reserved).toString();
      expect(data.payment.wallet.find_one).toEqual({ id: w.walletA, name: "A main", environment_id: w.envA, team_id: w.master.teamId, balance: { balance } });
    },
  },
  // node_permissions (issue 14): whoever reads the wallet, with the team password's hash; a sandbox wallet has no node.
  "payment.wallet.find_one node_permissions": {
    document: `query ($id: String!, $hash: String) { payment { wallet { find_one(id: $id) { id node_permissions(password_hash: $hash) { encrypted_symmetric_key nodes { id } } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: w.walletA, hash: TEAM_PASSWORD_HASH } }),
    check: (data: Any) => expect(data.payment.wallet.find_one).toEqual({ id: w.walletA, node_permissions: { encrypted_symmetric_key: TEAM_ENVELOPE, nodes: [] } }),
  },
  "payment.wallet.find_many": {
    document: `query ($env: String!) { payment { wallet { find_many { list(environment_id: $env) { id } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { env: w.envA } }),
    check: async (data: Any, { scope }) => {
      // Exactly envA's wallets (another team's session is refused with NOT_FOUND, see EXPECTED); a wallet-scoped key's own only.
      const expected = (await db.wallet.findMany({ where: { environmentId: w.envA, ...(scope.walletId ? { id: scope.walletId } : {}) }, select: { id: true } })).map((x) => x.id);
      expect(ids(data.payment.wallet.find_many.list)).toEqual(expected.sort());
    },
  },

  // --- payment.transaction.* (PAYMENTS) -------------------------------------------------------
  "payment.transaction.create_receive": createReceiveOperation(() => w.walletA),
  /** The same into envA's other wallet: outside the wallet-scoped key's wallet. */
  "payment.transaction.create_receive (another wallet)": createReceiveOperation(() => w.walletB),
  // Pays a fresh invoice of walletB from walletA (an internal payment), walletA funded first as needed.
  "payment.transaction.create_send": {
    document: `mutation ($input: CreateSendTransactionInput!) { payment { transaction { create_send(input: $input) { id status direction } } } }`,
    prepare: async () => {
      const wallet = await db.wallet.findUniqueOrThrow({ where: { id: w.walletA }, select: { received: true, sent: true, reserved: true } });
      if (wallet.received - wallet.sent - wallet.reserved < BigInt(1000)) {
        const funding = await createReceiveAs(w.master, w.walletA);
        await transition(funding.id, "COMPLETED");
      }
      const invoice = await createReceiveAs(w.master, w.walletB);
      return { home: w.envA, variables: { input: { wallet_id: w.walletA, request: { bolt11: invoice.payment_request } } } };
    },
    check: (data: Any) => expect(data.payment.transaction.create_send).toMatchObject({ status: "COMPLETED", direction: "SEND" }),
    state: writes,
  },
  "payment.transaction.find_one": findTransactionOperation(() => w.txA, () => w.walletA),
  /** A transaction of envA's other wallet: outside the wallet-scoped key's wallet. */
  "payment.transaction.find_one (another wallet)": findTransactionOperation(() => w.txB.id, () => w.walletB),
  "payment.transaction.find_many": {
    document: `query ($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) { total_count list { id wallet_id } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { environment_id: w.envA, page: { limit: 100, offset: 0 } } } }),
    check: async (data: Any, { scope }) => {
      const page = data.payment.transaction.find_many;
      // envA's transactions (only its wallet's for a wallet-scoped key).
      const expected = (await db.transaction.findMany({ where: { environmentId: w.envA, ...(scope.walletId ? { walletId: scope.walletId } : {}) }, select: { id: true } })).map(
        (t) => t.id,
      );
      expect(ids(page.list)).toEqual(expected.sort());
      expect(page.total_count).toBe(expected.length);
      if (scope.walletId) expect(expected).not.toContain(w.txB.id);
    },
  },

  // --- payment.webhook_endpoint.* (WEBHOOKS) --------------------------------------------------
  "payment.webhook_endpoint.create": {
    document: `mutation ($input: CreateWebhookEndpointInput!) { payment { webhook_endpoint { create(input: $input) { secret endpoint { id url environment_id active } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { environment_id: w.envA, url: HOOK_URL("created"), event_filters: ["payment.completed"] } } }),
    check: async (data: Any, { scope }) => {
      const { secret, endpoint } = data.payment.webhook_endpoint.create;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(endpoint).toMatchObject({ url: HOOK_URL("created"), environment_id: w.envA, active: true });
      const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id }, select: { walletId: true, environment: { select: { teamId: true } } } });
      expect(row.environment.teamId).toBe(scope.teamId);
      // Created by a wallet-scoped key: bound to its wallet (only that wallet's events).
      expect(row.walletId).toBe(scope.walletId ?? null);
    },
    state: writes,
  },
  "payment.webhook_endpoint.update": {
    document: `mutation ($input: UpdateWebhookEndpointInput!) { payment { webhook_endpoint { update(input: $input) { id url event_filters active environment_id } } } }`,
    prepare: async () => ({ home: w.envA, target: w.endpoints.update, variables: { input: { id: w.endpoints.update, event_filters: ["payment.failed"], active: true } } }),
    check: (data: Any) =>
      expect(data.payment.webhook_endpoint.update).toEqual({
        id: w.endpoints.update,
        url: HOOK_URL("update"),
        event_filters: ["payment.failed"],
        active: true,
        environment_id: w.envA,
      }),
    state: async (p) => ({ ...(await writes()), target: await endpointRow(p.target!) }),
  },
  "payment.webhook_endpoint.delete": {
    document: `mutation ($id: String!) { payment { webhook_endpoint { delete(id: $id) } } }`,
    // A fresh endpoint of envA per cell.
    prepare: async () => {
      const id = await createEndpointAs(w.master, w.envA, "to-delete");
      return { home: w.envA, target: id, variables: { id } };
    },
    check: async (data: Any, { prepared }) => {
      expect(data).toEqual({ payment: { webhook_endpoint: { delete: true } } });
      expect(await db.webhookEndpoint.count({ where: { id: prepared.target } })).toBe(0);
    },
    state: async (p) => ({ ...(await writes()), target: await endpointRow(p.target!) }),
  },
  "payment.webhook_endpoint.rotate_secret": {
    document: `mutation ($id: String!) { payment { webhook_endpoint { rotate_secret(id: $id) { secret endpoint { id } } } } }`,
    prepare: async () => ({ home: w.envA, target: w.endpoints.rotate, variables: { id: w.endpoints.rotate } }),
    check: async (data: Any) => {
      const rotated = data.payment.webhook_endpoint.rotate_secret;
      expect(rotated).toEqual({ secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/), endpoint: { id: w.endpoints.rotate } });
      expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: w.endpoints.rotate } })).previousSecretEncrypted).not.toBeNull();
    },
    state: async (p) => ({ ...(await writes()), target: await endpointRow(p.target!) }),
  },
  "payment.webhook_endpoint.find_one": {
    document: `query ($id: String!) { payment { webhook_endpoint { find_one(id: $id) { id url environment_id active } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: w.endpoints.read } }),
    check: (data: Any) =>
      expect(data.payment.webhook_endpoint.find_one).toEqual({ id: w.endpoints.read, url: HOOK_URL("read"), environment_id: w.envA, active: true }),
  },
  "payment.webhook_endpoint.find_many": {
    document: `query ($env: String!) { payment { webhook_endpoint { find_many { list(environment_id: $env) { id } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { env: w.envA } }),
    check: async (data: Any, { scope }) => {
      // A wallet-scoped key: only the endpoints bound to its wallet.
      const expected = (await db.webhookEndpoint.findMany({ where: { environmentId: w.envA, ...(scope.walletId ? { walletId: scope.walletId } : {}) }, select: { id: true } })).map((e) => e.id);
      expect(ids(data.payment.webhook_endpoint.find_many.list)).toEqual(expected.sort());
    },
  },
  "payment.webhook_endpoint.available_event_types": {
    document: `{ payment { webhook_endpoint { available_event_types } } }`,
    prepare: home,
    check: (data: Any) =>
      expect(data.payment.webhook_endpoint.available_event_types).toEqual(["payment.pending", "payment.completed", "payment.failed", "payment.expired"]),
  },
  // Extension (lib/graphql/extensions.ts).
  "payment.webhook_endpoint.send_test_event": {
    document: `mutation ($id: String!) { payment { webhook_endpoint { send_test_event(id: $id) { id event_type environment_id deliveries { webhook_endpoint_id status } } } } }`,
    prepare: async () => ({ home: w.envA, target: w.endpoints.test, variables: { id: w.endpoints.test } }),
    check: (data: Any) =>
      expect(data.payment.webhook_endpoint.send_test_event).toMatchObject({
        event_type: "webhook.test",
        environment_id: w.envA,
        deliveries: [{ webhook_endpoint_id: w.endpoints.test, status: "PENDING" }],
      }),
    state: writes,
  },

  // --- payment.webhook_event.* (WEBHOOKS) -----------------------------------------------------
  "payment.webhook_event.find_one": {
    document: `query ($id: String!) { payment { webhook_event { find_one(id: $id) { id event_type environment_id transaction_id } } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: w.eventA } }),
    check: (data: Any) =>
      expect(data.payment.webhook_event.find_one).toEqual({ id: w.eventA, event_type: "payment.pending", environment_id: w.envA, transaction_id: w.txA }),
  },
  "payment.webhook_event.find_many": {
    document: `query ($input: ListWebhookEventsInput!) { payment { webhook_event { find_many(input: $input) { total_count list { id } } } } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { environment_id: w.envA, page: { limit: 100, offset: 0 } } } }),
    check: async (data: Any, { scope }) => {
      const page = data.payment.webhook_event.find_many;
      // A wallet-scoped key: its wallet's events only.
      const expected = (await db.webhookEvent.findMany({ where: { environmentId: w.envA, ...(scope.walletId ? { walletId: scope.walletId } : {}) }, select: { id: true } })).map((e) => e.id);
      if (scope.walletId) expect(expected).not.toContain((await db.webhookEvent.findFirstOrThrow({ where: { transactionId: w.txB.id } })).id);
      expect(ids(page.list)).toEqual(expected.sort());
      expect(page.total_count).toBe(expected.length);
    },
  },
  // Extension (lib/graphql/extensions.ts).
  "payment.webhook_event.redeliver": {
    document: `mutation ($id: String!, $endpoint: String) { payment { webhook_event { redeliver(id: $id, endpoint_id: $endpoint) { id deliveries { webhook_endpoint_id status } } } } }`,
    prepare: async () => ({ home: w.envA, target: w.eventA, variables: { id: w.eventA, endpoint: w.endpoints.redeliver } }),
    check: (data: Any) => {
      const event = data.payment.webhook_event.redeliver;
      expect(event.id).toBe(w.eventA);
      expect(event.deliveries).toContainEqual({ webhook_endpoint_id: w.endpoints.redeliver, status: "PENDING" });
    },
    state: async (p) => ({
      ...(await writes()),
      target: await db.webhookDelivery.findMany({ where: { eventId: p.target }, orderBy: { id: "asc" } }),
    }),
  },

  // --- node.* (attached Lightning nodes; test/live covers them against the LND simulator) --------
  "node.deployed_nodes": {
    document: `{ node { deployed_nodes { id pubkey network } } }`,
    prepare: home,
    check: (data: Any) => expect(data.node.deployed_nodes).toEqual([]), // no node attached in this world
  },
  "node.deployed_node": {
    document: `query ($id: String!) { node { deployed_node(node_id: $id) { id } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: "node_00000000-0000-4000-8000-000000000000" } }),
    check: () => expect.unreachable("no node is attached in this world"),
  },
  "node.connect": {
    // Authorised callers get the input refusal (a macaroon that is neither hex nor base64), before any connection.
    document: `mutation ($input: NodeConnectInput!) { node { connect(input: $input) { node_id success } } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { lnd: { rest: "https://127.0.0.1:1", grpc: "127.0.0.1:10009", management_macaroon: "not a macaroon!" } } } }),
    check: () => expect.unreachable("the macaroon is refused"),
    state: writes,
  },
  "node.set_send_macaroon": {
    // Authorised callers get the input refusal (a macaroon that is neither hex nor base64), before the node is looked up or called.
    document: `mutation ($id: String!, $macaroon: String) { node { set_send_macaroon(node_id: $id, macaroon: $macaroon) { id } } }`,
    prepare: async () => ({ home: w.envA, variables: { id: "node_00000000-0000-4000-8000-000000000000", macaroon: "not a macaroon!" } }),
    check: () => expect.unreachable("the macaroon is refused"),
    state: writes,
  },
  // --- user.* and credentials.* (Rails' custody, issue 14; test/custody covers them end to end) ---
  "user.check_team_password": {
    document: `mutation ($hash: String!) { user { check_team_password(password_hash: $hash) { success } } }`,
    prepare: async () => ({ home: w.envA, variables: { hash: TEAM_PASSWORD_HASH } }),
    check: (data: Any) => expect(data.user.check_team_password).toEqual({ success: true }),
  },
  "user.store_team_password_and_keys": {
    // Authorised callers get the input refusal (not a password hash), before anything is looked up.
    document: `mutation ($key: String!, $hash: String!) { user { store_team_password_and_keys(encrypted_symmetric_key: $key, password_hash: $hash) { success } } }`,
    prepare: async () => ({ home: w.envA, variables: { key: TEAM_ENVELOPE, hash: "the team password" } }),
    check: () => expect.unreachable("the password hash is refused"),
    state: async () => ({ ...(await writes()), teams: await db.team.findMany({ select: { id: true, passwordVerifier: true, encryptedSymmetricKey: true }, orderBy: { id: "asc" } }) }),
  },
  "user.accept_terms_of_service": notImplemented(`mutation { user { accept_terms_of_service { __typename } } }`),
  "user.request_transaction_export": notImplemented(`mutation { user { request_transaction_export(input: { node_id: "n", year: 2026 }) { __typename } } }`),
  "credentials.store_admin": {
    document: `mutation ($input: StoreAdminCredentialsInput!) { credentials { store_admin(input: $input) } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { node_id: "node_00000000-0000-4000-8000-000000000000", encrypted_macaroon: "not a NIP-44 payload", permissions: [] } } }),
    check: () => expect.unreachable("the envelope is refused"),
    state: writes,
  },
  "credentials.store_management": {
    document: `mutation ($input: StoreManagementCredentialsInput!) { credentials { store_management(input: $input) } }`,
    prepare: async () => ({ home: w.envA, variables: { input: { node_id: "node_00000000-0000-4000-8000-000000000000", macaroon: "not a macaroon!" } } }),
    check: () => expect.unreachable("the macaroon is refused"),
    state: writes,
  },
  // Rails' managed-node operations: not part of Boltrail (it attaches your own node).
  "node.activate": notImplemented(`mutation { node { activate(cancel_url: "https://x.example/c", node_id: "n", success_url: "https://x.example/s") { success } } }`),
  "node.asset.disable_taproot_assets": notImplemented(`mutation { node { asset { disable_taproot_assets(input: { node_id: "n" }) { success } } } }`),
  "node.asset.enable_taproot_assets": notImplemented(`mutation { node { asset { enable_taproot_assets(input: { node_id: "n" }) { success } } } }`),
  "node.asset.set_asset_config": notImplemented(`mutation { node { asset { set_asset_config(input: { node_id: "n", asset_id: "a", enabled: true }) { success } } } }`),
  "node.change_settings": notImplemented(`mutation { node { change_settings(input: { node_id: "n", alias: "x" }) { new_alias } } }`),
  "node.deactivate": notImplemented(`mutation { node { deactivate(input: { node_id: "n" }) { success } } }`),
  "node.deploy": notImplemented(`mutation { node { deploy { success } } }`),
  "node.invoices": notImplemented(`mutation { node { invoices { __typename } } }`),
  "node.partners": notImplemented(`mutation { node { partners { __typename } } }`),
  "node.withdrawal": notImplemented(`mutation { node { withdrawal { __typename } } }`),
} satisfies Record<string, Operation>;

type OperationName = keyof typeof OPERATIONS;

// ---------------------------------------------------------------------------------------------
// Expectations: "ok" (data, no errors, `check` passes) or the code of the single error.

type Expectation = "ok" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" | "CONFLICT" | "NOT_IMPLEMENTED";
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
  walletScopedAllKey: e,
});

/**
 * An operation on an object of envA (or a list of envA by id) that needs one permission. Keys of
 * another environment or team hold every permission, so they reach the scope check: NOT_FOUND.
 * Keys of envA: FORBIDDEN, but for those `granted` (which get `allowed`). Team A's sessions, member
 * included, get `allowed`; team B's master gets `otherTeamMaster` (NOT_FOUND for an object named by
 * id, and for a list of an environment named by id).
 */
const inEnvironmentA = (granted: Partial<Row>, otherTeamMaster: Expectation, allowed: Expectation = OK): Row => ({
  noCredentials: U,
  ...BAD_CREDENTIALS,
  otherTeamKey: N,
  otherEnvironmentKey: N,
  environmentsRead: F,
  environmentsWrite: F,
  walletsWrite: F,
  paymentsWrite: F,
  webhooksWrite: F,
  walletScopedKey: F,
  // Every permission, but only its wallet (walletA): environment-wide objects are NOT_FOUND to it.
  walletScopedAllKey: N,
  ...granted,
  memberSession: allowed,
  masterSession: allowed,
  otherTeamMasterSession: otherTeamMaster,
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

/** Not part of Boltrail: NOT_IMPLEMENTED, whoever asks (nothing is looked at, credentials included). */
const notImplementedRow = (): Row => ({
  noCredentials: "NOT_IMPLEMENTED", garbageKey: "NOT_IMPLEMENTED", unknownKey: "NOT_IMPLEMENTED", revokedKey: "NOT_IMPLEMENTED", expiredKey: "NOT_IMPLEMENTED",
  malformedAuthorization: "NOT_IMPLEMENTED", bearerGarbage: "NOT_IMPLEMENTED", staleSession: "NOT_IMPLEMENTED", expiredSession: "NOT_IMPLEMENTED",
  ...allKeys("NOT_IMPLEMENTED"), memberSession: "NOT_IMPLEMENTED", masterSession: "NOT_IMPLEMENTED", otherTeamMasterSession: "NOT_IMPLEMENTED",
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
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: OK, walletScopedAllKey: OK,
    memberSession: OK, masterSession: OK, otherTeamMasterSession: N,
  },
  "payment.environment.find_many": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: OK, otherEnvironmentKey: OK, environmentsRead: OK, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: OK, walletScopedAllKey: OK,
    memberSession: OK, masterSession: OK, otherTeamMasterSession: OK,
  },
  "payment.environment.create SANDBOX": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: OK, otherEnvironmentKey: OK, environmentsRead: F, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: F, walletScopedAllKey: F,
    memberSession: F, masterSession: OK, otherTeamMasterSession: OK,
  },
  // LIVE: the master's dashboard session only, even for a key with ENVIRONMENTS WRITE.
  "payment.environment.create LIVE": {
    noCredentials: U, ...BAD_CREDENTIALS, ...allKeys(F), memberSession: F, masterSession: OK, otherTeamMasterSession: OK,
  },
  "payment.environment.delete": {
    noCredentials: U, ...BAD_CREDENTIALS,
    otherTeamKey: N, otherEnvironmentKey: N, environmentsRead: F, environmentsWrite: OK,
    walletsWrite: F, paymentsWrite: F, webhooksWrite: F, walletScopedKey: F, walletScopedAllKey: F,
    memberSession: F, masterSession: OK, otherTeamMasterSession: N,
  },
  // Another team's environment id is as unknown as a made-up one: BAD_USER_INPUT on input.environment_id.
  "service_api_key.create": masterOnly(B),
  "service_api_key.update": masterOnly(N),
  "service_api_key.revoke": masterOnly(N),
  "service_api_keys.get_many": masterOnly(OK),

  // WALLETS. The wallet-scoped key has no WALLETS permission; the one with every permission may
  // not create wallets (FORBIDDEN), nor reach another wallet (the fresh one of delete: NOT_FOUND).
  "payment.wallet.create": inEnvironmentA({ walletsWrite: OK, walletScopedAllKey: F }, N),
  "payment.wallet.delete": inEnvironmentA({ walletsWrite: OK }, N),
  "payment.wallet.set_lightning_address": inEnvironmentA({ walletsWrite: OK, walletScopedAllKey: OK }, N),
  "payment.wallet.find_one": inEnvironmentA({ walletsWrite: OK, walletScopedAllKey: OK }, N),
  "payment.wallet.find_many": inEnvironmentA({ walletsWrite: OK, walletScopedAllKey: OK }, N),
  "payment.wallet.find_one node_permissions": inEnvironmentA({ walletsWrite: OK, walletScopedAllKey: OK }, N),

  // PAYMENTS. The wallet-scoped key is scoped to walletA: anything of walletB is NOT_FOUND to it.
  "payment.transaction.create_receive": inEnvironmentA({ paymentsWrite: OK, walletScopedKey: OK, walletScopedAllKey: OK }, N),
  "payment.transaction.create_receive (another wallet)": inEnvironmentA({ paymentsWrite: OK, walletScopedKey: N }, N),
  "payment.transaction.create_send": inEnvironmentA({ paymentsWrite: OK, walletScopedKey: OK, walletScopedAllKey: OK }, N),
  "payment.transaction.find_one": inEnvironmentA({ paymentsWrite: OK, walletScopedKey: OK, walletScopedAllKey: OK }, N),
  "payment.transaction.find_one (another wallet)": inEnvironmentA({ paymentsWrite: OK, walletScopedKey: N }, N),
  "payment.transaction.find_many": inEnvironmentA({ paymentsWrite: OK, walletScopedKey: OK, walletScopedAllKey: OK }, N),

  // WEBHOOKS (webhook_endpoint and webhook_event alike). The endpoints of these rows are the
  // environment's (created by the master): NOT_FOUND to the wallet-scoped key with every
  // permission, which creates endpoints bound to its wallet and sees its wallet's events only.
  "payment.webhook_endpoint.create": inEnvironmentA({ webhooksWrite: OK, walletScopedAllKey: OK }, N),
  "payment.webhook_endpoint.update": inEnvironmentA({ webhooksWrite: OK }, N),
  "payment.webhook_endpoint.delete": inEnvironmentA({ webhooksWrite: OK }, N),
  "payment.webhook_endpoint.rotate_secret": inEnvironmentA({ webhooksWrite: OK }, N),
  "payment.webhook_endpoint.find_one": inEnvironmentA({ webhooksWrite: OK }, N),
  "payment.webhook_endpoint.find_many": inEnvironmentA({ webhooksWrite: OK, walletScopedAllKey: OK }, N),
  // No object involved: every key with a WEBHOOKS permission, whatever its environment (DESIGN §4:
  // payment.webhook_endpoint.* → WEBHOOKS).
  "payment.webhook_endpoint.available_event_types": inEnvironmentA({ otherTeamKey: OK, otherEnvironmentKey: OK, webhooksWrite: OK, walletScopedAllKey: OK }, OK),
  "payment.webhook_endpoint.send_test_event": inEnvironmentA({ webhooksWrite: OK }, N),
  "payment.webhook_event.find_one": inEnvironmentA({ webhooksWrite: OK, walletScopedAllKey: OK }, N),
  "payment.webhook_event.find_many": inEnvironmentA({ webhooksWrite: OK, walletScopedAllKey: OK }, N),
  "payment.webhook_event.redeliver": inEnvironmentA({ webhooksWrite: OK }, N),

  // Nodes: any valid caller lists the nodes of its scope (none here); a node id outside it is NOT_FOUND.
  "node.deployed_nodes": { noCredentials: U, ...BAD_CREDENTIALS, ...allKeys(OK), memberSession: OK, masterSession: OK, otherTeamMasterSession: OK },
  "node.deployed_node": { noCredentials: U, ...BAD_CREDENTIALS, ...allKeys(N), memberSession: N, masterSession: N, otherTeamMasterSession: N },
  // Attaching: the master's session only (which reaches the input check).
  "node.connect": { ...masterOnly(B), masterSession: B },
  "node.set_send_macaroon": { ...masterOnly(B), masterSession: B },
  // Team B has no team password: its master's check is FORBIDDEN saying to set one.
  "user.check_team_password": { noCredentials: U, ...BAD_CREDENTIALS, ...allKeys(F), memberSession: OK, masterSession: OK, otherTeamMasterSession: F },
  "user.store_team_password_and_keys": { ...masterOnly(B), masterSession: B },
  "user.accept_terms_of_service": notImplementedRow(),
  "user.request_transaction_export": notImplementedRow(),
  "credentials.store_admin": { ...masterOnly(B), masterSession: B },
  "credentials.store_management": { ...masterOnly(B), masterSession: B },
  "node.activate": notImplementedRow(),
  "node.asset.disable_taproot_assets": notImplementedRow(),
  "node.asset.enable_taproot_assets": notImplementedRow(),
  "node.asset.set_asset_config": notImplementedRow(),
  "node.change_settings": notImplementedRow(),
  "node.deactivate": notImplementedRow(),
  "node.deploy": notImplementedRow(),
  "node.invoices": notImplementedRow(),
  "node.partners": notImplementedRow(),
  "node.withdrawal": notImplementedRow(),
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

describe("the matrix covers the whole API", () => {
  /**
   * Every operation of the served schema, as a dotted path: the root fields, through the namespace
   * objects (`payment`, `payment.wallet`, … — the types named …Queries / …Mutations / …Query), down
   * to the first field that does something. Their `id` fields are constants.
   */
  function schemaOperations(): string[] {
    const paths: string[] = [];
    const walk = (type: GraphQLObjectType, prefix: string) => {
      for (const field of Object.values(type.getFields())) {
        if (prefix && field.name === "id") continue;
        const named = getNamedType(field.type);
        const path = prefix ? `${prefix}.${field.name}` : field.name;
        if (isObjectType(named) && /(Queries|Mutations|Query)$/.test(named.name)) walk(named, path);
        else paths.push(path);
      }
    };
    walk(schema.getQueryType()!, "");
    walk(schema.getMutationType()!, "");
    return paths.sort();
  }

  it("every operation of the schema has a row, and every row is an operation of the schema", () => {
    // Rows of the same operation in another situation are named `<operation> <situation>`.
    const rows = [...new Set(Object.keys(OPERATIONS).map((name) => name.split(" ")[0]))].sort();
    expect(rows).toEqual(schemaOperations());
  });
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

  it("a key with ENVIRONMENTS WRITE creates sandboxes in its own team, which join its own scope (DESIGN §4)", async () => {
    const key = await apiKey(w.master, w.envA, perm("ENVIRONMENTS", "WRITE"), { name: "creator" });
    const created = ok(
      await gql<Any>(`mutation { payment { environment { create(input: { name: "by key", type: SANDBOX }) { id } } } }`, null, key.headers),
    ).payment.environment.create;
    expect((await db.environment.findUniqueOrThrow({ where: { id: created.id } })).teamId).toBe(w.master.teamId);
    const found = ok(await gql<Any>(`query ($id: String!) { payment { environment { find_one(id: $id) { id } } } }`, { id: created.id }, key.headers));
    expect(found.payment.environment.find_one).toEqual({ id: created.id });
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

describe("a wallet-scoped key stays in its wallet (issue 12, finding 3)", () => {
  // A fresh environment: wallets W1 (the key's) and W2, an environment-wide endpoint made by the
  // master, and an endpoint the wallet-scoped key makes (bound to W1).
  let env: string;
  let w1: string;
  let w2: string;
  let scoped: ApiKey;
  let envWide: string;
  let bound: string;

  const REDELIVER = `mutation ($id: String!, $endpoint: String) { payment { webhook_event { redeliver(id: $id, endpoint_id: $endpoint) { id deliveries { webhook_endpoint_id } } } } }`;
  const FIND_EVENT = `query ($id: String!) { payment { webhook_event { find_one(id: $id) { id wallet_id deliveries { webhook_endpoint_id } } } } }`;
  const LIST_EVENTS = `query ($input: ListWebhookEventsInput!) { payment { webhook_event { find_many(input: $input) { total_count list { id wallet_id } } } } }`;
  const eventOf = (transactionId: string, eventType = "payment.pending") => db.webhookEvent.findFirstOrThrow({ where: { transactionId, eventType }, select: { id: true } });
  const deliveriesTo = (endpointId: string) => db.webhookDelivery.findMany({ where: { endpointId }, select: { event: { select: { walletId: true } } } });

  beforeAll(async () => {
    env = (await createEnvironment(w.master, "SANDBOX", "scoped")).id;
    [w1, w2] = (await Promise.all([createWalletRow(env, { name: "W1" }), createWalletRow(env, { name: "W2" })])).map((x) => x.id);
    scoped = await apiKey(w.master, env, ALL_WRITE, { name: "W1 only", walletId: w1 });
    envWide = await createEndpointAs(w.master, env, "env-wide");
    bound = await createEndpointAs({ headers: scoped.headers } as Session, env, "bound");
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: bound } })).walletId).toBe(w1);
  });

  it("its endpoint receives only its wallet's events: the batched receive write and a status change alike", async () => {
    const [t1, t2] = [await createReceiveAs(w.master, w1), await createReceiveAs(w.master, w2)];
    await transition(t1.id, "COMPLETED");
    await transition(t2.id, "COMPLETED");
    const toBound = await deliveriesTo(bound);
    expect(toBound.length).toBe(2);
    expect(toBound.every((d) => d.event.walletId === w1)).toBe(true);
    // The environment-wide endpoint gets both wallets' events.
    const toEnvWide = await deliveriesTo(envWide);
    expect(new Set(toEnvWide.map((d) => d.event.walletId))).toEqual(new Set([w1, w2]));
  });

  it("lists and reads only its wallet's events, and only the deliveries to its own endpoints", async () => {
    const t1 = await createReceiveAs(w.master, w1);
    const t2 = await createReceiveAs(w.master, w2);
    const [e1, e2] = [await eventOf(t1.id), await eventOf(t2.id)];
    fails(await gql(FIND_EVENT, { id: e2.id }, scoped.headers), N);
    const seen = ok(await gql<Any>(FIND_EVENT, { id: e1.id }, scoped.headers)).payment.webhook_event.find_one;
    expect(seen).toEqual({ id: e1.id, wallet_id: w1, deliveries: [{ webhook_endpoint_id: bound }] });
    const page = ok(await gql<Any>(LIST_EVENTS, { input: { environment_id: env, page: { limit: 100, offset: 0 } } }, scoped.headers)).payment.webhook_event.find_many;
    expect(page.list.length).toBeGreaterThan(0);
    expect(page.list.every((e: { wallet_id: string }) => e.wallet_id === w1)).toBe(true);
    expect(page.total_count).toBe(await db.webhookEvent.count({ where: { environmentId: env, walletId: w1 } }));
    fails(await gql(LIST_EVENTS, { input: { environment_id: env, filter: { wallet_id: w2 } } }, scoped.headers), N);
  });

  it("redeliver: another wallet's event is NOT_FOUND; its own goes to its own endpoints only", async () => {
    const t1 = await createReceiveAs(w.master, w1);
    const t2 = await createReceiveAs(w.master, w2);
    const [e1, e2] = [await eventOf(t1.id), await eventOf(t2.id)];
    const before = await writes();
    fails(await gql(REDELIVER, { id: e2.id, endpoint: bound }, scoped.headers), N);
    fails(await gql(REDELIVER, { id: e2.id }, scoped.headers), N);
    // The environment's endpoint is not one of its objects.
    fails(await gql(REDELIVER, { id: e1.id, endpoint: envWide }, scoped.headers), N);
    expect(await writes()).toEqual(before);
    const envWideBefore = await db.webhookDelivery.findUniqueOrThrow({ where: { eventId_endpointId: { eventId: e1.id, endpointId: envWide } } });
    await db.webhookDelivery.updateMany({ where: { eventId: e1.id }, data: { status: "SUCCESS", nextAttemptAt: null } });
    const redelivered = ok(await gql<Any>(REDELIVER, { id: e1.id }, scoped.headers)).payment.webhook_event.redeliver;
    expect(redelivered.deliveries).toEqual([{ webhook_endpoint_id: bound }]);
    const envWideAfter = await db.webhookDelivery.findUniqueOrThrow({ where: { eventId_endpointId: { eventId: e1.id, endpointId: envWide } } });
    expect(envWideAfter.status).toBe("SUCCESS");
    expect(envWideAfter.attemptBase).toBe(envWideBefore.attemptBase);
    // Nor can the master send W2's event to the endpoint bound to W1.
    fails(await gql(REDELIVER, { id: e2.id, endpoint: bound }, w.master.headers), N);
  });

  it("endpoints: it sees and changes only its own; a test event of its endpoint is its wallet's", async () => {
    const list = ok(await gql<Any>(`query ($env: String!) { payment { webhook_endpoint { find_many { list(environment_id: $env) { id } } } } }`, { env }, scoped.headers));
    expect(list.payment.webhook_endpoint.find_many.list).toEqual([{ id: bound }]);
    for (const document of [
      `mutation ($id: String!) { payment { webhook_endpoint { delete(id: $id) } } }`,
      `mutation ($id: String!) { payment { webhook_endpoint { rotate_secret(id: $id) { secret } } } }`,
      `mutation ($id: String!) { payment { webhook_endpoint { send_test_event(id: $id) { id } } } }`,
      `query ($id: String!) { payment { webhook_endpoint { find_one(id: $id) { id } } } }`,
    ]) {
      fails(await gql(document, { id: envWide }, scoped.headers), N);
    }
    fails(await gql(`mutation ($input: UpdateWebhookEndpointInput!) { payment { webhook_endpoint { update(input: $input) { id } } } }`, { input: { id: envWide, active: false } }, scoped.headers), N);
    expect(await db.webhookEndpoint.count({ where: { id: envWide, active: true } })).toBe(1);
    const test = ok(await gql<Any>(`mutation ($id: String!) { payment { webhook_endpoint { send_test_event(id: $id) { id wallet_id } } } }`, { id: bound }, scoped.headers));
    const event = test.payment.webhook_endpoint.send_test_event;
    expect(event.wallet_id).toBe(w1);
    expect(ok(await gql<Any>(FIND_EVENT, { id: event.id }, scoped.headers)).payment.webhook_event.find_one.id).toBe(event.id);
  });

  it("no environment-level writes, whatever its permissions (FORBIDDEN), nothing written", async () => {
    const before = await writes();
    fails(await gql(`mutation { payment { environment { create(input: { name: "x", type: SANDBOX }) { id } } } }`, null, scoped.headers), F);
    fails(await gql(`mutation ($id: String!) { payment { environment { delete(id: $id) } } }`, { id: env }, scoped.headers), F);
    fails(await gql(`mutation ($id: String!) { payment { wallet { delete(id: $id) } } }`, { id: w1 }, scoped.headers), F);
    fails(await gql(`mutation ($id: String!) { payment { wallet { delete(id: $id) } } }`, { id: w2 }, scoped.headers), N);
    fails(
      await gql(`mutation ($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, { input: { name: "x", environment_id: env, asset_id: BTC_ASSET_ID } }, scoped.headers),
      F,
    );
    expect(await writes()).toEqual(before);
  });

  it("when its wallet is deleted, the key and the endpoints bound to the wallet go with it (never widened to the environment)", async () => {
    const wallet = await createWalletRow(env, { name: "short-lived" });
    const key = await apiKey(w.master, env, ALL_WRITE, { name: "short-lived", walletId: wallet.id });
    const endpoint = await createEndpointAs({ headers: key.headers } as Session, env, "short-lived");
    ok(await gql(`mutation ($id: String!) { payment { wallet { delete(id: $id) } } }`, { id: wallet.id }, w.master.headers));
    expect(await db.serviceApiKey.count({ where: { id: key.id } })).toBe(0);
    expect(await db.webhookEndpoint.count({ where: { id: endpoint } })).toBe(0);
    fails(await gql(FIND_MANY_ENVIRONMENTS, null, key.headers), U);
  });
});
