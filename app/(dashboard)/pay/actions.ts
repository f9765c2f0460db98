"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createEnvironment } from "@/lib/environments/create-environment";
import { deleteEnvironment } from "@/lib/environments/delete-environment";

export async function createEnvironmentAction(input: { name: string; type: "SANDBOX" | "LIVE" }) {
  const result = await runUserAction(async (actor) => (await createEnvironment(actor, input)).environment.id);
  revalidatePath("/pay", "layout");
  return result;
}

export async function deleteEnvironmentAction(environmentId: string) {
  const result = await runUserAction((actor) => deleteEnvironment(actor, environmentId));
  revalidatePath("/pay", "layout");
  return result;
}
