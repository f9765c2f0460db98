"use client";
import { useState } from "react";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { requestPasswordResetAction } from "../actions";

export function ForgotPasswordForm() {
  const [sent, setSent] = useState(false);
  const form = useServerForm({
    schema: () => import("@/lib/accounts/security-schemas").then((m) => m.RequestPasswordResetInput),
    defaultValues: { email: "" },
    submit: (_values, data) => requestPasswordResetAction(null, data),
    onSuccess: () => setSent(true),
  });
  if (sent) {
    return (
      <p role="status" className="rounded-md border border-green-300 bg-green-50 px-3 py-2 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
        If an account uses that email, a reset link is on its way. It works once, within 30 minutes. Check your spam folder if it does not arrive.
      </p>
    );
  }
  return (
    <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
      <Field label="Email" type="email" autoComplete="email" required {...form.field("email")} />
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel="Sending…" className="w-full">
        Send reset link
      </PendingButton>
    </form>
  );
}
