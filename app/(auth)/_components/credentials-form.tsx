"use client";
import type { z } from "zod";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm, type SchemaLoader } from "@/components/ui/form/use-server-form";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password-policy";
import { acceptInvitationAction, completePasswordResetAction, signUpAction, type FormState } from "../actions";

type FieldSpec = { name: string; label: string; type?: string; autoComplete?: string; hint?: string; maxLength?: number };

const EMAIL: FieldSpec = { name: "email", label: "Email", type: "email", autoComplete: "email" };
const NEW_PASSWORD: FieldSpec = { name: "password", label: "Password", type: "password", autoComplete: "new-password", hint: `At least ${PASSWORD_MIN_LENGTH} characters.` };

/**
 * The sign-up, invitation and reset forms: labelled fields validated in the browser with the
 * service's schema, the error of the field at fault beside it, any other error above the button,
 * and every value kept after an error (a taken email keeps the password typed too: it was valid,
 * and retyping it is the only thing the user could not see to check).
 */
function CredentialsForm<S extends z.ZodObject>({
  schema,
  action,
  fields,
  submitLabel,
  pendingLabel,
  hidden = {},
}: {
  schema: SchemaLoader<S>;
  action: (prev: FormState, form: FormData) => Promise<FormState>;
  fields: FieldSpec[];
  submitLabel: string;
  pendingLabel: string;
  hidden?: Record<string, string>;
}) {
  const form = useServerForm({
    schema,
    defaultValues: Object.fromEntries([...Object.entries(hidden), ...fields.map((f) => [f.name, ""])]) as never,
    submit: (_values, data) => action(null, data),
  });
  return (
    <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
      {Object.keys(hidden).map((k) => (
        <input key={k} type="hidden" {...form.register(k as never)} />
      ))}
      {fields.map((f) => (
        <Field key={f.name} label={f.label} type={f.type ?? "text"} autoComplete={f.autoComplete} hint={f.hint} maxLength={f.maxLength} counter={!!f.maxLength} required {...form.field(f.name as never)} />
      ))}
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel={pendingLabel} className="w-full">
        {submitLabel}
      </PendingButton>
    </form>
  );
}

export function SignUpForm() {
  return (
    <CredentialsForm
      schema={() => import("@/lib/accounts/schemas").then((m) => m.SignUpInput)}
      action={signUpAction}
      submitLabel="Create account"
      pendingLabel="Creating account…"
      fields={[EMAIL, NEW_PASSWORD, { name: "teamName", label: "Team name", autoComplete: "organization", maxLength: 80 }]}
    />
  );
}

export function AcceptInvitationForm({ token }: { token: string }) {
  return <CredentialsForm schema={() => import("@/lib/accounts/schemas").then((m) => m.AcceptInvitationInput)} action={acceptInvitationAction} submitLabel="Join team" pendingLabel="Joining…" hidden={{ token }} fields={[EMAIL, NEW_PASSWORD]} />;
}

export function ResetPasswordForm({ token }: { token: string }) {
  return (
    <CredentialsForm
      schema={() => import("@/lib/accounts/security-schemas").then((m) => m.CompletePasswordResetInput)}
      action={completePasswordResetAction}
      submitLabel="Set new password"
      pendingLabel="Saving…"
      hidden={{ token }}
      fields={[{ ...NEW_PASSWORD, label: "New password" }]}
    />
  );
}
