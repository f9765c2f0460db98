"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { checkTeamPassword, storeTeamPasswordAndKeys } from "@/lib/custody/team-password";

/** Sets or (after checkTeamPasswordAction proved the current one) changes the team password: only its hash and the re-wrapped key arrive here. */
export async function storeTeamPasswordAction(input: { encrypted_symmetric_key: string; password_hash: string }) {
  const result = await runUserAction(async (actor) => {
    await storeTeamPasswordAndKeys(actor, input);
    return true;
  });
  revalidatePath("/settings/team");
  return result;
}

export async function checkTeamPasswordAction(passwordHash: string) {
  return runUserAction((actor) => checkTeamPassword(actor, passwordHash));
}
