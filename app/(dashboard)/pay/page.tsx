import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/dashboard";
import { listEnvironments } from "@/lib/environments/list-environments";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "Environments" };

export default async function EnvironmentsPage() {
  const actor = await requireUser();
  const environments = await listEnvironments(actor);
  return (
    <>
      <PageHeader title="Environments" description="An environment holds wallets, API keys and webhook endpoints. Start with a sandbox; go live when your integration works." />
      {environments.length === 0 ? (
        <EmptyState
          title="Create your first environment"
          body={
            actor.isMaster
              ? "Environments can be created once the environments API is enabled on this Boltrail instance."
              : "Only your team's master account can create environments. Ask them to create one."
          }
          action={<Button disabled>Create your first environment</Button>}
        />
      ) : (
        <ul className="divide-y divide-gray-200 rounded-lg border border-gray-200 bg-white dark:divide-gray-800 dark:border-gray-800 dark:bg-gray-900">
          {environments.map((env) => (
            <li key={env.id} className="flex items-center justify-between px-5 py-4">
              <div>
                <p className="font-medium">{env.name}</p>
                <p className="text-sm text-gray-600 dark:text-gray-400">
                  {env.type === "LIVE" ? "Live" : "Sandbox"} · {env.walletCount} wallet{env.walletCount === 1 ? "" : "s"}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
