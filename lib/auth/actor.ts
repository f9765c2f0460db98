/**
 * Who is calling. Every service takes an Actor first and scopes its queries by it.
 *  - a dashboard user (session cookie, or the same token as a Bearer header);
 *  - a service API key, bound to one environment (and optionally one wallet), plus the sandbox
 *    environments it created itself (DESIGN.md §4: they join its scope).
 */
import { forbidden } from "../errors";

export type UserActor = {
  kind: "user";
  userId: string;
  teamId: string;
  isMaster: boolean;
  email: string;
  /** The dashboard session this actor came through (absent for actors built otherwise, e.g. in tests). */
  sessionId?: string;
  /** The team requires two-factor authentication and this account has none yet: only enrolment is open. */
  mustEnrolTwoFactor?: boolean;
};

export type PermissionResource = "ENVIRONMENTS" | "WALLETS" | "PAYMENTS" | "WEBHOOKS" | "WALLET_CREDENTIALS";
export type PermissionLevel = "READ" | "WRITE";
export type Permission = { resource: PermissionResource; level: PermissionLevel };

export type KeyActor = {
  kind: "key";
  keyId: string;
  teamId: string;
  environmentId: string;
  environmentType: "SANDBOX" | "LIVE";
  permissions: Permission[];
  /** Set: the key acts on this one wallet only (its objects: transactions, events, endpoints bound to it). */
  walletId: string | null;
  /** The sandbox environments this key created (ENVIRONMENTS WRITE), in its scope besides its own. */
  createdEnvironmentIds?: string[];
};

export type Actor = UserActor | KeyActor;

/** Master-only operations (team management, API keys, LIVE environments). */
export function requireMaster(actor: Actor, what: string): asserts actor is UserActor & { isMaster: true } {
  if (actor.kind !== "user" || !actor.isMaster) {
    throw forbidden(`Only the team's master account can ${what}`);
  }
}
