"use server";
import { CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { loginFailureMessage } from "@/lib/accounts/authenticate";
import { completePasswordReset, requestPasswordReset } from "@/lib/accounts/password-reset";
import { signUp } from "@/lib/accounts/sign-up";
import { acceptInvitation } from "@/lib/teams/invitations";
import { runAction } from "@/lib/action";
import { parseSigninCode, signIn, signOut } from "@/lib/auth/next-auth";
import { endCurrentSession } from "@/lib/auth/dashboard";
import { requestIp } from "@/lib/auth/request-ip";
import type { ActionResult } from "@/lib/errors";
import { formToObject } from "@/lib/validation";

export type FormState = ActionResult<null> | null;

/** The login form: the password step, or the code step of an account with two-factor authentication. */
export type LoginState = { step: "password"; error?: string } | { step: "code"; challenge: string; error?: string } | null;

/** Only same-site paths are followed after login (no open redirects). */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === "string" ? value : "";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/pay";
}

/** Signs in (redirecting on success); otherwise says why, or that the account's code is due. */
async function signInOrExplain(credentials: Record<string, unknown>, redirectTo: string, challenge?: string): Promise<LoginState> {
  try {
    await signIn("credentials", { ...credentials, redirectTo });
    return null;
  } catch (err) {
    if (!(err instanceof CredentialsSignin)) throw err;
    const outcome = parseSigninCode(err.code);
    if (outcome.reason === "second_factor") return { step: "code", challenge: outcome.challenge };
    if (outcome.reason === "invalid_code" && challenge) return { step: "code", challenge, error: loginFailureMessage(outcome) };
    return { step: "password", error: loginFailureMessage(outcome) };
  }
}

const asFormState = (state: LoginState): FormState => (state?.error ? { ok: false, error: { code: "UNAUTHENTICATED", message: state.error } } : null);

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  const next = safeNext(form.get("next"));
  const challenge = form.get("challenge");
  if (typeof challenge === "string" && challenge) {
    return signInOrExplain({ challenge, code: String(form.get("code") ?? "") }, next, challenge);
  }
  return signInOrExplain({ email: form.get("email"), password: form.get("password") }, next);
}

export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  const input = formToObject(form);
  const created = await runAction(() => signUp(input));
  if (!created.ok) return created;
  return asFormState(await signInOrExplain({ email: input.email, password: input.password }, "/pay"));
}

export async function acceptInvitationAction(_prev: FormState, form: FormData): Promise<FormState> {
  const input = formToObject(form);
  const accepted = await runAction(() => acceptInvitation(input));
  if (!accepted.ok) return accepted;
  return asFormState(await signInOrExplain({ email: input.email, password: input.password }, "/pay"));
}

export async function logoutAction(): Promise<void> {
  await endCurrentSession();
  await signOut({ redirectTo: "/login" });
}

/** "Forgot password": the same answer whether or not the account exists. */
export async function requestPasswordResetAction(_prev: FormState, form: FormData): Promise<FormState> {
  const ip = await requestIp();
  return runAction(async () => {
    await requestPasswordReset(formToObject(form), ip);
    return null;
  });
}

/** A new password through a reset link; then to the login page, every session having ended. */
export async function completePasswordResetAction(_prev: FormState, form: FormData): Promise<FormState> {
  const result = await runAction(() => completePasswordReset(formToObject(form)));
  if (!result.ok) return result;
  redirect("/login?reset=done");
}
