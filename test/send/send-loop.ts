// A process that only sends (run by sigkill.test.ts, which SIGKILLs it at random moments): lanes
// of internal payments (a fresh invoice of the payee wallet, paid from the payer wallet) and of
// sends to other nodes settled at once by the sandbox job's handler, forever.
import { createSession, resolveSessionUser } from "@/lib/auth/session";
import { runSandboxSend } from "@/lib/jobs/handlers";
import { db } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { createSend } from "@/lib/transactions/create-send";
import { foreignInvoice } from "./helpers";

const { PAYER_USER, PAYER_WALLET, PAYEE_USER, PAYEE_WALLET } = process.env;
const payer = await resolveSessionUser(PAYER_USER!, 0, await createSession(PAYER_USER!));
const payee = await resolveSessionUser(PAYEE_USER!, 0, await createSession(PAYEE_USER!));
if (!payer || !payee) throw new Error("no actors");

async function internalLane() {
  for (;;) {
    const invoice = await createReceive(payee!, { wallet_id: PAYEE_WALLET, amount: "100", expires_in_seconds: 3600 });
    await createSend(payer!, { wallet_id: PAYER_WALLET, request: { bolt11: invoice.paymentRequest } });
  }
}

async function externalLane() {
  for (let i = 0; ; i++) {
    const send = await createSend(payer!, {
      wallet_id: PAYER_WALLET,
      request: { bolt11: foreignInvoice({ amountMsat: BigInt(50_000) }).paymentRequest },
      metadata: JSON.stringify({ amb_sandbox_behavior: i % 2 ? "complete" : "fail" }),
    });
    const job = await db.job.findFirstOrThrow({ where: { type: "sandbox.send", payload: { path: ["transactionId"], equals: send.id } } });
    await runSandboxSend(job.payload);
  }
}

console.log("send-loop ready");
await Promise.all([internalLane(), internalLane(), externalLane(), externalLane()]);
