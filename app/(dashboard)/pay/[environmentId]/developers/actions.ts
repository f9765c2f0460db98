"use server";
import { runUserAction } from "@/lib/action";
import { createApiSessionToken } from "@/lib/auth/api-session";
import { requestIp } from "@/lib/auth/request-ip";

/** Mints an API session token for the signed-in master (members are refused: FORBIDDEN). */
export async function createApiSessionTokenAction() {
  return runUserAction(async (actor) => {
    const { token, expiresAt } = await createApiSessionToken(actor, { ip: await requestIp() });
    return { token, expiresAt: expiresAt.toISOString() };
  });
}
