"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { buttonClass } from "@/components/ui/button-class";
import { useModalDialog } from "@/components/ui/dialog";
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
  { label: "Developers", href: (env) => (env ? `/pay/${env}/developers` : null), match: (p) => /^\/pay\/[^/]+\/developers/.test(p) },
  { label: "Node", href: (env) => (env ? `/pay/${env}/node` : null), liveOnly: true, match: (p) => /^\/pay\/[^/]+\/node/.test(p) },
  { label: "Team", href: () => "/settings/team", match: (p) => p.startsWith("/settings") },
];

/** Pages that exist yet; env-scoped items without a page render as unavailable, never as dead links. */
const AVAILABLE = new Set(["Environments", "Wallets", "Transactions", "Reports", "API keys", "Webhooks", "Developers", "Node", "Team"]);

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
  // The drawer is open only on the page it was opened on: any navigation closes it.
  const [drawerOpenedAt, setDrawerOpenedAt] = useState<string | null>(null);
  const drawerOpen = drawerOpenedAt === pathname;
  const closeDrawer = useCallback(() => setDrawerOpenedAt(null), []);
  const menuButton = useRef<HTMLButtonElement>(null);
  const drawerId = useId();

  const sidebar = (idPrefix: string, onNavigate?: () => void) => (
    <Sidebar
      idPrefix={idPrefix}
      environments={environments}
      current={current}
      pathname={pathname}
      isMaster={user.isMaster}
      onNavigate={onNavigate}
      onSelectEnvironment={(id) => {
        onNavigate?.();
        router.push(`/pay/${id}`);
      }}
    />
  );

  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:text-gray-900">
        Skip to content
      </a>
      <aside className="hidden border-gray-200 bg-white md:block md:w-64 md:shrink-0 md:border-r dark:border-gray-800 dark:bg-gray-900">
        <Brand className="px-5 py-4" />
        {sidebar("sidebar")}
      </aside>
      <NavDrawer
        id={drawerId}
        open={drawerOpen}
        onClose={() => {
          closeDrawer();
          menuButton.current?.focus();
        }}
        teamName={teamName}
      >
        {sidebar("drawer", closeDrawer)}
      </NavDrawer>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-3 border-b border-gray-200 bg-white px-4 py-2 sm:px-6 md:py-3 dark:border-gray-800 dark:bg-gray-900">
          <div className="flex min-w-0 items-center gap-3">
            <button
              ref={menuButton}
              type="button"
              aria-expanded={drawerOpen}
              aria-controls={drawerId}
              onClick={() => setDrawerOpenedAt(pathname)}
              className={buttonClass("secondary", "shrink-0 px-2.5 py-1.5 md:hidden")}
            >
              <svg viewBox="0 0 20 20" fill="currentColor" className="size-4" aria-hidden="true">
                <path d="M2 4.75A.75.75 0 0 1 2.75 4h14.5a.75.75 0 0 1 0 1.5H2.75A.75.75 0 0 1 2 4.75Zm0 5.25a.75.75 0 0 1 .75-.75h14.5a.75.75 0 0 1 0 1.5H2.75A.75.75 0 0 1 2 10Zm.75 4.5a.75.75 0 0 0 0 1.5h14.5a.75.75 0 0 0 0-1.5H2.75Z" />
              </svg>
              Menu
            </button>
            <Brand className="hidden sm:flex md:hidden" />
            <p className="hidden truncate text-sm text-gray-600 sm:block dark:text-gray-400" title={teamName}>
              Team <span className="font-semibold text-gray-900 dark:text-gray-100">{teamName}</span>
            </p>
          </div>
          <UserMenu email={user.email} isMaster={user.isMaster} />
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-5 sm:px-6 md:py-8">
          {children}
        </main>
      </div>
    </div>
  );
}

function Brand({ className = "" }: { className?: string }) {
  return (
    <div className={`flex shrink-0 items-center gap-2 text-lg font-bold tracking-tight ${className}`}>
      <span aria-hidden="true" className="text-indigo-600 dark:text-indigo-400">⚡</span> Boltrail
    </div>
  );
}

/**
 * Below 768 px the sidebar lives in a modal drawer (a native <dialog>: focus moves in and stays
 * in, the page behind is inert, Escape closes it); a click on the backdrop closes it too. Its
 * content exists only while it is open, so the page never holds two copies of the navigation.
 */
function NavDrawer({ id, open, onClose, teamName, children }: { id: string; open: boolean; onClose: () => void; teamName: string; children: ReactNode }) {
  const ref = useModalDialog(open);
  const titleId = useId();
  useEffect(() => {
    // Widening the window past the breakpoint shows the sidebar itself: the drawer goes.
    const wide = window.matchMedia("(min-width: 48rem)");
    const onChange = () => wide.matches && ref.current?.open && ref.current.close();
    wide.addEventListener("change", onChange);
    return () => wide.removeEventListener("change", onChange);
  }, [ref]);
  return (
    <dialog
      ref={ref}
      id={id}
      aria-labelledby={titleId}
      onClose={() => open && onClose()}
      onClick={(e) => e.target === e.currentTarget && ref.current?.close()}
      className="drawer fixed inset-y-0 left-0 m-0 h-dvh max-h-none w-72 max-w-[85vw] overflow-y-auto overscroll-contain bg-white p-0 text-gray-900 shadow-xl md:hidden dark:bg-gray-900 dark:text-gray-100"
    >
      {open && (
        <div className="min-h-full">
          <div className="flex items-center justify-between gap-2 px-5 py-3">
            <h2 id={titleId} className="sr-only">
              Menu
            </h2>
            <Brand />
            <button type="button" onClick={() => ref.current?.close()} className={buttonClass("ghost", "px-2 py-1.5")} aria-label="Close menu">
              <svg viewBox="0 0 20 20" fill="currentColor" className="size-5" aria-hidden="true">
                <path d="M6.28 5.22a.75.75 0 0 0-1.06 1.06L8.94 10l-3.72 3.72a.75.75 0 1 0 1.06 1.06L10 11.06l3.72 3.72a.75.75 0 1 0 1.06-1.06L11.06 10l3.72-3.72a.75.75 0 0 0-1.06-1.06L10 8.94 6.28 5.22Z" />
              </svg>
            </button>
          </div>
          <p className="truncate px-5 pb-3 text-sm text-gray-600 dark:text-gray-400" title={teamName}>
            Team <span className="font-semibold text-gray-900 dark:text-gray-100">{teamName}</span>
          </p>
          {children}
        </div>
      )}
    </dialog>
  );
}

function Sidebar({
  idPrefix,
  environments,
  current,
  pathname,
  isMaster,
  onNavigate,
  onSelectEnvironment,
}: {
  idPrefix: string;
  environments: ShellEnvironment[];
  current: ShellEnvironment | null;
  pathname: string;
  isMaster: boolean;
  onNavigate?: () => void;
  onSelectEnvironment: (id: string) => void;
}) {
  return (
    <>
      <div className="px-5 pb-4">
        <EnvironmentSwitcher id={idPrefix === "sidebar" ? "environment-switcher" : `${idPrefix}-environment-switcher`} environments={environments} current={current} onSelect={onSelectEnvironment} onNavigate={onNavigate} />
      </div>
      <nav aria-label="Main" className="px-3 pb-4">
        <ul className="space-y-1">
          {NAV.filter((item) => (!item.masterOnly || isMaster) && (!item.liveOnly || current?.type === "LIVE")).map((item) => {
            const href = AVAILABLE.has(item.label) ? item.href(current?.id ?? null) : null;
            const active = item.match(pathname);
            return (
              <li key={item.label}>
                {href ? (
                  <Link
                    href={href}
                    onClick={onNavigate}
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
    </>
  );
}

function EnvironmentSwitcher({
  id,
  environments,
  current,
  onSelect,
  onNavigate,
}: {
  id: string;
  environments: ShellEnvironment[];
  current: ShellEnvironment | null;
  onSelect: (id: string) => void;
  onNavigate?: () => void;
}) {
  if (environments.length === 0) {
    return (
      <div className="rounded-md border border-dashed border-gray-300 p-3 text-sm dark:border-gray-700">
        <p className="text-gray-600 dark:text-gray-400">No environment yet.</p>
        <Link href="/pay" onClick={onNavigate} className="mt-2 inline-block font-semibold text-indigo-700 underline dark:text-indigo-300">
          Create your first environment
        </Link>
      </div>
    );
  }
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-semibold tracking-wide text-gray-600 uppercase dark:text-gray-400">
        Environment
      </label>
      <select
        id={id}
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
    <details className="relative min-w-0">
      <summary className="flex min-w-0 cursor-pointer list-none items-center gap-2 rounded-md px-2 py-1 text-sm hover:bg-gray-100 dark:hover:bg-gray-800" title={email}>
        <span className="sr-only">Account menu for</span>
        <span className="max-w-40 truncate font-medium sm:max-w-56">{email}</span>
        <span className="shrink-0 rounded bg-gray-100 px-1.5 py-0.5 text-xs text-gray-700 dark:bg-gray-800 dark:text-gray-300">{isMaster ? "Master" : "Member"}</span>
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
