"use client";
import { useState } from "react";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { changePasswordAction } from "./actions";

export function ChangePasswordForm({ minLength }: { minLength: number }) {
  const [ended, setEnded] = useState<number | null>(null);
  const form = useServerForm({
    schema: () => import("@/lib/accounts/security-schemas").then((m) => m.ChangePasswordInput),
    defaultValues: { currentPassword: "", newPassword: "" },
    submit: (_values, data) => {
      setEnded(null);
      return changePasswordAction(null, data);
    },
    onSuccess: (data) => {
      setEnded(data.endedSessions);
      form.reset();
    },
  });
  return (
    <form onSubmit={form.onSubmit} className="max-w-md space-y-4" noValidate>
      {ended !== null && (
        <p role="status" className="rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
          Password changed.{" "}
          {ended === 0 ? "You had no other sessions." : `${ended} other session${ended === 1 ? " was" : "s were"} signed out; this one stays signed in.`}
        </p>
      )}
      <Field label="Current password" type="password" autoComplete="current-password" required {...form.field("currentPassword")} />
      <Field
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${minLength} characters. Your other sessions are signed out.`}
        {...form.field("newPassword")}
      />
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel="Changing…">
        Change password
      </PendingButton>
    </form>
  );
}
