// Retries and attempt records, with the real worker and real receivers on 127.0.0.1: the schedule
// (10 s, 60 s, then 10 min, ±10 % jitter — checked as stored, then fast-forwarded in the database),
// 4xx / 410 / timeouts / Retry-After / 8 attempts, response bodies kept to 2 KB; and the pure
// functions of lib/webhooks/delivery.ts.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000";
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1/32";
process.env.WEBHOOK_TIMEOUT_MS = "1000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { classifyResponse, MAX_ATTEMPTS, parseRetryAfter, retryDelayMs } from "@/lib/webhooks/delivery";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { redeliverWebhookEvent, sendTestEvent } from "@/lib/webhooks/webhook-events";
import { answer, hang, newEnvironment, newTeam, Receiver, seedSignature, sleep, waitFor, type Handler, type Team } from "./helpers";

let team: Team;
let worker: RunningWorker;
const workerLog: string[] = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  team = await newTeam("Webhook retries");
  worker = startWorker({ pollMs: 50, sweepMs: 1000, log: (m) => workerLog.push(m) });
});
afterAll(async () => {
  await db.webhookEndpoint.updateMany({ data: { active: false } });
  await worker.stop();
  for (const r of receivers) await r.close();
});

/** An endpoint (own environment) at a fresh receiver, and one webhook.test event queued for it. */
async function scenario(handler: Handler) {
  const r = await Receiver.start(handler);
  receivers.push(r);
  const env = await newEnvironment(team);
  const { endpoint, secret } = await createEndpoint(team.actor, { environment_id: env.id, url: r.url() });
  const event = await sendTestEvent(team.actor, endpoint.id);
  return { r, endpoint, secret, deliveryId: event.deliveries[0].id };
}

/** The delivery once its attempt number `n` is recorded (and it is no longer in progress). */
async function afterAttempt(deliveryId: string, n: number, timeoutMs = 4000) {
  return waitFor(
    async () => {
      const d = await db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { attempts: { orderBy: { attemptNumber: "asc" } } } });
      return d.attemptCount >= n && d.status !== "IN_PROGRESS" ? d : null;
    },
    timeoutMs,
    `attempt ${n} of delivery ${deliveryId}`,
  );
}

const fastForward = (deliveryId: string) => db.webhookDelivery.update({ where: { id: deliveryId }, data: { nextAttemptAt: new Date() } });
/** How far ahead the retry was scheduled, from the moment the attempt was recorded. */
const scheduledIn = (d: { nextAttemptAt: Date | null; updatedAt: Date }) => d.nextAttemptAt!.getTime() - d.updatedAt.getTime();
const SLACK = 100;

describe("retries with the worker", () => {
  it("500, 500, then 200 → delivered after three recorded attempts; retries scheduled ~10 s then ~60 s ahead", async () => {
    let n = 0;
    const { r, deliveryId, secret } = await scenario((_req, res) => {
      n++;
      res.writeHead(n <= 2 ? 500 : 200, { "content-type": "text/plain" }).end(n <= 2 ? `boom ${n}` : "thanks");
    });

    const first = await afterAttempt(deliveryId, 1);
    expect(first).toMatchObject({ status: "PENDING", attemptCount: 1, lastHttpStatus: 500, lastError: "HTTP 500" });
    expect(scheduledIn(first)).toBeGreaterThanOrEqual(9_000 - SLACK);
    expect(scheduledIn(first)).toBeLessThanOrEqual(11_000 + SLACK);
    await sleep(150);
    expect(r.requests).toHaveLength(1); // not retried before it is due
    await fastForward(deliveryId);

    const second = await afterAttempt(deliveryId, 2);
    expect(second).toMatchObject({ status: "PENDING", attemptCount: 2, lastHttpStatus: 500 });
    expect(scheduledIn(second)).toBeGreaterThanOrEqual(54_000 - SLACK);
    expect(scheduledIn(second)).toBeLessThanOrEqual(66_000 + SLACK);
    await fastForward(deliveryId);

    const done = await afterAttempt(deliveryId, 3);
    expect(done).toMatchObject({ status: "SUCCESS", attemptCount: 3, lastHttpStatus: 200, lastError: null, nextAttemptAt: null, lockedBy: null });
    expect(done.attempts.map((a) => [a.attemptNumber, a.responseStatus, a.responseBody, a.error])).toEqual([
      [1, 500, "boom 1", null],
      [2, 500, "boom 2", null],
      [3, 200, "thanks", null],
    ]);
    expect(r.requests).toHaveLength(3);
    expect(new Set(r.requests.map((q) => q.rawBody)).size).toBe(1); // same envelope every time
    for (const [i, a] of done.attempts.entries()) {
      expect(a.durationMs).toBeGreaterThanOrEqual(0);
      expect(a.durationMs).toBeLessThan(1000);
      const headers = a.requestHeaders as Record<string, string>;
      const sent = r.requests[i].headers;
      for (const name of ["x-webhook-signature", "x-webhook-timestamp", "x-webhook-event", "webhook-id", "webhook-timestamp", "webhook-signature"]) {
        expect(headers[name], name).toBe(sent[name]);
      }
      expect(headers["x-webhook-signature"]).toBe(seedSignature(secret, headers["x-webhook-timestamp"], r.requests[i].rawBody));
    }
  });

  it("400 → FAILED after one attempt, never retried", async () => {
    const { r, deliveryId } = await scenario(answer(400, "bad request"));
    const d = await afterAttempt(deliveryId, 1);
    expect(d).toMatchObject({ status: "FAILED", attemptCount: 1, lastHttpStatus: 400, lastError: "HTTP 400", nextAttemptAt: null });
    expect(d.attempts.map((a) => [a.responseStatus, a.responseBody])).toEqual([[400, "bad request"]]);
    await sleep(200);
    expect(r.requests).toHaveLength(1);
  });

  it("410 → FAILED and the endpoint is paused (inactive, with a reason)", async () => {
    const { r, deliveryId, endpoint } = await scenario(answer(410, "gone"));
    const d = await afterAttempt(deliveryId, 1);
    expect(d).toMatchObject({ status: "FAILED", attemptCount: 1, lastHttpStatus: 410, nextAttemptAt: null });
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.active).toBe(false);
    expect(row.pausedReason).toMatch(/410/);
    // Nothing more reaches it while paused: a test event is refused until it is resumed.
    await expect(sendTestEvent(team.actor, endpoint.id)).rejects.toMatchObject({ code: "CONFLICT" });
    await sleep(250);
    expect(r.requests).toHaveLength(1);
  });

  it("a hanging receiver → timeout recorded, retried later (PENDING with nextAttemptAt)", async () => {
    const { r, deliveryId } = await scenario(hang);
    const d = await afterAttempt(deliveryId, 1, 4000);
    expect(d.status).toBe("PENDING");
    expect(d.lastHttpStatus).toBeNull();
    expect(d.lastError).toMatch(/^timeout: /);
    expect(scheduledIn(d)).toBeGreaterThanOrEqual(9_000 - SLACK);
    expect(scheduledIn(d)).toBeLessThanOrEqual(11_000 + SLACK);
    const [a] = d.attempts;
    expect(a.responseStatus).toBeNull();
    expect(a.error).toMatch(/^timeout: .*1000 ms/);
    expect(a.durationMs).toBeGreaterThanOrEqual(950);
    expect(a.durationMs).toBeLessThan(2500);
    expect(r.requests).toHaveLength(1);
  });

  it("a refused connection → network error recorded, retried later", async () => {
    const gone = await Receiver.start();
    const url = gone.url();
    await gone.close();
    const env = await newEnvironment(team);
    const { endpoint } = await createEndpoint(team.actor, { environment_id: env.id, url });
    const { deliveries } = await sendTestEvent(team.actor, endpoint.id);
    const d = await afterAttempt(deliveries[0].id, 1);
    expect(d.status).toBe("PENDING");
    expect(d.lastError).toMatch(/^network: /);
    expect(d.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() + 5_000);
    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { active: false } });
  });

  it("429 with Retry-After: 120 → next attempt ≥ 120 s ahead; an HTTP-date Retry-After is honoured too", async () => {
    const { deliveryId } = await scenario(answer(429, "slow down", { "retry-after": "120" }));
    const d = await afterAttempt(deliveryId, 1);
    expect(d).toMatchObject({ status: "PENDING", lastHttpStatus: 429 });
    expect(scheduledIn(d)).toBeGreaterThanOrEqual(120_000 - SLACK);
    expect(scheduledIn(d)).toBeLessThanOrEqual(121_000);

    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 300_000);
    const other = await scenario(answer(503, "maintenance", { "retry-after": at.toUTCString() }));
    const d2 = await afterAttempt(other.deliveryId, 1);
    expect(d2).toMatchObject({ status: "PENDING", lastHttpStatus: 503 });
    expect(Math.abs(d2.nextAttemptAt!.getTime() - at.getTime())).toBeLessThan(1500);
  });

  it(`after ${MAX_ATTEMPTS} attempts → FAILED; every retry scheduled 10 s, 60 s, then 10 min (±10 %) ahead`, async () => {
    expect(MAX_ATTEMPTS).toBe(8);
    const { r, deliveryId } = await scenario(answer(503, "unavailable"));
    const base = [10_000, 60_000, 600_000, 600_000, 600_000, 600_000, 600_000];
    for (let i = 1; i < 8; i++) {
      const d = await afterAttempt(deliveryId, i);
      expect(d.status, `after attempt ${i}`).toBe("PENDING");
      expect(scheduledIn(d), `delay after attempt ${i}`).toBeGreaterThanOrEqual(base[i - 1] * 0.9 - SLACK);
      expect(scheduledIn(d), `delay after attempt ${i}`).toBeLessThanOrEqual(base[i - 1] * 1.1 + SLACK);
      await fastForward(deliveryId);
    }
    const last = await afterAttempt(deliveryId, 8);
    expect(last).toMatchObject({ status: "FAILED", attemptCount: 8, lastHttpStatus: 503, nextAttemptAt: null });
    expect(last.attempts.map((a) => a.attemptNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await fastForward(deliveryId);
    await sleep(200);
    expect(r.requests).toHaveLength(8);

    // A redelivery starts a new run: attempt 9 is the run's first, so its retry is ~10 s ahead again.
    const d = await db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
    await redeliverWebhookEvent(team.actor, d.eventId, d.endpointId);
    const ninth = await afterAttempt(deliveryId, 9);
    expect(ninth).toMatchObject({ status: "PENDING", attemptCount: 9, attemptBase: 8 });
    expect(ninth.attempts.at(-1)!.attemptNumber).toBe(9);
    expect(scheduledIn(ninth)).toBeGreaterThanOrEqual(9_000 - SLACK);
    expect(scheduledIn(ninth)).toBeLessThanOrEqual(11_000 + SLACK);
    expect(r.requests).toHaveLength(9);
    expect(r.requests[8].json.id).toBe(r.requests[0].json.id);
  });

  it("a 10 KB response body is stored truncated to ≤ 2048 bytes (valid UTF-8, a prefix of what was sent)", async () => {
    const big = "a" + "é".repeat(5120); // 10 241 bytes; byte 2048 falls inside a 2-byte character
    const { deliveryId } = await scenario(answer(200, big));
    const d = await afterAttempt(deliveryId, 1);
    expect(d.status).toBe("SUCCESS");
    const stored = d.attempts[0].responseBody!;
    expect(Buffer.byteLength(stored, "utf8")).toBeLessThanOrEqual(2048);
    expect(Buffer.byteLength(stored, "utf8")).toBeGreaterThanOrEqual(2046);
    expect(big.startsWith(stored)).toBe(true);

    const ascii = "x".repeat(10 * 1024);
    const other = await scenario(answer(500, ascii));
    const d2 = await afterAttempt(other.deliveryId, 1);
    expect(d2.attempts[0].responseBody).toBe("x".repeat(2048));
  });

  it("a redirect is not followed", async () => {
    const target = await Receiver.start();
    receivers.push(target);
    const { deliveryId } = await scenario(answer(307, "moved", { location: target.url("/elsewhere") }));
    const d = await afterAttempt(deliveryId, 1);
    expect(d.lastHttpStatus).toBe(307);
    expect(d.status).not.toBe("SUCCESS");
    await sleep(150);
    expect(target.requests).toHaveLength(0);
  });

  it("the worker logged no errors", () => {
    expect(workerLog.filter((m) => /error|could not/i.test(m))).toEqual([]);
  });
});

describe("pure functions of lib/webhooks/delivery.ts", () => {
  it("retryDelayMs: 10 s, 60 s, then 10 min per attempt, ±10 % jitter", () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(10_000);
    expect(retryDelayMs(1, () => 0)).toBe(9_000);
    expect(retryDelayMs(1, () => 0.999999)).toBe(11_000);
    expect(retryDelayMs(2, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(2, () => 0)).toBe(54_000);
    for (let n = 3; n <= 8; n++) expect(retryDelayMs(n, () => 0.5)).toBe(600_000);
    expect(retryDelayMs(7, () => 0.999999)).toBe(660_000);
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(1);
      expect(d).toBeGreaterThanOrEqual(9_000);
      expect(d).toBeLessThanOrEqual(11_000);
    }
  });

  it("parseRetryAfter: seconds or an HTTP date → ms from now (capped at 24 h), else null", () => {
    const now = Date.parse("2026-06-02T12:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 5 ", now)).toBe(5_000);
    expect(parseRetryAfter("Tue, 02 Jun 2026 12:05:00 GMT", now)).toBe(300_000);
    expect(parseRetryAfter("999999999", now)).toBe(24 * 3600_000);
    expect(parseRetryAfter("0", now)).toBeNull();
    expect(parseRetryAfter("Tue, 02 Jun 2026 11:00:00 GMT", now)).toBeNull(); // in the past
    for (const bad of [undefined, null, "", "soon", "-5", "1.5", "NaN"]) expect(parseRetryAfter(bad, now), String(bad)).toBeNull();
  });

  it("classifyResponse: 2xx success; 410 gone; 408/429/5xx, timeouts and network errors retry; other 4xx (and blocked) fail", () => {
    for (const s of [200, 201, 202, 204, 299]) expect(classifyResponse(s), String(s)).toBe("success");
    expect(classifyResponse(410)).toBe("gone");
    for (const s of [408, 429, 500, 502, 503, 504, 599]) expect(classifyResponse(s), String(s)).toBe("retry");
    for (const s of [400, 401, 403, 404, 405, 409, 413, 422]) expect(classifyResponse(s), String(s)).toBe("fail");
    expect(classifyResponse(null, "timeout")).toBe("retry");
    expect(classifyResponse(null, "network")).toBe("retry");
    expect(classifyResponse(null, "blocked")).toBe("fail");
  });
});
