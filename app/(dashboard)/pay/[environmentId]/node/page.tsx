import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { findEnvironment } from "@/lib/environments/find-environment";
import { listNodes } from "@/lib/nodes/query-nodes";
import { sendMacaroonStored } from "@/lib/nodes/set-send-macaroon";
import { connectionStateOf, type NodeView } from "@/lib/nodes/node-view";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { orNotFound } from "../../../_components/or-not-found";
import { AttachNodeForm } from "./attach-form";
import { ManageNode, TestConnection } from "./node-actions";
import { SendMacaroonForm } from "./send-macaroon-form";
import { AdminMacaroonForm } from "./admin-macaroon-form";
import { ManagementMacaroonForm } from "./management-macaroon-form";
import { custodyStatus, type CustodyStatus } from "@/lib/custody/credentials";

export const metadata: Metadata = { title: "Node" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function NodePage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const actor = await requireUser();
  const environment = await orNotFound(findEnvironment(actor, environmentId));

  if (environment.type !== "LIVE") {
    return (
      <>
        <PageHeader title="Node" />
        <EmptyState
          title="Sandbox environments need no node"
          body={
            <>
              Sandbox payments settle on Boltrail&apos;s simulated node. Your own Lightning node serves your team&apos;s live environment: create one from{" "}
              <Link href="/pay" className="text-indigo-700 underline dark:text-indigo-300">
                Environments
              </Link>
              , then attach its node there.
            </>
          }
        />
      </>
    );
  }

  const nodes = await listNodes(actor);
  const node = nodes.find((n) => n.environmentId === environment.id) ?? null;

  return (
    <>
      <PageHeader title="Node" description={`The LND node that issues and settles the invoices of ${environment.name}.`} />
      {node ? (
        <AttachedNode node={node} environmentId={environment.id} isMaster={actor.isMaster} sendEnabled={await sendMacaroonStored(actor, node.id)} custody={await custodyStatus(actor, environment.id)} />
      ) : actor.isMaster ? (
        <div className="max-w-2xl">
          <Card title="Attach your LND node" description="Boltrail checks the node before storing anything: it must answer, be synced, and let the macaroon read and create invoices.">
            <AttachNodeForm environmentId={environment.id} />
          </Card>
        </div>
      ) : (
        <EmptyState title="No node attached yet" body="The team's master attaches the LND node that serves this live environment. Until then, live invoices cannot be issued." />
      )}
    </>
  );
}

function ConnectionState({ node }: { node: NodeView }) {
  const state = connectionStateOf(node);
  if (state === "disconnected") {
    const since = node.statusCheckedAt ?? node.updatedAt;
    return (
      <div className="space-y-1">
        <p className="flex items-center gap-2">
          <Badge tone="red">Disconnected</Badge>
          <span className="text-sm text-gray-600 dark:text-gray-400">
            No worker has reached the node since <time dateTime={since.toISOString()}>{dateFormat.format(since)} UTC</time>: check that a worker runs (in the app, or
            <code className="mx-1">npm run worker</code>) and can reach the node.
          </span>
        </p>
        {node.lastError && <p className="text-sm break-words text-red-700 dark:text-red-400">Last error: {node.lastError}</p>}
      </div>
    );
  }
  if (state === "connected") {
    return (
      <p className="flex items-center gap-2">
        <Badge tone="green">Connected</Badge>
        <span className="text-sm text-gray-600 dark:text-gray-400">Following the node&apos;s invoices.</span>
      </p>
    );
  }
  return (
    <div className="space-y-1">
      <p className="flex items-center gap-2">
        <Badge tone="amber">Reconnecting</Badge>
        <span className="text-sm text-gray-600 dark:text-gray-400">The invoice stream dropped; Boltrail retries with backoff. Payments settled meanwhile complete once it is back.</span>
      </p>
      {node.lastError && <p className="text-sm break-words text-red-700 dark:text-red-400">Last error: {node.lastError}</p>}
    </div>
  );
}

function AttachedNode({ node, environmentId, isMaster, sendEnabled, custody }: { node: NodeView; environmentId: string; isMaster: boolean; sendEnabled: boolean; custody: CustodyStatus }) {
  const name = node.alias ?? `${node.pubkey.slice(0, 12)}…`;
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="space-y-6 lg:col-span-2">
        <Card title={name}>
          <div className="mb-4" data-testid="node-state">
            <ConnectionState node={node} />
          </div>
          <dl className="grid gap-4 text-sm sm:grid-cols-2">
            <div className="sm:col-span-2">
              <dt className="text-gray-600 dark:text-gray-400">Public key</dt>
              <dd className="mt-1 flex items-center gap-2">
                <span className="min-w-0 font-mono text-xs break-all">{node.pubkey}</span>
                <CopyButton value={node.pubkey} label="node public key" />
              </dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Alias</dt>
              <dd>{node.alias ?? "None set"}</dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Network</dt>
              <dd>{node.network}</dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">REST URL</dt>
              <dd className="font-mono text-xs break-all">{node.restUrl}</dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">gRPC host</dt>
              <dd className="font-mono text-xs break-all">{node.grpc || "Not given"}</dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Attached</dt>
              <dd>
                <time dateTime={node.createdAt.toISOString()}>{dateFormat.format(node.createdAt)} UTC</time>
              </dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Chain</dt>
              <dd>
                {node.syncedToChain === null ? "Not checked yet" : node.syncedToChain ? "Synced" : "Not synced: invoices may fail"}
                {node.blockHeight !== null && <span className="text-gray-600 dark:text-gray-400"> · block {node.blockHeight.toLocaleString("en-US")}</span>}
              </dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Liquidity</dt>
              <dd>
                {node.inboundSat === null || node.outboundSat === null ? (
                  "Unknown (the macaroon may not read channel balances)"
                ) : (
                  <>
                    {node.inboundSat.toLocaleString("en-US")} sats inbound · {node.outboundSat.toLocaleString("en-US")} sats outbound
                    {node.inboundSat === BigInt(0) && <span className="block text-red-700 dark:text-red-400">No inbound liquidity: payments to this node cannot arrive until a channel has remote balance.</span>}
                  </>
                )}
              </dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Last settlement</dt>
              <dd>{node.lastSettledAt ? <time dateTime={node.lastSettledAt.toISOString()}>{dateFormat.format(node.lastSettledAt)} UTC</time> : "None yet"}</dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Last checked</dt>
              <dd>{node.statusCheckedAt ? <time dateTime={node.statusCheckedAt.toISOString()}>{dateFormat.format(node.statusCheckedAt)} UTC</time> : "Not yet"}</dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Node id</dt>
              <dd className="font-mono text-xs break-all">{node.id}</dd>
            </div>
          </dl>
        </Card>
      </div>
      <div className="space-y-6">
        <Card title="Connection" description="Checks the node now with the stored credentials.">
          <TestConnection nodeId={node.id} />
        </Card>
        <Card title="Sending from this node" description="Live sends are paid one of two ways, as in Rails.">
          <p className="text-sm text-gray-700 dark:text-gray-300" data-testid="send-mode">
            {sendEnabled
              ? "Boltrail pays: a send macaroon is stored, so create_send pays through the node itself."
              : "Clients pay: create_send returns the invoice, and a client that knows the team password (this dashboard, Rails' SDK) pays it on the node; Boltrail follows the payment."}
          </p>
        </Card>
        {isMaster && (
          <Card title="Admin macaroon (clients pay)" description="Encrypted in your browser under the team password; Boltrail cannot read it.">
            <AdminMacaroonForm
              environmentId={environmentId}
              nodeId={node.id}
              teamId={custody.teamId}
              passwordSet={custody.passwordSet}
              encryptedSymmetricKey={custody.encryptedSymmetricKey}
              stored={custody.node?.adminMacaroonStored ?? false}
            />
          </Card>
        )}
        {isMaster && (
          <Card title="Send macaroon (Boltrail pays)" description="Optional: lets Boltrail pay live invoices through the node.">
            <SendMacaroonForm environmentId={environmentId} nodeId={node.id} stored={sendEnabled} />
          </Card>
        )}
        {isMaster && (
          <Card title="Management macaroon" description="What Boltrail uses for invoices, settlement and following payments.">
            <ManagementMacaroonForm environmentId={environmentId} nodeId={node.id} canTrack={node.managementCanTrack} />
          </Card>
        )}
        {isMaster ? (
          <Card title="Credentials" description="Macaroon and certificate are stored encrypted and never shown.">
            <ManageNode environmentId={environmentId} nodeId={node.id} alias={name} />
          </Card>
        ) : (
          <Card title="Credentials">
            <p className="text-sm text-gray-600 dark:text-gray-400">Only the team&apos;s master can replace the credentials or detach the node.</p>
          </Card>
        )}
      </div>
    </div>
  );
}
