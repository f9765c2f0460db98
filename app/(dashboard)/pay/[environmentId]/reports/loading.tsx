export default function Loading() {
  return (
    <div role="status" aria-live="polite" className="animate-pulse space-y-6">
      <span className="sr-only">Loading the reports…</span>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="h-8 w-40 rounded bg-gray-200 dark:bg-gray-800" />
        <div className="h-9 w-56 rounded-md bg-gray-200 dark:bg-gray-800" />
      </div>
      <div className="h-96 rounded-lg bg-gray-200 dark:bg-gray-800" />
      <div className="h-80 rounded-lg bg-gray-200 dark:bg-gray-800" />
    </div>
  );
}
