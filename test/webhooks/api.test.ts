// Webhook endpoints through GraphQL (seed 001's documents verbatim), event_filters validation,
// permission rows, and the sandbox test-inbox service. No worker runs in this file.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000";
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1/32";
process.env.WEBHOOK_TIMEOUT_MS = "1000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { createTestInbox, getTestInbox, receiveInboxRequest, INBOX_KEEP } from "@/lib/webhooks/test-inbox";
import { resolveApiKey } from "@/lib/api-keys/resolve-api-key";
import { createApiKey } from "@/lib/api-keys/manage-api-keys";
import { listEndpointDeliveries } from "@/lib/webhooks/webhook-events";
import { createWallet } from "@/lib/wallets/manage-wallets";
import { rotateEndpointSecret } from "@/lib/webhooks/endpoints";
import {
  createEndpointVia,
  createReceiveVia,
  ENDPOINT_ID,
  fails,
  gql,
  mintKey,
  newEnvironment,
  newTeam,
  ok,
  PAYMENT_EVENTS,
  Receiver,
  sandbox,
  SECRET,
  SEED_AVAILABLE_EVENTS,
  SEED_CREATE_WITH_VARIABLES,
  SEED_ROTATE_SECRET,
  SEED_UPDATE_ENDPOINT,
  seedCreateWebhookEndpoint,
  type Team,
} from "./helpers";

let team: Team;
let receiver: Receiver;

beforeAll(async () => {
  team = await newTeam("Webhooks API");
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.close();
});

const FIND_ONE = `query($id: String!) { payment { webhook_endpoint { find_one(id: $id) { id url event_filters active environment_id created_at updated_at } } } }`;
const FIND_MANY = `query($env: String!) { payment { webhook_endpoint { find_many { list(environment_id: $env) { id url event_filters active created_at } } } } }`;
const DELETE = `mutation($id: String!) { payment { webhook_endpoint { delete(id: $id) } } }`;
const SEND_TEST = `mutation($id: String!) { payment { webhook_endpoint { send_test_event(id: $id) { id event_type } } } }`;
const REDELIVER = `mutation($id: String!, $endpoint: String) { payment { webhook_event { redeliver(id: $id, endpoint_id: $endpoint) { id } } } }`;

describe("seed 001 documents through GraphQL (x-api-key, WEBHOOKS WRITE)", () => {
  it("CreateWebhookEndpoint, AvailableEvents, RotateSecret, UpdateEndpoint: exact shapes", async () => {
    const { environmentId, key, walletId } = await sandbox(team);
    const url = receiver.url("/hook");

    const created = ok(await gql(seedCreateWebhookEndpoint(environmentId, url), null, key)).payment.webhook_endpoint.create;
    expect(Object.keys(created).sort()).toEqual(["endpoint", "secret"]);
    expect(created.secret).toMatch(SECRET);
    expect(Buffer.from(created.secret.slice(6), "base64")).toHaveLength(32);
    expect(created.endpoint).toEqual({
      id: expect.stringMatching(ENDPOINT_ID),
      url,
      event_filters: ["payment.completed", "payment.failed", "payment.expired"],
      active: true,
    });
    // Stored encrypted, never in clear.
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.endpoint.id } });
    expect(row.secretEncrypted).not.toContain(created.secret.slice(6, 30));

    const available = ok(await gql(SEED_AVAILABLE_EVENTS, null, key)).payment.webhook_endpoint.available_event_types;
    expect(available).toEqual(PAYMENT_EVENTS);

    const rotated = ok(await gql(SEED_ROTATE_SECRET, { id: created.endpoint.id }, key)).payment.webhook_endpoint.rotate_secret;
    expect(rotated).toEqual({ secret: expect.stringMatching(SECRET), endpoint: { id: created.endpoint.id } });
    expect(rotated.secret).not.toBe(created.secret);
    const afterRotate = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.endpoint.id } });
    expect(afterRotate.previousSecretEncrypted).toBe(row.secretEncrypted);
    expect(afterRotate.previousSecretExpiresAt!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(afterRotate.previousSecretExpiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);

    const newUrl = receiver.url("/other");
    const updated = ok(
      await gql(SEED_UPDATE_ENDPOINT, { input: { id: created.endpoint.id, url: newUrl, event_filters: ["payment.completed"], active: false } }, key),
    ).payment.webhook_endpoint.update;
    expect(updated).toEqual({ id: created.endpoint.id, url: newUrl, event_filters: ["payment.completed"], active: false });
    const found = ok(await gql(FIND_ONE, { id: created.endpoint.id }, key)).payment.webhook_endpoint.find_one;
    expect(found).toMatchObject({ id: created.endpoint.id, url: newUrl, event_filters: ["payment.completed"], active: false, environment_id: environmentId });

    // Paused: a payment event of the environment queues no delivery for it.
    const tx = await createReceiveVia(key, walletId);
    const event = await db.webhookEvent.findFirstOrThrow({ where: { transactionId: tx.id } });
    expect(await db.webhookDelivery.count({ where: { eventId: event.id } })).toBe(0);

    // …and active: true resumes.
    const resumed = ok(await gql(SEED_UPDATE_ENDPOINT, { input: { id: created.endpoint.id, active: true, event_filters: [] } }, key)).payment.webhook_endpoint.update;
    expect(resumed).toEqual({ id: created.endpoint.id, url: newUrl, event_filters: [], active: true });
    const tx2 = await createReceiveVia(key, walletId);
    const event2 = await db.webhookEvent.findFirstOrThrow({ where: { transactionId: tx2.id } });
    expect(await db.webhookDelivery.count({ where: { eventId: event2.id, endpointId: created.endpoint.id } })).toBe(1);
  });

  it("every secret (create and rotate) is standard base64 of 32 bytes — 40 samples, so base64url would show", async () => {
    const { environmentId, key } = await sandbox(team);
    const first = await createEndpointVia(key, environmentId, receiver.url());
    const secrets = [first.secret];
    for (let i = 0; i < 19; i++) secrets.push((await createEndpointVia(key, environmentId, receiver.url(`/s${i}`))).secret);
    for (let i = 0; i < 20; i++) secrets.push(ok(await gql(SEED_ROTATE_SECRET, { id: first.endpoint.id }, key)).payment.webhook_endpoint.rotate_secret.secret);
    for (const s of secrets) {
      expect(s).toMatch(SECRET);
      expect(Buffer.from(s.slice(6), "base64").toString("base64")).toBe(s.slice(6));
    }
    expect(new Set(secrets).size).toBe(40);
  });

  it("event_filters omitted or [] mean every event; find_many lists the environment's endpoints", async () => {
    const { environmentId, key } = await sandbox(team);
    const a = await createEndpointVia(key, environmentId, receiver.url("/a"));
    const b = await createEndpointVia(key, environmentId, receiver.url("/b"), []);
    expect(a.endpoint.event_filters).toEqual([]);
    expect(b.endpoint.event_filters).toEqual([]);
    const list = ok(await gql(FIND_MANY, { env: environmentId }, key)).payment.webhook_endpoint.find_many.list;
    expect(list.map((e: { id: string }) => e.id)).toEqual([a.endpoint.id, b.endpoint.id]);
  });

  it("invalid event_filters → BAD_USER_INPUT naming input.event_filters (create and update)", async () => {
    const { environmentId, key } = await sandbox(team);
    for (const filters of [["payment.completed", "payment.refunded"], ["PAYMENT.COMPLETED"], ["*"], ["webhook.test"]]) {
      const res = await gql(SEED_CREATE_WITH_VARIABLES, { input: { environment_id: environmentId, url: receiver.url(), event_filters: filters } }, key);
      fails(res, "BAD_USER_INPUT", "input.event_filters");
    }
    expect(await db.webhookEndpoint.count({ where: { environmentId } })).toBe(0);
    const ep = await createEndpointVia(key, environmentId, receiver.url());
    fails(await gql(SEED_UPDATE_ENDPOINT, { input: { id: ep.endpoint.id, event_filters: ["payment.refunded"] } }, key), "BAD_USER_INPUT", "input.event_filters");
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.endpoint.id } });
    expect(row.eventFilters).toEqual([]);
  });
});

// Every webhook operation × every kind of caller (missing, bad and expired credentials, keys without
// WEBHOOKS, keys of another environment or team, sessions) is in the matrix of
// test/graphql/permissions.test.ts; here, what it does not show.
describe("permissions", () => {
  let environmentId: string;
  let endpointId: string;
  let eventId: string;

  beforeAll(async () => {
    const s = await sandbox(team);
    environmentId = s.environmentId;
    endpointId = (await createEndpointVia(s.key, environmentId, receiver.url())).endpoint.id;
    eventId = ok(await gql(SEND_TEST, { id: endpointId }, s.key)).payment.webhook_endpoint.send_test_event.id;
  });

  it("a WEBHOOKS READ key reads but cannot create, update, rotate, delete or send a test event (FORBIDDEN)", async () => {
    const key = await mintKey(team, environmentId, [{ resource: "WEBHOOKS", level: "READ" }]);
    expect(ok(await gql(FIND_ONE, { id: endpointId }, key)).payment.webhook_endpoint.find_one.id).toBe(endpointId);
    fails(await gql(SEED_CREATE_WITH_VARIABLES, { input: { environment_id: environmentId, url: receiver.url() } }, key), "FORBIDDEN");
    fails(await gql(seedCreateWebhookEndpoint(environmentId, receiver.url()), null, key), "FORBIDDEN");
    fails(await gql(SEED_UPDATE_ENDPOINT, { input: { id: endpointId, active: false } }, key), "FORBIDDEN");
    fails(await gql(SEED_ROTATE_SECRET, { id: endpointId }, key), "FORBIDDEN");
    fails(await gql(DELETE, { id: endpointId }, key), "FORBIDDEN");
    fails(await gql(SEND_TEST, { id: endpointId }, key), "FORBIDDEN");
    fails(await gql(REDELIVER, { id: eventId, endpoint: endpointId }, key), "FORBIDDEN");
    expect(await db.webhookEndpoint.count({ where: { environmentId } })).toBe(1);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).active).toBe(true);
  });

  it("redeliver to an endpoint of another environment → NOT_FOUND (with the event's own key)", async () => {
    const other = await sandbox(team);
    const foreignEndpoint = (await createEndpointVia(other.key, other.environmentId, receiver.url("/x"))).endpoint.id;
    const key = await mintKey(team, environmentId);
    fails(await gql(REDELIVER, { id: eventId, endpoint: foreignEndpoint }, key), "NOT_FOUND");
    expect(await db.webhookDelivery.count({ where: { endpointId: foreignEndpoint } })).toBe(0);
  });
});

describe("sandbox test inbox (service)", () => {
  const sign = (secret: string, ts: string, body: string) => createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex");
  const signed = (secret: string, body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    return { method: "POST", headers: { "content-type": "application/json", "x-webhook-timestamp": ts, "x-webhook-signature": sign(secret, ts, body) }, body };
  };

  it("createTestInbox: sandbox only — a LIVE environment is FORBIDDEN", async () => {
    const env = await newEnvironment(team);
    const inbox = await createTestInbox(team.actor, env.id, "http://localhost:3000");
    expect(inbox.url).toMatch(/^http:\/\/localhost:3000\/hooks\/inbox\/[A-Za-z0-9_-]{32}$/);
    expect(inbox.secret).toMatch(SECRET);
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: inbox.endpointId }, include: { testInbox: true } });
    expect(endpoint).toMatchObject({ url: inbox.url, eventFilters: [], active: true, environmentId: env.id });
    expect(endpoint.testInbox?.id).toBe(inbox.inboxId);

    const live = await newEnvironment(team, "LIVE");
    const err = await createTestInbox(team.actor, live.id, "http://localhost:3000").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("FORBIDDEN");
    expect(await db.webhookEndpoint.count({ where: { environmentId: live.id } })).toBe(0);
  });

  it("receiveInboxRequest: signatureValid true for a correctly signed body, false when tampered or wrongly signed", async () => {
    const env = await newEnvironment(team);
    const inbox = await createTestInbox(team.actor, env.id, "http://localhost:3000");
    const token = inbox.url.split("/").pop()!;
    const body = JSON.stringify({ id: "payment.completed:tx_X", event_type: "payment.completed" });

    expect(await receiveInboxRequest(token, signed(inbox.secret, body))).toBe("stored");
    const good = signed(inbox.secret, body);
    expect(await receiveInboxRequest(token, { ...good, body: body.replace("completed", "failed") })).toBe("stored");
    expect(await receiveInboxRequest(token, signed(`whsec_${Buffer.alloc(32, 7).toString("base64")}`, body))).toBe("stored");
    expect(await receiveInboxRequest(token, { method: "POST", headers: {}, body })).toBe("stored");

    const rows = await db.inboxRequest.findMany({ where: { inboxId: inbox.inboxId }, orderBy: { receivedAt: "asc" } });
    expect(rows.map((r) => r.signatureValid)).toEqual([true, false, false, false]);
    expect(rows[0]).toMatchObject({ method: "POST", body });
    expect((rows[0].headers as Record<string, string>)["x-webhook-signature"]).toBe(sign(inbox.secret, (rows[0].headers as Record<string, string>)["x-webhook-timestamp"], body));

    // After a rotation, both the new and (during the overlap) the previous secret verify.
    const { secret: rotated } = await rotateEndpointSecret(team.actor, inbox.endpointId);
    expect(await receiveInboxRequest(token, signed(rotated, body))).toBe("stored");
    expect(await receiveInboxRequest(token, signed(inbox.secret, body))).toBe("stored");
    const latest = await db.inboxRequest.findMany({ where: { inboxId: inbox.inboxId }, orderBy: { receivedAt: "asc" } });
    expect(latest.slice(4).map((r) => r.signatureValid)).toEqual([true, true]);
  });

  it(`keeps only the last ${INBOX_KEEP} requests; an unknown or expired token → "unknown"`, async () => {
    const env = await newEnvironment(team);
    const inbox = await createTestInbox(team.actor, env.id, "http://localhost:3000");
    const token = inbox.url.split("/").pop()!;
    for (let i = 0; i < 105; i++) {
      expect(await receiveInboxRequest(token, signed(inbox.secret, JSON.stringify({ seq: i })))).toBe("stored");
    }
    const rows = await db.inboxRequest.findMany({ where: { inboxId: inbox.inboxId } });
    expect(rows).toHaveLength(100);
    const kept = rows.map((r) => JSON.parse(r.body).seq as number).sort((a, b) => a - b);
    expect(kept).toEqual(Array.from({ length: 100 }, (_, i) => i + 5));

    expect(await receiveInboxRequest("no-such-token", signed(inbox.secret, "{}"))).toBe("unknown");
    await db.testInbox.update({ where: { id: inbox.inboxId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await receiveInboxRequest(token, signed(inbox.secret, "{}"))).toBe("unknown");
    expect(await db.inboxRequest.count({ where: { inboxId: inbox.inboxId } })).toBe(100);
  });
});

describe("wallet-scoped keys and webhooks (issue 12, finding 3)", () => {
  it("a test inbox made by a wallet-scoped key is bound to its wallet; another wallet's key cannot open it", async () => {
    const { environmentId, walletId } = await sandbox(team);
    const other = await createWallet(team.actor, { name: "other", environment_id: environmentId, asset_id: "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01" });
    const scopedKey = async (wallet: string) =>
      resolveApiKey(
        (await createApiKey(team.actor, { name: `scoped ${wallet}`, environment_id: environmentId, permissions: [{ resource: "WEBHOOKS", level: "WRITE" }], wallet_id: wallet })).plaintextKey,
      );
    const mine = await scopedKey(walletId);
    const theirs = await scopedKey(other.id);
    const inbox = await createTestInbox(mine, environmentId, "http://localhost:3000");
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: inbox.endpointId } })).walletId).toBe(walletId);
    expect((await getTestInbox(mine, inbox.inboxId)).id).toBe(inbox.inboxId);
    const refused = await getTestInbox(theirs, inbox.inboxId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("NOT_FOUND");
    // The dashboard (the team's session) sees it.
    expect((await getTestInbox(team.actor, inbox.inboxId)).id).toBe(inbox.inboxId);
    // Its deliveries: only its wallet's receives.
    const key = await mintKey(team, environmentId);
    await createReceiveVia(key, walletId);
    await createReceiveVia(key, other.id);
    const deliveries = await listEndpointDeliveries(mine, inbox.endpointId);
    expect(deliveries.map((d) => JSON.parse(d.event.payload).wallet_id)).toEqual([walletId]);
    const denied = await listEndpointDeliveries(theirs, inbox.endpointId).catch((e: unknown) => e);
    expect((denied as AppError).code).toBe("NOT_FOUND");
  });
});
