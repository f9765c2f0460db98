"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createApiKey, renameApiKey, revokeApiKey } from "@/lib/api-keys/manage-api-keys";

export type CreateApiKeyFormInput = {
  environment_id: string;
  name: string;
  permissions: { resource: string; level: string }[];
  expires_at: string | null;
  wallet_id: string | null;
};

export async function createApiKeyAction(input: CreateApiKeyFormInput) {
  const result = await runUserAction(async (actor) => {
    const { key, plaintextKey } = await createApiKey(actor, input);
    return { id: key.id, name: key.name, plaintextKey };
  });
  revalidatePath(`/pay/${input.environment_id}`, "layout");
  return result;
}

export async function renameApiKeyAction(environmentId: string, id: string, name: string) {
  const result = await runUserAction(async (actor) => (await renameApiKey(actor, id, { name })).name);
  revalidatePath(`/pay/${environmentId}/api-keys`);
  return result;
}

export async function revokeApiKeyAction(environmentId: string, id: string) {
  const result = await runUserAction(async (actor) => (await revokeApiKey(actor, id)).name);
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}
