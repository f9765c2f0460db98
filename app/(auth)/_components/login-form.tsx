"use client";
import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { loginAction, type LoginState } from "../actions";

/**
 * Email and password; then, for an account with two-factor authentication, the code from the
 * authenticator app (or a recovery code) in the same place.
 */
export function LoginForm({ next }: { next?: string }) {
  const [state, formAction] = useActionState<LoginState, FormData>(loginAction, null);
  if (state?.step === "code") {
    return (
      <form action={formAction} className="space-y-5" noValidate>
        <input type="hidden" name="challenge" value={state.challenge} />
        {next && <input type="hidden" name="next" value={next} />}
        <p className="text-sm text-gray-700 dark:text-gray-300">Two-factor authentication is on for this account.</p>
        <Field
          name="code"
          label="Authentication code"
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
          autoFocus
          required
          hint="The 6-digit code from your authenticator app, or one of your recovery codes."
          error={state.error}
        />
        <SubmitButton className="w-full" pendingLabel="Checking…">
          Verify
        </SubmitButton>
        <p className="text-center text-sm">
          {/* A full load: the form starts again from the password. */}
          <a href={next ? `/login?next=${encodeURIComponent(next)}` : "/login"} className="font-semibold text-indigo-700 underline dark:text-indigo-300">
            Start over
          </a>
        </p>
      </form>
    );
  }
  return (
    <form action={formAction} className="space-y-5" noValidate>
      {next && <input type="hidden" name="next" value={next} />}
      <Field name="email" label="Email" type="email" autoComplete="email" required />
      <Field name="password" label="Password" type="password" autoComplete="current-password" required />
      <FormError message={state?.error} />
      <SubmitButton className="w-full" pendingLabel="Logging in…">
        Log in
      </SubmitButton>
    </form>
  );
}
