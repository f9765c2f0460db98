// create_receive under concurrency, through GraphQL: the API-key lookups (lib/api-keys/resolve-api-key.ts)
// and the five-table writes (lib/transactions/write-receives.ts) of requests arriving together are
// batched (lib/db-batch.ts), and each request must still get its own, correct answer: distinct
// transactions, replays within a batch, a wallet deleted meanwhile, a key revoked meanwhile.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/manage-api-keys";
import { ASSET, BACKEND_PERMS, CREATE_RECEIVE, fails, gql, HEX64, mintKey, newSandbox, newTeam, newWallet, ok, rowCounts, TX_ID, type GqlResult, type Team } from "./helpers";
import { decodeIndependently, recoverPubkey, sha256Hex } from "./bolt11-independent";

let team: Team;
let environmentId: string;
let nodePubkey: string;
let key: string;

beforeAll(async () => {
  team = await newTeam("Batching");
  environmentId = (await newSandbox(team)).id;
  nodePubkey = (await db.environment.findUniqueOrThrow({ where: { id: environmentId }, select: { nodePubkey: true } })).nodePubkey!;
  key = await mintKey(team, environmentId);
});

type Receive = {
  id: string;
  status: string;
  wallet_id: string;
  payment_request: string;
  payment_hash: string;
  description: string | null;
  metadata: string | null;
  idempotency_key: string;
  amount: { full_amount: string };
  events: { event_type: string }[];
};
const receiveOf = (res: GqlResult) => (ok(res) as { payment: { transaction: { create_receive: Receive } } }).payment.transaction.create_receive;

/** Everything create_receive wrote for these transactions, counted from the database. */
async function written(ids: string[]) {
  const [transactions, events, webhookEvents, jobs] = await Promise.all([
    db.transaction.count({ where: { id: { in: ids } } }),
    db.transactionEvent.count({ where: { transactionId: { in: ids }, eventType: "payment.pending" } }),
    db.webhookEvent.count({ where: { transactionId: { in: ids }, eventType: "payment.pending" } }),
    db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM jobs WHERE type = 'sandbox.settle' AND payload->>'transactionId' = ANY(${ids}::text[])`,
  ]);
  return { transactions, events, webhookEvents, jobs: Number(jobs[0].n) };
}

/** Descriptions that a hand-built array literal would get wrong. */
const TRICKY = ['plain', 'with "quotes"', "back\\slash", "{braces,commas}", "NULL", "", "émoji ☕ 中文", "tab\there", "new\nline", "' OR 1=1 --"];

describe("concurrent create_receive (batched writes)", () => {
  it("40 concurrent calls with distinct idempotency keys: 40 distinct transactions, each fully written once", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Many");
    const before = await rowCounts();
    const inputs = Array.from({ length: 40 }, (_, n) => ({
      wallet_id: wallet.id,
      amount: String(1000 + n),
      description: `${TRICKY[n % TRICKY.length]} #${n}`,
      metadata: JSON.stringify({ n, note: TRICKY[n % TRICKY.length] }),
      idempotency_key: `batch-${n}`,
      expires_in_seconds: 600 + n,
    }));

    const results = await Promise.all(inputs.map((input) => gql(CREATE_RECEIVE, { input }, key)));

    const txs = results.map(receiveOf);
    const ids = txs.map((tx) => tx.id);
    for (const id of ids) expect(id).toMatch(TX_ID);
    expect(new Set(ids).size).toBe(40);
    expect(new Set(txs.map((tx) => tx.payment_hash)).size).toBe(40);
    // Each answer is its own request's, not a neighbour's of the same batch.
    txs.forEach((tx, n) => {
      expect(tx.idempotency_key).toBe(`batch-${n}`);
      expect(tx.amount.full_amount).toBe(String(1000 + n));
      expect(tx.description).toBe(inputs[n].description);
      expect(tx.metadata).toBe(inputs[n].metadata);
      expect(tx.status).toBe("PENDING");
      expect(tx.wallet_id).toBe(wallet.id);
      expect(tx.events.map((e) => e.event_type)).toEqual(["payment.pending"]);
      const inv = decodeIndependently(tx.payment_request);
      expect(inv.millisatoshis).toBe(String((1000 + n) * 1000));
      expect(inv.description).toBe(inputs[n].description);
      expect(inv.paymentHash).toBe(tx.payment_hash);
      expect(recoverPubkey(inv)).toBe(nodePubkey);
    });

    expect(await written(ids)).toEqual({ transactions: 40, events: 40, webhookEvents: 40, jobs: 40 });
    const after = await rowCounts();
    expect(after).toEqual({
      ...before,
      transactions: before.transactions + 40,
      transactionEvents: before.transactionEvents + 40,
      webhookEvents: before.webhookEvents + 40,
      jobs: before.jobs + 40,
    });

    // What is stored is what each request asked for (the columns went through unnest in order).
    const rows = await db.transaction.findMany({ where: { walletId: wallet.id } });
    expect(rows).toHaveLength(40);
    const byId = new Map(rows.map((row) => [row.id, row]));
    txs.forEach((tx, n) => {
      const row = byId.get(tx.id)!;
      expect(row.idempotencyKey).toBe(`batch-${n}`);
      expect(row.amount).toBe(BigInt(1000 + n));
      expect(row.description).toBe(inputs[n].description);
      expect(row.metadata).toBe(inputs[n].metadata);
      expect(row.paymentRequest).toBe(tx.payment_request);
      expect(row.paymentHash).toMatch(HEX64);
      expect(row.paymentHash).toBe(tx.payment_hash);
      expect(sha256Hex(Buffer.from(row.paymentPreimage!, "hex"))).toBe(row.paymentHash);
      expect(row.status).toBe("PENDING");
      expect(row.direction).toBe("RECEIVE");
      expect(row.expiresAt!.getTime() - Math.floor(row.createdAt.getTime() / 1000) * 1000).toBe((600 + n) * 1000);
    });
    // Each payment.pending event carries its own transaction (envelope id, data), not a neighbour's.
    const webhookEvents = await db.webhookEvent.findMany({ where: { transactionId: { in: ids } } });
    expect(webhookEvents).toHaveLength(40);
    const txById = new Map(txs.map((tx) => [tx.id, tx]));
    for (const event of webhookEvents) {
      const envelope = JSON.parse(event.payload) as {
        id: string;
        event_type: string;
        wallet_id: string;
        data: { id: string; description: string | null; amount: { amount: string }; payment_details: { payment_hash: string } };
      };
      const tx = txById.get(event.transactionId!)!;
      expect(event.walletId).toBe(wallet.id);
      expect(event.environmentId).toBe(environmentId);
      expect(event.idempotencyKey).toBe(`payment.pending:${tx.id}`);
      expect(envelope.id).toBe(`payment.pending:${tx.id}`);
      expect(envelope.event_type).toBe("payment.pending");
      expect(envelope.wallet_id).toBe(wallet.id);
      expect(envelope.data.id).toBe(tx.id);
      expect(envelope.data.description).toBe(tx.description);
      expect(envelope.data.amount.amount).toBe(tx.amount.full_amount);
      expect(envelope.data.payment_details.payment_hash).toBe(tx.payment_hash);
    }
    const jobs = await db.$queryRaw<{ payload: { transactionId: string; behavior: string } }[]>`
      SELECT payload FROM jobs WHERE type = 'sandbox.settle' AND payload->>'transactionId' = ANY(${ids}::text[])`;
    expect(jobs.map((j) => j.payload.transactionId).sort()).toEqual([...ids].sort());
    for (const j of jobs) expect(j.payload.behavior).toBe("complete");
  });

  it("the writes of requests arriving together share statements (fewer database transactions than requests)", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Shared statements");
    // Warm the wallet cache so that the requests reach the write at the same moment.
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1", idempotency_key: "warm" } }, key));
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "5000", idempotency_key: `shared-${n}` } }, key)),
    );
    const ids = results.map((res) => receiveOf(res).id);
    expect(new Set(ids).size).toBe(30);
    // Rows written by one statement carry the id of one database transaction (xmin).
    const xmins = await db.$queryRaw<{ n: bigint }[]>`SELECT count(DISTINCT xmin::text) AS n FROM transactions WHERE id = ANY(${ids}::text[])`;
    expect(Number(xmins[0].n)).toBeLessThan(30);
    expect(await written(ids)).toEqual({ transactions: 30, events: 30, webhookEvents: 30, jobs: 30 });
  });

  it("30 concurrent calls on 3 idempotency keys (10 each): 3 transactions, and every answer carries its key's one transaction", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Replays");
    const keys = ["dup-a", "dup-b", "dup-c"];
    const calls = Array.from({ length: 30 }, (_, n) => keys[n % 3]);
    const results = await Promise.all(
      calls.map((idempotencyKey) => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "2500", description: `for ${idempotencyKey}`, idempotency_key: idempotencyKey } }, key)),
    );
    const txs = results.map(receiveOf);

    const rows = await db.transaction.findMany({ where: { walletId: wallet.id }, orderBy: { idempotencyKey: "asc" } });
    expect(rows.map((r) => r.idempotencyKey)).toEqual(keys);
    const idOfKey = new Map(rows.map((r) => [r.idempotencyKey, r]));
    txs.forEach((tx, n) => {
      const row = idOfKey.get(calls[n])!;
      expect(tx.idempotency_key).toBe(calls[n]);
      expect(tx.id).toBe(row.id);
      expect(tx.payment_request).toBe(row.paymentRequest);
      expect(tx.payment_hash).toBe(row.paymentHash);
      expect(tx.description).toBe(`for ${calls[n]}`);
    });
    expect(new Set(txs.map((tx) => tx.id)).size).toBe(3);
    const ids = rows.map((r) => r.id);
    expect(await written(ids)).toEqual({ transactions: 3, events: 3, webhookEvents: 3, jobs: 3 });
    // Nothing of the 27 replays was stored anywhere (their invoices were signed, then dropped).
    expect(await db.webhookEvent.count({ where: { walletId: wallet.id } })).toBe(3);
    expect(await db.transactionEvent.count({ where: { transaction: { walletId: wallet.id } } })).toBe(3);
  });

  it("150 concurrent calls (more than one batch) replaying 5 keys in each of 2 wallets: 10 transactions, no deadlock, every answer its key's", async () => {
    const wallets = [await newWallet(team, environmentId, ASSET.BTC, "Burst 1"), await newWallet(team, environmentId, ASSET.BTC, "Burst 2")];
    // Warm both wallets' cache so the whole burst reaches the write together.
    for (const w of wallets) receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: w.id, amount: "1", idempotency_key: "warm" } }, key));
    const calls = Array.from({ length: 150 }, (_, n) => ({ walletId: wallets[n % 2].id, idempotencyKey: `k-${Math.floor(n / 2) % 5}` }));
    const results = await Promise.all(
      calls.map((c) => gql(CREATE_RECEIVE, { input: { wallet_id: c.walletId, amount: "777", idempotency_key: c.idempotencyKey } }, key)),
    );
    const txs = results.map(receiveOf);
    const rows = await db.transaction.findMany({ where: { walletId: { in: wallets.map((w) => w.id) }, idempotencyKey: { startsWith: "k-" } } });
    expect(rows).toHaveLength(10);
    const idOf = new Map(rows.map((r) => [`${r.walletId}/${r.idempotencyKey}`, r.id]));
    txs.forEach((tx, n) => {
      expect(tx.wallet_id).toBe(calls[n].walletId);
      expect(tx.id).toBe(idOf.get(`${calls[n].walletId}/${calls[n].idempotencyKey}`));
    });
    expect(await written(rows.map((r) => r.id))).toEqual({ transactions: 10, events: 10, webhookEvents: 10, jobs: 10 });
    for (const w of wallets) expect(await db.webhookEvent.count({ where: { walletId: w.id } })).toBe(6);
  });

  it("replays of a key that already exists, mixed with new keys in one burst: the old transaction for the replays, new ones for the rest", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.USDT, "Old and new");
    const original = receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000000", idempotency_key: "old" } }, key));
    const calls = Array.from({ length: 20 }, (_, n) => (n % 2 ? "old" : `new-${n}`));
    const txs = (await Promise.all(calls.map((k) => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: k === "old" ? "1000000" : "2000000", idempotency_key: k } }, key)))).map(receiveOf);
    txs.forEach((tx, n) => {
      if (calls[n] === "old") {
        expect(tx.id).toBe(original.id);
        expect(tx.amount.full_amount).toBe("1000000");
        expect(tx.payment_request).toBe(original.payment_request);
      } else {
        expect(tx.id).not.toBe(original.id);
        expect(tx.amount.full_amount).toBe("2000000");
      }
    });
    expect(new Set(txs.map((tx) => tx.id)).size).toBe(11);
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(11);
    expect(await db.webhookEvent.count({ where: { walletId: wallet.id } })).toBe(11);
  });
});

describe("a wallet deleted while its context is cached", () => {
  it("concurrent calls on wallet A and on deleted wallet B: A's succeed, B's get NOT_FOUND naming the wallet, nothing is written for B", async () => {
    const a = await newWallet(team, environmentId, ASSET.BTC, "Stays");
    const b = await newWallet(team, environmentId, ASSET.BTC, "Goes");
    // One successful call on each warms the wallet cache of create_receive.
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: a.id, amount: "1000", idempotency_key: "warm-a" } }, key));
    const warmB = receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: b.id, amount: "1000", idempotency_key: "warm-b" } }, key));
    expect(warmB.wallet_id).toBe(b.id);
    // Deleted behind the service's back (its transaction goes with it: ON DELETE CASCADE).
    await db.wallet.delete({ where: { id: b.id } });
    expect(await db.transaction.count({ where: { walletId: b.id } })).toBe(0);
    const before = await rowCounts();
    const webhookEventsOfB = await db.webhookEvent.count({ where: { walletId: b.id } });

    const targets = Array.from({ length: 24 }, (_, n) => (n % 3 === 0 ? b.id : a.id));
    const results = await Promise.all(
      targets.map((walletId, n) => gql(CREATE_RECEIVE, { input: { wallet_id: walletId, amount: String(2000 + n), idempotency_key: `mixed-${n}` } }, key)),
    );

    const aIds: string[] = [];
    results.forEach((res, n) => {
      if (targets[n] === b.id) {
        const error = fails(res, "NOT_FOUND");
        expect(error.message).toBe("Wallet not found");
      } else {
        const tx = receiveOf(res);
        expect(tx.wallet_id).toBe(a.id);
        expect(tx.idempotency_key).toBe(`mixed-${n}`);
        expect(tx.amount.full_amount).toBe(String(2000 + n));
        aIds.push(tx.id);
      }
    });
    expect(aIds).toHaveLength(16);
    expect(new Set(aIds).size).toBe(16);
    expect(await written(aIds)).toEqual({ transactions: 16, events: 16, webhookEvents: 16, jobs: 16 });

    // For B: no transaction, no webhook event, no job; in total exactly A's 16 of each.
    expect(await db.transaction.count({ where: { walletId: b.id } })).toBe(0);
    expect(await db.webhookEvent.count({ where: { walletId: b.id } })).toBe(webhookEventsOfB);
    expect(await rowCounts()).toEqual({
      ...before,
      transactions: before.transactions + 16,
      transactionEvents: before.transactionEvents + 16,
      webhookEvents: before.webhookEvents + 16,
      jobs: before.jobs + 16,
    });

    // And later calls on B are refused too (the stale cache entry is gone), A still works.
    fails(await gql(CREATE_RECEIVE, { input: { wallet_id: b.id, amount: "1000" } }, key), "NOT_FOUND");
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: a.id, amount: "1000" } }, key));
  });

  it("a replayed idempotency key on the deleted wallet is NOT_FOUND as well (not the deleted transaction)", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Replay then gone");
    const other = await newWallet(team, environmentId, ASSET.BTC, "Other");
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000", idempotency_key: "same" } }, key));
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: other.id, amount: "1000", idempotency_key: "warm" } }, key));
    await db.wallet.delete({ where: { id: wallet.id } });
    const results = await Promise.all([
      ...Array.from({ length: 5 }, () => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000", idempotency_key: "same" } }, key)),
      ...Array.from({ length: 5 }, (_, n) => gql(CREATE_RECEIVE, { input: { wallet_id: other.id, amount: "1000", idempotency_key: `o-${n}` } }, key)),
    ]);
    results.slice(0, 5).forEach((res) => expect(fails(res, "NOT_FOUND").message).toBe("Wallet not found"));
    results.slice(5).forEach((res) => expect(receiveOf(res).wallet_id).toBe(other.id));
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(0);
    expect(await db.transaction.count({ where: { walletId: other.id } })).toBe(6);
  });
});

describe("API keys looked up together (batched)", () => {
  async function keyWithId(name: string) {
    const { key: view, plaintextKey } = await createApiKey(team.actor, { name, environment_id: environmentId, permissions: BACKEND_PERMS });
    return { id: view.id, plaintext: plaintextKey };
  }

  it("a valid key and a revoked key fired together: the valid requests succeed, the revoked ones are UNAUTHENTICATED", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Keys");
    const valid = await keyWithId("valid");
    const revoked = await keyWithId("to revoke");
    const revokedInDb = await keyWithId("revoked in the database");
    // Both work before being revoked.
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, revoked.plaintext));
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, revokedInDb.plaintext));
    await revokeApiKey(team.actor, revoked.id);
    await db.serviceApiKey.update({ where: { id: revokedInDb.id }, data: { revokedAt: new Date() } });
    const before = await db.transaction.count({ where: { walletId: wallet.id } });

    const keys = Array.from({ length: 30 }, (_, n) => [valid.plaintext, revoked.plaintext, revokedInDb.plaintext][n % 3]);
    const results = await Promise.all(keys.map((k, n) => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: String(100 + n) } }, k)));

    results.forEach((res, n) => {
      if (keys[n] === valid.plaintext) {
        expect(receiveOf(res).amount.full_amount).toBe(String(100 + n));
      } else {
        expect(fails(res, "UNAUTHENTICATED").message).toBe("This API key was revoked");
      }
    });
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(before + 10);
  });

  it("valid, revoked, unknown and malformed keys in one burst each get their own answer", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Burst");
    const valid = await keyWithId("burst valid");
    const revoked = await keyWithId("burst revoked");
    await revokeApiKey(team.actor, revoked.id);
    // Well-formed, but no such key (the last character changed).
    const unknown = valid.plaintext.slice(0, -1) + (valid.plaintext.endsWith("A") ? "B" : "A");
    const kinds = ["valid", "revoked", "unknown", "malformed"] as const;
    const plaintext = { valid: valid.plaintext, revoked: revoked.plaintext, unknown, malformed: "amb_test_short" };
    const calls = Array.from({ length: 24 }, (_, n) => kinds[n % 4]);
    const results = await Promise.all(calls.map((kind) => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, plaintext[kind])));
    results.forEach((res, n) => {
      switch (calls[n]) {
        case "valid":
          expect(receiveOf(res).wallet_id).toBe(wallet.id);
          break;
        case "revoked":
          expect(fails(res, "UNAUTHENTICATED").message).toBe("This API key was revoked");
          break;
        case "unknown":
          expect(fails(res, "UNAUTHENTICATED").message).toBe("Unknown API key");
          break;
        case "malformed":
          expect(fails(res, "UNAUTHENTICATED").message).toMatch(/is not a Boltrail API key/);
          break;
      }
    });
    expect(await db.transaction.count({ where: { walletId: wallet.id } })).toBe(6);
  });

  it("a key revoked right after a request completes is refused on the very next request", async () => {
    const wallet = await newWallet(team, environmentId, ASSET.BTC, "Revoked next");
    for (let round = 0; round < 5; round++) {
      const k = await keyWithId(`next ${round}`);
      // Other traffic with another key keeps the lookup batcher busy meanwhile.
      const background = Array.from({ length: 10 }, () => gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, key));
      receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000", idempotency_key: `next-${round}` } }, k.plaintext));
      await revokeApiKey(team.actor, k.id);
      expect(fails(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, k.plaintext), "UNAUTHENTICATED").message).toBe(
        "This API key was revoked",
      );
      for (const res of await Promise.all(background)) receiveOf(res);
    }
    // Revoked directly in the database, as another instance of the app would: the same.
    const k = await keyWithId("next db");
    receiveOf(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, k.plaintext));
    await db.serviceApiKey.update({ where: { id: k.id }, data: { revokedAt: new Date() } });
    fails(await gql(CREATE_RECEIVE, { input: { wallet_id: wallet.id, amount: "1000" } }, k.plaintext), "UNAUTHENTICATED");
  });
});
