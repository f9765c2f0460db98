import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/dashboard";
import { listPendingInvitations } from "@/lib/teams/invitations";
import { Card, PageHeader } from "@/components/ui/card";
import { MasterOnly } from "../../_components/master-only";
import { CreateInvitation, RevokeInvitationButton } from "./invitation-controls";

export const metadata: Metadata = { title: "Invitations" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

export default async function InvitationsPage() {
  const actor = await requireUser();
  if (!actor.isMaster) return <MasterOnly what="manage invitations" />;
  const invitations = await listPendingInvitations(actor);
  return (
    <>
      <PageHeader title="Invitations" description="Invite links are single use and expire after 7 days. Whoever opens one creates a member account in your team." />
      <div className="space-y-6">
        <CreateInvitation />
        <Card title="Pending invitations">
          {invitations.length === 0 ? (
            <p className="text-sm text-gray-600 dark:text-gray-400">No pending invitations. Links you create appear here until they are used or expire.</p>
          ) : (
            <table className="table-stack w-full text-left text-sm">
              <caption className="sr-only">Pending invitations</caption>
              <thead className="text-xs text-gray-600 uppercase dark:text-gray-400">
                <tr>
                  <th scope="col" className="py-2 pr-4 font-semibold">Created</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Expires</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">Created by</th>
                  <th scope="col" className="py-2 font-semibold"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-200 dark:divide-gray-800">
                {invitations.map((inv) => (
                  <tr key={inv.id}>
                    <td data-label="Created" className="py-3 pr-4">{dateFormat.format(inv.createdAt)}</td>
                    <td data-label="Expires" className="py-3 pr-4">{dateFormat.format(inv.expiresAt)}</td>
                    <td data-label="Created by" className="py-3 pr-4">{inv.createdBy}</td>
                    <td className="py-3 text-right"><RevokeInvitationButton invitationId={inv.id} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}
