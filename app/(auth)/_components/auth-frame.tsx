import type { ReactNode } from "react";

/** The centred card that login, sign-up and invite pages share. */
export function AuthFrame({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center px-4 py-12">
      <div className="mb-8 flex items-center gap-2 text-xl font-bold tracking-tight">
        <span aria-hidden="true" className="text-indigo-600 dark:text-indigo-400">⚡</span> Boltrail
      </div>
      <div className="w-full max-w-sm rounded-lg border border-gray-200 bg-white p-8 shadow-sm dark:border-gray-800 dark:bg-gray-900">{children}</div>
    </main>
  );
}
