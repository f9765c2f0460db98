"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createWallet, deleteWallet, findWallet, setLightningAddress } from "@/lib/wallets/manage-wallets";
import { createReceive } from "@/lib/transactions/create-receive";
import { createSend, previewSend } from "@/lib/transactions/create-send";
import { walletNodePermissions } from "@/lib/custody/credentials";
import { usdValue } from "@/lib/assets/prices";
import { fullAddress } from "@/lib/lnurl/own-host";

export async function createWalletAction(input: { environment_id: string; name: string; asset_id: string }) {
  const result = await runUserAction(async (actor) => (await createWallet(actor, input)).id);
  revalidatePath(`/pay/${input.environment_id}`, "layout");
  return result;
}

export async function deleteWalletAction(environmentId: string, walletId: string) {
  const result = await runUserAction((actor) => deleteWallet(actor, walletId));
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}

export async function createInvoiceAction(
  environmentId: string,
  // amount (minor units) or amount_usd_cents (a USD-priced invoice, issue 15 §4): create_receive checks exactly one is given.
  input: { wallet_id: string; amount?: string; amount_usd_cents?: number; description: string | null; expires_in_seconds: number | null; metadata: string | null },
) {
  const result = await runUserAction(async (actor) => (await createReceive(actor, input)).id);
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}

/** The decoded, checked payment (or an address's limits) shown before "Confirm"; amounts as strings. */
export async function previewSendAction(walletId: string, text: string) {
  return runUserAction(async (actor) => {
    const p = await previewSend(actor, walletId, text);
    const wallet = await findWallet(actor, walletId);
    const { precision, symbol } = wallet.asset;
    const usd = (v: bigint) => usdValue(v, precision, symbol);
    if (p.kind === "address") {
      return { kind: "address" as const, address: p.address, description: p.description, minSats: (p.minSendableMsat / BigInt(1000)).toString(), maxSats: (p.maxSendableMsat / BigInt(1000)).toString(), commentAllowed: p.commentAllowed, available: p.available.toString() };
    }
    return {
      kind: "invoice" as const,
      paymentRequest: p.paymentRequest,
      amount: p.amount.toString(),
      amountUsd: usd(p.amount),
      amountSats: p.amountSats.toString(),
      feeReserve: p.feeReserve.toString(),
      total: p.total.toString(),
      available: p.available.toString(),
      description: p.description,
      payeePubkey: p.payeePubkey,
      expiresAt: p.expiresAt.toISOString(),
      internal: p.internal,
      existingId: p.existingId,
    };
  });
}

export async function sendPaymentAction(
  environmentId: string,
  input: {
    wallet_id: string;
    idempotency_key: string;
    request?: { bolt11: string };
    address?: { lightning_address: string; amount: string; comment: string | null };
    metadata?: string;
  },
) {
  const result = await runUserAction(async (actor) => {
    const tx = await createSend(actor, input);
    return { id: tx.id, status: tx.status, paymentRequest: tx.paymentRequest, clientPays: tx.clientPays ?? false };
  });
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}

/** node_permissions for the dashboard's live send: what the browser needs to pay on the node, for the team password's hash. */
export async function nodePermissionsAction(walletId: string, passwordHash: string) {
  return runUserAction(async (actor) => {
    const p = await walletNodePermissions(actor, walletId, passwordHash);
    return { encryptedSymmetricKey: p.encryptedSymmetricKey, nodes: p.nodes.map((n) => ({ restUrl: n.restUrl, encryptedMacaroon: n.encryptedMacaroon })) };
  });
}

export async function setLightningAddressAction(environmentId: string, walletId: string, name: string) {
  const result = await runUserAction(async (actor) => fullAddress((await setLightningAddress(actor, walletId, name)).lightningAddress));
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}
