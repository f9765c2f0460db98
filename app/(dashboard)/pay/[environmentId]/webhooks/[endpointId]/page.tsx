import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { findEndpoint } from "@/lib/webhooks/endpoints";
import { listEndpointDeliveries } from "@/lib/webhooks/webhook-events";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { orNotFound } from "../../../../_components/or-not-found";
import { EditEndpointButton, RotateSecretButton } from "../endpoint-form";
import { EndpointControls, RedeliverButton } from "./endpoint-controls";

export const metadata: Metadata = { title: "Webhook endpoint" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });
const TONE = { SUCCESS: "green", FAILED: "red", PENDING: "amber", IN_PROGRESS: "indigo" } as const;

export default async function EndpointPage({ params }: { params: Promise<{ environmentId: string; endpointId: string }> }) {
  const { environmentId, endpointId } = await params;
  const actor = await requireUser();
  const endpoint = await orNotFound(findEndpoint(actor, endpointId));
  if (endpoint.environmentId !== environmentId) notFound();
  const deliveries = await listEndpointDeliveries(actor, endpoint.id);
  return (
    <>
      <PageHeader
        title="Webhook endpoint"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-xs break-all">{endpoint.url}</span>
            {endpoint.active ? <Badge tone="green">Active</Badge> : <Badge tone="gray">Paused</Badge>}
          </span>
        }
        actions={
          <div className="flex flex-wrap gap-2">
            <EditEndpointButton environmentId={environmentId} id={endpoint.id} url={endpoint.url} filters={endpoint.eventFilters} isTestInbox={endpoint.isTestInbox} />
            <RotateSecretButton environmentId={environmentId} id={endpoint.id} url={endpoint.url} />
          </div>
        }
      />
      <div className="space-y-6">
        <Card title="Settings">
          <dl className="grid gap-3 text-sm sm:grid-cols-2">
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Endpoint id</dt>
              <dd className="flex items-center gap-2 font-mono text-xs">
                {endpoint.id} <CopyButton value={endpoint.id} label="endpoint id" />
              </dd>
            </div>
            <div>
              <dt className="text-gray-600 dark:text-gray-400">Events</dt>
              <dd>{endpoint.eventFilters.length ? endpoint.eventFilters.join(", ") : "All events"}</dd>
            </div>
            {endpoint.pausedReason && !endpoint.active && (
              <div>
                <dt className="text-gray-600 dark:text-gray-400">Paused</dt>
                <dd>{endpoint.pausedReason}</dd>
              </div>
            )}
            {endpoint.previousSecretValid && endpoint.previousSecretExpiresAt && (
              <div>
                <dt className="text-gray-600 dark:text-gray-400">Previous secret valid until</dt>
                <dd>{dateFormat.format(endpoint.previousSecretExpiresAt)} UTC</dd>
              </div>
            )}
          </dl>
          <div className="mt-4">
            <EndpointControls environmentId={environmentId} id={endpoint.id} active={endpoint.active} />
          </div>
        </Card>
        <Card title="Deliveries" description="Most recent first. Up to 8 attempts on 408, 429, 5xx, timeouts and network errors: after 10 s, 60 s, then every 10 minutes.">
          {deliveries.length === 0 ? (
            <EmptyState title="No deliveries yet" body="Events of this environment appear here as they are delivered. Send a test event to try it." />
          ) : (
            <ul className="divide-y divide-gray-200 dark:divide-gray-800">
              {deliveries.map((d) => (
                <li key={d.id} className="py-3">
                  <div className="flex flex-wrap items-center justify-between gap-3">
                    <div className="min-w-0">
                      <p className="font-mono text-xs font-semibold">{d.event.eventType}</p>
                      <p className="truncate font-mono text-xs text-gray-600 dark:text-gray-400" title={d.event.idempotencyKey}>{d.event.idempotencyKey}</p>
                    </div>
                    <div className="flex flex-wrap items-center gap-3 text-xs">
                      <Badge tone={TONE[d.status]}>{d.status === "SUCCESS" ? "Delivered" : d.status === "IN_PROGRESS" ? "Sending" : d.status === "PENDING" ? "Retrying" : "Failed"}</Badge>
                      <span>{d.attemptCount} attempt{d.attemptCount === 1 ? "" : "s"}</span>
                      <span>Last HTTP {d.lastHttpStatus ?? "—"}</span>
                      {d.status === "PENDING" && d.nextAttemptAt && <span>Next retry {dateFormat.format(d.nextAttemptAt)} UTC</span>}
                      <RedeliverButton environmentId={environmentId} eventId={d.event.id} endpointId={endpoint.id} />
                    </div>
                  </div>
                  {d.attempts.length > 0 && (
                    <details className="mt-2">
                      <summary className="cursor-pointer text-xs font-semibold text-indigo-700 dark:text-indigo-300">Attempts, request and response</summary>
                      <ol className="mt-2 space-y-3">
                        {d.attempts.map((a) => (
                          <li key={a.id} className="rounded-md bg-gray-50 p-3 text-xs dark:bg-gray-950">
                            <p className="font-semibold">
                              Attempt {a.attemptNumber} · {dateFormat.format(a.createdAt)} UTC · {a.durationMs} ms · {a.responseStatus ? `HTTP ${a.responseStatus}` : a.error}
                            </p>
                            <p className="mt-2 font-semibold">Request headers</p>
                            <pre tabIndex={0} className="overflow-auto">{JSON.stringify(a.requestHeaders, null, 2)}</pre>
                            <p className="mt-2 font-semibold">Request body</p>
                            <pre tabIndex={0} className="max-h-48 overflow-auto">{JSON.stringify(JSON.parse(d.event.payload), null, 2)}</pre>
                            <p className="mt-2 font-semibold">Response body (first 2 KB)</p>
                            <pre tabIndex={0} className="max-h-48 overflow-auto">{a.responseBody || "(empty)"}</pre>
                          </li>
                        ))}
                      </ol>
                    </details>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
