import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "./next-auth";
import { resolveSessionUser, revokeSession } from "./session";
import type { UserActor } from "./actor";

/** Where a user whose team requires two-factor authentication, and who has none yet, is sent. */
export const TWO_FACTOR_ENROLMENT_PATH = "/two-factor/setup";

/** The signed-in dashboard user of this request (once per request), or null. */
export const currentUser = cache(async (): Promise<UserActor | null> => {
  const session = await auth();
  if (!session?.user?.id) return null;
  const claims = session as { tokenVersion?: unknown; sessionId?: unknown };
  return resolveSessionUser(session.user.id, claims.tokenVersion, claims.sessionId);
});

/** Log out: ends this request's session server-side, so its cookie (or a copy used as Bearer) stops working. */
export async function endCurrentSession(): Promise<void> {
  const session = await auth();
  await revokeSession((session as { sessionId?: unknown } | null)?.sessionId);
}

/**
 * For pages and actions behind login: the actor, or a redirect to the login page — or to
 * two-factor enrolment while the team requires it and this account has none.
 */
export async function requireUser(): Promise<UserActor> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (user.mustEnrolTwoFactor) redirect(TWO_FACTOR_ENROLMENT_PATH);
  return user;
}

/** For the two-factor enrolment page and its actions only: signed in, whether or not enrolment is pending. */
export async function requireUserForEnrolment(): Promise<UserActor> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}
