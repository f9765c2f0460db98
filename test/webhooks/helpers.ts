import type { Json } from "../json";
// Shared fixtures for the webhook tests: loopback HTTP receivers (node:http on 127.0.0.1), teams /
// environments / keys / wallets through the services, GraphQL over HTTP in the test process (test/graphql-transport.ts), the seed 001
// documents verbatim, and an independent signature check. Every test file sets its environment
// variables itself, at its very top (lib/env.ts caches the configuration on first use); nothing
// here calls env() at import time.
import http, { type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createHmac, randomBytes } from "node:crypto";
import { expect } from "vitest";
import { Webhook } from "standardwebhooks";
import { db } from "@/lib/db";
import { graphqlFetch } from "../graphql-transport";
import { signUp } from "@/lib/accounts/sign-up";
import { createSession, resolveSessionUser } from "@/lib/auth/session";
import type { UserActor } from "@/lib/auth/actor";
import { createEnvironment } from "@/lib/environments/create-environment";
import { createApiKey } from "@/lib/api-keys/manage-api-keys";
import { createWallet } from "@/lib/wallets/manage-wallets";

export const BTC_ASSET_ID = "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01";
export const PAYMENT_EVENTS = ["payment.pending", "payment.completed", "payment.failed", "payment.expired"];
/** `whsec_` + standard base64 of 32 bytes (with `+`, `/` and one `=` of padding). */
export const SECRET = /^whsec_[A-Za-z0-9+/]{43}=$/;
export const ENDPOINT_ID = /^wep_[0-9A-HJKMNP-TV-Z]{26}$/;
export const TX_ID = /^tx_[0-9A-HJKMNP-TV-Z]{26}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value (returned), or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => Promise<T> | T, timeoutMs = 5000, what = "condition", everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Receivers

export type Received = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  json: Json;
  at: number;
};

/** What a receiver answers; returning without ending the response leaves the request hanging. */
export type Handler = (req: Received, res: ServerResponse) => void | Promise<void>;

export const answer = (status: number, body = "ok", headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { "content-type": "text/plain", ...headers });
  res.end(body);
};
export const hang: Handler = () => {};

/** A real HTTP server on 127.0.0.1 that records every request (raw body included). */
export class Receiver {
  readonly requests: Received[] = [];
  inFlight = 0;
  /** TCP connections accepted (a blocked delivery must not even connect). */
  connections = 0;
  handler: Handler;
  private readonly sockets = new Set<Socket>();
  private server!: http.Server;
  port = 0;

  private constructor(handler: Handler) {
    this.handler = handler;
  }

  static async start(handler: Handler = answer(200)): Promise<Receiver> {
    const receiver = new Receiver(handler);
    receiver.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rawBody = Buffer.concat(chunks).toString("utf8");
        let json: unknown = null;
        try {
          json = JSON.parse(rawBody);
        } catch {
          json = null;
        }
        const received: Received = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, rawBody, json, at: Date.now() };
        receiver.requests.push(received);
        receiver.inFlight++;
        res.on("close", () => receiver.inFlight--);
        void Promise.resolve(receiver.handler(received, res)).catch(() => res.destroy());
      });
    });
    receiver.server.on("connection", (socket) => {
      receiver.connections++;
      receiver.sockets.add(socket);
      socket.on("close", () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    receiver.port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  url(path = "/hook"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** The payment/test events received, by envelope event_type. */
  eventTypes(): string[] {
    return this.requests.map((r) => r.json?.event_type as string);
  }

  async waitForCount(n: number, timeoutMs = 5000, filter: (r: Received) => boolean = () => true): Promise<Received[]> {
    return waitFor(() => {
      const matching = this.requests.filter(filter);
      return matching.length >= n ? matching : null;
    }, timeoutMs, `${n} request(s) at receiver :${this.port}`);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// Signatures, independently of lib/webhooks/signing.ts

/** Seed 001: hex HMAC-SHA256 keyed by the whole secret string over `${timestamp}.${rawBody}`. */
export const seedSignature = (secret: string, timestamp: string, rawBody: string) =>
  createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex");

/** Standard Webhooks verification with the `standardwebhooks` package; throws when it does not verify. */
export function verifyStandard(secret: string, r: Received): unknown {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) if (typeof v === "string") headers[k] = v;
  return new Webhook(secret).verify(r.rawBody, headers);
}

// ---------------------------------------------------------------------------------------------
// Accounts, environments, keys, wallets (through the services)

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}-${randomBytes(3).toString("hex")}`;

export type Team = { userId: string; teamId: string; actor: UserActor };

export async function newTeam(name = "Team"): Promise<Team> {
  const { userId, teamId } = await signUp({ email: `${unique("m")}@example.com`, password: "correct horse battery staple", teamName: name });
  const actor = await resolveSessionUser(userId, 0, await createSession(userId));
  if (!actor) throw new Error("no actor after sign-up");
  return { userId, teamId, actor };
}

export async function newEnvironment(team: Team, type: "SANDBOX" | "LIVE" = "SANDBOX") {
  const { environment } = await createEnvironment(team.actor, { name: unique(type === "LIVE" ? "live" : "sandbox"), type });
  return environment;
}

export type Perm = { resource: "ENVIRONMENTS" | "WALLETS" | "PAYMENTS" | "WEBHOOKS" | "WALLET_CREDENTIALS"; level: "READ" | "WRITE" };
export const BACKEND: Perm[] = [
  { resource: "WALLETS", level: "WRITE" },
  { resource: "PAYMENTS", level: "WRITE" },
  { resource: "WEBHOOKS", level: "WRITE" },
];

export async function mintKey(team: Team, environmentId: string, permissions: Perm[] = BACKEND): Promise<string> {
  const { plaintextKey } = await createApiKey(team.actor, { name: unique("key"), environment_id: environmentId, permissions });
  return plaintextKey;
}

export async function newWallet(team: Team, environmentId: string) {
  return createWallet(team.actor, { name: unique("wallet"), environment_id: environmentId, asset_id: BTC_ASSET_ID });
}

/** A sandbox with a backend key (WALLETS, PAYMENTS, WEBHOOKS WRITE) and a BTC wallet. */
export async function sandbox(team: Team) {
  const environment = await newEnvironment(team);
  const key = await mintKey(team, environment.id);
  const wallet = await newWallet(team, environment.id);
  return { environmentId: environment.id, key, walletId: wallet.id };
}

// ---------------------------------------------------------------------------------------------
// GraphQL, in process

export type GqlError = { message: string; path?: (string | number)[]; extensions?: { code?: string; field?: string } & Record<string, unknown> };
export type GqlResult<D = Json> = { status: number; data: D | null | undefined; errors: GqlError[] | undefined; text: string };

export async function gql<D = Json>(query: string, variables?: Record<string, unknown> | null, apiKey?: string): Promise<GqlResult<D>> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  if (apiKey) headers["x-api-key"] = apiKey;
  const response = await graphqlFetch("http://localhost/graphql", { method: "POST", headers, body: JSON.stringify(variables ? { query, variables } : { query }) });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: D | null; errors?: GqlError[] };
  return { status: response.status, data: body.data, errors: body.errors, text };
}

export function ok<D>(res: GqlResult<D>): D {
  expect(res.errors, `unexpected errors: ${res.text}`).toBeUndefined();
  expect(res.data, res.text).toBeTruthy();
  return res.data as D;
}

/** Exactly one error with this code; when `field` is given, extensions.field starts with it and the message names it. */
export function fails(res: GqlResult, code: string, field?: string): GqlError {
  expect((res.errors ?? []).map((e) => e.extensions?.code), res.text).toEqual([code]);
  const error = res.errors![0];
  if (field !== undefined) {
    expect(String(error.extensions?.field ?? ""), res.text).toMatch(new RegExp(`^${field.replace(/\./g, "\\.")}(\\.|$)`));
    expect(error.message, res.text).toContain(field);
  }
  expect(res.data ?? null, res.text).toBeNull();
  return error;
}

// ---------------------------------------------------------------------------------------------
// Seed 001 documents, verbatim (only the literals of the create example are substituted)

export const seedCreateWebhookEndpoint = (environmentId: string, url: string) => `mutation CreateWebhookEndpoint {
payment {
webhook_endpoint {
create(input: {
environment_id: "${environmentId}"
url: "${url}"
event_filters: ["payment.completed", "payment.failed", "payment.expired"]
}) {
secret
endpoint {
id
url
event_filters
active
}
}
}
}
}`;

/** The curl variant of seed 001 (variables). */
export const SEED_CREATE_WITH_VARIABLES =
  "mutation($input: CreateWebhookEndpointInput!) { payment { webhook_endpoint { create(input: $input) { secret endpoint { id url event_filters active } } } } }";

export const SEED_AVAILABLE_EVENTS = `query AvailableEvents {
payment {
webhook_endpoint {
available_event_types
}
}
}`;

export const SEED_ROTATE_SECRET = `mutation RotateSecret($id: String!) {
payment {
webhook_endpoint {
rotate_secret(id: $id) {
secret
endpoint { id }
}
}
}
}`;

export const SEED_UPDATE_ENDPOINT = `mutation UpdateEndpoint($input: UpdateWebhookEndpointInput!) {
payment {
webhook_endpoint {
update(input: $input) {
id
url
event_filters
active
}
}
}
}`;

export type CreatedEndpoint = { secret: string; endpoint: { id: string; url: string; event_filters: string[]; active: boolean } };

/** Creates an endpoint through GraphQL (the seed's curl document), asserting success. */
export async function createEndpointVia(key: string, environmentId: string, url: string, eventFilters?: string[]): Promise<CreatedEndpoint> {
  const input: Record<string, unknown> = { environment_id: environmentId, url };
  if (eventFilters) input.event_filters = eventFilters;
  return ok(await gql(SEED_CREATE_WITH_VARIABLES, { input }, key)).payment.webhook_endpoint.create;
}

export const CREATE_RECEIVE = `mutation Receive($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id status payment_request payment_hash expires_at } } }
}`;

export type Receive = { id: string; status: string; payment_request: string; payment_hash: string; expires_at: string };

export async function createReceiveVia(key: string, walletId: string, input: Record<string, unknown> = {}): Promise<Receive> {
  return ok(await gql(CREATE_RECEIVE, { input: { wallet_id: walletId, amount: "100000", ...input } }, key)).payment.transaction.create_receive;
}

/** The delivery rows of an endpoint, with their attempts in order. */
export async function deliveriesOf(endpointId: string) {
  return db.webhookDelivery.findMany({
    where: { endpointId },
    orderBy: { createdAt: "asc" },
    include: { attempts: { orderBy: { attemptNumber: "asc" } }, event: true },
  });
}
