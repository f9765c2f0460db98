"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { PendingButton } from "@/components/ui/form/pending-button";
import { useServerForm } from "@/components/ui/form/use-server-form";
import { disableTwoFactorAction, regenerateRecoveryCodesAction, type SecurityFormState } from "./actions";
import { RecoveryCodesOnce } from "./recovery-codes";
import { TwoFactorEnrolment } from "./two-factor-enrolment";

/** Off: the set-up. */
export function EnableTwoFactor() {
  const router = useRouter();
  return <TwoFactorEnrolment done={<Button onClick={() => router.refresh()}>Done</Button>} />;
}

/** A current code (or a recovery code), then `action`; its error stays beside the code, the code as typed. */
function CodeForm<T>({
  action,
  onSuccess,
  submitLabel,
  pendingLabel,
  danger,
  idPrefix,
}: {
  action: (prev: null, form: FormData) => Promise<SecurityFormState<T>>;
  onSuccess: (data: T) => void;
  submitLabel: string;
  pendingLabel: string;
  danger?: boolean;
  idPrefix: string;
}) {
  const form = useServerForm({ schema: () => import("@/lib/accounts/security-schemas").then((m) => m.TwoFactorCodeInput), defaultValues: { code: "" }, submit: (_values, data) => action(null, data), onSuccess });
  return (
    <form onSubmit={form.onSubmit} className="space-y-3" noValidate>
      <Field id={`${idPrefix}-code`} label="Current code or a recovery code" autoComplete="one-time-code" autoCapitalize="none" spellCheck={false} required {...form.field("code")} />
      <FormError message={form.generalError} />
      <PendingButton variant={danger ? "danger" : "secondary"} pending={form.pending} pendingLabel={pendingLabel}>
        {submitLabel}
      </PendingButton>
    </form>
  );
}

/** On: turn it off, or get new recovery codes — each with a current code (or a recovery code). */
export function ManageTwoFactor() {
  const [open, setOpen] = useState<"disable" | "regenerate" | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const router = useRouter();

  if (codes && open === "regenerate") {
    return (
      <div className="space-y-4">
        <p role="status" className="text-sm">Your old recovery codes no longer work.</p>
        <RecoveryCodesOnce codes={codes} />
        <Button
          onClick={() => {
            setOpen(null);
            setCodes(null);
            router.refresh();
          }}
        >
          Done
        </Button>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" aria-expanded={open === "regenerate"} onClick={() => setOpen(open === "regenerate" ? null : "regenerate")}>
          New recovery codes
        </Button>
        <Button variant="secondary" className="text-red-700 dark:text-red-400" aria-expanded={open === "disable"} onClick={() => setOpen(open === "disable" ? null : "disable")}>
          Turn off two-factor authentication
        </Button>
      </div>
      {open === "disable" && <CodeForm idPrefix="disable" action={disableTwoFactorAction} onSuccess={() => router.refresh()} submitLabel="Turn off" pendingLabel="Turning off…" danger />}
      {open === "regenerate" && (
        <CodeForm idPrefix="regenerate" action={regenerateRecoveryCodesAction} onSuccess={(data) => setCodes(data.recoveryCodes)} submitLabel="Make new recovery codes" pendingLabel="Making codes…" />
      )}
    </div>
  );
}
