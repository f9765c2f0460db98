import "server-only";
import { db } from "@/lib/db";
import { transitionInTx } from "../transactions/lifecycle";
import { hashHex, type LndInvoice } from "./node-connection";

/**
 * Applies one invoice update from a node: SETTLED completes the node's pending receive with that
 * payment hash, exactly once (the transition is a conditional update on PENDING, so a settle
 * delivered twice, or by both the stream and a lookup, changes nothing the second time). In the
 * same database transaction the node's settle_index advances to this one (never backwards), so a
 * reconnect resumes after the last settle applied. CANCELED expires it (expireOnNode). Returns whether a transaction changed.
 */
export async function applyInvoiceUpdate(nodeId: string, invoice: LndInvoice, source: "stream" | "lookup"): Promise<boolean> {
  if (invoice.state === "CANCELED") return expireOnNode(nodeId, hashHex(invoice.r_hash), "The invoice expired on the node (canceled there; it can no longer be paid)");
  if (invoice.state !== "SETTLED") return false;
  const paymentHash = hashHex(invoice.r_hash);
  const settleIndex = BigInt(invoice.settle_index || "0");
  return db.$transaction(async (tx) => {
    const pending = await tx.transaction.findFirst({
      where: { nodeId, paymentHash, direction: "RECEIVE", status: "PENDING" },
      select: { id: true },
    });
    const completed = pending
      ? await transitionInTx(tx, pending.id, "COMPLETED", {
          details: { node_id: nodeId, settle_index: invoice.settle_index, amt_paid_msat: invoice.amt_paid_msat, source },
        })
      : false;
    if (settleIndex > BigInt(0) && source === "stream") {
      await tx.$executeRaw`UPDATE nodes SET "settleIndex" = GREATEST("settleIndex", ${settleIndex}), "updatedAt" = now() WHERE id = ${nodeId}`;
    }
    if (completed) await tx.$executeRaw`UPDATE nodes SET "lastSettledAt" = now() WHERE id = ${nodeId}`;
    return completed;
  });
}

/**
 * A live invoice the node can no longer settle (canceled there, or garbage-collected after its
 * expiry) becomes EXPIRED, once. Only ever decided from the node's own answer, never by the clock
 * alone, so an invoice the node settles at its expiry is COMPLETED, never EXPIRED then paid.
 */
export async function expireOnNode(nodeId: string, paymentHash: string, message: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const pending = await tx.transaction.findFirst({
      where: { nodeId, paymentHash, direction: "RECEIVE", status: "PENDING" },
      select: { id: true },
    });
    return pending ? transitionInTx(tx, pending.id, "EXPIRED", { message, details: { node_id: nodeId } }) : false;
  });
}
