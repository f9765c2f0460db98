"use client";
import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import type { FormState } from "../actions";

export type FieldSpec = {
  name: string;
  label: string;
  type?: string;
  autoComplete?: string;
  hint?: string;
  minLength?: number;
};

/**
 * The login, sign-up and invite forms: labelled fields, the error of the field at fault beside
 * it, any other error above the button, and progress while the action runs.
 */
export function CredentialsForm({
  action,
  fields,
  submitLabel,
  pendingLabel,
  hidden = {},
}: {
  action: (prev: FormState, form: FormData) => Promise<FormState>;
  fields: FieldSpec[];
  submitLabel: string;
  pendingLabel: string;
  hidden?: Record<string, string>;
}) {
  const [state, formAction] = useActionState(action, null);
  const error = state && !state.ok ? state.error : undefined;
  const fieldNames = new Set(fields.map((f) => f.name));
  const fieldError = (name: string) => (error?.field === name ? (error.detail ?? error.message) : undefined);
  const generalError = error && !(error.field && fieldNames.has(error.field)) ? (error.detail ?? error.message) : undefined;

  return (
    <form action={formAction} className="space-y-5" noValidate>
      {Object.entries(hidden).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {fields.map((f) => (
        <Field
          key={f.name}
          name={f.name}
          label={f.label}
          type={f.type ?? "text"}
          autoComplete={f.autoComplete}
          hint={f.hint}
          minLength={f.minLength}
          required
          error={fieldError(f.name)}
        />
      ))}
      <FormError message={generalError} />
      <SubmitButton className="w-full" pendingLabel={pendingLabel}>
        {submitLabel}
      </SubmitButton>
    </form>
  );
}
