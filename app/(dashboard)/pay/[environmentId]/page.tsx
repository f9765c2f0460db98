import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { getEnvironmentOverview } from "@/lib/environments/get-environment-overview";
import { listNodes } from "@/lib/nodes/query-nodes";
import { getEnvironmentStats } from "@/lib/transactions/query-transactions";
import { EnvironmentTypeBadge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { orNotFound } from "../../_components/or-not-found";
import { DeleteEnvironmentButton } from "./delete-environment-button";
import { VolumeChart } from "./_components/volume-chart";

export const metadata: Metadata = { title: "Overview" };

export default async function EnvironmentOverviewPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const actor = await requireUser();
  const overview = await orNotFound(getEnvironmentOverview(actor, environmentId));
  const stats = await getEnvironmentStats(actor, environmentId);
  const today = new Date().toISOString().slice(0, 10);
  const { environment: env, checklist } = overview;
  // A LIVE environment issues nothing until the team's node is attached: that step comes first.
  const hasNode = env.type === "LIVE" ? (await listNodes(actor)).some((n) => n.environmentId === env.id) : true;
  const nodeStep =
    env.type === "LIVE"
      ? [
          {
            done: hasNode,
            title: "Attach a node",
            body: "Your own LND node issues and settles this environment's invoices.",
            href: `/pay/${env.id}/node`,
            note: actor.isMaster ? null : "Only the master account can attach it.",
          },
        ]
      : [];
  const steps = [
    ...nodeStep,
    {
      done: checklist.apiKey,
      title: "Create an API key",
      body: "Your backend authenticates with it through the x-api-key header.",
      href: actor.isMaster ? `/pay/${env.id}/api-keys` : null,
      note: actor.isMaster ? null : "Only the master account can create keys.",
    },
    { done: checklist.wallet, title: "Open a wallet", body: "A wallet holds one asset: BTC, USDT or USDC.", href: `/pay/${env.id}/wallets`, note: null },
    { done: checklist.invoice, title: "Issue an invoice", body: "Create a Lightning invoice and watch it settle.", href: `/pay/${env.id}/wallets`, note: null },
    { done: checklist.webhook, title: "Register a webhook", body: "Get signed payment events on your server.", href: `/pay/${env.id}/webhooks`, note: null },
  ];
  const doneCount = steps.filter((s) => s.done).length;

  return (
    <>
      <PageHeader
        title={env.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <EnvironmentTypeBadge type={env.type} />
            <span className="font-mono text-xs">{env.id}</span>
            <CopyButton value={env.id} label="environment id" />
          </span>
        }
      />
      {!hasNode && (
        <div className="mb-6 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-semibold">No Lightning node attached</p>
          <p className="mt-1">
            Live invoices cannot be issued until your LND node serves this environment.{" "}
            <Link href={`/pay/${env.id}/node`} className="font-semibold underline">
              {actor.isMaster ? "Attach your node" : "See the node page"}
            </Link>
          </p>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <Card title="Get started" description={`${doneCount} of ${steps.length} steps done`}>
            <ol className="space-y-4">
              {steps.map((step, i) => (
                <li key={step.title} className="flex gap-3">
                  <span
                    aria-hidden="true"
                    className={`flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-bold ${step.done ? "bg-green-600 text-white" : "border border-gray-300 text-gray-600 dark:border-gray-600 dark:text-gray-300"}`}
                  >
                    {step.done ? "✓" : i + 1}
                  </span>
                  <div>
                    <p className="font-medium">
                      {step.href ? (
                        <Link href={step.href} className="text-indigo-700 underline dark:text-indigo-300">
                          {step.title}
                        </Link>
                      ) : (
                        step.title
                      )}
                      <span className="sr-only">{step.done ? " (done)" : " (to do)"}</span>
                    </p>
                    <p className="text-sm text-gray-600 dark:text-gray-400">{step.body}</p>
                    {step.note && <p className="text-xs text-gray-600 dark:text-gray-400">{step.note}</p>}
                  </div>
                </li>
              ))}
            </ol>
          </Card>
          <div className="mt-6">
            <Card title="Received, last 30 days" description="Completed receives per day (UTC), net of fees.">
              <VolumeChart points={stats.daily} today={today} />
            </Card>
          </div>
        </div>
        <div className="space-y-6">
          <Card title="Transactions by status">
            <dl className="grid grid-cols-2 gap-3 text-sm">
              {(["PENDING", "COMPLETED", "FAILED", "EXPIRED"] as const).map((s) => (
                <div key={s} className="rounded-md bg-gray-50 p-3 dark:bg-gray-950">
                  <dt className="text-gray-600 dark:text-gray-400">{s === "COMPLETED" ? "Paid" : s.charAt(0) + s.slice(1).toLowerCase()}</dt>
                  <dd className="text-xl font-semibold tabular-nums">{stats.countsByStatus[s].toLocaleString("en")}</dd>
                </div>
              ))}
            </dl>
            <Link href={`/pay/${env.id}/transactions`} className="mt-3 inline-block text-sm font-semibold text-indigo-700 underline dark:text-indigo-300">
              All transactions
            </Link>
          </Card>
          <Card title="Details">
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="text-gray-600 dark:text-gray-400">API endpoint</dt>
                <dd className="font-mono text-xs">POST /graphql</dd>
              </div>
              <div>
                <dt className="text-gray-600 dark:text-gray-400">Key prefix</dt>
                <dd className="font-mono text-xs">{env.type === "LIVE" ? "amb_live_…" : "amb_test_…"}</dd>
              </div>
              {overview.nodePubkey && (
                <div>
                  <dt className="text-gray-600 dark:text-gray-400">Sandbox node public key</dt>
                  <dd className="flex items-center gap-2">
                    <span className="truncate font-mono text-xs" title={overview.nodePubkey}>{overview.nodePubkey}</span>
                    <CopyButton value={overview.nodePubkey} label="node public key" />
                  </dd>
                </div>
              )}
              <div>
                <dt className="text-gray-600 dark:text-gray-400">Wallets</dt>
                <dd>{env.walletCount}</dd>
              </div>
            </dl>
          </Card>
          {actor.isMaster && (
            <Card title="Danger zone">
              <p className="mb-3 text-sm text-gray-600 dark:text-gray-400">
                Deleting removes its keys, wallets, transactions and webhook endpoints. Refused while a wallet holds a balance.
              </p>
              <DeleteEnvironmentButton environmentId={env.id} name={env.name} />
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
