"use client";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { issueResetLinkAction, setTeamTwoFactorAction } from "./actions";

/** Master: require two-factor authentication of every account of the team. */
export function RequireTwoFactorToggle({ required, canRequire }: { required: boolean; canRequire: boolean }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | undefined>();
  const toast = useToast();
  return (
    <div className="space-y-2">
      <Button
        variant={required ? "secondary" : "primary"}
        disabled={pending || (!required && !canRequire)}
        aria-busy={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await setTeamTwoFactorAction(!required);
            if (!result.ok) return setError(result.error.detail ?? result.error.message);
            setError(undefined);
            const n = result.data.membersWithout;
            toast(
              result.data.required
                ? `Two-factor authentication is now required${n ? `: ${n} member${n === 1 ? "" : "s"} will be asked to set it up` : ""}`
                : "Two-factor authentication is no longer required",
              "success",
            );
          })
        }
      >
        {pending && <Spinner />}
        {required ? "Stop requiring two-factor authentication" : "Require two-factor authentication"}
      </Button>
      {!required && !canRequire && <p className="text-xs text-gray-600 dark:text-gray-400">Turn it on for your own account first.</p>}
      <FormError message={error} />
    </div>
  );
}

/** Master: a one-time reset link for a member (shown once, with a copy button). */
export function ResetLinkButton({ userId, email }: { userId: string; email: string }) {
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const inputId = `reset-link-${userId}`;
  return (
    <div className="space-y-2">
      <Button
        variant="secondary"
        className="px-2.5 py-1.5 text-xs"
        disabled={pending}
        aria-busy={pending}
        aria-label={`Create a password reset link for ${email}`}
        onClick={() =>
          startTransition(async () => {
            const result = await issueResetLinkAction(userId);
            if (!result.ok) return setError(result.error.detail ?? result.error.message);
            setError(undefined);
            setLink(new URL(result.data.path, window.location.origin).toString());
          })
        }
      >
        {pending && <Spinner />}
        Create reset link
      </Button>
      <FormError message={error} />
      {link && (
        <div className="space-y-1 text-left">
          <label htmlFor={inputId} className="block text-xs font-medium">
            Reset link for {email}
          </label>
          <div className="flex gap-2">
            <input id={inputId} readOnly value={link} className="block w-full min-w-0 rounded-md border border-gray-300 bg-gray-50 px-2 py-1.5 font-mono text-xs dark:border-gray-600 dark:bg-gray-950" />
            <CopyButton value={link} label={`reset link for ${email}`} />
          </div>
          <p className="text-xs text-gray-600 dark:text-gray-400">Works once, for 24 hours. Copy it now: it is not shown again. Using it signs {email} out everywhere.</p>
        </div>
      )}
    </div>
  );
}
