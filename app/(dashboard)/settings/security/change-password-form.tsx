"use client";
import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { changePasswordAction, type SecurityFormState } from "./actions";

export function ChangePasswordForm({ minLength }: { minLength: number }) {
  const [state, formAction] = useActionState<SecurityFormState<{ endedSessions: number }>, FormData>(changePasswordAction, null);
  const error = state && !state.ok ? state.error : undefined;
  const fieldError = (name: string) => (error?.field === name ? (error.detail ?? error.message) : undefined);
  const ended = state?.ok ? state.data.endedSessions : 0;
  return (
    <form action={formAction} className="max-w-md space-y-4" noValidate>
      {state?.ok && (
        <p role="status" className="rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
          Password changed.{" "}
          {ended === 0 ? "You had no other sessions." : `${ended} other session${ended === 1 ? " was" : "s were"} signed out; this one stays signed in.`}
        </p>
      )}
      <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required error={fieldError("currentPassword")} />
      <Field
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        minLength={minLength}
        required
        hint={`At least ${minLength} characters. Your other sessions are signed out.`}
        error={fieldError("newPassword")}
      />
      <FormError message={error && !["currentPassword", "newPassword"].includes(error.field ?? "") ? (error.detail ?? error.message) : undefined} />
      <SubmitButton pendingLabel="Changing…">Change password</SubmitButton>
    </form>
  );
}
