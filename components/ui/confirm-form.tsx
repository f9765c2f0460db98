"use client";
import { useId, useRef, type ReactNode } from "react";
import { buttonClass } from "./button";

/**
 * A button that opens a native modal dialog asking for confirmation, then submits `action`.
 * The dialog traps focus and closes on Escape (browser behaviour of <dialog>).
 */
export function ConfirmForm({
  action,
  trigger,
  triggerLabel,
  title,
  body,
  confirmLabel,
  hidden,
}: {
  action: (form: FormData) => void | Promise<void>;
  trigger: string;
  /** Accessible name of the trigger when its visible text is not enough (e.g. "Remove bob@…"). */
  triggerLabel?: string;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  hidden: Record<string, string>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button type="button" className={buttonClass("secondary", "px-2.5 py-1.5 text-xs text-red-700 dark:text-red-400")} aria-label={triggerLabel} onClick={() => dialog.current?.showModal()}>
        {trigger}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg bg-white p-6 text-gray-900 shadow-xl backdrop:bg-black/40 dark:bg-gray-900 dark:text-gray-100">
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <div className="mt-2 text-sm text-gray-700 dark:text-gray-300">{body}</div>
        <form
          action={async (form) => {
            await action(form);
            dialog.current?.close();
          }}
          className="mt-6 flex justify-end gap-2"
        >
          {Object.entries(hidden).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <button type="button" className={buttonClass("secondary")} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="submit" className={buttonClass("danger")}>
            {confirmLabel}
          </button>
        </form>
      </dialog>
    </>
  );
}
