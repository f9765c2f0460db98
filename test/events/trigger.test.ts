// The live_events trigger (migration 20261205100000_live_events): every new transaction and every
// status change writes one live event and NOTIFYs its id, in the same database transaction as the
// change — so what rolls back is never announced, and a listener reading on the notification
// already sees the new status and balance.
import "./env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { transition, transitionInTx } from "@/lib/transactions/lifecycle";
import { invoice, listen, sleep, teamWithWallet, waitFor } from "./helpers";

let team: Awaited<ReturnType<typeof teamWithWallet>>;
let listener: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  team = await teamWithWallet("Live trigger");
  listener = await listen();
});
afterAll(async () => {
  await listener.close();
});

const eventsOf = (transactionId: string) => db.liveEvent.findMany({ where: { transactionId }, orderBy: { id: "asc" } });

/** Waits until the listener heard of every event of the transaction so far. */
async function announced(transactionId: string) {
  const ids = (await eventsOf(transactionId)).map((e) => e.id.toString());
  await waitFor(async () => ids.every((id) => listener.payloads.includes(id)), 2000, `the NOTIFY of ${transactionId}`);
}

describe("live events trigger", () => {
  it("writes and announces a created event for a new receive, with its team, environment and summary", async () => {
    const before = listener.payloads.length;
    const tx = await invoice(team, team.walletId, "50000", "Order #42");
    const [event] = await eventsOf(tx.id);
    expect(event).toMatchObject({
      teamId: team.teamId,
      environmentId: team.environmentId,
      walletId: team.walletId,
      kind: "created",
      status: "PENDING",
      direction: "RECEIVE",
      amount: BigInt(50000),
      description: "Order #42",
    });
    await waitFor(async () => listener.payloads.length > before, 2000, "the NOTIFY");
    expect(listener.payloads.slice(before)).toEqual([event.id.toString()]);
  });

  it("announces a status change only once committed, and the listener then reads the new status and balance", async () => {
    const tx = await invoice(team, team.walletId, "70000");
    await announced(tx.id);
    const before = listener.payloads.length;
    const seenAtNotification: Promise<{ status: string; received: bigint }> = new Promise((resolve) => {
      listener.client.once("notification", () => {
        void (async () => {
          const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id }, select: { status: true, wallet: { select: { received: true } } } });
          resolve({ status: row.status, received: row.wallet.received });
        })();
      });
    });
    const receivedBefore = (await db.wallet.findUniqueOrThrow({ where: { id: team.walletId } })).received;
    await db.$transaction(async (client) => {
      expect(await transitionInTx(client, tx.id, "COMPLETED")).toBe(true);
      // Inside the still-open transaction: written, but announced to nobody yet.
      await sleep(300);
      expect(listener.payloads.length).toBe(before);
    });
    const seen = await seenAtNotification;
    expect(seen).toEqual({ status: "COMPLETED", received: receivedBefore + BigInt(70000) });
    const events = await eventsOf(tx.id);
    expect(events.map((e) => [e.kind, e.status])).toEqual([
      ["created", "PENDING"],
      ["status", "COMPLETED"],
    ]);
    expect(listener.payloads.slice(before)).toEqual([events[1].id.toString()]);
  });

  it("a rolled-back status change writes and announces nothing", async () => {
    const tx = await invoice(team, team.walletId, "1000");
    await announced(tx.id);
    const before = listener.payloads.length;
    const count = await db.liveEvent.count();
    await expect(
      db.$transaction(async (client) => {
        await transitionInTx(client, tx.id, "COMPLETED");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await sleep(500);
    expect(listener.payloads.length).toBe(before);
    expect(await db.liveEvent.count()).toBe(count);
    expect((await db.transaction.findUniqueOrThrow({ where: { id: tx.id } })).status).toBe("PENDING");
  });

  it("an update that leaves the status as it was writes nothing; a lost race writes nothing twice", async () => {
    const tx = await invoice(team, team.walletId, "2000");
    await db.transaction.update({ where: { id: tx.id }, data: { description: "edited", status: "PENDING" } });
    expect((await eventsOf(tx.id)).map((e) => e.kind)).toEqual(["created"]);
    expect(await transition(tx.id, "EXPIRED")).toBe(true);
    expect(await transition(tx.id, "COMPLETED")).toBe(false);
    expect((await eventsOf(tx.id)).map((e) => e.status)).toEqual(["PENDING", "EXPIRED"]);
  });

  it("prunes events older than an hour as new ones are written", async () => {
    const old = await db.liveEvent.create({
      data: { teamId: team.teamId, environmentId: team.environmentId, walletId: team.walletId, transactionId: "tx_old", kind: "created", status: "PENDING", direction: "RECEIVE", amount: BigInt(1), assetId: "x", createdAt: new Date(Date.now() - 2 * 3600_000) },
    });
    const recent = await db.liveEvent.create({
      data: { teamId: team.teamId, environmentId: team.environmentId, walletId: team.walletId, transactionId: "tx_recent", kind: "created", status: "PENDING", direction: "RECEIVE", amount: BigInt(1), assetId: "x", createdAt: new Date(Date.now() - 30 * 60_000) },
    });
    // The trigger prunes on every 256th event id: move the sequence so the next one is.
    const next = (old.id / BigInt(256) + BigInt(1)) * BigInt(256);
    await db.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('live_events', 'id'), ${next - BigInt(1)})`);
    const tx = await invoice(team, team.walletId, "3000");
    const [event] = await eventsOf(tx.id);
    expect(event.id).toBe(next);
    expect(await db.liveEvent.findUnique({ where: { id: old.id } })).toBeNull();
    expect(await db.liveEvent.findUnique({ where: { id: recent.id } })).not.toBeNull();
  });
});
