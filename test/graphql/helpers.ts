// Helpers for the GraphQL integration tests: requests go over HTTP through the production server's
// /graphql handler (test/graphql-transport.ts), against the per-file PostgreSQL database of test/setup.ts.
import { AUTH_SECRET } from "./env"; // first: sets AUTH_SECRET / APP_ENCRYPTION_KEY before any app module runs
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { graphqlFetch } from "../graphql-transport";
import { signUp } from "@/lib/accounts/sign-up";
import { acceptInvitation, createInvitation } from "@/lib/teams/invitations";
import type { UserActor } from "@/lib/auth/actor";
import { createSession } from "@/lib/auth/session";

export { AUTH_SECRET };

export const ENDPOINT = "http://localhost/graphql";
export const PASSWORD = "correct horse battery staple";

export type Headers = Record<string, string>;

export type GraphQLErrorBody = { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } & Record<string, unknown> };
export type GraphQLBody<D = Record<string, unknown>> = { data?: D | null; errors?: GraphQLErrorBody[] };
export type Result<D = Record<string, unknown>> = { status: number; body: GraphQLBody<D>; text: string; headers: globalThis.Headers };

/** What a response must never contain: stack traces, ORM / SQL internals, file paths. */
export const LEAK_PATTERNS: RegExp[] = [
  /\bat \//, // "    at /work/main/lib/…" (stack frame)
  /\bat (async )?[\w.<>]+ \(/, // "at Object.foo (" (stack frame)
  /node_modules/,
  /\.ts:\d+/,
  /prisma/i,
  /\bSELECT\b/,
  /\bINSERT INTO\b/,
  /\bUPDATE\s+"/,
  /\bstacktrace\b/i,
  /"stack"/,
  /PrismaClient|P20\d\d|driverAdapterError|invalid byte sequence/,
];

export function expectNoLeak(text: string): void {
  for (const pattern of LEAK_PATTERNS) expect(text, `response leaks internals (${pattern})`).not.toMatch(pattern);
}

/** Every raw request the tests make goes through here, so every response is checked for leaks. */
export async function send(init: RequestInit & { url?: string; leakCheck?: boolean } = {}): Promise<Response & { bodyText: string }> {
  const { url = ENDPOINT, leakCheck = true, ...rest } = init;
  const response = await graphqlFetch(url, rest);
  const bodyText = await response.text();
  if (leakCheck) expectNoLeak(bodyText);
  return Object.assign(response, { bodyText });
}

/** POSTs one GraphQL operation as JSON. */
export async function gql<D = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown> | null,
  headers: Headers = {},
  options: { leakCheck?: boolean } = {},
): Promise<Result<D>> {
  const response = await send({
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", ...headers },
    body: JSON.stringify(variables ? { query, variables } : { query }),
    leakCheck: options.leakCheck,
  });
  let body: GraphQLBody<D>;
  try {
    body = JSON.parse(response.bodyText) as GraphQLBody<D>;
  } catch {
    throw new Error(`not a JSON response (${response.status}): ${response.bodyText.slice(0, 500)}`);
  }
  return { status: response.status, body, text: response.bodyText, headers: response.headers };
}

/** The error codes of a response, in order. */
export const codes = (res: Result<unknown>): (string | undefined)[] => (res.body.errors ?? []).map((e) => e.extensions?.code);

/** Asserts a success without errors and returns `data`. */
export function ok<D>(res: Result<D>): D {
  expect(res.body.errors, `unexpected errors: ${res.text}`).toBeUndefined();
  expect(res.body.data).toBeTruthy();
  return res.body.data as D;
}

/** Asserts exactly one GraphQL error with this code (and field, when given), and no data leaked. */
export function fails(res: Result<unknown>, code: string, field?: string): GraphQLErrorBody {
  expect(codes(res), res.text).toEqual([code]);
  const error = res.body.errors![0];
  if (field !== undefined) {
    expect(error.extensions?.field, res.text).toBe(field);
    expect(error.message, res.text).toContain(field);
  }
  // Every implemented root field is non-null, so a failed operation has no partial data.
  expect(res.body.data ?? null, res.text).toBeNull();
  return error;
}

// ---------------------------------------------------------------------------------------------
// Accounts and sessions

let counter = 0;
export const uniqueEmail = (prefix = "user") => `${prefix}-${process.pid}-${++counter}-${randomBytes(3).toString("hex")}@example.com`;

export type Session = {
  userId: string;
  teamId: string;
  email: string;
  isMaster: boolean;
  token: string;
  headers: Headers;
  actor: UserActor;
};

/** Exactly what Auth.js puts in the `authjs.session-token` cookie (DESIGN.md §4). */
export async function sessionToken(userId: string, tokenVersion = 0, salt = "authjs.session-token", maxAge = 3600, sessionId?: string): Promise<string> {
  const sid = sessionId ?? (await createSession(userId));
  return encode({ token: { sub: userId, tv: tokenVersion, sid }, secret: AUTH_SECRET, salt, maxAge });
}

async function session(userId: string, teamId: string, email: string, isMaster: boolean): Promise<Session> {
  const token = await sessionToken(userId);
  return {
    userId,
    teamId,
    email,
    isMaster,
    token,
    headers: { authorization: `Bearer ${token}` },
    actor: { kind: "user", userId, teamId, isMaster, email },
  };
}

/** Signs up a new team; its first account is the master. */
export async function masterSession(teamName = "Team"): Promise<Session> {
  const email = uniqueEmail("master");
  const { userId, teamId } = await signUp({ email, password: PASSWORD, teamName });
  return session(userId, teamId, email, true);
}

/** A member of the master's team, through an invitation link. */
export async function memberSession(master: Session): Promise<Session> {
  const { token } = await createInvitation(master.actor);
  const email = uniqueEmail("member");
  const { userId, teamId } = await acceptInvitation({ token, email, password: PASSWORD });
  return session(userId, teamId, email, false);
}

// ---------------------------------------------------------------------------------------------
// Environments and keys, created through the API itself

export type EnvironmentType = "SANDBOX" | "LIVE";
export type Permission = { resource: "ENVIRONMENTS" | "WALLETS" | "PAYMENTS" | "WEBHOOKS" | "WALLET_CREDENTIALS"; level: "READ" | "WRITE" };

export const ENVIRONMENT_FIELDS = "id name type created_at updated_at wallet_count";
export const KEY_FIELDS = "id name active created_at environment_id expires_at key_prefix key_suffix last_used_at node_id wallet_id permissions { resource level }";

export const CREATE_ENVIRONMENT = /* GraphQL */ `
  mutation ($input: CreatePaymentsEnvironmentInput!) {
    payment { environment { create(input: $input) { checkout_url environment { ${ENVIRONMENT_FIELDS} } } } }
  }`;

export const CREATE_KEY = /* GraphQL */ `
  mutation ($input: CreateServiceApiKeyInput!) {
    service_api_key { create(input: $input) { plaintext_key key { ${KEY_FIELDS} } } }
  }`;

export const REVOKE_KEY = /* GraphQL */ `
  mutation ($id: String!) { service_api_key { revoke(id: $id) { ${KEY_FIELDS} } } }`;

export const LIST_KEYS = /* GraphQL */ `{ service_api_keys { get_many { list { ${KEY_FIELDS} } } } }`;

export type EnvironmentData = { id: string; name: string; type: EnvironmentType; created_at: string; updated_at: string; wallet_count: number };

let envCounter = 0;

export async function createEnvironment(master: Session, type: EnvironmentType = "SANDBOX", name = `env ${++envCounter}`): Promise<EnvironmentData> {
  const res = await gql<{ payment: { environment: { create: { environment: EnvironmentData } } } }>(
    CREATE_ENVIRONMENT,
    { input: { name, type } },
    master.headers,
  );
  return ok(res).payment.environment.create.environment;
}

export type KeyData = {
  id: string;
  name: string;
  active: boolean;
  created_at: string;
  environment_id: string | null;
  expires_at: string | null;
  key_prefix: string;
  key_suffix: string;
  last_used_at: string | null;
  node_id: string | null;
  wallet_id: string | null;
  permissions: Permission[];
};

export type ApiKey = { id: string; plaintext: string; headers: Headers; key: KeyData };

export const ALL_WRITE: Permission[] = (["ENVIRONMENTS", "WALLETS", "PAYMENTS", "WEBHOOKS"] as const).map((resource) => ({ resource, level: "WRITE" }));

/** Creates a service key through `service_api_key.create` with the master's session. */
export async function apiKey(
  master: Session,
  environmentId: string,
  permissions: Permission[] = ALL_WRITE,
  opts: { name?: string; expiresAt?: string; walletId?: string } = {},
): Promise<ApiKey> {
  const input: Record<string, unknown> = { name: opts.name ?? "test key", environment_id: environmentId, permissions };
  if (opts.expiresAt) input.expires_at = opts.expiresAt;
  if (opts.walletId) input.wallet_id = opts.walletId;
  const res = await gql<{ service_api_key: { create: { plaintext_key: string; key: KeyData } } }>(CREATE_KEY, { input }, master.headers);
  const { plaintext_key, key } = ok(res).service_api_key.create;
  return { id: key.id, plaintext: plaintext_key, headers: { "x-api-key": plaintext_key }, key };
}

export async function revokeKey(master: Session, keyId: string): Promise<KeyData> {
  const res = await gql<{ service_api_key: { revoke: KeyData } }>(REVOKE_KEY, { id: keyId }, master.headers);
  return ok(res).service_api_key.revoke;
}

/** A key whose expiry has passed (created valid, then moved into the past in the database). */
export async function expiredKey(master: Session, environmentId: string, permissions: Permission[] = ALL_WRITE): Promise<ApiKey> {
  const key = await apiKey(master, environmentId, permissions, { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
  await db.serviceApiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  return key;
}

export const BTC_ASSET_ID = "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01";

/** A wallet row written directly (wallets have no API yet in this version). */
export async function createWalletRow(environmentId: string, data: { name?: string; received?: bigint; sent?: bigint } = {}) {
  return db.wallet.create({ data: { environmentId, assetId: BTC_ASSET_ID, name: data.name ?? "wallet", received: data.received ?? BigInt(0), sent: data.sent ?? BigInt(0) } });
}

/** A well-formed key that was never issued. */
export const unknownKey = (type: EnvironmentType = "SANDBOX") => `${type === "LIVE" ? "amb_live_" : "amb_test_"}${randomBytes(32).toString("base64url")}`;

export const FIND_MANY_ENVIRONMENTS = /* GraphQL */ `{ payment { environment { find_many { list { id name type created_at wallet_count } } } } }`;

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function poll<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 3000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
