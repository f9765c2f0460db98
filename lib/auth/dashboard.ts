import "server-only";
import { cache } from "react";
import { redirect } from "next/navigation";
import { auth } from "./next-auth";
import { resolveSessionUser } from "./session";
import type { UserActor } from "./actor";

/** The signed-in dashboard user of this request (once per request), or null. */
export const currentUser = cache(async (): Promise<UserActor | null> => {
  const session = await auth();
  if (!session?.user?.id) return null;
  return resolveSessionUser(session.user.id, (session as { tokenVersion?: unknown }).tokenVersion);
});

/** For pages and actions behind login: the actor, or a redirect to the login page. */
export async function requireUser(): Promise<UserActor> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}
