// Several workers at once deliver each event exactly once; a delivery whose worker died (lease
// expired) is taken up again, one still leased is not.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000"; // only payment.pending events here
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1/32";
process.env.WEBHOOK_TIMEOUT_MS = "1000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker } from "@/lib/jobs/worker";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { sendTestEvent } from "@/lib/webhooks/webhook-events";
import { createReceive } from "@/lib/transactions/create-receive";
import { newEnvironment, newTeam, newWallet, Receiver, sleep, waitFor, type Team } from "./helpers";

let team: Team;
const receivers: Receiver[] = [];

beforeAll(async () => {
  team = await newTeam("Webhook concurrency");
});
afterAll(async () => {
  await db.webhookEndpoint.updateMany({ data: { active: false } });
  for (const r of receivers) await r.close();
});

describe("crash safety and concurrency", () => {
  it("two workers at once on 30 events × 2 endpoints → every (envelope id, endpoint) delivered exactly once", async () => {
    const r = await Receiver.start(async (_req, res) => {
      await sleep(Math.random() * 30);
      res.writeHead(200).end("ok");
    });
    receivers.push(r);
    const env = await newEnvironment(team);
    const wallet = await newWallet(team, env.id);
    const a = await createEndpoint(team.actor, { environment_id: env.id, url: r.url("/a") });
    const b = await createEndpoint(team.actor, { environment_id: env.id, url: r.url("/b") });
    const txIds = (await Promise.all(Array.from({ length: 30 }, (_, i) => createReceive(team.actor, { wallet_id: wallet.id, amount: String(1000 + i) })))).map((t) => t.id);
    expect(await db.webhookDelivery.count({ where: { endpointId: { in: [a.endpoint.id, b.endpoint.id] } } })).toBe(60);

    const logs: string[] = [];
    const workers = [startWorker({ pollMs: 20, log: (m) => logs.push(m) }), startWorker({ pollMs: 20, log: (m) => logs.push(m) })];
    try {
      await r.waitForCount(60, 8000);
      await waitFor(async () => (await db.webhookDelivery.count({ where: { status: "SUCCESS", endpointId: { in: [a.endpoint.id, b.endpoint.id] } } })) === 60, 3000, "60 SUCCESS rows");
      await sleep(300);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }

    const counts = new Map<string, number>();
    for (const q of r.requests) counts.set(`${q.json.id} ${q.path}`, (counts.get(`${q.json.id} ${q.path}`) ?? 0) + 1);
    const expected = txIds.flatMap((id) => [`payment.pending:${id} /a`, `payment.pending:${id} /b`]);
    expect([...counts.keys()].sort()).toEqual(expected.sort());
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(r.requests).toHaveLength(60);
    expect(await db.webhookAttempt.count({ where: { delivery: { endpointId: { in: [a.endpoint.id, b.endpoint.id] } } } })).toBe(60);
    // No claim left behind.
    const byWorker = new Set((await db.webhookDelivery.findMany({ select: { lockedBy: true } })).map((d) => d.lockedBy));
    expect(byWorker).toEqual(new Set([null]));
    expect(logs.filter((m) => /error|could not/i.test(m))).toEqual([]);
  });

  it("a delivery left IN_PROGRESS by a dead worker (lease expired) is delivered again; one still leased is left alone", async () => {
    const r = await Receiver.start();
    receivers.push(r);
    const env = await newEnvironment(team);
    const { endpoint } = await createEndpoint(team.actor, { environment_id: env.id, url: r.url() });
    const stale = (await sendTestEvent(team.actor, endpoint.id)).deliveries[0].id;
    const leased = (await sendTestEvent(team.actor, endpoint.id)).deliveries[0].id;
    // As a SIGKILLed worker leaves them: claimed, never finished.
    await db.webhookDelivery.update({ where: { id: stale }, data: { status: "IN_PROGRESS", lockedBy: "worker-0-dead", lockedUntil: new Date(Date.now() - 1000) } });
    await db.webhookDelivery.update({ where: { id: leased }, data: { status: "IN_PROGRESS", lockedBy: "worker-0-alive", lockedUntil: new Date(Date.now() + 60_000) } });

    const worker = startWorker({ pollMs: 20, log: () => {} });
    try {
      const row = await waitFor(
        async () => db.webhookDelivery.findFirst({ where: { id: stale, status: "SUCCESS" }, include: { attempts: true, event: true } }),
        4000,
        "the stale delivery to be delivered",
      );
      expect(row).toMatchObject({ attemptCount: 1, lockedBy: null, lockedUntil: null, lastHttpStatus: 200 });
      expect(row.attempts.map((a) => a.responseStatus)).toEqual([200]);
      await sleep(300);
      expect(r.requests.map((q) => q.json.id)).toEqual([row.event.idempotencyKey]);
      expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: leased } })).toMatchObject({ status: "IN_PROGRESS", lockedBy: "worker-0-alive", attemptCount: 0 });
    } finally {
      await worker.stop();
    }
  });
});
