"use client";
import { useSyncExternalStore, type ButtonHTMLAttributes } from "react";
import { buttonClass, type Variant } from "../button-class";
import { Spinner } from "../button";

const noSubscription = () => () => {};

/**
 * The submit button of a useServerForm form: disabled, busy and relabelled while the action runs.
 * Disabled until the page is hydrated too: before that the form has no submit handler, and the
 * browser would send it as a GET, typed passwords in the address (a disabled default button also
 * stops a submit by Enter).
 */
export function PendingButton({
  pending,
  pendingLabel,
  variant = "primary",
  className = "",
  children,
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { pending: boolean; pendingLabel?: string; variant?: Variant }) {
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  return (
    <button type="submit" className={buttonClass(variant, className)} {...props} disabled={pending || !hydrated || props.disabled} aria-busy={pending}>
      {pending && <Spinner />}
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}
