import "server-only";
import { unstable_rethrow } from "next/navigation";
import { toPublicError, type ActionResult } from "./errors";
import { requireUser } from "./auth/dashboard";
import type { UserActor } from "./auth/actor";

/**
 * The one wrapper every server action uses: resolve the signed-in user, call the service, and turn
 * any AppError into a typed result the form can show. Redirects and other Next.js control flow
 * pass through.
 */
export async function runAction<T>(fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await fn() };
  } catch (err) {
    unstable_rethrow(err);
    return { ok: false, error: toPublicError(err) };
  }
}

export async function runUserAction<T>(fn: (actor: UserActor) => Promise<T>): Promise<ActionResult<T>> {
  const actor = await requireUser();
  return runAction(() => fn(actor));
}
