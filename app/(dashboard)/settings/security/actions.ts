"use server";
import { revalidatePath } from "next/cache";
import { changePassword } from "@/lib/accounts/change-password";
import { issuePasswordResetLink } from "@/lib/accounts/password-reset";
import { revokeOtherSessions, revokeOwnSession } from "@/lib/accounts/sessions";
import { confirmTwoFactorEnrolment, disableTwoFactor, regenerateRecoveryCodes, setTeamTwoFactorRequirement, startTwoFactorEnrolment } from "@/lib/accounts/two-factor";
import { runAction, runUserAction } from "@/lib/action";
import { requireUserForEnrolment } from "@/lib/auth/dashboard";
import { requestIp } from "@/lib/auth/request-ip";
import type { ActionResult } from "@/lib/errors";
import { formToObject } from "@/lib/validation";

const PAGE = "/settings/security";

export type SecurityFormState<T = null> = ActionResult<T> | null;

export async function changePasswordAction(_prev: SecurityFormState<{ endedSessions: number }>, form: FormData) {
  const ip = await requestIp();
  const result = await runUserAction((actor) => changePassword(actor, formToObject(form), ip));
  revalidatePath(PAGE);
  return result;
}

// Enrolment is open to an account whose team requires it and which has none yet (the rest of the
// dashboard is not, see requireUser), so these resolve the user with requireUserForEnrolment.
export async function startTwoFactorAction() {
  const actor = await requireUserForEnrolment();
  return runAction(() => startTwoFactorEnrolment(actor));
}

export async function confirmTwoFactorAction(_prev: SecurityFormState<{ recoveryCodes: string[] }>, form: FormData) {
  const actor = await requireUserForEnrolment();
  // No revalidation here: the page would re-render without the enrolment, hiding the recovery
  // codes before they are saved. Its "Done" refreshes it.
  return runAction(() => confirmTwoFactorEnrolment(actor, formToObject(form)));
}

export async function disableTwoFactorAction(_prev: SecurityFormState, form: FormData) {
  const ip = await requestIp();
  const result = await runUserAction(async (actor) => {
    await disableTwoFactor(actor, formToObject(form), ip);
    return null;
  });
  revalidatePath(PAGE);
  return result;
}

export async function regenerateRecoveryCodesAction(_prev: SecurityFormState<{ recoveryCodes: string[] }>, form: FormData) {
  const ip = await requestIp();
  const result = await runUserAction((actor) => regenerateRecoveryCodes(actor, formToObject(form), ip));
  revalidatePath(PAGE);
  return result;
}

export async function revokeSessionAction(sessionId: string) {
  const result = await runUserAction(async (actor) => {
    await revokeOwnSession(actor, sessionId);
    return null;
  });
  revalidatePath(PAGE);
  return result;
}

export async function revokeOtherSessionsAction() {
  const result = await runUserAction((actor) => revokeOtherSessions(actor));
  revalidatePath(PAGE);
  return result;
}

export async function setTeamTwoFactorAction(required: boolean) {
  const result = await runUserAction((actor) => setTeamTwoFactorRequirement(actor, { required }));
  revalidatePath(PAGE);
  return result;
}

export async function issueResetLinkAction(userId: string) {
  return runUserAction(async (actor) => {
    const link = await issuePasswordResetLink(actor, { userId });
    return { path: link.path, expiresAt: link.expiresAt.toISOString(), email: link.email };
  });
}
