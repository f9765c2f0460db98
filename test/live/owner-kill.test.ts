// Issue 13: the owner of a node's invoice subscription is SIGKILLed → another worker takes over.
// The owner is a separate OS process (test/live/owner-process.ts, startNodeSubscriptions on this
// file's database) holding the node's advisory lock; a second manager in this process owns
// nothing while it lives. The owner is killed and an invoice settles on the node at once: the
// second manager's scan takes the node over when PostgreSQL drops the dead session's lock, the
// transaction completes exactly once (one payment.completed webhook event, the wallet credited
// once), and an invoice settled after the takeover completes through the new owner's stream.
process.env.NODE_URL_ALLOWLIST = "127.0.0.1";
process.env.LIVE_NETWORK = "regtest";

import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startNodeSubscriptions, type RunningNodeSubscriptions } from "@/lib/nodes/subscriptions";
import { gql, ok } from "../graphql/helpers";
import { ASSET, mintKey, newWallet, sleep, waitFor } from "../receive/helpers";
import { startLndSimulator, type LndSimulator } from "../lnd-sim/simulator";
import { attach, liveTeam, type LiveTeam } from "./helpers";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const RECEIVE = /* GraphQL */ `mutation ($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id status payment_hash node_id } } }
}`;
type Receive = { id: string; status: string; payment_hash: string; node_id: string | null };

let sim: LndSimulator;
let team: LiveTeam;
let nodeId: string;
let key: string;
let walletId: string;
let subs: RunningNodeSubscriptions | null = null;
let owner: ChildProcess | null = null;
let ownerOutput = "";
let ownerExit: string | null = null;
let ownerExited: Promise<void> = Promise.resolve();
const logs: string[] = [];

const receive = async (amount: string) => {
  const res = await gql<{ payment: { transaction: { create_receive: Receive } } }>(RECEIVE, { input: { wallet_id: walletId, amount, expires_in_seconds: 600 } }, { "x-api-key": key });
  return ok(res).payment.transaction.create_receive;
};
const statusOf = async (id: string) => (await db.transaction.findUniqueOrThrow({ where: { id } })).status;
const received = async () => (await db.wallet.findUniqueOrThrow({ where: { id: walletId } })).received;
const completedEvents = (transactionId: string) => db.webhookEvent.count({ where: { transactionId, eventType: "payment.completed" } });

/** The node ids the owner process said it owns last, or null before its first line. */
function ownerOwns(): string[] | null {
  const lines = [...ownerOutput.matchAll(/^owner-process owns (\[.*\])$/gm)];
  const last = lines.at(-1);
  return last ? (JSON.parse(last[1]!) as string[]) : null;
}

const context = () => `owner process (${ownerExit ?? "alive"}):\n${ownerOutput.slice(-3000)}\nin-test manager:\n${logs.join("\n")}`;

beforeAll(async () => {
  sim = await startLndSimulator({ network: "regtest", port: 0, alias: "carol" });
  team = await liveTeam("Owner kill");
  nodeId = await attach(team, sim);
  key = await mintKey(team.master, team.environmentId);
  walletId = (await newWallet(team.master, team.environmentId, ASSET.BTC, "Live BTC")).id;

  // The child gets this file's database (DATABASE_URL, set by test/setup.ts), the secrets that
  // decrypt the node's credentials (test/graphql/env.ts) and the live settings above.
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "test/live/owner-process.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  owner = child;
  ownerExited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      ownerExit = `code ${code}, signal ${signal}`;
      resolve();
    });
  });
  child.stdout!.on("data", (chunk: Buffer) => (ownerOutput += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (ownerOutput += chunk.toString()));

  const deadline = Date.now() + 15_000;
  while (!ownerOwns()?.includes(nodeId)) {
    if (ownerExit !== null) throw new Error(`the owner process exited before owning the node:\n${context()}`);
    if (Date.now() > deadline) throw new Error(`the owner process did not own the node within 15 s:\n${context()}`);
    await sleep(20);
  }
  await sim.waitForStreams("subscribeInvoices", 1, 10_000);
}, 30_000);

afterAll(async () => {
  await subs?.stop();
  if (owner && ownerExit === null) {
    owner.kill("SIGKILL");
    await ownerExited;
  }
  await sim?.close();
});

describe("the subscription owner SIGKILLed", () => {
  it("another worker takes the node over; a settle during the takeover completes exactly once, and later ones complete too", { timeout: 20_000 }, async () => {
    // A second worker while the owner lives: the node's lock is taken, so it owns nothing and
    // opens no second stream (several of its 100 ms scans).
    subs = startNodeSubscriptions({ scanMs: 100, reconcileMs: 60_000, backoffMinMs: 50, backoffMaxMs: 200, log: (m) => logs.push(m) });
    const manager = subs;
    for (let i = 0; i < 8; i++) {
      await sleep(100);
      expect(manager.owned(), context()).toEqual([]);
    }
    expect(sim.openStreams().subscribeInvoices).toBe(1);
    expect(ownerOwns()).toEqual([nodeId]);
    expect(await received()).toBe(BigInt(0));

    const first = await receive("1500");
    expect(first).toMatchObject({ status: "PENDING", node_id: nodeId });
    const subscribesBefore = sim.counters.SubscribeInvoices ?? 0;

    // The owner dies without a word; the node is paid right away, while nobody follows it.
    owner!.kill("SIGKILL");
    await ownerExited;
    expect(ownerExit).toBe("code null, signal SIGKILL");
    sim.settleInvoice(first.payment_hash);

    const killedAt = Date.now();
    await waitFor(async () => manager.owned().includes(nodeId), 5_000, `the in-test manager owning the node\n${context()}`);
    const takeoverMs = Date.now() - killedAt;
    await waitFor(async () => (await statusOf(first.id)) === "COMPLETED", 5_000, `COMPLETED after the takeover\n${context()}`);
    // Replay (settle_index) and reconciliation (lookup) both see the settle: applied once.
    await sleep(500);
    expect(await completedEvents(first.id)).toBe(1);
    expect(await received()).toBe(BigInt(1500));
    expect(manager.owned(), context()).toEqual([nodeId]);
    expect(takeoverMs, context()).toBeLessThan(5_000);

    // The new owner's stream (reconciliation runs only every 60 s here) completes the next one.
    await waitFor(async () => (sim.counters.SubscribeInvoices ?? 0) > subscribesBefore && sim.openStreams().subscribeInvoices === 1, 5_000, "the new owner's stream");
    const second = await receive("700");
    expect(second).toMatchObject({ status: "PENDING", node_id: nodeId });
    sim.settleInvoice(second.payment_hash);
    await waitFor(async () => (await statusOf(second.id)) === "COMPLETED", 5_000, `second COMPLETED\n${context()}`);
    await sleep(200);
    expect(await completedEvents(second.id)).toBe(1);
    expect(await completedEvents(first.id)).toBe(1);
    expect(await received()).toBe(BigInt(2200));
    const row = await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } });
    expect(row.settleIndex).toBe(BigInt(2));
  });
});
