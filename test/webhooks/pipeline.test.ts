// The throughput paths of the delivery worker (lib/webhooks/delivery.ts): the claim that returns
// everything an attempt needs and honours a per-endpoint room, claimed-ahead local queues (caps,
// lease deadline, 410, stop), batched recording of attempts, and the decrypted-secret cache across
// a rotation.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000"; // no settlement: only the events the tests send
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1/32";
process.env.WEBHOOK_TIMEOUT_MS = "1000";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker } from "@/lib/jobs/worker";
import { createEndpoint, rotateEndpointSecret } from "@/lib/webhooks/endpoints";
import { sendTestEvent } from "@/lib/webhooks/webhook-events";
import {
  claimDueDeliveries,
  DeliveryPool,
  leaseMs,
  PER_ENDPOINT_CONCURRENCY,
  recordAttempts,
  type AttemptResult,
} from "@/lib/webhooks/delivery";
import { answer, newEnvironment, newTeam, Receiver, seedSignature, sleep, verifyStandard, waitFor, type Handler, type Team } from "./helpers";

let team: Team;
const receivers: Receiver[] = [];

async function receiver(handler: Handler = answer(200)) {
  const r = await Receiver.start(handler);
  receivers.push(r);
  return r;
}

/** A receiver that answers `status` after `ms`, and tracks the most requests open at once per path. */
async function slowReceiver(ms: number, status = 200) {
  const open = new Map<string, number>();
  const most = new Map<string, number>();
  let openAll = 0;
  let mostAll = 0;
  const r = await receiver(async (req, res) => {
    open.set(req.path, (open.get(req.path) ?? 0) + 1);
    most.set(req.path, Math.max(most.get(req.path) ?? 0, open.get(req.path)!));
    mostAll = Math.max(mostAll, ++openAll);
    await sleep(ms);
    open.set(req.path, open.get(req.path)! - 1);
    openAll--;
    res.writeHead(status).end("done");
  });
  return { r, most, mostAll: () => mostAll };
}

async function endpointWithEvents(url: string, events: number) {
  const env = await newEnvironment(team);
  const { endpoint, secret } = await createEndpoint(team.actor, { environment_id: env.id, url });
  const ids: string[] = [];
  for (let i = 0; i < events; i++) ids.push((await sendTestEvent(team.actor, endpoint.id)).deliveries[0].id);
  return { endpoint, secret, deliveryIds: ids };
}

beforeAll(async () => {
  team = await newTeam("Webhook pipeline");
});
afterEach(async () => {
  // Each test's endpoints stop here, so the next test's claims only see its own deliveries.
  await db.webhookEndpoint.updateMany({ data: { active: false } });
});
afterAll(async () => {
  for (const r of receivers) await r.close();
});

describe("claimDueDeliveries", () => {
  it("returns the event, endpoint URL, sealed secrets and leases; takes at most the room given per endpoint; skips endpoints", async () => {
    const a = await endpointWithEvents("http://127.0.0.1:9/a", 6);
    const b = await endpointWithEvents("http://127.0.0.1:9/b", 6);
    const c = await endpointWithEvents("http://127.0.0.1:9/c", 3);

    const claimed = await claimDueDeliveries("worker-test-claim", 50, {
      room: new Map([[a.endpoint.id, 2]]),
      defaultRoom: 4,
      skipEndpoints: [c.endpoint.id],
    });
    const byEndpoint = (id: string) => claimed.filter((d) => d.endpointId === id);
    expect(byEndpoint(a.endpoint.id)).toHaveLength(2);
    expect(byEndpoint(b.endpoint.id)).toHaveLength(4);
    expect(byEndpoint(c.endpoint.id)).toHaveLength(0);

    const event = await db.webhookEvent.findUniqueOrThrow({ where: { id: claimed[0].eventId } });
    const endpoint = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: claimed[0].endpointId } });
    expect(claimed[0]).toMatchObject({
      idempotencyKey: event.idempotencyKey,
      eventType: "webhook.test",
      payload: event.payload,
      url: endpoint.url,
      secretEncrypted: endpoint.secretEncrypted,
      previousSecretEncrypted: null,
      inboxToken: null,
      attemptCount: 0,
    });

    // Exactly the returned rows are leased; the candidates over an endpoint's room are untouched.
    const rows = await db.webhookDelivery.findMany({ where: { endpointId: { in: [a.endpoint.id, b.endpoint.id, c.endpoint.id] } } });
    const leased = rows.filter((r) => r.status === "IN_PROGRESS");
    expect(new Set(leased.map((r) => r.id))).toEqual(new Set(claimed.map((d) => d.id)));
    for (const r of leased) {
      expect(r.lockedBy).toBe("worker-test-claim");
      expect(r.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + leaseMs() - 5000);
    }
    expect(rows.filter((r) => r.status === "PENDING" && r.lockedBy === null)).toHaveLength(15 - claimed.length);

    // A second claim never returns a leased delivery.
    const again = await claimDueDeliveries("worker-test-claim-2", 50, { defaultRoom: 100 });
    expect(again.filter((d) => claimed.some((x) => x.id === d.id))).toEqual([]);
    expect(again).toHaveLength(15 - claimed.length);
  });

  it("due at the same instant, deliveries of several endpoints are claimed together (one endpoint's backlog does not fill the claim)", async () => {
    // One endpoint after the other: stored (and scanned) in that order, the first one's backlog first.
    const endpoints = [];
    for (const p of ["/t1", "/t2", "/t3"]) endpoints.push(await endpointWithEvents(`http://127.0.0.1:9${p}`, 20));
    const ids = endpoints.flatMap((e) => e.deliveryIds);
    // As when many events are inserted in one statement: one nextAttemptAt for all.
    await db.webhookDelivery.updateMany({ where: { id: { in: ids } }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    const claimed = await claimDueDeliveries("worker-test-ties", 12, { defaultRoom: 4 });
    const perEndpoint = endpoints.map((e) => claimed.filter((c) => c.endpointId === e.endpoint.id).length);
    // The claim looks at 32 candidates, ties broken by (random) id: every endpoint is among them
    // (the chance that one of the three is missing from 32 of 60 is about 2e-9), none over its room.
    // Scanned in storage order instead, the candidates would be t1's 20 and t2's first 12: [4, 4, 0].
    for (const n of perEndpoint) {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(4);
    }
  });
});

describe("recordAttempts (one statement for many attempts)", () => {
  it("stores every attempt with its own headers, status, body, error and duration; updates each delivery; pauses on 410; a lost lease keeps the attempt but not the update", async () => {
    const e1 = await endpointWithEvents("http://127.0.0.1:9/one", 3);
    const e2 = await endpointWithEvents("http://127.0.0.1:9/two", 1);
    const claimed = await claimDueDeliveries("worker-test-record", 10, { defaultRoom: 10 });
    expect(claimed).toHaveLength(4);
    const [ok, retry, lost] = claimed.filter((c) => c.endpointId === e1.endpoint.id);
    const gone = claimed.find((c) => c.endpointId === e2.endpoint.id)!;
    // `lost`: its lease ran out and another worker took it.
    await db.webhookDelivery.update({ where: { id: lost.id }, data: { lockedBy: "worker-someone-else" } });

    const next = new Date(Date.now() + 10_000);
    const result = (c: typeof ok, over: Partial<AttemptResult>): AttemptResult => ({
      deliveryId: c.id,
      endpointId: c.endpointId,
      attemptNumber: 1,
      requestHeaders: { "webhook-id": c.idempotencyKey, "x-webhook-signature": `sig-${c.id}` },
      status: 200,
      responseBody: `body of ${c.id}`,
      error: null,
      durationMs: 12,
      finishedAt: new Date(),
      outcome: "success",
      nextAttemptAt: null,
      ...over,
    });
    await recordAttempts(
      [
        result(ok, {}),
        result(retry, { status: null, responseBody: null, error: "timeout: no complete response within 1000 ms", durationMs: 1000, outcome: "retry", nextAttemptAt: next }),
        result(lost, { status: 500, responseBody: "boom", outcome: "retry", nextAttemptAt: next }),
        result(gone, { status: 410, responseBody: "gone", outcome: "gone" }),
      ],
      "worker-test-record",
    );

    const attempts = await db.webhookAttempt.findMany({ where: { deliveryId: { in: claimed.map((c) => c.id) } } });
    expect(attempts).toHaveLength(4);
    const of = (id: string) => attempts.find((a) => a.deliveryId === id)!;
    for (const c of [ok, retry, lost, gone]) {
      expect(of(c.id).requestHeaders).toEqual({ "webhook-id": c.idempotencyKey, "x-webhook-signature": `sig-${c.id}` });
      expect(of(c.id).attemptNumber).toBe(1);
    }
    expect(of(ok.id)).toMatchObject({ responseStatus: 200, responseBody: `body of ${ok.id}`, error: null, durationMs: 12 });
    expect(of(retry.id)).toMatchObject({ responseStatus: null, responseBody: null, error: "timeout: no complete response within 1000 ms", durationMs: 1000 });
    expect(of(lost.id)).toMatchObject({ responseStatus: 500, responseBody: "boom" });
    expect(of(gone.id)).toMatchObject({ responseStatus: 410, responseBody: "gone" });

    const row = (id: string) => db.webhookDelivery.findUniqueOrThrow({ where: { id } });
    expect(await row(ok.id)).toMatchObject({ status: "SUCCESS", attemptCount: 1, lastHttpStatus: 200, lastError: null, lockedBy: null, lockedUntil: null });
    const r = await row(retry.id);
    expect(r).toMatchObject({ status: "PENDING", attemptCount: 1, lastHttpStatus: null, lastError: "timeout: no complete response within 1000 ms", lockedBy: null });
    expect(r.nextAttemptAt!.getTime()).toBe(next.getTime());
    expect(await row(lost.id)).toMatchObject({ status: "IN_PROGRESS", attemptCount: 0, lockedBy: "worker-someone-else" });
    expect(await row(gone.id)).toMatchObject({ status: "FAILED", attemptCount: 1, lastHttpStatus: 410, lastError: "HTTP 410" });
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: e2.endpoint.id } })).toMatchObject({ active: false, pausedReason: expect.stringMatching(/410/) });
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: e1.endpoint.id } })).toMatchObject({ active: true });
  });

  it("a worker delivering 60 events to 3 endpoints records every attempt (one each, headers as sent) and every delivery SUCCESS", async () => {
    const r = await receiver(async (_req, res) => {
      await sleep(Math.random() * 10);
      res.writeHead(200).end("fine");
    });
    const endpoints = await Promise.all(["/x", "/y", "/z"].map((p) => endpointWithEvents(r.url(p), 20)));
    const ids = endpoints.flatMap((e) => e.deliveryIds);
    const logs: string[] = [];
    const worker = startWorker({ pollMs: 20, log: (m) => logs.push(m) });
    try {
      await r.waitForCount(60, 10_000);
      await waitFor(async () => (await db.webhookDelivery.count({ where: { id: { in: ids }, status: "SUCCESS" } })) === 60, 5000, "60 SUCCESS");
    } finally {
      await worker.stop();
    }
    expect(r.requests).toHaveLength(60);
    const attempts = await db.webhookAttempt.findMany({ where: { deliveryId: { in: ids } }, include: { delivery: { include: { event: true } } } });
    expect(attempts).toHaveLength(60);
    const sent = new Map(r.requests.map((q) => [`${q.path} ${q.headers["webhook-id"]}`, q]));
    for (const a of attempts) {
      const headers = a.requestHeaders as Record<string, string>;
      const path = ["/x", "/y", "/z"][endpoints.findIndex((e) => e.endpoint.id === a.delivery.endpointId)];
      expect(headers["webhook-id"]).toBe(a.delivery.event.idempotencyKey);
      const q = sent.get(`${path} ${headers["webhook-id"]}`);
      expect(q, `${path} ${headers["webhook-id"]}`).toBeDefined();
      expect(headers["x-webhook-signature"]).toBe(q!.headers["x-webhook-signature"]);
      expect(a).toMatchObject({ attemptNumber: 1, responseStatus: 200, responseBody: "fine", error: null });
    }
    expect(logs.filter((m) => /error|could not/i.test(m))).toEqual([]);
  });
});

describe("claimed-ahead local queues", () => {
  it(`never more than ${PER_ENDPOINT_CONCURRENCY} requests at once to one endpoint, while several endpoints are served at once`, async () => {
    const { r, most, mostAll } = await slowReceiver(60);
    const endpoints = await Promise.all(["/p", "/q", "/s"].map((p) => endpointWithEvents(r.url(p), 16)));
    const worker = startWorker({ pollMs: 20, log: () => {} });
    try {
      await r.waitForCount(48, 10_000);
    } finally {
      await worker.stop();
    }
    for (const p of ["/p", "/q", "/s"]) expect(most.get(p), p).toBe(PER_ENDPOINT_CONCURRENCY);
    expect(mostAll()).toBeGreaterThan(PER_ENDPOINT_CONCURRENCY);
    const ids = endpoints.flatMap((e) => e.deliveryIds);
    expect(await db.webhookDelivery.count({ where: { id: { in: ids }, status: "SUCCESS", attemptCount: 1 } })).toBe(48);
  });

  it("the pool's global cap holds: maxInFlight 3 over 3 endpoints", async () => {
    const { r, mostAll } = await slowReceiver(50);
    await Promise.all(["/g1", "/g2", "/g3"].map((p) => endpointWithEvents(r.url(p), 5)));
    const claimed = await claimDueDeliveries("worker-test-cap", 100, { defaultRoom: 100 });
    expect(claimed).toHaveLength(15);
    const pool = new DeliveryPool("worker-test-cap", () => {}, () => {}, 3);
    pool.start(claimed);
    await r.waitForCount(15, 5000);
    await pool.drain();
    expect(mostAll()).toBe(3);
    expect(await db.webhookDelivery.count({ where: { id: { in: claimed.map((c) => c.id) }, status: "SUCCESS" } })).toBe(15);
  });

  it("a claimed delivery whose lease is too close to running out is released unsent", async () => {
    const r = await receiver();
    const { deliveryIds } = await endpointWithEvents(r.url("/late"), 2);
    const claimed = await claimDueDeliveries("worker-test-late", 10, {});
    expect(claimed.map((c) => c.id).sort()).toEqual([...deliveryIds].sort());
    const pool = new DeliveryPool("worker-test-late", () => {}, () => {});
    // As if they had waited in the queue for most of their lease.
    pool.start([{ ...claimed[0], claimedAt: Date.now() - leaseMs() }, claimed[1]]);
    await pool.drain();
    await sleep(100);
    expect(r.requests.map((q) => q.headers["webhook-id"])).toEqual([claimed[1].idempotencyKey]);
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: claimed[0].id } })).toMatchObject({ status: "PENDING", lockedBy: null, lockedUntil: null, attemptCount: 0 });
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: claimed[1].id } })).toMatchObject({ status: "SUCCESS", attemptCount: 1 });
  });

  it("after a 410 nothing more is sent to the endpoint: its queued deliveries are given back unsent", async () => {
    const { r } = await slowReceiver(150, 410);
    const { endpoint, deliveryIds } = await endpointWithEvents(r.url("/gone"), 12);
    const worker = startWorker({ pollMs: 20, log: () => {} });
    try {
      await r.waitForCount(PER_ENDPOINT_CONCURRENCY, 5000);
      await waitFor(async () => !(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).active, 5000, "the endpoint paused");
      await sleep(300);
    } finally {
      await worker.stop();
    }
    expect(r.requests).toHaveLength(PER_ENDPOINT_CONCURRENCY);
    const rows = await db.webhookDelivery.findMany({ where: { id: { in: deliveryIds } } });
    expect(rows.filter((d) => d.status === "FAILED" && d.attemptCount === 1 && d.lastHttpStatus === 410)).toHaveLength(PER_ENDPOINT_CONCURRENCY);
    expect(rows.filter((d) => d.status === "PENDING" && d.attemptCount === 0 && d.lockedBy === null)).toHaveLength(12 - PER_ENDPOINT_CONCURRENCY);
  });

  it("stopping a worker gives back what it queued: no delivery is left leased, the others deliver them", async () => {
    const { r } = await slowReceiver(200);
    const { deliveryIds } = await endpointWithEvents(r.url("/stop"), 10);
    const first = startWorker({ pollMs: 20, log: () => {} });
    await r.waitForCount(PER_ENDPOINT_CONCURRENCY, 5000);
    await first.stop();
    const rows = await db.webhookDelivery.findMany({ where: { id: { in: deliveryIds } } });
    expect(rows.filter((d) => d.lockedBy !== null)).toEqual([]);
    expect(rows.filter((d) => d.status === "SUCCESS")).toHaveLength(PER_ENDPOINT_CONCURRENCY);
    expect(rows.filter((d) => d.status === "PENDING")).toHaveLength(10 - PER_ENDPOINT_CONCURRENCY);

    const second = startWorker({ pollMs: 20, log: () => {} });
    try {
      await waitFor(async () => (await db.webhookDelivery.count({ where: { id: { in: deliveryIds }, status: "SUCCESS" } })) === 10, 5000, "all delivered");
    } finally {
      await second.stop();
    }
    expect(r.requests).toHaveLength(10);
    expect(new Set(r.requests.map((q) => q.headers["webhook-id"])).size).toBe(10);
  });
});

describe("decrypted secrets", () => {
  it("a rotation takes effect on the next delivery, though the old secret was just used (and cached)", async () => {
    const r = await receiver();
    const env = await newEnvironment(team);
    const { endpoint, secret: oldSecret } = await createEndpoint(team.actor, { environment_id: env.id, url: r.url("/rot") });
    const worker = startWorker({ pollMs: 20, log: () => {} });
    try {
      await sendTestEvent(team.actor, endpoint.id);
      const [before] = await r.waitForCount(1);
      expect(before.headers["x-webhook-signature"]).toBe(seedSignature(oldSecret, before.headers["x-webhook-timestamp"] as string, before.rawBody));

      const { secret: newSecret } = await rotateEndpointSecret(team.actor, endpoint.id);
      await sendTestEvent(team.actor, endpoint.id);
      const [, after] = await r.waitForCount(2);
      expect(after.headers["x-webhook-signature"]).toBe(seedSignature(newSecret, after.headers["x-webhook-timestamp"] as string, after.rawBody));
      expect((after.headers["webhook-signature"] as string).split(" ")).toHaveLength(2);
      expect(verifyStandard(newSecret, after)).toEqual(after.json);
      expect(verifyStandard(oldSecret, after)).toEqual(after.json);

      // A second rotation: the secret of the first rotation is now the previous one, the original is gone.
      const { secret: newest } = await rotateEndpointSecret(team.actor, endpoint.id);
      await sendTestEvent(team.actor, endpoint.id);
      const [, , third] = await r.waitForCount(3);
      expect(third.headers["x-webhook-signature"]).toBe(seedSignature(newest, third.headers["x-webhook-timestamp"] as string, third.rawBody));
      expect(verifyStandard(newSecret, third)).toEqual(third.json);
      expect(() => verifyStandard(oldSecret, third)).toThrow();
    } finally {
      await worker.stop();
    }
  });
});
