"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { logoutAction } from "../../(auth)/actions";

export type ShellEnvironment = { id: string; name: string; type: "SANDBOX" | "LIVE" };

type NavItem = { label: string; href: (envId: string | null) => string | null; masterOnly?: boolean; liveOnly?: boolean; match: (path: string) => boolean };

const NAV: NavItem[] = [
  { label: "Environments", href: () => "/pay", match: (p) => p === "/pay" || /^\/pay\/[^/]+$/.test(p) },
  { label: "Wallets", href: (env) => (env ? `/pay/${env}/wallets` : null), match: (p) => /^\/pay\/[^/]+\/wallets/.test(p) },
  { label: "Transactions", href: (env) => (env ? `/pay/${env}/transactions` : null), match: (p) => /^\/pay\/[^/]+\/(transactions|invoices)/.test(p) },
  { label: "Reports", href: (env) => (env ? `/pay/${env}/reports` : null), match: (p) => /^\/pay\/[^/]+\/reports/.test(p) },
  { label: "API keys", href: (env) => (env ? `/pay/${env}/api-keys` : null), masterOnly: true, match: (p) => /^\/pay\/[^/]+\/api-keys/.test(p) },
  { label: "Webhooks", href: (env) => (env ? `/pay/${env}/webhooks` : null), match: (p) => /^\/pay\/[^/]+\/webhooks/.test(p) },
  { label: "Node", href: (env) => (env ? `/pay/${env}/node` : null), liveOnly: true, match: (p) => /^\/pay\/[^/]+\/node/.test(p) },
  { label: "Team", href: () => "/settings/team", match: (p) => p.startsWith("/settings") },
];

/** Pages that exist yet; env-scoped items without a page render as unavailable, never as dead links. */
const AVAILABLE = new Set(["Environments", "Wallets", "Transactions", "Reports", "API keys", "Webhooks", "Node", "Team"]);

export function DashboardShell({
  user,
  teamName,
  environments,
  children,
}: {
  user: { email: string; isMaster: boolean };
  teamName: string;
  environments: ShellEnvironment[];
  children: ReactNode;
}) {
  const pathname = usePathname();
  const router = useRouter();
  const fromPath = pathname.match(/^\/pay\/([^/]+)/)?.[1] ?? null;
  const current = environments.find((e) => e.id === fromPath) ?? environments[0] ?? null;

  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:text-gray-900">
        Skip to content
      </a>
      <aside className="border-b border-gray-200 bg-white md:w-64 md:shrink-0 md:border-r md:border-b-0 dark:border-gray-800 dark:bg-gray-900">
        <div className="flex items-center gap-2 px-5 py-4 text-lg font-bold tracking-tight">
          <span aria-hidden="true" className="text-indigo-600 dark:text-indigo-400">⚡</span> Boltrail
        </div>
        <div className="px-5 pb-4">
          <EnvironmentSwitcher environments={environments} current={current} onSelect={(id) => router.push(`/pay/${id}`)} />
        </div>
        <nav aria-label="Main" className="px-3 pb-4">
          <ul className="space-y-1">
            {NAV.filter((item) => (!item.masterOnly || user.isMaster) && (!item.liveOnly || current?.type === "LIVE")).map((item) => {
              const href = AVAILABLE.has(item.label) ? item.href(current?.id ?? null) : null;
              const active = item.match(pathname);
              return (
                <li key={item.label}>
                  {href ? (
                    <Link
                      href={href}
                      aria-current={active ? "page" : undefined}
                      className={`block rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" : "text-gray-700 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-800"}`}
                    >
                      {item.label}
                    </Link>
                  ) : (
                    <span
                      aria-disabled="true"
                      title={current ? "Not available yet" : "Create an environment first"}
                      className="block cursor-not-allowed rounded-md px-3 py-2 text-sm font-medium text-gray-500 dark:text-gray-400"
                    >
                      {item.label}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-4 border-b border-gray-200 bg-white px-6 py-3 dark:border-gray-800 dark:bg-gray-900">
          <p className="truncate text-sm text-gray-600 dark:text-gray-400">
            Team <span className="font-semibold text-gray-900 dark:text-gray-100">{teamName}</span>
          </p>
          <UserMenu email={user.email} isMaster={user.isMaster} />
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-6 py-8">
          {children}
        </main>
      </div>
    </div>
  );
}

function EnvironmentSwitcher({
  environments,
  current,
  onSelect,
}: {
  environments: ShellEnvironment[];
  current: ShellEnvironment | null;
  onSelect: (id: string) => void;
}) {
  if (environments.length === 0) {
    return (
      <div className="rounded-md border border-dashed border-gray-300 p-3 text-sm dark:border-gray-700">
        <p className="text-gray-600 dark:text-gray-400">No environment yet.</p>
        <Link href="/pay" className="mt-2 inline-block font-semibold text-indigo-700 underline dark:text-indigo-300">
          Create your first environment
        </Link>
      </div>
    );
  }
  return (
    <div>
      <label htmlFor="environment-switcher" className="mb-1 block text-xs font-semibold tracking-wide text-gray-600 uppercase dark:text-gray-400">
        Environment
      </label>
      <select
        id="environment-switcher"
        value={current?.id ?? ""}
        onChange={(e) => onSelect(e.target.value)}
        className="block w-full rounded-md border border-gray-300 bg-white px-2 py-1.5 text-sm dark:border-gray-600 dark:bg-gray-900"
      >
        {environments.map((env) => (
          <option key={env.id} value={env.id}>
            {env.name} ({env.type === "LIVE" ? "Live" : "Sandbox"})
          </option>
        ))}
      </select>
    </div>
  );
}

function UserMenu({ email, isMaster }: { email: string; isMaster: boolean }) {
  return (
    <details className="relative">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
        <span className="sr-only">Account menu for</span>
        <span className="max-w-56 truncate font-medium">{email}</span>
        <span className="rounded bg-gray-100 px-1.5 py-0.5 text-xs text-gray-700 dark:bg-gray-800 dark:text-gray-300">{isMaster ? "Master" : "Member"}</span>
      </summary>
      <div className="absolute right-0 z-40 mt-2 w-48 rounded-md border border-gray-200 bg-white p-1 shadow-lg dark:border-gray-700 dark:bg-gray-900">
        <Link href="/settings/team" className="block rounded px-3 py-2 text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
          Team settings
        </Link>
        <Link href="/settings/security" className="block rounded px-3 py-2 text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
          Account security
        </Link>
        <form action={logoutAction}>
          <button type="submit" className="block w-full rounded px-3 py-2 text-left text-sm hover:bg-gray-100 dark:hover:bg-gray-800">
            Log out
          </button>
        </form>
      </div>
    </details>
  );
}
