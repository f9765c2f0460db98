import type { Metadata } from "next";
import Link from "next/link";
import { describeInvitation } from "@/lib/teams/invitations";
import { AcceptInvitationForm } from "../../(auth)/_components/credentials-form";
import { AuthFrame } from "../../(auth)/_components/auth-frame";

export const metadata: Metadata = { title: "Join a team" };

const UNUSABLE = {
  expired: "This invitation has expired. Invitations are valid for 7 days; ask your team's master for a new link.",
  used: "This invitation was already used. Each link creates one account; ask your team's master for a new link.",
  revoked: "This invitation was withdrawn by your team's master. Ask them for a new link.",
} as const;

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await describeInvitation(token);
  return (
    <AuthFrame>
      {!invitation ? (
        <>
          <h1 className="text-xl font-semibold">Invitation not found</h1>
          <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">Check that you copied the whole link, or ask your team&apos;s master for a new one.</p>
        </>
      ) : invitation.status !== "valid" ? (
        <>
          <h1 className="text-xl font-semibold">This invitation cannot be used</h1>
          <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">{UNUSABLE[invitation.status]}</p>
        </>
      ) : (
        <>
          <h1 className="text-xl font-semibold">Join {invitation.teamName}</h1>
          <p className="mt-1 mb-6 text-sm text-gray-600 dark:text-gray-400">Create your account to join the team as a member.</p>
          <AcceptInvitationForm token={token} />
        </>
      )}
      <p className="mt-6 text-center text-sm text-gray-600 dark:text-gray-400">
        Already have an account?{" "}
        <Link href="/login" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
          Log in
        </Link>
      </p>
    </AuthFrame>
  );
}
