import type { ReactNode } from "react";

/** The hosted checkout's page: one card, full width on a phone, centred on larger screens. */
export function CheckoutFrame({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-dvh flex-col items-center px-3 py-4 sm:justify-center sm:px-4 sm:py-10">
      <div className="w-full max-w-md rounded-2xl border border-gray-200 bg-white p-5 shadow-sm sm:p-8 dark:border-gray-800 dark:bg-gray-900">
        {children}
        <p className="mt-8 text-center text-xs text-gray-600 dark:text-gray-400">Powered by Boltrail · ⚡ Lightning</p>
      </div>
    </main>
  );
}
