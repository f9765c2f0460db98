import "server-only";
import type { YogaInitialContext } from "graphql-yoga";
import { forbidden, unauthenticated } from "../errors";
import type { Actor, UserActor } from "../auth/actor";
import { resolveRequestActor } from "../auth/request-actor";

export type ActorContext = {
  /** The caller, resolved once per request on first use; null without credentials. */
  actor: () => Promise<Actor | null>;
};

/** What resolvers get: the caller, and nothing of the transport (the direct path has no web Request). */
export type GraphQLContext = ActorContext;

/** The request headers the caller is read from. */
export type HeaderSource = { get(name: string): string | null };

/** The context of one request: the caller is resolved from its headers on first use, once. */
export function actorContext(headers: HeaderSource): ActorContext {
  let pending: Promise<Actor | null> | undefined;
  return { actor: () => (pending ??= resolveRequestActor(headers)) };
}

/** graphql-yoga's context factory. */
export function buildContext(initial: YogaInitialContext): ActorContext {
  return actorContext(initial.request.headers);
}

/** The caller, or UNAUTHENTICATED when the request carries no credentials. */
export async function requireActor(ctx: GraphQLContext): Promise<Actor> {
  const actor = await ctx.actor();
  if (!actor) throw unauthenticated("Authentication required: send an `x-api-key` header or `Authorization: Bearer <session token>`");
  return actor;
}

export async function requireUserActor(ctx: GraphQLContext): Promise<UserActor> {
  const actor = await requireActor(ctx);
  if (actor.kind !== "user") throw forbidden("This field needs a dashboard session (Authorization: Bearer <session token>), not an API key");
  return actor;
}
