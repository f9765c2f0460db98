import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { findEnvironment } from "@/lib/environments/find-environment";
import { listEndpoints } from "@/lib/webhooks/endpoints";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Truncate } from "@/components/ui/truncate";
import { orNotFound } from "../../../_components/or-not-found";
import { AddEndpointButton, GenerateTestUrlButton } from "./endpoint-form";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const actor = await requireUser();
  const environment = await orNotFound(findEnvironment(actor, environmentId));
  const endpoints = await listEndpoints(actor, environment.id);
  const actions = (
    <div className="flex flex-wrap gap-2">
      {environment.type === "SANDBOX" && <GenerateTestUrlButton environmentId={environment.id} />}
      <AddEndpointButton environmentId={environment.id} />
    </div>
  );
  return (
    <>
      <PageHeader title="Webhooks" description="Signed HTTP POSTs to your server for every payment event, delivered at least once with retries." actions={actions} />
      {endpoints.length === 0 ? (
        <EmptyState
          title="No webhook endpoints yet"
          body={environment.type === "SANDBOX" ? "Add your endpoint, or generate a test URL to see deliveries arrive in Boltrail's own inbox." : "Add the HTTPS endpoint of your server to receive payment events."}
        />
      ) : (
        <Card>
          <table className="table-stack w-full text-left text-sm">
            <caption className="sr-only">Webhook endpoints</caption>
            <thead className="text-xs text-gray-600 uppercase dark:text-gray-400">
              <tr>
                <th scope="col" className="py-2 pr-4 font-semibold">URL</th>
                <th scope="col" className="py-2 pr-4 font-semibold">Events</th>
                <th scope="col" className="py-2 pr-4 font-semibold">Status</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-200 dark:divide-gray-800">
              {endpoints.map((e) => (
                <tr key={e.id}>
                  <td data-label="URL" className="max-w-md py-3 pr-4">
                    <div>
                      <Link href={`/pay/${environment.id}/webhooks/${e.id}`} className="block max-w-64 font-mono text-xs text-indigo-700 underline sm:max-w-md dark:text-indigo-300">
                        <Truncate text={e.url} />
                      </Link>
                      {e.isTestInbox && <span className="ml-2"><Badge tone="indigo">Test inbox</Badge></span>}
                    </div>
                  </td>
                  <td data-label="Events" className="py-3 pr-4 text-xs">{e.eventFilters.length ? e.eventFilters.join(", ") : "All events"}</td>
                  <td data-label="Status" className="py-3 pr-4">{e.active ? <Badge tone="green">Active</Badge> : <Badge tone="gray">Paused</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}
