"use client";
import { useId, useMemo, useRef, type ReactNode } from "react";
import { typedNameMatches } from "@/lib/auth/typed-confirmation";
import { buttonClass, type Variant } from "./button-class";
import { FormError } from "./field";
import { PendingButton } from "./form/pending-button";
import { formFailure } from "./form/server-error";
import { useServerForm } from "./form/use-server-form";

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
  const close = () => dialog.current?.close();
  // The server action checks the same rule (requireTypedName); an error it answers shows above the buttons.
  const schema = useMemo(
    () => async () => {
      const { z } = await import("zod");
      return z.object({ confirmation: z.string().refine((v) => typedNameMatches(v, expected), `Type ${what} exactly ("${expected}") to confirm`) });
    },
    [expected, what],
  );
  const form = useServerForm({
    schema,
    defaultValues: { confirmation: "" },
    submit: async ({ confirmation }) => {
      const failure = await action(confirmation);
      return failure ? formFailure(failure) : { ok: true as const, data: null };
    },
    onSuccess: close,
  });
  const matches = typedNameMatches(form.watch("confirmation"), expected);
  const error = form.formState.errors.confirmation?.message;
  return (
    <>
      <button
        type="button"
        className={triggerVariant === "danger-outline" ? buttonClass("secondary", "px-2.5 py-1.5 text-xs text-red-700 dark:text-red-400") : buttonClass(triggerVariant)}
        aria-label={triggerLabel}
        onClick={() => {
          form.reset();
          form.setGeneralError(undefined);
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
        <form className="mt-4 space-y-4" noValidate onSubmit={form.onSubmit}>
          <div className="space-y-1">
            <label htmlFor={inputId} className="block text-sm font-medium">
              Type {what} <span className="font-mono font-semibold break-all">{expected}</span> to confirm
            </label>
            <input
              id={inputId}
              {...form.register("confirmation")}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${inputId}-error` : undefined}
              className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-xs focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
            />
            {error && (
              <p id={`${inputId}-error`} className="text-sm text-red-700 dark:text-red-400">
                {error}
              </p>
            )}
          </div>
          <FormError message={form.generalError} />
          <div className="flex flex-wrap justify-end gap-2">
            <button type="button" className={buttonClass("secondary")} onClick={close}>
              Cancel
            </button>
            <PendingButton variant="danger" pending={form.pending} pendingLabel={pendingLabel} disabled={!matches}>
              {confirmLabel}
            </PendingButton>
          </div>
        </form>
      </dialog>
    </>
  );
}
