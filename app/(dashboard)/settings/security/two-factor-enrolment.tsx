"use client";
import { useState, useTransition, type ReactNode } from "react";
import { QRCodeSVG } from "qrcode.react";
import { Button, Spinner } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { confirmTwoFactorAction, startTwoFactorAction } from "./actions";
import { RecoveryCodesOnce } from "./recovery-codes";

/**
 * Setting up an authenticator: a new secret as a QR code (and as text for manual entry), then a
 * code from the app to confirm it, then the recovery codes, shown once. `done` is what follows
 * them (a button or a link).
 */
export function TwoFactorEnrolment({ done }: { done: ReactNode }) {
  const [setup, setSetup] = useState<{ secret: string; uri: string } | null>(null);
  const [startError, setStartError] = useState<string | undefined>();
  const [starting, startTransition] = useTransition();
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const form = useServerForm({
    schema: () => import("@/lib/accounts/security-schemas").then((m) => m.TwoFactorCodeInput),
    defaultValues: { code: "" },
    submit: (_values, data) => confirmTwoFactorAction(null, data),
    onSuccess: (data) => setRecoveryCodes(data.recoveryCodes),
  });

  if (recoveryCodes) {
    return (
      <div className="space-y-4">
        <p role="status" className="text-sm font-medium text-green-800 dark:text-green-300">
          Two-factor authentication is on. From now on, logging in asks for a code from your app.
        </p>
        <RecoveryCodesOnce codes={recoveryCodes} />
        {done}
      </div>
    );
  }

  if (!setup) {
    return (
      <div className="space-y-3">
        <Button
          disabled={starting}
          aria-busy={starting}
          onClick={() =>
            startTransition(async () => {
              const result = await startTwoFactorAction();
              if (result.ok) setSetup(result.data);
              else setStartError(result.error.message);
            })
          }
        >
          {starting && <Spinner />}
          Set up two-factor authentication
        </Button>
        <FormError message={startError} />
      </div>
    );
  }

  return (
    <div className="space-y-5">
      <ol className="list-decimal space-y-2 pl-5 text-sm text-gray-700 dark:text-gray-300">
        <li>Scan this QR code with an authenticator app (1Password, Aegis, Google Authenticator, …), or enter the key below by hand.</li>
        <li>Enter the 6-digit code the app shows to turn two-factor authentication on.</li>
      </ol>
      <div className="inline-block rounded-lg bg-white p-3">
        <QRCodeSVG value={setup.uri} size={184} level="M" title="QR code of your authenticator set-up key" role="img" aria-label="QR code of your authenticator set-up key" />
      </div>
      <div className="space-y-1">
        <label htmlFor="totp-secret" className="block text-sm font-medium">
          Set-up key (for manual entry)
        </label>
        <div className="flex gap-2">
          <input
            id="totp-secret"
            readOnly
            value={setup.secret}
            data-testid="totp-secret"
            className="block w-full min-w-0 rounded-md border border-gray-300 bg-gray-50 px-3 py-2 font-mono text-xs dark:border-gray-600 dark:bg-gray-950"
          />
          <CopyButton value={setup.secret} label="set-up key" />
        </div>
      </div>
      <form onSubmit={form.onSubmit} className="space-y-4" noValidate>
        <Field label="Code from the app" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" maxLength={8} required {...form.field("code")} />
        <FormError message={form.generalError} />
        <PendingButton pending={form.pending} pendingLabel="Checking…">
          Turn on
        </PendingButton>
      </form>
    </div>
  );
}
