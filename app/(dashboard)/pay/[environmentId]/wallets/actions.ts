"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createWallet, deleteWallet } from "@/lib/wallets/manage-wallets";
import { createReceive } from "@/lib/transactions/create-receive";

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
  input: { wallet_id: string; amount: string; description: string | null; expires_in_seconds: number | null; metadata: string | null },
) {
  const result = await runUserAction(async (actor) => (await createReceive(actor, input)).id);
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}
