"use client";

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="mx-auto max-w-lg px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">The page could not be loaded. Try again; if it keeps failing, check the server logs.</p>
      <button type="button" onClick={reset} className="mt-6 rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white">
        Try again
      </button>
    </main>
  );
}
