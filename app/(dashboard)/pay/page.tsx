import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { listEnvironments } from "@/lib/environments/list-environments";
import { EnvironmentTypeBadge } from "@/components/ui/badge";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Truncate } from "@/components/ui/truncate";
import { NewEnvironmentButton } from "./_components/new-environment";

export const metadata: Metadata = { title: "Environments" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export default async function EnvironmentsPage() {
  const actor = await requireUser();
  const environments = await listEnvironments(actor);
  const hasLive = environments.some((e) => e.type === "LIVE");
  return (
    <>
      <PageHeader
        title="Environments"
        description="An environment holds wallets, API keys and webhook endpoints. Start with a sandbox; go live when your integration works."
        actions={actor.isMaster && environments.length > 0 ? <NewEnvironmentButton hasLive={hasLive} /> : undefined}
      />
      {environments.length === 0 ? (
        <EmptyState
          title="Create your first environment"
          body={
            actor.isMaster
              ? "A sandbox environment lets you create keys, wallets and invoices that settle by themselves — no Lightning node needed."
              : "Only your team's master account can create environments. Ask them to create one."
          }
          action={actor.isMaster ? <NewEnvironmentButton hasLive={false} label="Create your first environment" /> : undefined}
        />
      ) : (
        <ul className="divide-y divide-gray-200 overflow-hidden rounded-lg border border-gray-200 bg-white dark:divide-gray-800 dark:border-gray-800 dark:bg-gray-900">
          {environments.map((env) => (
            <li key={env.id}>
              <Link href={`/pay/${env.id}`} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 px-5 py-4 hover:bg-gray-50 dark:hover:bg-gray-800">
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2 font-medium break-words">
                    <Truncate text={env.name} className="max-w-full" /> <EnvironmentTypeBadge type={env.type} />
                  </p>
                  <p className="mt-0.5 truncate font-mono text-xs text-gray-600 dark:text-gray-400">{env.id}</p>
                </div>
                <p className="shrink-0 text-sm text-gray-600 dark:text-gray-400">
                  {env.walletCount} wallet{env.walletCount === 1 ? "" : "s"} · created {dateFormat.format(env.createdAt)}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
