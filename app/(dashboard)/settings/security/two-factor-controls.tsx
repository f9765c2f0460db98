"use client";
import { useActionState, useState } from "react";
import { useRouter } from "next/navigation";
import { Button, SubmitButton } from "@/components/ui/button";
import { Field, FormError } from "@/components/ui/field";
import { disableTwoFactorAction, regenerateRecoveryCodesAction, type SecurityFormState } from "./actions";
import { RecoveryCodesOnce } from "./recovery-codes";
import { TwoFactorEnrolment } from "./two-factor-enrolment";

/** Off: the set-up. */
export function EnableTwoFactor() {
  const router = useRouter();
  return <TwoFactorEnrolment done={<Button onClick={() => router.refresh()}>Done</Button>} />;
}

function CodeForm({
  action,
  submitLabel,
  pendingLabel,
  danger,
  idPrefix,
}: {
  action: (form: FormData) => void;
  submitLabel: string;
  pendingLabel: string;
  danger?: boolean;
  idPrefix: string;
}) {
  return (
    <form action={action} className="space-y-3" noValidate>
      <Field id={`${idPrefix}-code`} name="code" label="Current code or a recovery code" autoComplete="one-time-code" autoCapitalize="none" spellCheck={false} required />
      <SubmitButton variant={danger ? "danger" : "secondary"} pendingLabel={pendingLabel}>
        {submitLabel}
      </SubmitButton>
    </form>
  );
}

/** On: turn it off, or get new recovery codes — each with a current code (or a recovery code). */
export function ManageTwoFactor() {
  const [open, setOpen] = useState<"disable" | "regenerate" | null>(null);
  const [disableState, disable] = useActionState<SecurityFormState, FormData>(disableTwoFactorAction, null);
  const [regenState, regenerate] = useActionState<SecurityFormState<{ recoveryCodes: string[] }>, FormData>(regenerateRecoveryCodesAction, null);
  const router = useRouter();

  if (regenState?.ok && open === "regenerate") {
    return (
      <div className="space-y-4">
        <p role="status" className="text-sm">Your old recovery codes no longer work.</p>
        <RecoveryCodesOnce codes={regenState.data.recoveryCodes} />
        <Button
          onClick={() => {
            setOpen(null);
            router.refresh();
          }}
        >
          Done
        </Button>
      </div>
    );
  }

  const error = (open === "disable" ? disableState : regenState) ?? null;
  const message = error && !error.ok ? (error.error.detail ?? error.error.message) : undefined;
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
      {open === "disable" && <CodeForm idPrefix="disable" action={disable} submitLabel="Turn off" pendingLabel="Turning off…" danger />}
      {open === "regenerate" && <CodeForm idPrefix="regenerate" action={regenerate} submitLabel="Make new recovery codes" pendingLabel="Making codes…" />}
      {open && <FormError message={message} />}
    </div>
  );
}
