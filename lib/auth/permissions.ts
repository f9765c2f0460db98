/**
 * The one permission mechanism (DESIGN.md §4). Every service states the (resource, level) its
 * operation needs and calls `authorize`; scope checks then make objects outside the actor's
 * team, environment or wallet invisible (NOT_FOUND), never merely forbidden.
 *
 * A key's environments: its own, plus the sandboxes it created (they join its scope). A
 * wallet-scoped key sees and touches only its wallet's objects (transactions, webhook events and
 * deliveries, the endpoints bound to its wallet) and makes no environment-level writes.
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

/** The environment ids a key reaches: its own first, then the sandboxes it created. */
export function keyEnvironmentIds(actor: KeyActor): string[] {
  return [actor.environmentId, ...(actor.createdEnvironmentIds ?? []).filter((id) => id !== actor.environmentId)];
}

/** Whether a key reaches this environment (always true for a user: their team is checked in the query). */
export function keyReachesEnvironment(actor: Actor, environmentId: string): boolean {
  return actor.kind === "user" || keyEnvironmentIds(actor).includes(environmentId);
}

/** Prisma `where` fragment restricting environments to those the actor can see. */
export function environmentScope(actor: Actor): { teamId: string; id?: { in: string[] } } {
  return actor.kind === "user" ? { teamId: actor.teamId } : { teamId: actor.teamId, id: { in: keyEnvironmentIds(actor) } };
}

/** Throws NOT_FOUND when an environment id is outside the actor's scope (checked before any query). */
export function assertEnvironmentInKeyScope(actor: Actor, environmentId: string, what = "Environment"): void {
  if (!keyReachesEnvironment(actor, environmentId)) throw notFound(what);
}

/** Throws NOT_FOUND when a wallet-scoped key reaches for another wallet. */
export function assertWalletInKeyScope(actor: Actor, walletId: string): void {
  if (actor.kind === "key" && actor.walletId && actor.walletId !== walletId) throw notFound("Wallet");
}

/** The wallet a wallet-scoped key is confined to, or null (a user, or a key of whole environments). */
export function scopedWalletId(actor: Actor): string | null {
  return actor.kind === "key" ? actor.walletId : null;
}

/**
 * Environment-level writes (create, delete, update an environment; create or delete wallets) are
 * refused to a wallet-scoped key whatever its permissions: it acts inside its wallet only.
 */
export function refuseWalletScopedKey(actor: Actor, what: string): void {
  if (actor.kind === "key" && actor.walletId) throw forbidden(`This API key is limited to one wallet and cannot ${what}`);
}

export const isKey = (actor: Actor): actor is KeyActor => actor.kind === "key";
