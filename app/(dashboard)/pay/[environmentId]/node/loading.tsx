export default function Loading() {
  return (
    <div role="status" aria-live="polite" className="animate-pulse space-y-4">
      <span className="sr-only">Loading the node…</span>
      <div className="h-8 w-40 rounded bg-gray-200 dark:bg-gray-800" />
      <div className="h-48 rounded-lg bg-gray-200 dark:bg-gray-800" />
    </div>
  );
}
