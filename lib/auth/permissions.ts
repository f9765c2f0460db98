/**
 * The one permission mechanism (DESIGN.md §4). Every service states the (resource, level) its
 * operation needs and calls `authorize`; scope checks then make objects outside the actor's
 * team, environment or wallet invisible (NOT_FOUND), never merely forbidden.
 */
import { forbidden, notFound } from "../errors";
import type { Actor, KeyActor, Permission, PermissionLevel, PermissionResource } from "./actor";

export const RESOURCES: PermissionResource[] = ["ENVIRONMENTS", "WALLETS", "PAYMENTS", "WEBHOOKS", "WALLET_CREDENTIALS"];
export const LEVELS: PermissionLevel[] = ["READ", "WRITE"];

/** WRITE implies READ. */
export function hasPermission(permissions: Permission[], resource: PermissionResource, level: PermissionLevel): boolean {
  return permissions.some((p) => p.resource === resource && (p.level === level || p.level === "WRITE"));
}

/**
 * Dashboard users act on their whole team (members included; master-only operations call
 * `requireMaster` as well). API keys need the permission.
 */
export function authorize(actor: Actor, resource: PermissionResource, level: PermissionLevel): void {
  if (actor.kind === "user") return;
  if (!hasPermission(actor.permissions, resource, level)) {
    throw forbidden(`This API key lacks the ${resource} ${level} permission`);
  }
}

/** Prisma `where` fragment restricting environments to those the actor can see. */
export function environmentScope(actor: Actor): { teamId: string; id?: string } {
  return actor.kind === "user" ? { teamId: actor.teamId } : { teamId: actor.teamId, id: actor.environmentId };
}

/** Throws NOT_FOUND when an environment id is outside the actor's scope (checked before any query). */
export function assertEnvironmentInKeyScope(actor: Actor, environmentId: string, what = "Environment"): void {
  if (actor.kind === "key" && actor.environmentId !== environmentId) throw notFound(what);
}

/** Throws NOT_FOUND when a wallet-scoped key reaches for another wallet. */
export function assertWalletInKeyScope(actor: Actor, walletId: string): void {
  if (actor.kind === "key" && actor.walletId && actor.walletId !== walletId) throw notFound("Wallet");
}

export const isKey = (actor: Actor): actor is KeyActor => actor.kind === "key";
