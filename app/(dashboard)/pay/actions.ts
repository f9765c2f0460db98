"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createEnvironment } from "@/lib/environments/create-environment";
import { deleteEnvironment } from "@/lib/environments/delete-environment";
import { findEnvironment } from "@/lib/environments/find-environment";
import { requireTypedName } from "@/lib/auth/typed-confirmation";

export async function createEnvironmentAction(input: { name: string; type: "SANDBOX" | "LIVE" }) {
  const result = await runUserAction(async (actor) => (await createEnvironment(actor, input)).environment.id);
  revalidatePath("/pay", "layout");
  return result;
}

/** `confirmation`: the environment's name, typed by the user (refused otherwise). */
export async function deleteEnvironmentAction(environmentId: string, confirmation: string) {
  const result = await runUserAction(async (actor) => {
    requireTypedName(confirmation, (await findEnvironment(actor, environmentId)).name, "the environment's name");
    return deleteEnvironment(actor, environmentId);
  });
  revalidatePath("/pay", "layout");
  return result;
}
