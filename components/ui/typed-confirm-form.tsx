"use client";
import { useId, useRef, useState, useTransition, type ReactNode } from "react";
import { typedNameMatches } from "@/lib/auth/typed-confirmation";
import { buttonClass, type Variant } from "./button-class";
import { Spinner } from "./button";
import { FormError } from "./field";

/**
 * A destructive action confirmed by typing a name (an environment's, a key's): a native modal
 * dialog whose confirm button stays disabled until the typed text matches. The server action checks
 * the same rule (`requireTypedName`). `action` gets the typed text and returns an error message to
 * keep the dialog open with it, or nothing to close it.
 */
export function TypedConfirmForm({
  action,
  trigger,
  triggerLabel,
  triggerVariant = "danger-outline",
  title,
  body,
  expected,
  what,
  confirmLabel,
  pendingLabel,
}: {
  action: (typed: string) => Promise<string | void>;
  trigger: string;
  triggerLabel?: string;
  triggerVariant?: "danger-outline" | Variant;
  title: string;
  body: ReactNode;
  /** The text to type. */
  expected: string;
  /** What it is, for the label ("the environment's name"). */
  what: string;
  confirmLabel: string;
  pendingLabel?: string;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const inputId = useId();
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();
  const matches = typedNameMatches(typed, expected);
  const close = () => dialog.current?.close();
  return (
    <>
      <button
        type="button"
        className={triggerVariant === "danger-outline" ? buttonClass("secondary", "px-2.5 py-1.5 text-xs text-red-700 dark:text-red-400") : buttonClass(triggerVariant)}
        aria-label={triggerLabel}
        onClick={() => {
          setTyped("");
          setError(undefined);
          dialog.current?.showModal();
        }}
      >
        {trigger}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="m-auto w-full max-w-md rounded-lg bg-white p-6 text-gray-900 shadow-xl backdrop:bg-black/40 dark:bg-gray-900 dark:text-gray-100">
        <h2 id={titleId} className="text-lg font-semibold break-words">
          {title}
        </h2>
        <div className="mt-2 text-sm text-gray-700 dark:text-gray-300">{body}</div>
        <form
          className="mt-4 space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (!matches) return;
            startTransition(async () => {
              const failure = await action(typed);
              if (failure) setError(failure);
              else close();
            });
          }}
        >
          <div className="space-y-1">
            <label htmlFor={inputId} className="block text-sm font-medium">
              Type {what} <span className="font-mono font-semibold break-all">{expected}</span> to confirm
            </label>
            <input
              id={inputId}
              name="confirmation"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-xs focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
            />
          </div>
          <FormError message={error} />
          <div className="flex flex-wrap justify-end gap-2">
            <button type="button" className={buttonClass("secondary")} onClick={close}>
              Cancel
            </button>
            <button type="submit" className={buttonClass("danger")} disabled={!matches || pending} aria-busy={pending}>
              {pending && <Spinner />}
              {pending && pendingLabel ? pendingLabel : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
