"use client";
import { Button, Spinner } from "./button";

/** The footer of a form in a dialog: Cancel, and the submit button with its progress. */
export function DialogActions({ onCancel, pending, submitLabel, pendingLabel }: { onCancel: () => void; pending: boolean; submitLabel: string; pendingLabel?: string }) {
  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending && <Spinner />}
        {pending && pendingLabel ? pendingLabel : submitLabel}
      </Button>
    </div>
  );
}
