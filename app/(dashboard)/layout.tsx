import type { ReactNode } from "react";
import { requireUser } from "@/lib/auth/dashboard";
import { listEnvironments } from "@/lib/environments/list-environments";
import { getTeam } from "@/lib/teams/members";
import { liveFeedCursor } from "@/lib/events/open-live-feed";
import { LiveUpdatesProvider } from "@/components/live/live-updates";
import { DashboardShell } from "./_components/shell";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const actor = await requireUser();
  const [environments, team, liveSince] = await Promise.all([listEnvironments(actor), getTeam(actor), liveFeedCursor(actor)]);
  return (
    <DashboardShell
      user={{ email: actor.email, isMaster: actor.isMaster }}
      teamName={team.name}
      environments={environments.map((e) => ({ id: e.id, name: e.name, type: e.type }))}
    >
      <LiveUpdatesProvider since={liveSince}>{children}</LiveUpdatesProvider>
    </DashboardShell>
  );
}
