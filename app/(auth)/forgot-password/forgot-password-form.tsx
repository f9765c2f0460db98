"use client";
import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { requestPasswordResetAction, type FormState } from "../actions";

export function ForgotPasswordForm() {
  const [state, formAction] = useActionState<FormState, FormData>(requestPasswordResetAction, null);
  if (state?.ok) {
    return (
      <p role="status" className="rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
        If an account uses that email, a reset link is on its way. It works once, within 30 minutes. Check your spam folder if it does not arrive.
      </p>
    );
  }
  const error = state && !state.ok ? state.error : undefined;
  return (
    <form action={formAction} className="space-y-5" noValidate>
      <Field name="email" label="Email" type="email" autoComplete="email" required error={error?.field === "email" ? (error.detail ?? error.message) : undefined} />
      <FormError message={error && error.field !== "email" ? (error.detail ?? error.message) : undefined} />
      <SubmitButton className="w-full" pendingLabel="Sending…">
        Send reset link
      </SubmitButton>
    </form>
  );
}
