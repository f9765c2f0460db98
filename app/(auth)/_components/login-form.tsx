"use client";
import { useState } from "react";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { formFailure } from "@/components/ui/form/server-error";
import { useServerForm } from "@/components/ui/form/use-server-form";
import type { ActionResult } from "@/lib/errors";
import { loginAction, type LoginState } from "../actions";

/**
 * Email and password; then, for an account with two-factor authentication, the code from the
 * authenticator app (or a recovery code) in the same place. A wrong password keeps the email
 * (and the password, to correct a typo).
 */
export function LoginForm({ next }: { next?: string }) {
  const [challenge, setChallenge] = useState<string | null>(null);
  if (challenge) return <CodeStep next={next} challenge={challenge} />;
  return <PasswordStep next={next} onCodeDue={setChallenge} />;
}

function PasswordStep({ next, onCodeDue }: { next?: string; onCodeDue: (challenge: string) => void }) {
  const form = useServerForm({
    schema: () => import("@/lib/accounts/schemas").then((m) => m.LoginInput),
    defaultValues: { email: "", password: "" },
    submit: async (_values, data): Promise<ActionResult<null> | null> => {
      const state: LoginState = await loginAction(null, data);
      if (state?.step === "code") onCodeDue(state.challenge);
      return state?.error ? formFailure(state.error, undefined, "UNAUTHENTICATED") : null;
    },
  });
  return (
    <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
      {next && <input type="hidden" name="next" value={next} />}
      <Field label="Email" type="email" autoComplete="email" required {...form.field("email")} />
      <Field label="Password" type="password" autoComplete="current-password" required {...form.field("password")} />
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel="Logging in…" className="w-full">
        Log in
      </PendingButton>
    </form>
  );
}

const CodeStepInput = async () => {
  const [{ z }, { TwoFactorCodeInput }] = await Promise.all([import("zod"), import("@/lib/accounts/security-schemas")]);
  return TwoFactorCodeInput.extend({ challenge: z.string() });
};

function CodeStep({ next, challenge }: { next?: string; challenge: string }) {
  const form = useServerForm({
    schema: CodeStepInput,
    defaultValues: { code: "", challenge },
    submit: async (_values, data) => {
      const state = await loginAction(null, data);
      return state?.error ? formFailure(state.error, "code", "UNAUTHENTICATED") : null;
    },
  });
  return (
    <form onSubmit={form.onSubmit} className="space-y-5" noValidate>
      <input type="hidden" {...form.register("challenge")} />
      {next && <input type="hidden" name="next" value={next} />}
      <p className="text-sm text-gray-700 dark:text-gray-300">Two-factor authentication is on for this account.</p>
      <Field
        label="Authentication code"
        autoComplete="one-time-code"
        autoCapitalize="none"
        spellCheck={false}
        autoFocus
        required
        hint="The 6-digit code from your authenticator app, or one of your recovery codes."
        {...form.field("code")}
      />
      <FormError message={form.generalError} />
      <PendingButton pending={form.pending} pendingLabel="Checking…" className="w-full">
        Verify
      </PendingButton>
      <p className="text-center text-sm">
        {/* A full load: the form starts again from the password. */}
        <a href={next ? `/login?next=${encodeURIComponent(next)}` : "/login"} className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Start over
        </a>
      </p>
    </form>
  );
}
