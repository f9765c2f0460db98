import type { Json } from "../json";
// Shared fixtures for the wallet / receive integration tests. Every test file sets AUTH_SECRET,
// APP_ENCRYPTION_KEY and SANDBOX_SETTLE_DELAY_MS itself, at its very top: lib/env.ts caches the
// configuration on first use, and these helpers never call env() at import time.
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { graphqlFetch } from "../graphql-transport";
import { signUp } from "@/lib/accounts/sign-up";
import { createSession, resolveSessionUser } from "@/lib/auth/session";
import type { UserActor } from "@/lib/auth/actor";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createApiKey } from "@/lib/api-keys/manage-api-keys";
import { createWallet } from "@/lib/wallets/manage-wallets";

/** The fixed asset ids of prisma/migrations/*_seed_assets. */
export const ASSET = {
  BTC: "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01",
  USDT: "7f3b9a51-2c4e-4e8d-9b61-5d0a3c2e1f02",
  USDC: "b1c4e8f2-6a3d-4f7b-8e25-9c0d1a2b3e03",
} as const;

export const TX_ID = /^tx_[0-9A-HJKMNP-TV-Z]{26}$/;
export const HEX64 = /^[0-9a-f]{64}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ---------------------------------------------------------------------------------------------
// GraphQL, in process

export type GqlError = { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } & Record<string, unknown> };
export type GqlResult<D = Json> = { status: number; data: D | null | undefined; errors: GqlError[] | undefined; text: string };

/** POSTs one operation to /graphql (test/graphql-transport.ts); `auth` is an API key or full headers. */
export async function gql<D = Json>(query: string, variables?: Record<string, unknown> | null, auth?: string | Record<string, string>): Promise<GqlResult<D>> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (typeof auth === "string") headers["x-api-key"] = auth;
  else if (auth) Object.assign(headers, auth);
  const response = await graphqlFetch("http://localhost/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  const text = await response.text();
  let body: { data?: D | null; errors?: GqlError[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not a JSON response (${response.status}): ${text.slice(0, 300)}`);
  }
  return { status: response.status, data: body.data, errors: body.errors, text };
}

/** Asserts success and returns data. */
export function ok<D>(res: GqlResult<D>): D {
  expect(res.errors, `unexpected errors: ${res.text}`).toBeUndefined();
  expect(res.data, res.text).toBeTruthy();
  return res.data as D;
}

/** Asserts exactly one error with this code (and field, when given: in extensions.field and in the message). */
export function fails(res: GqlResult, code: string, field?: string): GqlError {
  expect((res.errors ?? []).map((e) => e.extensions?.code), res.text).toEqual([code]);
  const error = res.errors![0];
  if (field !== undefined) {
    expect(error.extensions?.field, res.text).toBe(field);
    expect(error.message, res.text).toContain(field);
  }
  expect(res.data ?? null, res.text).toBeNull();
  return error;
}

// ---------------------------------------------------------------------------------------------
// Accounts, environments, keys, wallets

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${randomBytes(3).toString("hex")}`;

export type Team = { userId: string; teamId: string; actor: UserActor };

/** A fresh team whose master is returned as a dashboard actor. */
export async function newTeam(name = "Team"): Promise<Team> {
  const { userId, teamId } = await signUp({ email: `${unique("m")}@example.com`, password: "correct horse battery staple", teamName: name });
  const actor = await resolveSessionUser(userId, 0, await createSession(userId));
  if (!actor) throw new Error("no actor after sign-up");
  return { userId, teamId, actor };
}

export async function newSandbox(team: Team, name = "Sandbox - dev") {
  const { environment } = await createEnvironment(team.actor, { name, type: "SANDBOX" });
  return environment;
}

export type Perm = { resource: "ENVIRONMENTS" | "WALLETS" | "PAYMENTS" | "WEBHOOKS" | "WALLET_CREDENTIALS"; level: "READ" | "WRITE" };
export const BACKEND_PERMS: Perm[] = [
  { resource: "WALLETS", level: "WRITE" },
  { resource: "PAYMENTS", level: "WRITE" },
  { resource: "WEBHOOKS", level: "WRITE" },
];

/** Mints a service key (plaintext) for an environment, optionally scoped to one wallet. */
export async function mintKey(team: Team, environmentId: string, permissions: Perm[] = BACKEND_PERMS, walletId?: string): Promise<string> {
  const { plaintextKey } = await createApiKey(team.actor, { name: unique("key"), environment_id: environmentId, permissions, wallet_id: walletId });
  return plaintextKey;
}

export async function newWallet(team: Team, environmentId: string, assetId: string = ASSET.BTC, name = "Main wallet") {
  return createWallet(team.actor, { name, environment_id: environmentId, asset_id: assetId });
}

/** Everything create_receive may write. */
export async function rowCounts() {
  const [transactions, transactionEvents, webhookEvents, jobs, wallets] = await Promise.all([
    db.transaction.count(),
    db.transactionEvent.count(),
    db.webhookEvent.count(),
    db.job.count(),
    db.wallet.count(),
  ]);
  return { transactions, transactionEvents, webhookEvents, jobs, wallets };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T>, timeoutMs = 5000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

// ---------------------------------------------------------------------------------------------
// Seed 000 documents, verbatim (only the id literals are substituted)

export const SEED_AVAILABLE_ASSETS = `query AvailableAssets { taproot_assets { list { id symbol precision } } }`;

export const seedCreateWallet = (environmentId: string, assetId: string) =>
  `mutation CreateWallet { payment { wallet { create(input: { name: "Main USDT wallet" environment_id: "${environmentId}" asset_id: "${assetId}" }) { id name asset { symbol precision } balance { balance received sent } } } } }`;

export const seedCreateReceive = (walletId: string) =>
  `mutation CreateReceive { payment { transaction { create_receive(input: { wallet_id: "${walletId}" amount: "100000" description: "Order #42" expires_in_seconds: 3600 idempotency_key: "order-42-attempt-1" metadata: "{\\"order_id\\":\\"42\\"}" }) { id status payment_request payment_hash expires_at amount { display_amount full_amount } } } } }`;

/** create_receive with variables, selecting the full record. */
export const CREATE_RECEIVE = `mutation Receive($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) {
    id status direction wallet_id payment_request payment_hash expires_at created_at settled_at
    description metadata idempotency_key fee amount_sats exchange_rate error
    amount { display_amount full_amount }
    settle_amount { display_amount full_amount }
    asset { id symbol precision type }
    events { event_type message }
  } } }
}`;
