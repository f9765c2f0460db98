import "server-only";
import pg from "pg";
import { db, dbTimeouts } from "@/lib/db";
import { lndCall, LndError, lndStream, type LndConnection } from "../lightning/lnd-rest";
import { callOptions, connectionOf, type LndInfo, type LndInvoice } from "./node-connection";
import { applyInvoiceUpdate, expireOnNode } from "./settle";
import { onNodesChanged } from "./subscriptions-signal";

export type NodeSubscriptionsOptions = {
  log?: (msg: string) => void;
  /** How often the attached nodes are listed and unowned ones claimed (ms). */
  scanMs?: number;
  /** Reconciliation by lookup, after every (re)connect and then this often (ms). */
  reconcileMs?: number;
  /** Reconnect backoff: doubling from minMs up to maxMs, with jitter. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
};

export type RunningNodeSubscriptions = {
  stop: () => Promise<void>;
  /** The nodes whose subscription this process owns now. */
  owned: () => string[];
};

type Runner = { abort: AbortController; done: Promise<void> };

/**
 * One invoice subscription per attached node (DESIGN.md §6), owned by exactly one process at a
 * time: ownership is a PostgreSQL session advisory lock per node, held on a dedicated connection.
 * When the owner dies its connection closes, the locks go with it, and another worker's next scan
 * takes the node over. Losing the lock connection stops every subscription of this process.
 */
export function startNodeSubscriptions(options: NodeSubscriptionsOptions = {}): RunningNodeSubscriptions {
  const { log = (m) => console.log(`[nodes] ${m}`), scanMs = 2_000, reconcileMs = 30_000, backoffMinMs = 200, backoffMaxMs = 30_000 } = options;
  let stopped = false;
  let lockClient: pg.Client | null = null;
  const runners = new Map<string, Runner>();
  let wake: (() => void) | null = null;
  const unsubscribe = onNodesChanged(() => wake?.());

  const stopRunners = async () => {
    const all = [...runners.values()];
    runners.clear();
    for (const r of all) r.abort.abort();
    await Promise.all(all.map((r) => r.done));
  };

  const connectLockClient = async (): Promise<pg.Client | null> => {
    if (lockClient) return lockClient;
    if (!process.env.DATABASE_URL) return null;
    const { connectMs, queryMs } = dbTimeouts();
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: connectMs, query_timeout: queryMs, keepAlive: true });
    const lost = () => {
      if (lockClient !== client) return;
      lockClient = null;
      void client.end().catch(() => {});
      // The locks went with the connection: another process may own these nodes now.
      void stopRunners();
    };
    client.on("error", lost);
    client.on("end", lost);
    try {
      await client.connect();
    } catch {
      void client.end().catch(() => {});
      return null;
    }
    lockClient = client;
    return client;
  };

  const scan = async () => {
    const client = await connectLockClient();
    if (!client) return;
    const nodes = await db.lightningNode.findMany({ select: { id: true } });
    const ids = new Set(nodes.map((n) => n.id));
    for (const [id, runner] of runners) {
      if (ids.has(id)) continue;
      runners.delete(id);
      runner.abort.abort();
      await runner.done;
      await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`boltrail.node:${id}`]).catch(() => {});
    }
    for (const { id } of nodes) {
      if (runners.has(id) || stopped) continue;
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [`boltrail.node:${id}`]);
      if (!rows[0]?.ok || lockClient !== client) continue;
      const abort = new AbortController();
      const done = runNode(id, abort.signal, { log, reconcileMs, backoffMinMs, backoffMaxMs }).catch((err: unknown) => log(`node ${id}: ${(err as Error).message}`));
      runners.set(id, { abort, done });
    }
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await scan();
      } catch (err) {
        if (!stopped) log(`scan failed: ${(err as Error).message}`);
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, scanMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  return {
    owned: () => [...runners.keys()],
    stop: async () => {
      stopped = true;
      unsubscribe();
      wake?.();
      await loop;
      await stopRunners();
      const client = lockClient;
      lockClient = null;
      await client?.end().catch(() => {});
    },
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

/** The subscription of one node, while this process owns it: stream, reconcile, reconnect. */
async function runNode(
  nodeId: string,
  signal: AbortSignal,
  options: { log: (msg: string) => void; reconcileMs: number; backoffMinMs: number; backoffMaxMs: number },
): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    const node = await db.lightningNode.findUnique({
      where: { id: nodeId },
      select: { id: true, restUrl: true, tlsCertEncrypted: true, macaroonEncrypted: true, settleIndex: true, state: true },
    });
    if (!node) return;
    const conn = connectionOf(node);
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener("abort", stop);
    let reason: string;
    // LND replays the settles with settle_index strictly greater than the one given: the last applied.
    const stream = lndStream<LndInvoice>(conn, "GET", `/v1/invoices/subscribe?settle_index=${node.settleIndex}`, undefined, async (invoice) => {
      await applyInvoiceUpdate(nodeId, invoice, "stream");
    }, callOptions({ signal: connection.signal }));
    // A stream sends its headers with its first message only, so reconciliation does not wait for it.
    const reconciling = (async () => {
      let first = true;
      while (!connection.signal.aborted) {
        try {
          // On (re)connect every pending invoice is looked up (what settled while no stream was
          // open); later passes only those past their expiry: the open stream reports settles.
          const completed = await reconcileNode(nodeId, conn, connection.signal, { onlyExpired: !first });
          await refreshNodeStatus(nodeId, conn, connection.signal);
          if (completed > 0) options.log(`node ${nodeId}: reconciliation resolved ${completed} invoice(s) (settled or expired on the node)`);
          attempt = 0;
          if (first || node.state !== "CONNECTED") {
            await db.lightningNode.updateMany({ where: { id: nodeId, OR: [{ state: { not: "CONNECTED" } }, { lastError: { not: null } }] }, data: { state: "CONNECTED", lastError: null } });
          }
          first = false;
        } catch (err) {
          if (!connection.signal.aborted) options.log(`node ${nodeId}: reconciliation failed: ${(err as Error).message}`);
        }
        await sleep(options.reconcileMs, connection.signal);
      }
    })();
    try {
      const handle = await stream;
      await handle.done;
      reason = "the node closed the invoice stream";
    } catch (err) {
      reason = err instanceof LndError ? `${err.kind}: ${err.message}` : (err as Error).message;
    }
    connection.abort();
    signal.removeEventListener("abort", stop);
    await reconciling;
    if (signal.aborted) return;
    await db.lightningNode.updateMany({ where: { id: nodeId }, data: { state: "RECONNECTING", lastError: reason.slice(0, 500) } }).catch(() => {});
    const delay = Math.min(options.backoffMaxMs, options.backoffMinMs * 2 ** attempt);
    attempt = Math.min(attempt + 1, 20);
    options.log(`node ${nodeId}: invoice stream lost (${reason}); reconnecting in ~${delay} ms`);
    await sleep(delay / 2 + Math.random() * (delay / 2), signal);
  }
}

/**
 * Looks up every pending receive of the node on the node (`GET /v1/invoice/{r_hash_str}`) and
 * completes those it settled: what settled while no stream was open. Expiry is decided here too,
 * from the node's answer only (the sweeper leaves live invoices alone): an invoice past its
 * expiry that is still open is cancelled on the node first (`POST /v2/invoices/cancel`); if the
 * node says it settled meanwhile it completes, otherwise (cancelled, or garbage-collected) it
 * expires. Returns how many it resolved (completed or expired).
 */
export async function reconcileNode(nodeId: string, conn: LndConnection, signal?: AbortSignal, options: { onlyExpired?: boolean } = {}): Promise<number> {
  let completed = 0;
  let after = "";
  for (;;) {
    const pending = await db.transaction.findMany({
      where: { nodeId, direction: "RECEIVE", status: "PENDING", paymentHash: { not: null }, id: { gt: after }, ...(options.onlyExpired ? { expiresAt: { lte: new Date() } } : {}) },
      select: { id: true, paymentHash: true, expiresAt: true },
      orderBy: { id: "asc" },
      take: 200,
    });
    for (const tx of pending) {
      if (signal?.aborted) return completed;
      let invoice: LndInvoice;
      try {
        invoice = await lndCall<LndInvoice>(conn, "GET", `/v1/invoice/${tx.paymentHash}`, undefined, callOptions({ signal }));
      } catch (err) {
        // Unknown to the node: garbage-collected after its expiry (counts as expired), else wait.
        if (err instanceof LndError && (err.grpcCode === 5 || /unable to locate invoice/i.test(err.message))) {
          if (pastExpiry(tx.expiresAt)) await expireOnNode(nodeId, tx.paymentHash!, "The invoice expired (the node no longer knows it)");
          continue;
        }
        throw err;
      }
      if (invoice.state === "OPEN" && pastExpiry(tx.expiresAt)) invoice = await cancelExpired(conn, tx.paymentHash!, invoice, signal);
      if (await applyInvoiceUpdate(nodeId, invoice, "lookup")) completed++;
    }
    if (pending.length < 200) return completed;
    after = pending[pending.length - 1].id;
  }
}

const pastExpiry = (expiresAt: Date | null) => expiresAt !== null && expiresAt.getTime() <= Date.now();

/**
 * Cancels an open invoice past its expiry on the node, then answers the invoice as the node now
 * has it: CANCELED, or SETTLED when the payment won the race (LND refuses to cancel a settled one).
 */
async function cancelExpired(conn: LndConnection, paymentHashHex: string, invoice: LndInvoice, signal?: AbortSignal): Promise<LndInvoice> {
  try {
    await lndCall(conn, "POST", "/v2/invoices/cancel", { payment_hash: Buffer.from(paymentHashHex, "hex").toString("base64") }, callOptions({ signal }));
  } catch (err) {
    if (!(err instanceof LndError && /already settled/i.test(err.message))) throw err;
  }
  return lndCall<LndInvoice>(conn, "GET", `/v1/invoice/${paymentHashHex}`, undefined, callOptions({ signal })).catch(() => invoice);
}

type ChannelBalance = { local_balance?: { sat?: string }; remote_balance?: { sat?: string } };

/**
 * Records what the node says about itself now: sync state and block height (getinfo), and its
 * channel liquidity (`GET /v1/balance/channels`: remote = what it can receive, local = what it can
 * send). A macaroon that may not read channel balances (invoice.macaroon) leaves liquidity unknown.
 */
export async function refreshNodeStatus(nodeId: string, conn: LndConnection, signal?: AbortSignal): Promise<void> {
  const info = await lndCall<LndInfo>(conn, "GET", "/v1/getinfo", undefined, callOptions({ signal }));
  let inboundSat: bigint | null = null;
  let outboundSat: bigint | null = null;
  try {
    const balance = await lndCall<ChannelBalance>(conn, "GET", "/v1/balance/channels", undefined, callOptions({ signal }));
    inboundSat = BigInt(balance.remote_balance?.sat ?? "0");
    outboundSat = BigInt(balance.local_balance?.sat ?? "0");
  } catch (err) {
    if (!(err instanceof LndError && err.kind === "permission")) throw err;
  }
  await db.lightningNode.updateMany({
    where: { id: nodeId },
    data: { syncedToChain: info.synced_to_chain === true, blockHeight: Number(info.block_height) || 0, inboundSat, outboundSat, statusCheckedAt: new Date() },
  });
}
