import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/dashboard";
import { listApiKeys } from "@/lib/api-keys/manage-api-keys";
import { findEnvironment } from "@/lib/environments/find-environment";
import { listWallets } from "@/lib/wallets/list-wallets";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Truncate } from "@/components/ui/truncate";
import { MasterOnly } from "../../../_components/master-only";
import { orNotFound } from "../../../_components/or-not-found";
import { CreateApiKey } from "./create-api-key";
import { KeyActions } from "./key-actions";

export const metadata: Metadata = { title: "API keys" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const fmt = (d: Date | null, none: string) => (d ? `${dateFormat.format(d)} UTC` : none);

export default async function ApiKeysPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const actor = await requireUser();
  if (!actor.isMaster) return <MasterOnly what="manage API keys" />;
  const environment = await orNotFound(findEnvironment(actor, environmentId));
  const [keys, wallets] = await Promise.all([listApiKeys(actor, environment.id), listWallets(actor, environment.id)]);
  const walletNames = new Map(wallets.map((w) => [w.id, w.name]));

  return (
    <>
      <PageHeader
        title="API keys"
        description={`Keys for ${environment.name}. Your backend sends one as the x-api-key header; grant only what it needs.`}
        actions={<CreateApiKey environmentId={environment.id} wallets={wallets} />}
      />
      {keys.length === 0 ? (
        <EmptyState title="No API keys yet" body="Create a key to call the GraphQL API from your backend. The secret is shown once, when you create it." />
      ) : (
        <Card>
          <div className="overflow-x-auto">
            <table className="table-stack w-full text-left text-sm">
              <caption className="sr-only">API keys</caption>
              <thead className="text-xs text-gray-600 uppercase dark:text-gray-400">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-semibold">Name</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Key</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Permissions</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Created</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Last used</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Expires</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Status</th>
                  <th scope="col" className="py-2 font-semibold"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-200 dark:divide-gray-800">
                {keys.map((key) => {
                  const status = key.revokedAt ? "Revoked" : key.active ? "Active" : "Expired";
                  return (
                    <tr key={key.id} className={status === "Active" ? "" : "text-gray-600 dark:text-gray-400"}>
                      <td data-label="Name" className="py-3 pr-4 font-medium">
                        <div>
                          <Truncate text={key.name} className="max-w-48 sm:max-w-xs" />
                          {key.walletId && <span className="block text-xs font-normal text-gray-600 dark:text-gray-400">Wallet: {walletNames.get(key.walletId) ?? key.walletId}</span>}
                        </div>
                      </td>
                      <td data-label="Key" className="py-3 pr-4 font-mono text-xs whitespace-nowrap">
                        {key.keyPrefix}…{key.keySuffix}
                      </td>
                      <td data-label="Permissions" className="py-3 pr-4">
                        <div className="flex flex-wrap justify-end gap-1 md:justify-start">
                          {key.permissions.map((p) => (
                            <Badge key={p.resource} tone={p.level === "WRITE" ? "indigo" : "gray"}>
                              {p.resource} {p.level}
                            </Badge>
                          ))}
                        </div>
                      </td>
                      <td data-label="Created" className="py-3 pr-4 whitespace-nowrap">{fmt(key.createdAt, "")}</td>
                      <td data-label="Last used" className="py-3 pr-4 whitespace-nowrap">{fmt(key.lastUsedAt, "Never")}</td>
                      <td data-label="Expires" className="py-3 pr-4 whitespace-nowrap">{fmt(key.expiresAt, "Never")}</td>
                      <td data-label="Status" className="py-3 pr-4">
                        <Badge tone={status === "Active" ? "green" : status === "Revoked" ? "red" : "amber"}>{status}</Badge>
                      </td>
                      <td className="py-3">
                        <KeyActions environmentId={environment.id} id={key.id} name={key.name} active={status === "Active"} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </>
  );
}
