// Receiving on an attached node (DESIGN.md §6): create_receive mints the invoice on the node
// (the LND REST simulator), its invoice subscription completes the transaction exactly once, and
// settles that happen while the stream is down complete after the reconnect.
process.env.NODE_URL_ALLOWLIST = "127.0.0.1";
process.env.LIVE_NETWORK = "regtest";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { decodeInvoice } from "@/lib/lightning/decode";
import { applyInvoiceUpdate } from "@/lib/nodes/settle";
import { connectionOf } from "@/lib/nodes/node-connection";
import { reconcileNode, refreshNodeStatus, startNodeSubscriptions, type RunningNodeSubscriptions } from "@/lib/nodes/subscriptions";
import { sweepExpired } from "@/lib/jobs/handlers";
import { codes, gql, ok } from "../graphql/helpers";
import { ASSET, mintKey, newWallet, waitFor } from "../receive/helpers";
import { startLndSimulator, type LndSimulator } from "../lnd-sim/simulator";
import { attach, liveTeam, type LiveTeam } from "./helpers";

const RECEIVE = /* GraphQL */ `mutation ($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id status payment_request payment_hash node_id expires_at } } }
}`;
type Receive = { id: string; status: string; payment_request: string; payment_hash: string; node_id: string | null };

let sim: LndSimulator;
let team: LiveTeam;
let nodeId: string;
let key: string;
let walletId: string;
let subs: RunningNodeSubscriptions;
const logs: string[] = [];

const receive = async (input: Record<string, unknown>) => {
  const res = await gql<{ payment: { transaction: { create_receive: Receive } } }>(RECEIVE, { input: { wallet_id: walletId, ...input } }, { "x-api-key": key });
  return ok(res).payment.transaction.create_receive;
};
const statusOf = async (id: string) => (await db.transaction.findUniqueOrThrow({ where: { id } })).status;
const received = async () => (await db.wallet.findUniqueOrThrow({ where: { id: walletId } })).received;

beforeAll(async () => {
  sim = await startLndSimulator({ network: "regtest", port: 0, alias: "bob" });
  team = await liveTeam();
  nodeId = await attach(team, sim);
  key = await mintKey(team.master, team.environmentId);
  walletId = (await newWallet(team.master, team.environmentId, ASSET.BTC, "Live BTC")).id;
  subs = startNodeSubscriptions({ scanMs: 50, reconcileMs: 60_000, backoffMinMs: 50, backoffMaxMs: 200, log: (m) => logs.push(m) });
  await sim.waitForStreams("subscribeInvoices", 1, 5_000);
});
afterAll(async () => {
  await subs?.stop();
  await sim?.close();
});

describe("live create_receive", () => {
  it("mints the invoice on the node, settles there → COMPLETED once, balance and webhook with node_id", async () => {
    const tx = await receive({ amount: "2500", description: "Live order", expires_in_seconds: 600 });
    expect(tx).toMatchObject({ status: "PENDING", node_id: nodeId });
    const decoded = decodeInvoice(tx.payment_request);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decoded.invoice).toMatchObject({ network: "regtest", payeePubkey: sim.identityPubkey, paymentHash: tx.payment_hash });
    const onNode = sim.getInvoice(tx.payment_hash)!;
    expect(onNode).toMatchObject({ payment_request: tx.payment_request, value_msat: "2500000", memo: "Live order", expiry: "600" });
    const created = await db.transactionEvent.findFirstOrThrow({ where: { transactionId: tx.id, eventType: "payment.pending" } });
    expect(JSON.parse(created.details!)).toMatchObject({ add_index: onNode.add_index });
    // No sandbox settlement job for a live invoice.
    expect(await db.job.count({ where: { payload: { path: ["transactionId"], equals: tx.id } } })).toBe(0);

    sim.settleInvoice(tx.payment_hash);
    await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 5_000, "COMPLETED");
    expect(await received()).toBe(BigInt(2500));
    const events = await db.webhookEvent.findMany({ where: { transactionId: tx.id, eventType: "payment.completed" } });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].payload)).toMatchObject({ node_id: nodeId, environment: "live", data: { status: "completed" } });
    const row = await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } });
    expect(row.settleIndex).toBe(BigInt(1));
    expect(row.lastSettledAt).not.toBeNull(); // shown on the node page as its last settlement
  });

  it("a replayed idempotency key returns the original without minting again", async () => {
    const first = await receive({ amount: "1000", idempotency_key: "live-1" });
    const count = sim.listInvoices().length;
    const again = await receive({ amount: "1000", idempotency_key: "live-1" });
    expect(again.id).toBe(first.id);
    expect(sim.listInvoices().length).toBe(count);
    const conflicting = await gql(RECEIVE, { input: { wallet_id: walletId, amount: "1001", idempotency_key: "live-1" } }, { "x-api-key": key });
    expect(codes(conflicting)).toEqual(["BAD_USER_INPUT"]);
  });

  it("concurrent replays of one key write one transaction", async () => {
    const all = await Promise.all(Array.from({ length: 5 }, () => receive({ amount: "700", idempotency_key: "live-race" })));
    expect(new Set(all.map((t) => t.id)).size).toBe(1);
    expect(await db.transaction.count({ where: { walletId, idempotencyKey: "live-race" } })).toBe(1);
  });

  it("is_ready: a live BTC wallet with a connected node; a live USDT wallet is not, and says why", async () => {
    const usdt = await newWallet(team.master, team.environmentId, ASSET.USDT, "Live USDT");
    const res = await gql<{ payment: { wallet: { find_many: { list: { id: string; is_ready: boolean }[] } } } }>(
      `query ($env: String!) { payment { wallet { find_many { list(environment_id: $env) { id is_ready } } } } }`,
      { env: team.environmentId },
      { "x-api-key": key },
    );
    const list = ok(res).payment.wallet.find_many.list;
    expect(list.find((w) => w.id === walletId)?.is_ready).toBe(true);
    expect(list.find((w) => w.id === usdt.id)?.is_ready).toBe(false);
    const refused = await gql(RECEIVE, { input: { wallet_id: usdt.id, amount: "100" } }, { "x-api-key": key });
    expect(codes(refused)).toEqual(["FORBIDDEN"]);
    expect(refused.text).toMatch(/Taproot Asset/);
    const nodes = await gql<{ payment: { wallet: { find_one: { nodes: { id: string }[] } } } }>(
      `query ($id: String!) { payment { wallet { find_one(id: $id) { nodes { id pubkey } } } } }`,
      { id: walletId },
      { "x-api-key": key },
    );
    expect(ok(nodes).payment.wallet.find_one.nodes.map((n) => n.id)).toEqual([nodeId]);
  });
});

describe("node status", () => {
  const readyOf = async () => {
    const res = await gql<{ payment: { wallet: { find_one: { is_ready: boolean } } } }>(`query ($id: String!) { payment { wallet { find_one(id: $id) { is_ready } } } }`, { id: walletId }, { "x-api-key": key });
    return ok(res).payment.wallet.find_one.is_ready;
  };
  const node = () => db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } });
  const adminConnection = async () => ({ ...connectionOf(await node()), macaroonHex: sim.macaroons.admin });

  it("the worker records sync and block height; liquidity stays unknown with an invoice macaroon (which does not block is_ready)", async () => {
    await waitFor(async () => (await node()).statusCheckedAt !== null, 5_000, "status checked");
    expect(await node()).toMatchObject({ syncedToChain: true, blockHeight: 850_000, inboundSat: null, outboundSat: null });
    expect(await readyOf()).toBe(true);
  });

  it("is_ready follows the node: no inbound liquidity or out of sync → false, back → true", async () => {
    sim.setChannelBalance({ local: 600_000, remote: 0 });
    await refreshNodeStatus(nodeId, await adminConnection());
    expect(await node()).toMatchObject({ inboundSat: BigInt(0), outboundSat: BigInt(600_000) });
    expect(await readyOf()).toBe(false);
    sim.setChannelBalance({ local: 600_000, remote: 400_000 });
    sim.setSynced(false);
    await refreshNodeStatus(nodeId, await adminConnection());
    expect(await node()).toMatchObject({ inboundSat: BigInt(400_000), syncedToChain: false });
    expect(await readyOf()).toBe(false);
    sim.setSynced(true);
    await refreshNodeStatus(nodeId, await adminConnection());
    expect(await readyOf()).toBe(true);
  });
});

describe("settlement", () => {
  it("the stream drops and the node settles two invoices meanwhile → both complete after the reconnect", async () => {
    const a = await receive({ amount: "300" });
    const b = await receive({ amount: "400" });
    const before = await received();
    const restarting = sim.restart({ downtimeMs: 400 });
    sim.settleInvoice(a.payment_hash);
    sim.settleInvoice(b.payment_hash);
    await restarting;
    await waitFor(async () => (await statusOf(a.id)) === "COMPLETED" && (await statusOf(b.id)) === "COMPLETED", 8_000, "both COMPLETED");
    expect(await received()).toBe(before + BigInt(700));
    await sim.waitForStreams("subscribeInvoices", 1, 5_000);
    await waitFor(async () => (await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })).settleIndex === BigInt(3), 5_000, "settle_index 3");
  });

  it("a settle delivered twice (replayed by the stream, and again by hand) is applied once", async () => {
    const tx = await receive({ amount: "900" });
    sim.settleInvoice(tx.payment_hash);
    await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 5_000, "COMPLETED");
    const balance = await received();
    // Rewind the stored index: the reconnect replays every settle of the node again.
    await db.lightningNode.update({ where: { id: nodeId }, data: { settleIndex: BigInt(1) } });
    sim.dropStreams();
    await sim.waitForStreams("subscribeInvoices", 1, 5_000);
    await waitFor(async () => (await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })).settleIndex === BigInt(4), 5_000, "replayed to 4");
    expect(await applyInvoiceUpdate(nodeId, sim.getInvoice(tx.payment_hash)!, "stream")).toBe(false);
    expect(await received()).toBe(balance);
    expect(await db.transactionEvent.count({ where: { transactionId: tx.id, eventType: "payment.completed" } })).toBe(1);
    expect(await db.webhookEvent.count({ where: { transactionId: tx.id, eventType: "payment.completed" } })).toBe(1);
  });

  it("one owner per node: a second manager takes over only when the first stops", async () => {
    const second = startNodeSubscriptions({ scanMs: 50, backoffMinMs: 50, log: () => {} });
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(subs.owned()).toEqual([nodeId]);
      expect(second.owned()).toEqual([]);
      await subs.stop();
      await waitFor(async () => second.owned().includes(nodeId), 5_000, "takeover");
      const tx = await receive({ amount: "100" });
      await sim.waitForStreams("subscribeInvoices", 1, 5_000);
      sim.settleInvoice(tx.payment_hash);
      await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 5_000, "COMPLETED by the new owner");
    } finally {
      await second.stop();
    }
  });
});

describe("Boltrail down while the node settles", () => {
  it("an invoice settled while no worker followed the node completes at the next start", async () => {
    // Every manager of this file is stopped by now (the takeover test stops both).
    const tx = await receive({ amount: "650" });
    const before = await received();
    sim.settleInvoice(tx.payment_hash);
    await new Promise((r) => setTimeout(r, 200));
    expect(await statusOf(tx.id)).toBe("PENDING"); // nobody is listening
    const restarted = startNodeSubscriptions({ scanMs: 50, backoffMinMs: 50, log: () => {} });
    try {
      await waitFor(async () => (await statusOf(tx.id)) === "COMPLETED", 5_000, "COMPLETED after the start");
      expect(await received()).toBe(before + BigInt(650));
    } finally {
      await restarted.stop();
    }
  });
});

describe("live expiry is decided by the node, never by the clock alone", () => {
  const expireInDatabase = (id: string) => db.transaction.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1_000) } });
  const connection = async () => connectionOf(await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } }));

  it("the node settles an invoice at its expiry: the sweeper leaves it, reconciliation completes it, never EXPIRED then paid", async () => {
    const tx = await receive({ amount: "700" });
    await expireInDatabase(tx.id); // its expires_at has passed…
    await sweepExpired(); // …the sweeper runs…
    expect(await statusOf(tx.id)).toBe("PENDING"); // …and leaves a live invoice to the node
    sim.settleInvoice(tx.payment_hash); // the payment arrives at the last moment (no stream is open now)
    expect(await reconcileNode(nodeId, await connection())).toBe(1);
    expect(await statusOf(tx.id)).toBe("COMPLETED");
    const statuses = (await db.transactionEvent.findMany({ where: { transactionId: tx.id }, orderBy: { createdAt: "asc" } })).map((e) => e.eventType);
    expect(statuses).toEqual(["payment.pending", "payment.completed"]);
  });

  it("an open invoice past its expiry is cancelled on the node first, then EXPIRED; the node can no longer settle it", async () => {
    const tx = await receive({ amount: "800" });
    await expireInDatabase(tx.id);
    const before = await received();
    expect(await reconcileNode(nodeId, await connection())).toBe(1);
    expect(await statusOf(tx.id)).toBe("EXPIRED");
    expect(sim.getInvoice(tx.payment_hash)?.state).toBe("CANCELED");
    expect(() => sim.settleInvoice(tx.payment_hash)).toThrow();
    expect(await received()).toBe(before);
  });

  it("an invoice the node garbage-collected counts as expired once past its expiry, and waits before", async () => {
    const tx = await receive({ amount: "900" });
    await db.transaction.update({ where: { id: tx.id }, data: { paymentHash: "ab".repeat(32) } }); // a hash the node does not know
    await reconcileNode(nodeId, await connection());
    expect(await statusOf(tx.id)).toBe("PENDING"); // not expired yet: wait
    await expireInDatabase(tx.id);
    await reconcileNode(nodeId, await connection());
    expect(await statusOf(tx.id)).toBe("EXPIRED");
  });
});
