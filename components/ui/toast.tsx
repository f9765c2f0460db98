"use client";
import Link from "next/link";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

type ToastKind = "success" | "error" | "info";
export type ToastOptions = {
  /** A link shown beside the message, e.g. to the payment it is about. */
  action?: { href: string; label: string };
  /** How long the toast stays, in ms (default 5 s). */
  durationMs?: number;
};
type Toast = { id: number; message: string; kind: ToastKind } & ToastOptions;
type ToastApi = (message: string, kind?: ToastKind, options?: ToastOptions) => void;

const ToastContext = createContext<ToastApi>(() => {});

export function useToast(): ToastApi {
  return useContext(ToastContext);
}

const KIND_CLASS: Record<ToastKind, string> = {
  success: "border-green-300 bg-green-50 text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100",
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
  info: "border-gray-300 bg-white text-gray-900 dark:border-gray-700 dark:bg-gray-900 dark:text-gray-100",
};

/** At most this many toasts at once: a burst of payments shows the newest, not a wall. */
const MAX_TOASTS = 4;

let nextId = 1;

/** Toasts announced to screen readers through a polite live region; each closes after 5 s (or its own duration). */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const push = useCallback<ToastApi>((message, kind = "info", options = {}) => {
    const id = nextId++;
    setToasts((list) => [...list, { id, message, kind, ...options }].slice(-MAX_TOASTS));
  }, []);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div aria-live="polite" role="status" className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2">
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const duration = toast.durationMs ?? 5000;
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), duration);
    return () => clearTimeout(timer);
  }, [toast.id, duration, onDismiss]);
  return (
    <div className={`pointer-events-auto flex items-start justify-between gap-3 rounded-md border px-4 py-3 text-sm shadow-lg ${KIND_CLASS[toast.kind]}`}>
      <span className="min-w-0 break-words">{toast.message}</span>
      <span className="flex shrink-0 items-center gap-3">
        {toast.action && (
          <Link href={toast.action.href} onClick={() => onDismiss(toast.id)} className="text-xs font-semibold underline">
            {toast.action.label}
          </Link>
        )}
        <button type="button" onClick={() => onDismiss(toast.id)} className="text-xs font-semibold underline" aria-label="Close notification">
          Close
        </button>
      </span>
    </div>
  );
}
