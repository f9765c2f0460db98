import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/dashboard";
import { getTeam } from "@/lib/teams/members";
import { Card, PageHeader } from "@/components/ui/card";
import { buttonClass } from "@/components/ui/button-class";
import { RemoveMemberButton } from "./remove-member-button";
import { custodyStatus } from "@/lib/custody/credentials";
import { TeamPasswordForm } from "./team-password-form";

export const metadata: Metadata = { title: "Team" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium" });

export default async function TeamPage() {
  const actor = await requireUser();
  const [team, custody] = await Promise.all([getTeam(actor), custodyStatus(actor, null)]);
  return (
    <>
      <PageHeader
        title="Team"
        description={`${team.name} · ${team.members.length} member${team.members.length === 1 ? "" : "s"}`}
        actions={
          actor.isMaster ? (
            <Link href="/settings/invitations" className={buttonClass("primary")}>
              Invite members
            </Link>
          ) : undefined
        }
      />
      <Card title="Members" description="The master account manages environments, API keys and the team; members use the dashboard.">
        <table className="table-stack w-full text-left text-sm">
          <caption className="sr-only">Team members</caption>
          <thead className="text-xs text-gray-600 uppercase dark:text-gray-400">
            <tr>
              <th scope="col" className="py-2 pr-4 font-semibold">Email</th>
              <th scope="col" className="py-2 pr-4 font-semibold">Role</th>
              <th scope="col" className="py-2 pr-4 font-semibold">Joined</th>
              {actor.isMaster && (
                <th scope="col" className="py-2 font-semibold">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-200 dark:divide-gray-800">
            {team.members.map((m) => (
              <tr key={m.id}>
                <td data-label="Email" className="py-3 pr-4 font-medium">
                  <div>
                    {m.email}
                    {m.id === actor.userId && <span className="ml-2 text-xs text-gray-600 dark:text-gray-400">(you)</span>}
                  </div>
                </td>
                <td data-label="Role" className="py-3 pr-4">{m.role === "MASTER" ? "Master" : "Member"}</td>
                <td data-label="Joined" className="py-3 pr-4">{dateFormat.format(m.joinedAt)}</td>
                {actor.isMaster && <td className="py-3 text-right">{m.role === "MEMBER" && <RemoveMemberButton userId={m.id} email={m.email} />}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      <div className="mt-6">
        <Card
          title="Team password"
          description="Protects your node's admin macaroon for live sends, as in Rails: the browser encrypts it, and only clients that know the password can decrypt it and pay."
        >
          {actor.isMaster ? (
            <TeamPasswordForm teamId={custody.teamId} isSet={custody.passwordSet} encryptedSymmetricKey={custody.encryptedSymmetricKey} />
          ) : (
            <p className="text-sm text-gray-700 dark:text-gray-300">{custody.passwordSet ? "A team password is set. Ask the team's master for it to pay from live wallets." : "No team password is set yet; the team's master sets it."}</p>
          )}
        </Card>
      </div>
    </>
  );
}
