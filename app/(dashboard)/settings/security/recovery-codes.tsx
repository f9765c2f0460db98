"use client";
import { CopyButton } from "@/components/ui/copy-button";

/** Ten recovery codes, shown once, with a copy button. */
export function RecoveryCodesOnce({ codes }: { codes: string[] }) {
  return (
    <div className="space-y-3">
      <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
        Save these recovery codes somewhere safe now: they are not shown again. Each one logs you in once if you lose your authenticator.
      </div>
      <h3 id="recovery-codes-heading" className="text-sm font-semibold">
        Recovery codes
      </h3>
      <ol aria-labelledby="recovery-codes-heading" className="grid grid-cols-2 gap-x-6 gap-y-1 rounded-md border border-gray-200 bg-gray-50 p-3 font-mono text-sm sm:max-w-sm dark:border-gray-700 dark:bg-gray-950" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <CopyButton value={codes.join("\n")} label="recovery codes" />
    </div>
  );
}
