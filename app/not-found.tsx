import Link from "next/link";

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg px-6 py-24 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">The page you asked for does not exist, or you do not have access to it.</p>
      <Link href="/pay" className="mt-6 inline-block text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
        Back to the dashboard
      </Link>
    </main>
  );
}
