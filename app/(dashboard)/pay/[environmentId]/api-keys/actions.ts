"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createApiKey, listApiKeys, renameApiKey, revokeApiKey } from "@/lib/api-keys/manage-api-keys";
import { requireTypedName } from "@/lib/auth/typed-confirmation";
import { notFound } from "@/lib/errors";

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

/** `confirmation`: the key's name, typed by the user (refused otherwise). */
export async function revokeApiKeyAction(environmentId: string, id: string, confirmation: string) {
  const result = await runUserAction(async (actor) => {
    const key = (await listApiKeys(actor, environmentId)).find((k) => k.id === id);
    if (!key) throw notFound("API key");
    requireTypedName(confirmation, key.name, "the key's name");
    return (await revokeApiKey(actor, id)).name;
  });
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}
