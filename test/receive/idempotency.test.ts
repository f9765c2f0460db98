// A replayed idempotency key returns the original transaction, also under concurrent replays
// (DESIGN.md §6: unique index, not check-then-insert), and only within one wallet.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { ASSET, CREATE_RECEIVE, fails, gql, mintKey, newSandbox, newTeam, newWallet, ok, TX_ID, type Team } from "./helpers";

let team: Team;
let environmentId: string;
let key: string;

beforeAll(async () => {
  team = await newTeam("Idempotency");
  environmentId = (await newSandbox(team)).id;
  key = await mintKey(team, environmentId);
});

/** Rows written for one transaction: itself, its events, its webhook events, its jobs. */
async function footprint(transactionId: string) {
  const [events, webhookEvents, jobs] = await Promise.all([
    db.transactionEvent.count({ where: { transactionId } }),
    db.webhookEvent.count({ where: { transactionId } }),
    db.job.count({ where: { payload: { path: ["transactionId"], equals: transactionId } } }),
  ]);
  return { events, webhookEvents, jobs };
}

describe("idempotency_key", () => {
  it("50 concurrent create_receive (GraphQL) with one key → one transaction, all 50 answers carry its id", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Concurrent");
    const input = { wallet_id: wallet.id, amount: "4242", description: "same order", idempotency_key: "order-4242" };
    const results = await Promise.all(Array.from({ length: 50 }, () => gql(CREATE_RECEIVE, { input }, key)));
    for (const res of results) expect(res.errors, res.text).toBeUndefined();
    const ids = new Set(results.map((r) => r.data.payment.transaction.create_receive.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toMatch(TX_ID);
    const paymentRequests = new Set(results.map((r) => r.data.payment.transaction.create_receive.payment_request));
    expect(paymentRequests.size).toBe(1);

    const rows = await db.transaction.findMany({ where: { walletId: wallet.id } });
    expect(rows.map((r) => r.id)).toEqual([id]);
    expect(rows[0].idempotencyKey).toBe("order-4242");
    expect(await footprint(id)).toEqual({ events: 1, webhookEvents: 1, jobs: 1 });
  });

  it("25 concurrent calls of the service itself behave the same", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.USDT, "Concurrent service");
    const input = { wallet_id: wallet.id, amount: "1000000", idempotency_key: "svc-1" };
    const results = await Promise.allSettled(Array.from({ length: 25 }, () => createReceive(team.actor, input)));
    const rejected = results.filter((r) => r.status === "rejected");
    expect(rejected).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id));
    expect(ids.size).toBe(1);
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(1);
    expect(await footprint([...ids][0])).toEqual({ events: 1, webhookEvents: 1, jobs: 1 });
  });

  it("the same key in another wallet creates a separate transaction", async () => {
    const a = await newWallet(team, environmentId, ASSET.BTC, "A");
    const b = await newWallet(team, environmentId, ASSET.BTC, "B");
    const input = { amount: "1000", idempotency_key: "shared-key" };
    const [ra, rb] = await Promise.all([
      gql(CREATE_RECEIVE, { input: { ...input, wallet_id: a.id } }, key),
      gql(CREATE_RECEIVE, { input: { ...input, wallet_id: b.id } }, key),
    ]);
    const txA = ok(ra).payment.transaction.create_receive;
    const txB = ok(rb).payment.transaction.create_receive;
    expect(txA.id).not.toBe(txB.id);
    expect(txA.wallet_id).toBe(a.id);
    expect(txB.wallet_id).toBe(b.id);
    expect(txA.payment_hash).not.toBe(txB.payment_hash);
    expect(await db.transaction.count({ where: { idempotencyKey: "shared-key" } })).toBe(2);
  });

  it("a replay returns the original even after it settled, and different keys make different transactions", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Replay");
    const first = ok(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000", idempotency_key: "k-1" } }, key)).payment.transaction.create_receive;
    await db.transaction.update({ where: { id: first.id }, data: { status: "COMPLETED", settledAt: new Date(), settleAmount: 1000n } });
    const replay = ok(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000", idempotency_key: "k-1" } }, key)).payment.transaction.create_receive;
    expect(replay.id).toBe(first.id);
    expect(replay.status).toBe("COMPLETED");
    const other = ok(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000", idempotency_key: "k-2" } }, key)).payment.transaction.create_receive;
    expect(other.id).not.toBe(first.id);
    // Without a key every call is a new invoice.
    const n1 = ok(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, key)).payment.transaction.create_receive;
    const n2 = ok(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, key)).payment.transaction.create_receive;
    expect(n1.id).not.toBe(n2.id);
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(4);
  });

  it("a replay with different parameters is refused naming idempotency_key, and writes nothing", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Mismatch");
    const base = { wallet_id: wallet.id, amount: "1000", description: "Order 7", metadata: "{\"order\":7}", expires_in_seconds: 600, idempotency_key: "order-7" };
    const first = ok(await gql(CREATE_RECEIVE, { input: base }, key)).payment.transaction.create_receive;
    const changes: Array<[string, Record<string, unknown>]> = [
      ["amount", { amount: "999999" }],
      ["description", { description: "Order 8" }],
      ["description", { description: undefined }],
      ["metadata", { metadata: "{\"order\":8}" }],
      ["expires_in_seconds", { expires_in_seconds: 601 }],
    ];
    for (const [what, change] of changes) {
      const error = fails(await gql(CREATE_RECEIVE, { input: { ...base, ...change } }, key), "BAD_USER_INPUT", "input.idempotency_key");
      expect(error.message).toContain(first.id);
      expect(error.message).toContain(`different ${what}`);
    }
    // The identical replay still answers the original.
    expect(ok(await gql(CREATE_RECEIVE, { input: base }, key)).payment.transaction.create_receive.id).toBe(first.id);
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(1);
    expect(await footprint(first.id)).toEqual({ events: 1, webhookEvents: 1, jobs: 1 });
  });

  it("50 concurrent replays that disagree: exactly one invoice, the agreeing ones answer it, the others are refused", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Mismatch race");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: i % 2 ? "2000" : "1000", idempotency_key: "race" } }, key)),
    );
    const rows = await db.transaction.findMany({ where: { walletId: wallet.id } });
    expect(rows).toHaveLength(1);
    const winner = rows[0];
    for (const [i, res] of results.entries()) {
      const asked = BigInt(i % 2 ? 2000 : 1000);
      if (asked === winner.amount) expect(ok(res).payment.transaction.create_receive.id).toBe(winner.id);
      else fails(res, "BAD_USER_INPUT", "input.idempotency_key");
    }
  });
});
