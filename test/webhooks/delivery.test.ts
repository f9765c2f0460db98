// End to end: endpoints created through GraphQL, sandbox invoices (create_receive), the real worker
// (startWorker) delivering to real HTTP receivers on 127.0.0.1. Envelope exactly as seed 001,
// signatures checked from scratch and with the `standardwebhooks` package, event_filters, one
// failing endpoint not holding back another, and inspection / extension mutations through GraphQL.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "300";
process.env.FEE_BASIS_POINTS = "50"; // 0.5 %: fee and settle_amount differ from amount
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1/32";
process.env.WEBHOOK_TIMEOUT_MS = "1000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import {
  answer,
  BTC_ASSET_ID,
  createEndpointVia,
  createReceiveVia,
  gql,
  hang,
  ISO,
  newTeam,
  ok,
  Receiver,
  sandbox,
  SEED_ROTATE_SECRET,
  SEED_UPDATE_ENDPOINT,
  seedSignature,
  sleep,
  TX_ID,
  verifyStandard,
  waitFor,
  type Received,
  type Team,
} from "./helpers";

let team: Team;
let worker: RunningWorker;
const workerLog: string[] = [];
const receivers: Receiver[] = [];

async function receiver(handler = answer(200)) {
  const r = await Receiver.start(handler);
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  team = await newTeam("Webhook delivery");
  worker = startWorker({ pollMs: 50, sweepMs: 100, log: (m) => workerLog.push(m) });
});
afterAll(async () => {
  // Endpoints left retrying must not be attempted while the receivers go away.
  await db.webhookEndpoint.updateMany({ data: { active: false } });
  await worker.stop();
  for (const r of receivers) await r.close();
});

const ENVELOPE_KEYS = ["id", "event_type", "environment", "environment_id", "wallet_id", "node_id", "data"];
const DATA_KEYS = ["id", "direction", "status", "payment_details", "amount", "fee", "settle_amount", "exchange_rate", "description", "settled_at", "expires_at", "metadata"];
const BTC = (amount: string) => ({ amount, asset_id: BTC_ASSET_ID, asset_symbol: "BTC", precision: 8 });

function header(r: Received, name: string): string {
  const v = r.headers[name];
  expect(typeof v, `header ${name}`).toBe("string");
  return v as string;
}

/** The seed 001 checks of one delivery's headers, against `secret` (current). */
function expectSignedBy(r: Received, secret: string) {
  expect(header(r, "content-type")).toMatch(/^application\/json/);
  const ts = header(r, "x-webhook-timestamp");
  expect(ts).toMatch(/^\d{10}$/);
  expect(Math.abs(Number(ts) - r.at / 1000)).toBeLessThan(5);
  expect(header(r, "x-webhook-signature")).toBe(seedSignature(secret, ts, r.rawBody));
  expect(header(r, "x-webhook-event")).toBe(r.json.event_type);
  expect(header(r, "webhook-id")).toBe(r.json.id);
  expect(header(r, "webhook-timestamp")).toBe(ts);
  expect(verifyStandard(secret, r)).toEqual(r.json);
}

describe("end-to-end delivery (seed 001 envelope and headers)", () => {
  it("payment.pending then payment.completed, envelope exact, signatures verify (from scratch and standardwebhooks)", async () => {
    const { environmentId, key, walletId } = await sandbox(team);
    const r = await receiver();
    const { secret, endpoint } = await createEndpointVia(key, environmentId, r.url("/hook"));
    const tx = await createReceiveVia(key, walletId, { description: "Order #42", expires_in_seconds: 3600, metadata: '{"order_id":"42"}' });
    expect(tx.id).toMatch(TX_ID);

    const [pending, completed] = await r.waitForCount(2, 5000);
    await sleep(200);
    expect(r.requests).toHaveLength(2);
    expect(r.eventTypes()).toEqual(["payment.pending", "payment.completed"]);
    expect(pending.method).toBe("POST");
    expect(pending.path).toBe("/hook");

    const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id } });
    expect(row.status).toBe("COMPLETED");
    const common = {
      environment: "sandbox",
      environment_id: environmentId,
      wallet_id: walletId,
      node_id: null,
    };
    const data = {
      id: tx.id,
      direction: "receive",
      payment_details: { payment_type: "bolt11", payment_request: tx.payment_request, payment_hash: tx.payment_hash },
      amount: BTC("100000"),
      fee: BTC("500"),
      exchange_rate: null,
      description: "Order #42",
      expires_at: tx.expires_at,
      metadata: { order_id: "42" },
    };
    expect(completed.json).toEqual({
      id: `payment.completed:${tx.id}`,
      event_type: "payment.completed",
      ...common,
      data: { ...data, status: "completed", settle_amount: BTC("99500"), settled_at: row.settledAt!.toISOString() },
    });
    expect(completed.json.data.settled_at).toMatch(ISO);
    expect(pending.json).toEqual({
      id: `payment.pending:${tx.id}`,
      event_type: "payment.pending",
      ...common,
      data: { ...data, status: "pending", settle_amount: null, settled_at: null },
    });
    for (const d of [pending, completed]) {
      expect(Object.keys(d.json)).toEqual(ENVELOPE_KEYS);
      expect(Object.keys(d.json.data)).toEqual(DATA_KEYS);
      expect(Object.keys(d.json.data.payment_details)).toEqual(["payment_type", "payment_request", "payment_hash"]);
      expect(Object.keys(d.json.data.amount)).toEqual(["amount", "asset_id", "asset_symbol", "precision"]);
      // The body on the wire is exactly the stored event payload (what the signature covers).
      const event = await db.webhookEvent.findFirstOrThrow({ where: { idempotencyKey: d.json.id } });
      expect(d.rawBody).toBe(event.payload);
      expectSignedBy(d, secret);
      expect(header(d, "webhook-signature").split(" ")).toHaveLength(1);
    }

    // Negative controls: the checks above can fail.
    const otherSecret = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
    expect(() => verifyStandard(otherSecret, completed)).toThrow();
    expect(seedSignature(secret, header(completed, "x-webhook-timestamp"), completed.rawBody.replace("99500", "99501"))).not.toBe(
      header(completed, "x-webhook-signature"),
    );

    const deliveries = await db.webhookDelivery.findMany({ where: { endpointId: endpoint.id } });
    expect(deliveries.map((d) => [d.status, d.attemptCount, d.lastHttpStatus])).toEqual([
      ["SUCCESS", 1, 200],
      ["SUCCESS", 1, 200],
    ]);
  });

  it("after rotate_secret: two v1 signatures, BOTH the old and the new secret verify; x-webhook-signature uses the new one", async () => {
    const { environmentId, key, walletId } = await sandbox(team);
    const r = await receiver();
    const { secret: oldSecret, endpoint } = await createEndpointVia(key, environmentId, r.url("/hook"), ["payment.pending"]);
    const newSecret = ok(await gql(SEED_ROTATE_SECRET, { id: endpoint.id }, key)).payment.webhook_endpoint.rotate_secret.secret as string;
    expect(newSecret).not.toBe(oldSecret);

    await createReceiveVia(key, walletId);
    const [d] = await r.waitForCount(1);
    const sigs = header(d, "webhook-signature").split(" ");
    expect(sigs).toHaveLength(2);
    for (const s of sigs) expect(s).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandard(newSecret, d)).toEqual(d.json);
    expect(verifyStandard(oldSecret, d)).toEqual(d.json);
    expectSignedBy(d, newSecret);
    expect(header(d, "x-webhook-signature")).not.toBe(seedSignature(oldSecret, header(d, "x-webhook-timestamp"), d.rawBody));

    // Once the overlap is over, only the new secret signs.
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { previousSecretExpiresAt: new Date(Date.now() - 1000) } });
    await createReceiveVia(key, walletId);
    const [, d2] = await r.waitForCount(2);
    expect(header(d2, "webhook-signature").split(" ")).toHaveLength(1);
    expect(verifyStandard(newSecret, d2)).toEqual(d2.json);
    expect(() => verifyStandard(oldSecret, d2)).toThrow();
  });
});

describe("event_filters at delivery", () => {
  it("filtered to payment.completed gets only that; empty filters get all four types; an inactive endpoint gets nothing", async () => {
    const { environmentId, key, walletId } = await sandbox(team);
    const onlyCompleted = await receiver();
    const all = await receiver();
    const paused = await receiver();
    const a = await createEndpointVia(key, environmentId, onlyCompleted.url(), ["payment.completed"]);
    const b = await createEndpointVia(key, environmentId, all.url(), []);
    const c = await createEndpointVia(key, environmentId, paused.url());
    ok(await gql(SEED_UPDATE_ENDPOINT, { input: { id: c.endpoint.id, active: false } }, key));

    const txs = [];
    for (const behavior of ["complete", "fail", "expire"]) {
      txs.push(await createReceiveVia(key, walletId, { metadata: JSON.stringify({ amb_sandbox_behavior: behavior }) }));
    }
    await all.waitForCount(6, 5000);
    await onlyCompleted.waitForCount(1, 5000);
    await sleep(300);
    expect([...all.eventTypes()].sort()).toEqual(["payment.completed", "payment.expired", "payment.failed", "payment.pending", "payment.pending", "payment.pending"]);
    expect(onlyCompleted.requests.map((q) => q.json.id)).toEqual([`payment.completed:${txs[0].id}`]);
    const byType = (t: string) => all.requests.find((q) => q.json.event_type === t)!.json;
    expect(byType("payment.failed")).toMatchObject({ id: `payment.failed:${txs[1].id}`, data: { id: txs[1].id, status: "failed", settle_amount: null, settled_at: null } });
    expect(byType("payment.expired")).toMatchObject({ id: `payment.expired:${txs[2].id}`, data: { id: txs[2].id, status: "expired", settle_amount: null, settled_at: null } });
    expect(byType("payment.failed").data.metadata).toEqual({ amb_sandbox_behavior: "fail" });
    expect(paused.requests).toHaveLength(0);
    expect(await db.webhookDelivery.count({ where: { endpointId: c.endpoint.id } })).toBe(0);
    expect(await db.webhookDelivery.count({ where: { endpointId: a.endpoint.id } })).toBe(1);
    expect(await db.webhookDelivery.count({ where: { endpointId: b.endpoint.id, status: "SUCCESS" } })).toBe(6);
  });
});

describe("isolation between endpoints", () => {
  it("an endpoint that hangs (timeout 1000 ms) does not hold back another: B gets every event < 1 s after settlement", async () => {
    const { environmentId, key, walletId } = await sandbox(team);
    const slow = await receiver(hang);
    const inFlightAtA: number[] = [];
    const fast = await receiver((_req, res) => {
      inFlightAtA.push(slow.inFlight);
      res.writeHead(200).end("ok");
    });
    const A = await createEndpointVia(key, environmentId, slow.url("/a"));
    await createEndpointVia(key, environmentId, fast.url("/b"));

    const txs = [];
    for (let i = 0; i < 6; i++) txs.push(await createReceiveVia(key, walletId));
    const got = await fast.waitForCount(12, 5000);
    const settled = await db.transaction.findMany({ where: { id: { in: txs.map((t) => t.id) } } });
    for (const tx of settled) {
      expect(tx.status).toBe("COMPLETED");
      const delivery = got.find((q) => q.json.id === `payment.completed:${tx.id}`);
      expect(delivery, `completed of ${tx.id} at B`).toBeTruthy();
      expect(delivery!.at - tx.settledAt!.getTime()).toBeLessThan(1000);
    }
    // …while A was still timing out: its requests were open when B's completions arrived, and A has
    // not yet recorded a single successful attempt.
    expect(Math.max(...inFlightAtA.slice(-6))).toBeGreaterThan(0);
    expect(slow.inFlight).toBeGreaterThan(0);
    expect(await db.webhookDelivery.count({ where: { endpointId: A.endpoint.id, status: "SUCCESS" } })).toBe(0);

    // A's attempts end in a recorded timeout and a scheduled retry.
    const timedOut = await waitFor(async () => {
      const rows = await db.webhookAttempt.findMany({ where: { delivery: { endpointId: A.endpoint.id } } });
      return rows.length > 0 ? rows : null;
    }, 3000, "a timed-out attempt at A");
    expect(timedOut[0].error).toMatch(/^timeout/);
    expect(timedOut[0].responseStatus).toBeNull();
    await db.webhookEndpoint.update({ where: { id: A.endpoint.id }, data: { active: false } });
  });
});

describe("inspection and extension mutations through GraphQL", () => {
  const FIND_MANY = `query($input: ListWebhookEventsInput!) { payment { webhook_event { find_many(input: $input) {
    total_count pagination { limit offset } list { id event_type wallet_id transaction_id created_at } } } } }`;
  const FIND_ONE = `query($id: String!) { payment { webhook_event { find_one(id: $id) {
    id event_type environment_id idempotency_key payload transaction_id wallet_id
    deliveries { id status attempt_number http_status error_message webhook_endpoint_id created_at updated_at } } } } }`;
  const SEND_TEST = `mutation($id: String!) { payment { webhook_endpoint { send_test_event(id: $id) { id event_type deliveries { status } } } } }`;
  const REDELIVER = `mutation($id: String!, $endpoint: String) { payment { webhook_event { redeliver(id: $id, endpoint_id: $endpoint) {
    id idempotency_key deliveries { status attempt_number webhook_endpoint_id } } } } }`;

  it("webhook_event.find_many (event_type, transaction_id, endpoint_id, page, total_count) and find_one with deliveries", async () => {
    const { environmentId, key, walletId } = await sandbox(team);
    const good = await receiver();
    const bad = await receiver(answer(500, "nope"));
    const G = await createEndpointVia(key, environmentId, good.url());
    const B = await createEndpointVia(key, environmentId, bad.url(), ["payment.pending"]);
    const t1 = await createReceiveVia(key, walletId);
    const t2 = await createReceiveVia(key, walletId);
    await good.waitForCount(4, 5000);
    await bad.waitForCount(2, 5000);
    await sleep(150);

    const list = async (filter: Record<string, unknown> | null, page?: { limit: number; offset: number }) =>
      ok(await gql(FIND_MANY, { input: { environment_id: environmentId, ...(filter ? { filter } : {}), ...(page ? { page } : {}) } }, key)).payment.webhook_event
        .find_many;

    const everything = await list(null);
    expect(everything.total_count).toBe(4);
    expect(everything.list).toHaveLength(4);
    for (const e of everything.list) {
      expect(e).toMatchObject({ wallet_id: walletId, transaction_id: expect.stringMatching(TX_ID), created_at: expect.stringMatching(ISO) });
    }
    const completed = await list({ event_type: "payment.completed" });
    expect(completed.total_count).toBe(2);
    expect(completed.list.map((e: { event_type: string }) => e.event_type)).toEqual(["payment.completed", "payment.completed"]);
    const ofT1 = await list({ transaction_id: t1.id });
    expect(ofT1.total_count).toBe(2);
    expect(new Set(ofT1.list.map((e: { transaction_id: string }) => e.transaction_id))).toEqual(new Set([t1.id]));
    const ofB = await list({ endpoint_id: B.endpoint.id });
    expect(ofB.total_count).toBe(2);
    expect(new Set(ofB.list.map((e: { event_type: string }) => e.event_type))).toEqual(new Set(["payment.pending"]));
    const page = await list(null, { limit: 1, offset: 1 });
    expect(page.total_count).toBe(4);
    expect(page.pagination).toEqual({ limit: 1, offset: 1 });
    expect(page.list).toEqual([everything.list[1]]);

    const pendingT2 = ofB.list.find((e: { transaction_id: string }) => e.transaction_id === t2.id);
    const one = ok(await gql(FIND_ONE, { id: pendingT2.id }, key)).payment.webhook_event.find_one;
    expect(one).toMatchObject({ id: pendingT2.id, event_type: "payment.pending", environment_id: environmentId, idempotency_key: `payment.pending:${t2.id}`, transaction_id: t2.id, wallet_id: walletId });
    expect(JSON.parse(one.payload).id).toBe(`payment.pending:${t2.id}`);
    const byEndpoint = Object.fromEntries(one.deliveries.map((d: { webhook_endpoint_id: string }) => [d.webhook_endpoint_id, d]));
    expect(byEndpoint[G.endpoint.id]).toMatchObject({ status: "SUCCESS", attempt_number: 1, http_status: 200, error_message: null });
    expect(byEndpoint[B.endpoint.id]).toMatchObject({ status: "PENDING", attempt_number: 1, http_status: 500, error_message: "HTTP 500" });
    await db.webhookEndpoint.update({ where: { id: B.endpoint.id }, data: { active: false } });
  });

  it("send_test_event: the receiver gets a signed webhook.test; redeliver(id, endpoint_id): the same envelope id again", async () => {
    const { environmentId, key } = await sandbox(team);
    const r = await receiver();
    const { secret, endpoint } = await createEndpointVia(key, environmentId, r.url(), ["payment.completed"]);

    const sent = ok(await gql(SEND_TEST, { id: endpoint.id }, key)).payment.webhook_endpoint.send_test_event;
    // The worker may already have claimed (or even sent) it by the time the mutation answers.
    const QUEUED = expect.stringMatching(/^(PENDING|IN_PROGRESS|SUCCESS)$/);
    expect(sent).toMatchObject({ event_type: "webhook.test", deliveries: [{ status: QUEUED }] });
    const [test] = await r.waitForCount(1);
    expect(test.json).toMatchObject({ event_type: "webhook.test", environment: "sandbox", environment_id: environmentId });
    expect(test.json.id).toMatch(/^webhook\.test:/);
    expectSignedBy(test, secret);

    await waitFor(async () => (await db.webhookDelivery.findFirst({ where: { eventId: sent.id, status: "SUCCESS" } })) !== null, 3000, "test delivery recorded");
    const again = ok(await gql(REDELIVER, { id: sent.id, endpoint: endpoint.id }, key)).payment.webhook_event.redeliver;
    expect(again).toMatchObject({ id: sent.id, idempotency_key: test.json.id });
    expect(again.deliveries).toEqual([{ status: QUEUED, attempt_number: expect.any(Number), webhook_endpoint_id: endpoint.id }]);
    const [, redelivered] = await r.waitForCount(2);
    expect(redelivered.json.id).toBe(test.json.id);
    expect(redelivered.rawBody).toBe(test.rawBody);
    expect(header(redelivered, "webhook-id")).toBe(test.json.id);
    expectSignedBy(redelivered, secret);
    const row = await waitFor(
      async () => (await db.webhookDelivery.findFirst({ where: { eventId: sent.id, status: "SUCCESS", attemptCount: 2 }, include: { attempts: true } })),
      3000,
      "redelivery recorded",
    );
    expect(row.attempts.map((a) => a.attemptNumber).sort()).toEqual([1, 2]);
    expect(row.attemptBase).toBe(1);
  });
});
