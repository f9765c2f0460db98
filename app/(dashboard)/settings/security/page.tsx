import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/dashboard";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/password";
import { describeUserAgent } from "@/lib/auth/user-agent";
import { listSessions } from "@/lib/accounts/sessions";
import { getTwoFactorStatus, listTeamTwoFactor } from "@/lib/accounts/two-factor";
import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { ChangePasswordForm } from "./change-password-form";
import { SignOutEverywhereElseButton, SignOutSessionButton } from "./sessions-list";
import { RequireTwoFactorToggle, ResetLinkButton } from "./team-security";
import { EnableTwoFactor, ManageTwoFactor } from "./two-factor-controls";

export const metadata: Metadata = { title: "Security" };

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const when = (d: Date | null) => (d ? `${dateFormat.format(d)} UTC` : "—");

export default async function SecurityPage() {
  const actor = await requireUser();
  const [twoFactor, sessions, team] = await Promise.all([getTwoFactorStatus(actor), listSessions(actor), actor.isMaster ? listTeamTwoFactor(actor) : null]);
  const others = sessions.filter((s) => !s.current).length;
  return (
    <>
      <PageHeader title="Security" description={`Password, two-factor authentication and sessions of ${actor.email}.`} />
      <div className="space-y-6">
        <Card title="Password" description="Changing it signs out your other sessions.">
          <ChangePasswordForm minLength={PASSWORD_MIN_LENGTH} />
        </Card>

        <Card
          title="Two-factor authentication"
          description="After your password, logging in asks for a code from an authenticator app (or a single-use recovery code)."
          actions={twoFactor.enabled ? <Badge tone="green">On</Badge> : <Badge tone="gray">Off</Badge>}
        >
          {twoFactor.teamRequires && !twoFactor.enabled && <p className="mb-4 text-sm font-medium text-amber-800 dark:text-amber-300">Your team requires two-factor authentication.</p>}
          {twoFactor.enabled ? (
            <div className="space-y-4">
              <p className="text-sm text-gray-700 dark:text-gray-300">
                On since {when(twoFactor.enabledAt)}. {twoFactor.recoveryCodesLeft} of 10 recovery codes left.
              </p>
              <ManageTwoFactor />
            </div>
          ) : (
            <EnableTwoFactor />
          )}
        </Card>

        <Card title="Sessions" description="Where your account is signed in. Signing a session out ends it on its next request." actions={<SignOutEverywhereElseButton others={others} />}>
          <ul className="divide-y divide-gray-200 dark:divide-gray-800" aria-label="Signed-in sessions">
            {sessions.map((s) => {
              const device = describeUserAgent(s.userAgent);
              return (
                <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                  <div className="min-w-0 text-sm">
                    <p className="font-medium">
                      {device} {s.current && <Badge tone="indigo">This device</Badge>}
                    </p>
                    <p className="text-xs break-words text-gray-600 dark:text-gray-400">
                      {s.ip ? `IP ${s.ip} · ` : ""}Signed in {when(s.createdAt)} · Last seen {when(s.lastSeenAt)}
                    </p>
                  </div>
                  {!s.current && <SignOutSessionButton id={s.id} device={device} />}
                </li>
              );
            })}
          </ul>
        </Card>

        {team && (
          <Card title="Team security" description="Only you, the master, see this.">
            <div className="space-y-5">
              <div className="space-y-2">
                <p className="text-sm text-gray-700 dark:text-gray-300">
                  {team.required
                    ? "Every account of the team must use two-factor authentication. Members without it are sent to set it up after logging in."
                    : "Require every account of the team to use two-factor authentication."}
                </p>
                <RequireTwoFactorToggle required={team.required} canRequire={twoFactor.enabled} />
              </div>
              <div>
                <h3 className="mb-1 text-sm font-semibold">Members</h3>
                <p className="mb-2 text-xs text-gray-600 dark:text-gray-400">A reset link lets a member who forgot their password choose a new one.</p>
                <ul className="divide-y divide-gray-200 dark:divide-gray-800" aria-label="Team members and two-factor authentication">
                  {team.members.map((m) => (
                    <li key={m.id} className="flex flex-wrap items-start justify-between gap-3 py-3">
                      <div className="min-w-0 text-sm">
                        <p className="font-medium break-all">
                          {m.email}
                          {m.id === actor.userId && <span className="ml-2 text-xs text-gray-600 dark:text-gray-400">(you)</span>}
                        </p>
                        <p className="text-xs text-gray-600 dark:text-gray-400">
                          {m.role === "MASTER" ? "Master" : "Member"} · Two-factor {m.twoFactor ? "on" : "off"}
                        </p>
                      </div>
                      {m.role === "MEMBER" && <ResetLinkButton userId={m.id} email={m.email} />}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          </Card>
        )}
      </div>
    </>
  );
}
