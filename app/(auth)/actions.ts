"use server";
import { CredentialsSignin } from "next-auth";
import { loginFailureMessage } from "@/lib/accounts/authenticate";
import { signUp } from "@/lib/accounts/sign-up";
import { acceptInvitation } from "@/lib/teams/invitations";
import { runAction } from "@/lib/action";
import { parseSigninCode, signIn, signOut } from "@/lib/auth/next-auth";
import { endCurrentSession } from "@/lib/auth/dashboard";
import type { ActionResult } from "@/lib/errors";
import { formToObject } from "@/lib/validation";

export type FormState = ActionResult<null> | null;

/** Only same-site paths are followed after login (no open redirects). */
function safeNext(value: FormDataEntryValue | null): string {
  const next = typeof value === "string" ? value : "";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/pay";
}

async function signInOrExplain(email: unknown, password: unknown, redirectTo: string): Promise<FormState> {
  try {
    await signIn("credentials", { email, password, redirectTo });
    return null;
  } catch (err) {
    if (err instanceof CredentialsSignin) {
      return { ok: false, error: { code: "UNAUTHENTICATED", message: loginFailureMessage(parseSigninCode(err.code)) } };
    }
    throw err;
  }
}

export async function loginAction(_prev: FormState, form: FormData): Promise<FormState> {
  return signInOrExplain(form.get("email"), form.get("password"), safeNext(form.get("next")));
}

export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  const input = formToObject(form);
  const created = await runAction(() => signUp(input));
  if (!created.ok) return created;
  return signInOrExplain(input.email, input.password, "/pay");
}

export async function acceptInvitationAction(_prev: FormState, form: FormData): Promise<FormState> {
  const input = formToObject(form);
  const accepted = await runAction(() => acceptInvitation(input));
  if (!accepted.ok) return accepted;
  return signInOrExplain(input.email, input.password, "/pay");
}

export async function logoutAction(): Promise<void> {
  await endCurrentSession();
  await signOut({ redirectTo: "/login" });
}
