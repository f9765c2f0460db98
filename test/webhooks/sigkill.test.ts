// Crash safety with real processes: worker processes (`node --conditions=react-server --import tsx
// scripts/worker.ts`, as `npm run worker` runs it) are SIGKILLed 20 times at random moments while a
// slow receiver on 127.0.0.1 is answering their deliveries; then one last worker runs until
// everything is delivered. Every event must arrive at least once, and a duplicate is always the same
// envelope (same id, byte-identical signed body), so receivers can dedupe on `id`.
//
// Lease expiry is simulated: a killed worker's claims would come back after WEBHOOK_TIMEOUT_MS + 30 s;
// the test moves the lockedUntil of the dead process's claims (and only those) into the past, as if
// that time had passed, instead of waiting for it.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "86400000"; // only payment.pending events, no settlement jobs
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1/32";
process.env.WEBHOOK_TIMEOUT_MS = "5000";

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker } from "@/lib/jobs/worker";
import { createEndpoint } from "@/lib/webhooks/endpoints";
import { createReceive } from "@/lib/transactions/create-receive";
import { answer, newEnvironment, newTeam, newWallet, Receiver, seedSignature, sleep, waitFor, type Handler, type Team } from "./helpers";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KILLS = 20;
const LANES = 4; // worker processes alive at once

let team: Team;
let receiver: Receiver;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  team = await newTeam("SIGKILL");
  receiver = await Receiver.start();
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await db.webhookEndpoint.updateMany({ data: { active: false } });
  await receiver.close();
});

/** A worker process on this file's database; resolves once it has started its loop. */
function spawnWorker(): { child: ChildProcess; ready: Promise<void>; exited: Promise<void> } {
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${child.pid} did not start within 15 s:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/\] worker-\d+-\w+ started/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      if (!/started/.test(output)) reject(new Error(`worker ${child.pid} exited before starting:\n${output}`));
    });
  });
  return { child, ready, exited };
}

/**
 * As if the leases of dead processes' claims had run out. Run again before every spawn: a claim
 * the server was still committing when its process died can land after the previous call.
 */
async function expireLeasesOf(pids: number[]) {
  if (pids.length === 0) return;
  const patterns = pids.map((pid) => `worker-${pid}-%`);
  await db.$executeRaw`UPDATE webhook_deliveries SET "lockedUntil" = now() - interval '1 second'
    WHERE status = 'IN_PROGRESS' AND "lockedUntil" >= now() AND "lockedBy" LIKE ANY(${patterns}::text[])`;
}

/** Whether a worker process holds claimed, unfinished deliveries (an unexpired lease). */
async function holdsClaims(pid: number): Promise<boolean> {
  const [{ n }] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_deliveries
    WHERE status = 'IN_PROGRESS' AND "lockedUntil" >= now() AND "lockedBy" LIKE ${`worker-${pid}-%`}`;
  return n > 0;
}

describe("SIGKILLed worker processes", () => {
  it(`${KILLS} SIGKILLs mid-delivery, then a final worker: every event delivered at least once, duplicates are the same envelope`, { timeout: 45_000 }, async () => {
    const started = Date.now();
    const env = await newEnvironment(team);
    const wallet = await newWallet(team, env.id);
    const a = await createEndpoint(team.actor, { environment_id: env.id, url: receiver.url("/a") });
    const b = await createEndpoint(team.actor, { environment_id: env.id, url: receiver.url("/b") });
    const secretOf: Record<string, string> = { "/a": a.secret, "/b": b.secret };
    const txs = await Promise.all(Array.from({ length: 30 }, (_, i) => createReceive(team.actor, { wallet_id: wallet.id, amount: String(2000 + i) })));
    const events = await db.webhookEvent.findMany({ where: { transactionId: { in: txs.map((t) => t.id) } } });
    expect(events).toHaveLength(30);
    const payloadOf = new Map(events.map((e) => [e.idempotencyKey, e.payload]));

    // Slow answers (0.3–3 s) so that kills land while requests are open.
    const slow: Handler = async (_req, res) => {
      await sleep(300 + Math.random() * 2700);
      if (!res.destroyed) res.writeHead(200).end("ok");
    };
    receiver.handler = slow;

    const killed: number[] = [];
    let reserved = 0;
    let holding = 0;
    let openRequests = 0;
    const lane = async () => {
      while (reserved < KILLS) {
        reserved++;
        await expireLeasesOf(killed);
        const { child, ready, exited } = spawnWorker();
        await ready;
        // A random moment once the process holds claimed deliveries (between its claim and its
        // record of the outcome: preparing, sending, awaiting the slow answer, recording).
        const deadline = Date.now() + 3000;
        while (!(await holdsClaims(child.pid!)) && Date.now() < deadline) await sleep(20);
        await sleep(Math.random() * 1000);
        if (await holdsClaims(child.pid!)) holding++;
        if (receiver.inFlight > 0) openRequests++;
        child.kill("SIGKILL");
        await exited;
        expect(child.signalCode).toBe("SIGKILL");
        killed.push(child.pid!);
        await expireLeasesOf([child.pid!]);
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    const killPhaseMs = Date.now() - started;
    expect(killed).toHaveLength(KILLS);
    const receivedDuringKills = receiver.requests.length;

    // The last worker, with a receiver that now answers at once.
    receiver.handler = answer(200);
    await expireLeasesOf(killed); // claims a killed process committed just as it died
    const worker = startWorker({ pollMs: 20, log: () => {} });
    try {
      await waitFor(
        async () => (await db.webhookDelivery.count({ where: { endpointId: { in: [a.endpoint.id, b.endpoint.id] }, status: "SUCCESS" } })) === 60,
        10_000,
        "all 60 deliveries to succeed",
      );
    } finally {
      await worker.stop();
    }

    // Every (event, endpoint) arrived at least once…
    const seen = new Map<string, string[]>();
    for (const q of receiver.requests) {
      const k = `${q.json?.id} ${q.path}`;
      seen.set(k, [...(seen.get(k) ?? []), q.rawBody]);
    }
    const expected = [...payloadOf.keys()].flatMap((id) => [`${id} /a`, `${id} /b`]).sort();
    expect([...seen.keys()].sort()).toEqual(expected);
    // …and every request, duplicates included, is that event's envelope, byte for byte, correctly signed.
    for (const q of receiver.requests) {
      expect(q.rawBody).toBe(payloadOf.get(q.json.id));
      expect(q.headers["webhook-id"]).toBe(q.json.id);
      const ts = q.headers["x-webhook-timestamp"] as string;
      expect(q.headers["x-webhook-signature"]).toBe(seedSignature(secretOf[q.path], ts, q.rawBody));
    }
    expect(await db.webhookDelivery.count({ where: { status: { not: "SUCCESS" }, endpointId: { in: [a.endpoint.id, b.endpoint.id] } } })).toBe(0);

    const duplicates = receiver.requests.length - expected.length;
    console.log(
      `[sigkill] ${KILLS} kills in ${killPhaseMs} ms (${holding} while holding claimed deliveries, ${openRequests} with requests open at the receiver); ${receivedDuringKills} requests during the kills; ` +
        `${receiver.requests.length} received in all for ${expected.length} deliveries (${duplicates} duplicates); total ${Date.now() - started} ms`,
    );
    // The kills did land mid-delivery: most while the process held claimed deliveries, some while
    // its requests were open at the receiver.
    expect(holding).toBeGreaterThanOrEqual(15);
    expect(openRequests).toBeGreaterThanOrEqual(3);
  });
});
