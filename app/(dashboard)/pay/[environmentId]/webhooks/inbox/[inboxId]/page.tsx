import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/dashboard";
import { getTestInbox } from "@/lib/webhooks/test-inbox";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { orNotFound } from "../../../../../_components/or-not-found";
import { inboxRequestsAction } from "../../actions";
import { InboxRequests } from "./inbox-requests";

export const metadata: Metadata = { title: "Test inbox" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function InboxPage({ params }: { params: Promise<{ environmentId: string; inboxId: string }> }) {
  const { environmentId, inboxId } = await params;
  const actor = await requireUser();
  const inbox = await orNotFound(getTestInbox(actor, inboxId));
  if (inbox.environmentId !== environmentId) notFound();
  const initial = await inboxRequestsAction(inbox.id);
  return (
    <>
      <PageHeader
        title="Test inbox"
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-xs break-all">{inbox.endpoint?.url}</span>
            {inbox.endpoint?.url && <CopyButton value={inbox.endpoint.url} label="inbox URL" />}
          </span>
        }
      />
      <Card
        title="Deliveries received"
        description={`Each delivery as it arrives, with its headers, body and whether its signature verifies with the endpoint's secret. Keeps the last 100; expires ${dateFormat.format(inbox.expiresAt)} UTC.`}
      >
        <InboxRequests inboxId={inbox.id} initial={initial} poll={inboxRequestsAction} />
      </Card>
    </>
  );
}
