// Sending from a live wallet through the attached node (issue 13 §3), against the LND REST
// simulator: the send macaroon checked and stored, create_send validated and reserved as in
// sandbox, paid by the durable live.send job through POST /v2/router/send, the node's outcome
// booked (preimage, fee / failure reason, reserve released), and a run that dies mid-payment
// resolved by track on the next run without paying twice.
process.env.NODE_URL_ALLOWLIST = "127.0.0.1";
process.env.LIVE_NETWORK = "regtest";
process.env.SEND_FEE_RESERVE_BPS = "50";
process.env.SEND_FEE_RESERVE_MIN_SATS = "10";

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker } from "@/lib/jobs/worker";
import { connectionOf } from "@/lib/nodes/node-connection";
import { failureMessage, recoverLiveSends, runLiveSend } from "@/lib/nodes/send-payment";
import { reconcileNode } from "@/lib/nodes/subscriptions";
import { codes, fails, gql, memberSession, ok } from "../graphql/helpers";
import { ASSET, mintKey, newWallet, rowCounts, waitFor } from "../receive/helpers";
import { CREATE_SEND, foreignInvoice, ledger } from "../send/helpers";
import { startLndSimulator, type LndSimulator } from "../lnd-sim/simulator";
import { attach, liveTeam, type LiveTeam } from "./helpers";

const SET = /* GraphQL */ `mutation ($node_id: String!, $macaroon: String) { node { set_send_macaroon(node_id: $node_id, macaroon: $macaroon) { id pubkey } } }`;
const RECEIVE = /* GraphQL */ `mutation ($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id payment_hash payment_request } } }
}`;

type Send = { id: string; status: string; fee: string; fee_reserve: string; payment_preimage: string | null; payment_hash: string; error: string | null };

let sim: LndSimulator;
let team: LiveTeam;
let nodeId: string;
let key: string;
let walletId: string;

const setMacaroon = (macaroon: string | null, headers = team.master.headers) => gql(SET, { node_id: nodeId, macaroon }, headers);
const send = (bolt11: string, extra: Record<string, unknown> = {}) => gql(CREATE_SEND, { input: { wallet_id: walletId, request: { bolt11 }, ...extra } }, { "x-api-key": key });
const sent = async (bolt11: string) => (ok(await send(bolt11)) as { payment: { transaction: { create_send: Send } } }).payment.transaction.create_send;
const row = (id: string) => db.transaction.findUniqueOrThrow({ where: { id } });
const jobOf = async (transactionId: string) =>
  db.job.findFirstOrThrow({ where: { type: "live.send", payload: { path: ["transactionId"], equals: transactionId } }, orderBy: { createdAt: "desc" } });

/** An invoice of another node, whose preimage the simulated network knows (so the proof of payment verifies). */
function payable(amountSats: number) {
  const preimage = randomBytes(32).toString("hex");
  const paymentHash = createHash("sha256").update(Buffer.from(preimage, "hex")).digest("hex");
  const invoice = foreignInvoice({ network: "regtest", amountMsat: BigInt(amountSats * 1000), paymentHash });
  sim.registerPreimage(preimage);
  return { ...invoice, preimage };
}

beforeAll(async () => {
  sim = await startLndSimulator({ network: "regtest", port: 0, alias: "carol", routingFeeMsat: 1_500 });
  team = await liveTeam("Live sender");
  nodeId = await attach(team, sim);
  key = await mintKey(team.master, team.environmentId);
  walletId = (await newWallet(team.master, team.environmentId, ASSET.BTC, "Live BTC")).id;
  // Funded by a live receive settled on the node.
  const res = await gql<{ payment: { transaction: { create_receive: { id: string; payment_hash: string } } } }>(
    RECEIVE,
    { input: { wallet_id: walletId, amount: "100000", description: "funding" } },
    { "x-api-key": key },
  );
  const receive = ok(res).payment.transaction.create_receive;
  sim.settleInvoice(receive.payment_hash);
  const node = await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } });
  await reconcileNode(nodeId, connectionOf(node));
  expect((await row(receive.id)).status).toBe("COMPLETED");
});
afterAll(async () => {
  await sim?.close();
});

describe("the send macaroon (node.set_send_macaroon)", () => {
  it("without one, create_send on a live wallet is FORBIDDEN saying to store one, and writes nothing", async () => {
    const before = await rowCounts();
    const error = fails(await send(payable(1000).paymentRequest), "FORBIDDEN");
    expect(error.message).toMatch(/no send macaroon.*set_send_macaroon/);
    expect(await rowCounts()).toEqual(before);
  });

  it("refuses macaroons that cannot send, before storing anything", async () => {
    const cases: [string, RegExp][] = [
      ["not a macaroon!", /neither hex nor base64/],
      [sim.macaroons.invoice, /cannot send payments \(offchain:write\)/],
      [sim.macaroons.readonly, /cannot send payments \(offchain:write\)/],
      [sim.bakeMacaroon(["offchain:write"]), /cannot follow payments \(offchain:read\)/],
      [randomBytes(64).toString("hex"), /was refused by the node/],
    ];
    for (const [macaroon, message] of cases) {
      const error = fails(await setMacaroon(macaroon), "BAD_USER_INPUT", "macaroon");
      expect(error.message).toMatch(message);
    }
    expect((await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })).sendMacaroonEncrypted).toBeNull();
  });

  it("is master only", async () => {
    const member = await memberSession(team.master);
    expect(codes(await setMacaroon(sim.macaroons.send, member.headers))).toEqual(["FORBIDDEN"]);
  });

  it("stores a macaroon that can send, encrypted, never returned", async () => {
    const res = await setMacaroon(sim.macaroons.send);
    expect(ok(res)).toEqual({ node: { set_send_macaroon: { id: nodeId, pubkey: sim.identityPubkey } } });
    expect(res.text).not.toContain(sim.macaroons.send);
    const stored = (await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })).sendMacaroonEncrypted!;
    expect(stored).toBeTruthy();
    expect(stored).not.toContain(sim.macaroons.send);
  });
});

describe("live create_send through the node", () => {
  it("pays: PENDING with the reserve, then the job pays via SendPaymentV2 → COMPLETED with the preimage and fee, balance exact, webhook", async () => {
    const before = await ledger(walletId);
    const invoice = payable(20_000);
    sim.resetCounters();
    const tx = await sent(invoice.paymentRequest);
    expect(tx).toMatchObject({ status: "PENDING", fee_reserve: "100", payment_hash: invoice.paymentHash });
    expect(await ledger(walletId)).toMatchObject({ reserved: before.reserved + BigInt(20_100), available: before.available - BigInt(20_100) });
    expect((await row(tx.id)).nodeId).toBe(nodeId);
    expect(sim.counters.SendPaymentV2 ?? 0).toBe(0); // recorded first; the node is called by the job

    const worker = startWorker({ nodes: false, listen: false, pollMs: 50, log: () => {} });
    try {
      await waitFor(async () => (await row(tx.id)).status === "COMPLETED", 10_000, "COMPLETED");
    } finally {
      await worker.stop();
    }
    const done = await row(tx.id);
    expect(done.fee).toBe(BigInt(2)); // 1 500 msat, rounded up
    expect(done.fee <= BigInt(100)).toBe(true);
    expect(done.reserved).toBe(BigInt(0));
    expect(done.paymentPreimage).toBe(invoice.preimage);
    expect(createHash("sha256").update(Buffer.from(done.paymentPreimage!, "hex")).digest("hex")).toBe(invoice.paymentHash);
    const after = await ledger(walletId);
    expect(after).toMatchObject({ reserved: before.reserved, sent: before.sent + BigInt(20_002) });
    expect(after.available).toBe(after.received - after.sent);
    expect(sim.counters.SendPaymentV2).toBe(1);
    expect(sim.getPayment(invoice.paymentHash)).toMatchObject({ status: "SUCCEEDED" });
    const hooks = await db.webhookEvent.findMany({ where: { transactionId: tx.id, eventType: "payment.completed" } });
    expect(hooks).toHaveLength(1);
    expect(JSON.parse(hooks[0].payload)).toMatchObject({ environment: "live", data: { status: "completed" } });
    // Paying it again returns the same send; nothing new goes to the node.
    expect((await sent(invoice.paymentRequest)).id).toBe(tx.id);
  });

  it("sends created at the same moment (one batched statement) each carry the node and their live.send job", async () => {
    const before = await ledger(walletId);
    const invoices = [payable(1_000), payable(1_100), payable(1_200)];
    const txs = await Promise.all(invoices.map((i) => sent(i.paymentRequest)));
    for (const tx of txs) {
      expect((await row(tx.id)).nodeId).toBe(nodeId);
      await runLiveSend((await jobOf(tx.id)).payload);
      expect(await row(tx.id)).toMatchObject({ status: "COMPLETED", fee: BigInt(2) });
    }
    expect((await ledger(walletId)).sent).toBe(before.sent + BigInt(3_300 + 6));
    expect(await db.job.count({ where: { type: "sandbox.send", payload: { path: ["transactionId"], equals: txs[0].id } } })).toBe(0);
  });

  it("fails with the node's reason: human error, reserve released, balance back", async () => {
    const before = await ledger(walletId);
    const invoice = payable(5_000);
    const tx = await sent(invoice.paymentRequest);
    sim.failNextPayment("FAILURE_REASON_NO_ROUTE");
    await runLiveSend((await jobOf(tx.id)).payload);
    const done = await row(tx.id);
    expect(done).toMatchObject({ status: "FAILED", error: "no route to the payee: open or rebalance a channel", reserved: BigInt(0), fee: BigInt(0) });
    expect(await ledger(walletId)).toEqual(before);
    expect(await db.webhookEvent.count({ where: { transactionId: tx.id, eventType: "payment.failed" } })).toBe(1);
    expect(failureMessage("FAILURE_REASON_INSUFFICIENT_BALANCE")).toMatch(/outbound balance/);
  });

  it("refuses an invoice of another network, an invoice of its own node, and stablecoin wallets", async () => {
    const before = await rowCounts();
    expect(fails(await send(foreignInvoice({ network: "testnet" }).paymentRequest), "BAD_USER_INPUT", "input.request.bolt11").message).toMatch(/testnet invoice.*regtest/);
    expect(fails(await send(foreignInvoice({ network: "mainnet" }).paymentRequest), "BAD_USER_INPUT", "input.request.bolt11").message).toMatch(/mainnet invoice/);
    const own = ok(await gql<{ payment: { transaction: { create_receive: { payment_request: string } } } }>(RECEIVE, { input: { wallet_id: walletId, amount: "10" } }, { "x-api-key": key }));
    const afterReceive = await rowCounts();
    expect(fails(await send(own.payment.transaction.create_receive.payment_request), "BAD_USER_INPUT", "input.request.bolt11").message).toMatch(/its own invoice/);
    expect(await rowCounts()).toEqual(afterReceive);
    expect(afterReceive.transactions).toBe(before.transactions + 1);
    const usdt = (await newWallet(team.master, team.environmentId, ASSET.USDT, "Live USDT")).id;
    const res = await gql(CREATE_SEND, { input: { wallet_id: usdt, request: { bolt11: payable(10).paymentRequest } } }, { "x-api-key": key });
    expect(fails(res, "FORBIDDEN").message).toMatch(/live stablecoins/);
  });
});

describe("restart safety", () => {
  it("a run that dies mid-payment: the next run follows it by track, never sends again; the outcome is kept", async () => {
    const before = await ledger(walletId);
    const invoice = payable(3_000);
    const tx = await sent(invoice.paymentRequest);
    const job = await jobOf(tx.id);
    sim.resetCounters();
    sim.holdPayments(true);
    try {
      // The first run sends, then "dies" while the payment is in flight.
      const crash = new AbortController();
      const first = runLiveSend(job.payload, { signal: crash.signal });
      await waitFor(async () => sim.counters.SendPaymentV2 === 1, 5_000, "the payment sent");
      crash.abort();
      await first;
      expect((await row(tx.id)).status).toBe("PENDING");

      // A run that only sees it in flight hands over to a follow-up job (its lease never runs out while it waits).
      const jobsBefore = await db.job.count({ where: { type: "live.send", doneAt: null } });
      await runLiveSend(job.payload, { followMs: 300 });
      expect((await row(tx.id)).status).toBe("PENDING");
      expect(await db.job.count({ where: { type: "live.send", doneAt: null } })).toBe(jobsBefore + 1);

      // Worker start after its jobs gave up: every pending live send gets a job again.
      await db.job.updateMany({ where: { type: "live.send", payload: { path: ["transactionId"], equals: tx.id } }, data: { doneAt: new Date() } });
      expect(await recoverLiveSends()).toBe(1);
      expect(await recoverLiveSends()).toBe(0);
      const recovered = await db.job.findFirstOrThrow({ where: { type: "live.send", doneAt: null, payload: { path: ["transactionId"], equals: tx.id } } });

      const second = runLiveSend(recovered.payload);
      await waitFor(async () => (sim.counters.TrackPaymentV2 ?? 0) >= 3, 5_000, "the run tracking it");
      sim.succeedPayment(invoice.paymentHash, { feeMsat: 1_000 });
      await second;
    } finally {
      sim.holdPayments(false);
    }
    const done = await row(tx.id);
    expect(done).toMatchObject({ status: "COMPLETED", fee: BigInt(1), reserved: BigInt(0), paymentPreimage: invoice.preimage });
    expect(sim.counters.SendPaymentV2).toBe(1);
    expect(await ledger(walletId)).toMatchObject({ reserved: before.reserved, sent: before.sent + BigInt(3_001) });
    // Any later run (a duplicate job) changes nothing and calls nothing.
    await runLiveSend(job.payload);
    expect(sim.counters.SendPaymentV2).toBe(1);
    expect(await db.transactionEvent.count({ where: { transactionId: tx.id, eventType: "payment.completed" } })).toBe(1);
  });

  it("a run after the node finished the payment while Boltrail was down books the node's outcome without sending", async () => {
    const invoice = payable(1_000);
    const tx = await sent(invoice.paymentRequest);
    sim.resetCounters();
    sim.failNextPayment("FAILURE_REASON_INSUFFICIENT_BALANCE");
    // The node got the payment (as if a run sent it and died before booking the failure)…
    const crash = new AbortController();
    const first = runLiveSend((await jobOf(tx.id)).payload, { signal: crash.signal });
    await waitFor(async () => sim.counters.SendPaymentV2 === 1, 5_000, "the payment sent");
    crash.abort();
    await first;
    await waitFor(async () => sim.getPayment(invoice.paymentHash)?.status === "FAILED", 5_000, "failed on the node");
    expect((await row(tx.id)).status).toBe("PENDING");
    // …the next run learns it by track.
    await runLiveSend((await jobOf(tx.id)).payload);
    expect(await row(tx.id)).toMatchObject({ status: "FAILED", error: failureMessage("FAILURE_REASON_INSUFFICIENT_BALANCE"), reserved: BigInt(0) });
    expect(sim.counters.SendPaymentV2).toBe(1);
  });

  it("the node restarting mid-payment (streams dropped): the run fails and is retried, the retry follows it by track", async () => {
    const invoice = payable(2_000);
    const tx = await sent(invoice.paymentRequest);
    const payload = (await jobOf(tx.id)).payload;
    sim.resetCounters();
    sim.holdPayments(true);
    try {
      const first = runLiveSend(payload).then(() => null, (err: unknown) => err);
      await sim.waitForStreams("sendPayment", 1, 5_000);
      await sim.restart({ downtimeMs: 50 });
      expect(await first).toMatchObject({ name: "LndError", kind: "unreachable" });
      expect((await row(tx.id)).status).toBe("PENDING");
      const retry = runLiveSend(payload);
      await sim.waitForStreams("trackPayment", 1, 5_000);
      sim.succeedPayment(invoice.paymentHash);
      await retry;
    } finally {
      sim.holdPayments(false);
    }
    expect(await row(tx.id)).toMatchObject({ status: "COMPLETED", paymentPreimage: invoice.preimage, reserved: BigInt(0) });
    expect(sim.counters.SendPaymentV2).toBe(1);
  });

  it("two runs at once (a duplicate job): the node pays once (the loser's send is \"in transition\" → followed by track), booked once", async () => {
    const before = await ledger(walletId);
    const invoice = payable(2_500);
    const tx = await sent(invoice.paymentRequest);
    const payload = (await jobOf(tx.id)).payload;
    sim.resetCounters();
    sim.holdPayments(true);
    try {
      const runs = [runLiveSend(payload), runLiveSend(payload)];
      await waitFor(async () => sim.getPayment(invoice.paymentHash)?.status === "IN_FLIGHT", 5_000, "in flight");
      await sim.waitForStreams("trackPayment", 1, 5_000);
      sim.succeedPayment(invoice.paymentHash);
      await Promise.all(runs);
    } finally {
      sim.holdPayments(false);
    }
    // 2 when both runs tracked before either sent (the usual timing here): the second send was refused "in transition".
    expect([1, 2]).toContain(sim.counters.SendPaymentV2);
    expect(sim.listPayments().filter((p) => p.payment_hash === invoice.paymentHash)).toHaveLength(1);
    expect(await row(tx.id)).toMatchObject({ status: "COMPLETED", paymentPreimage: invoice.preimage });
    expect(await db.transactionEvent.count({ where: { transactionId: tx.id, eventType: "payment.completed" } })).toBe(1);
    expect((await ledger(walletId)).sent).toBe(before.sent + BigInt(2_502));
  });

  it("removing the send macaroon makes live sends FORBIDDEN again", async () => {
    expect(ok(await setMacaroon(null))).toMatchObject({ node: { set_send_macaroon: { id: nodeId } } });
    expect((await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })).sendMacaroonEncrypted).toBeNull();
    expect(fails(await send(payable(1000).paymentRequest), "FORBIDDEN").message).toMatch(/no send macaroon/);
  });
});
