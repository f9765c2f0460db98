// The live feed (lib/events): one LISTEN connection shared by every stream of the process, each
// event handed only to users of the team it belongs to, replay after a Last-Event-ID, and no event
// lost when the listener's connection drops.
import "./env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { resolveApiKey } from "@/lib/api-keys/resolve-api-key";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { LiveHub } from "@/lib/events/hub";
import { liveFeedCursor, openLiveFeed } from "@/lib/events/open-live-feed";
import type { LivePaymentEvent } from "@/lib/events/types";
import { transition } from "@/lib/transactions/lifecycle";
import { mintKey } from "../receive/helpers";
import { invoice, sleep, teamWithWallet, waitFor } from "./helpers";

let alice: Awaited<ReturnType<typeof teamWithWallet>>;
let bob: Awaited<ReturnType<typeof teamWithWallet>>;
const hub = new LiveHub(() => {});

beforeAll(async () => {
  alice = await teamWithWallet("Alice shop");
  bob = await teamWithWallet("Bob shop");
});
afterAll(async () => {
  await hub.close();
});

/** Opens a feed collecting what it receives. */
async function collect(actor: typeof alice.actor, lastEventId?: bigint) {
  const received: LivePaymentEvent[] = [];
  const stop = await openLiveFeed(actor, { lastEventId, hub }, (event) => received.push(event));
  return { received, stop };
}

/** The backend pids LISTENing on the channel (the hub's connection). */
async function listenerPids(): Promise<number[]> {
  const rows = await db.$queryRawUnsafe<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN boltrail_live'`,
  );
  return rows.map((r) => r.pid);
}

describe("live feed", () => {
  it("delivers a team's payment changes to its users only, through one shared connection", async () => {
    const a1 = await collect(alice.actor);
    const a2 = await collect(alice.actor);
    const b = await collect(bob.actor);
    expect(hub.state()).toEqual({ listening: true, subscribers: 3 });
    expect(await listenerPids()).toHaveLength(1);

    const tx = await invoice(alice, alice.walletId, "50000", "Order #42");
    await transition(tx.id, "COMPLETED");
    await waitFor(async () => a1.received.length === 2 && a2.received.length === 2, 3000, "alice's events");
    expect(a1.received.map((e) => [e.transactionId, e.kind, e.status])).toEqual([
      [tx.id, "created", "PENDING"],
      [tx.id, "status", "COMPLETED"],
    ]);
    expect(a1.received[1]).toMatchObject({
      environmentId: alice.environmentId,
      walletId: alice.walletId,
      direction: "RECEIVE",
      amount: "50000",
      asset: { symbol: "BTC", precision: 8 },
      description: "Order #42",
    });
    expect(a2.received).toEqual(a1.received);
    // Bob's own payment reaches Bob; Alice's never did.
    const bobs = await invoice(bob, bob.walletId, "1234", "Bob's");
    await waitFor(async () => b.received.length === 1, 3000, "bob's event");
    await sleep(200);
    expect(b.received.map((e) => e.transactionId)).toEqual([bobs.id]);
    expect(a1.received.map((e) => e.transactionId)).not.toContain(bobs.id);
    for (const feed of [a1, a2, b]) feed.stop();
    expect(hub.state().subscribers).toBe(0);
  });

  it("replays exactly the events after Last-Event-ID, in order, then the live ones, none twice", async () => {
    const first = await collect(alice.actor);
    const seen = await invoice(alice, alice.walletId, "1000", "seen");
    await waitFor(async () => first.received.length === 1);
    const lastEventId = BigInt(first.received[0].id);
    first.stop();

    // Missed while disconnected: two of Alice's changes (and one of Bob's, not hers).
    const missed = await invoice(alice, alice.walletId, "2000", "missed");
    await transition(missed.id, "FAILED", { error: "no route" });
    await invoice(bob, bob.walletId, "3000", "bob");
    const expected = await db.liveEvent.findMany({ where: { teamId: alice.teamId, id: { gt: lastEventId } }, orderBy: { id: "asc" } });
    expect(expected.map((e) => [e.transactionId, e.status])).toEqual([
      [missed.id, "PENDING"],
      [missed.id, "FAILED"],
    ]);

    const again = await collect(alice.actor, lastEventId);
    expect(again.received.map((e) => e.id)).toEqual(expected.map((e) => e.id.toString()));
    expect(again.received.map((e) => e.transactionId)).not.toContain(seen.id);
    const live = await invoice(alice, alice.walletId, "4000", "live");
    await waitFor(async () => again.received.length === 3);
    await sleep(200);
    expect(again.received.map((e) => e.transactionId)).toEqual([missed.id, missed.id, live.id]);
    again.stop();
  });

  it("loses nothing when the listener's connection drops: it reconnects and catches up", async () => {
    const feed = await collect(alice.actor);
    const tx = await invoice(alice, alice.walletId, "5000", "while down");
    await waitFor(async () => feed.received.some((e) => e.transactionId === tx.id));
    const [pid] = await listenerPids();
    expect(pid).toBeGreaterThan(0);
    // Kill the listener's connection, and commit a status change while nobody listens (the hub
    // waits at least 125 ms before reconnecting; one UPDATE on an open connection takes a few).
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend($1)", [pid]);
    await waitFor(async () => !hub.state().listening, 2000, "the hub to notice");
    await admin.query(`UPDATE "transactions" SET "status" = 'EXPIRED' WHERE "id" = $1`, [tx.id]);
    expect(hub.state().listening).toBe(false);
    await admin.end();
    await waitFor(async () => feed.received.some((e) => e.transactionId === tx.id && e.status === "EXPIRED"), 5000, "the event committed while the listener was down");
    expect(hub.state().listening).toBe(true);
    const [newPid] = await listenerPids();
    expect(newPid).not.toBe(pid);
    // And live again on the new connection.
    const next = await invoice(alice, alice.walletId, "6000", "after");
    await waitFor(async () => feed.received.some((e) => e.transactionId === next.id), 3000, "the next event");
    expect(feed.received.filter((e) => e.transactionId === tx.id).map((e) => e.status)).toEqual(["PENDING", "EXPIRED"]);
    feed.stop();
  });

  it("starts a page's first stream at the cursor of its render: what happened in between is replayed", async () => {
    const fresh = await teamWithWallet("Fresh");
    // No event of this team yet (other teams' events do not count).
    expect(await liveFeedCursor(fresh.actor)).toBe("0");
    const before = await invoice(fresh, fresh.walletId, "1000", "before the render");
    const cursor = await liveFeedCursor(fresh.actor);
    expect(cursor).toBe((await db.liveEvent.findFirstOrThrow({ where: { transactionId: before.id } })).id.toString());
    const between = await invoice(fresh, fresh.walletId, "2000", "between render and stream");
    const feed = await collect(fresh.actor, BigInt(cursor));
    // The new invoices (PENDING): a worker of another test file may settle them meanwhile, which is a later event.
    const created = (events: { transactionId: string; status: string }[]) => events.filter((e) => e.status === "PENDING").map((e) => e.transactionId);
    expect(created(feed.received)).toEqual([between.id]);
    expect(feed.received.every((e) => BigInt(e.id) > BigInt(cursor))).toBe(true);
    feed.stop();
    // From "0" (the team had nothing at render): all of it.
    const all = await collect(fresh.actor, BigInt(0));
    expect(created(all.received)).toEqual([before.id, between.id]);
    all.stop();
  });

  it("is refused to API keys", async () => {
    const key = await resolveApiKey(await mintKey(alice, alice.environmentId));
    const refused = await openLiveFeed(key, { hub }, () => {}).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("FORBIDDEN");
    await expect(liveFeedCursor(key)).rejects.toThrow(AppError);
  });
});
