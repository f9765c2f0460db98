"use client";
import { useCallback, useState } from "react";
import type { TeamKeys } from "@/lib/custody/envelope";
import { deriveInWorker, type DeriveProgress } from "@/lib/custody/derive-in-browser";

/**
 * Derives the team keys from the team password in a Web Worker (Argon2id, about a second), with
 * the stage it is at for a progress bar. The password and the master key never leave the browser.
 */
export function useTeamKeys() {
  const [progress, setProgress] = useState<DeriveProgress | null>(null);
  const derive = useCallback(async (password: string, teamId: string): Promise<TeamKeys> => {
    setProgress({ stage: 0, of: 2, label: "Starting the key derivation" });
    try {
      return await deriveInWorker(password, teamId, setProgress);
    } finally {
      setProgress(null);
    }
  }, []);
  return { progress, derive };
}

/** The derivation's progress: a labelled progress bar, announced politely to screen readers. */
export function DeriveProgressBar({ progress }: { progress: DeriveProgress | null }) {
  if (!progress) return null;
  return (
    <div role="status" aria-live="polite" className="space-y-1 text-sm">
      <progress max={progress.of} value={progress.stage} aria-label="Deriving the team keys" className="h-2 w-full" />
      <p className="text-gray-600 dark:text-gray-400">
        {progress.label}
        {progress.stage > 0 ? ` (step ${progress.stage} of ${progress.of})` : ""}…
      </p>
    </div>
  );
}

/** What every page that takes the team password says about it. */
export function NeverSentNotice() {
  return (
    <p className="text-xs text-gray-600 dark:text-gray-400">
      The team password never leaves this browser: keys are derived here (Argon2id), and Boltrail receives only a hash of them and data encrypted with them. Boltrail cannot recover a
      forgotten team password.
    </p>
  );
}
