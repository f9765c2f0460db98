import type { InputHTMLAttributes, ReactNode, Ref, TextareaHTMLAttributes } from "react";

type Labelled = { label: string; name: string; error?: string; hint?: ReactNode };

/** The label, hint and error around a control, wired for screen readers (the `id`s the control must use). */
function Labelled({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-900 dark:text-gray-100">
        {label}
      </label>
      {children}
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

const describedBy = (id: string, hint: unknown, error: unknown) => [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;

const CONTROL =
  "block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-gray-900 shadow-xs placeholder:text-gray-500 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 dark:placeholder:text-gray-400";

/** A labelled input with its hint and error wired for screen readers. */
export function Field({ label, name, error, hint, ...props }: InputHTMLAttributes<HTMLInputElement> & Labelled & { ref?: Ref<HTMLInputElement> }) {
  const id = props.id ?? `field-${name}`;
  return (
    <Labelled id={id} label={label} error={error} hint={hint}>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} className={`${CONTROL} text-sm`} {...props} />
    </Labelled>
  );
}

/** A labelled textarea for long values (certificates, macaroons, keys): monospace, wraps anywhere, no spellcheck. */
export function TextAreaField({ label, name, error, hint, ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & Labelled) {
  const id = props.id ?? `field-${name}`;
  return (
    <Labelled id={id} label={label} error={error} hint={hint}>
      <textarea
        id={id}
        name={name}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        className={`${CONTROL} font-mono text-xs break-all`}
        {...props}
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
