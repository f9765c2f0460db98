import { EmptyState } from "@/components/ui/card";

/** Shown instead of a master-only page to members (the services refuse them too). */
export function MasterOnly({ what }: { what: string }) {
  return (
    <EmptyState
      title="Only the team's master can do this"
      body={`Your account is a member of this team. Only the master account can ${what}. Ask your team's master if you need access.`}
    />
  );
}
