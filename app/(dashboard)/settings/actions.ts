"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createInvitation, revokeInvitation } from "@/lib/teams/invitations";
import { removeMember } from "@/lib/teams/members";

export async function createInvitationAction() {
  const result = await runUserAction(async (actor) => {
    const invitation = await createInvitation(actor);
    return { path: invitation.path, expiresAt: invitation.expiresAt.toISOString() };
  });
  revalidatePath("/settings/invitations");
  return result;
}

export async function revokeInvitationAction(form: FormData) {
  const result = await runUserAction((actor) => revokeInvitation(actor, String(form.get("invitationId") ?? "")));
  revalidatePath("/settings/invitations");
  return result;
}

export async function removeMemberAction(form: FormData) {
  const result = await runUserAction((actor) => removeMember(actor, String(form.get("userId") ?? "")));
  revalidatePath("/settings/team");
  return result;
}
