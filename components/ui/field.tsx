"use client";
import { useState, type ChangeEvent, type InputHTMLAttributes, type ReactNode, type Ref, type TextareaHTMLAttributes } from "react";

type Labelled = {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  /** Show "typed / maxLength" under the control (needs `maxLength`). Typing past the limit is allowed and shown in red, so a pasted value is never cut silently; the schema refuses it. */
  counter?: boolean;
};

/** The label, hint, counter and error around a control, wired for screen readers (the `id`s the control must use). */
export function Labelled({ id, label, error, hint, count, children }: { id: string; label: string; error?: string; hint?: ReactNode; count?: { length: number; max: number }; children: ReactNode }) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-900 dark:text-gray-100">
        {label}
      </label>
      {children}
      {count && (
        <p id={`${id}-counter`} className={`text-right text-xs tabular-nums ${count.length > count.max ? "font-semibold text-red-700 dark:text-red-400" : "text-gray-600 dark:text-gray-400"}`}>
          {count.length.toLocaleString("en")} / {count.max.toLocaleString("en")}
          <span className="sr-only"> characters</span>
        </p>
      )}
      {hint && (
        <p id={`${id}-hint`} className="text-xs break-words text-gray-600 dark:text-gray-400">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

const describedBy = (id: string, hint: unknown, error: unknown, counter?: unknown) =>
  [hint ? `${id}-hint` : null, counter ? `${id}-counter` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;

const lengthOf = (v: unknown) => (v === undefined || v === null ? 0 : String(v).length);

/**
 * The typed length of a control for its counter: its `value` when controlled, else what was typed
 * since `defaultValue` (useServerForm's `field()` passes the form's current value as defaultValue).
 * Returns the onChange to put on the control, wrapping the caller's.
 */
function useCounter<E extends HTMLInputElement | HTMLTextAreaElement>(enabled: boolean, maxLength: number | undefined, value: unknown, defaultValue: unknown, onChange?: (e: ChangeEvent<E>) => void) {
  const [typed, setTyped] = useState(() => lengthOf(value ?? defaultValue));
  if (!enabled || !maxLength) return { onChange, count: undefined, maxLength };
  return {
    onChange: (e: ChangeEvent<E>) => {
      setTyped(e.target.value.length);
      onChange?.(e);
    },
    count: { length: value !== undefined ? lengthOf(value) : typed, max: maxLength },
    // No native maxlength with a counter: the browser would cut a paste without a word.
    maxLength: undefined,
  };
}

const CONTROL =
  "block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-gray-900 shadow-xs placeholder:text-gray-500 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 dark:placeholder:text-gray-400";

/** A labelled input with its hint and error wired for screen readers. */
export function Field({ label, name, error, hint, counter = false, onChange, maxLength, ...props }: InputHTMLAttributes<HTMLInputElement> & Labelled & { ref?: Ref<HTMLInputElement> }) {
  const id = props.id ?? `field-${name}`;
  const c = useCounter(counter, maxLength, props.value, props.defaultValue, onChange);
  return (
    <Labelled id={id} label={label} error={error} hint={hint} count={c.count}>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error, c.count)}
        className={`${CONTROL} text-sm`}
        {...props}
        onChange={c.onChange}
        maxLength={c.maxLength}
      />
    </Labelled>
  );
}

/** A labelled textarea for long values (certificates, macaroons, keys): monospace, wraps anywhere, no spellcheck. */
export function TextAreaField({
  label,
  name,
  error,
  hint,
  counter = false,
  onChange,
  maxLength,
  prose = false,
  ...props
}: TextareaHTMLAttributes<HTMLTextAreaElement> & Labelled & { ref?: Ref<HTMLTextAreaElement>; /** Ordinary text (a description) rather than a key or certificate. */ prose?: boolean }) {
  const id = props.id ?? `field-${name}`;
  const c = useCounter(counter, maxLength, props.value, props.defaultValue, onChange);
  return (
    <Labelled id={id} label={label} error={error} hint={hint} count={c.count}>
      <textarea
        id={id}
        name={name}
        spellCheck={prose}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error, c.count)}
        className={`${CONTROL} ${prose ? "text-sm" : "font-mono text-xs break-all"}`}
        {...props}
        onChange={c.onChange}
        maxLength={c.maxLength}
      />
    </Labelled>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
      {message}
    </div>
  );
}
