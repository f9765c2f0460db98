import "server-only";
import { createUlidFactory } from "@/lib/ids";
import { db, type Prisma } from "@/lib/db";
import { notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit";
import { assertEnvironmentInKeyScope, authorize, environmentScope, scopedWalletId } from "../auth/permissions";
import { assertEnvironmentVisible } from "../environments/visible";
import { decryptSecret, encryptSecret } from "../crypto";
import { checkId, parseInput } from "../validation";
import { validateEndpointUrl } from "./endpoint-url";
import { PAYMENT_EVENT_TYPES } from "./events";
import { CreateEndpointInput, UpdateEndpointInput } from "./schemas";
import { generateWebhookSecret } from "./signing";

const ulid = createUlidFactory();
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export type EndpointView = {
  id: string;
  environmentId: string;
  /** Bound to one wallet (created by a wallet-scoped key): only that wallet's events. Null: the whole environment. */
  walletId: string | null;
  url: string;
  eventFilters: string[];
  active: boolean;
  pausedReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  previousSecretExpiresAt: Date | null;
  /** The previous secret still verifies (within 24 h of a rotation). */
  previousSecretValid: boolean;
  isTestInbox: boolean;
};

const SELECT = {
  id: true,
  environmentId: true,
  walletId: true,
  url: true,
  eventFilters: true,
  active: true,
  pausedReason: true,
  createdAt: true,
  updatedAt: true,
  previousSecretExpiresAt: true,
  testInbox: { select: { id: true } },
} as const;

type Row = Omit<EndpointView, "isTestInbox" | "previousSecretValid"> & { testInbox: { id: string } | null };
const toView = ({ testInbox, ...row }: Row): EndpointView => ({
  ...row,
  isTestInbox: !!testInbox,
  previousSecretValid: !!row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now(),
});

/** The event types an endpoint can subscribe to (a fixed list; still behind WEBHOOKS READ, DESIGN.md §4). */
export function availableEventTypes(actor: Actor): string[] {
  authorize(actor, "WEBHOOKS", "READ");
  return [...PAYMENT_EVENT_TYPES];
}

/**
 * The endpoints an actor sees and touches: those of its team (a key: of its environments). A
 * wallet-scoped key: only the endpoints bound to its wallet (the ones it created), never the
 * environment's others, which receive every wallet's events.
 */
export function endpointScope(actor: Actor): Prisma.WebhookEndpointWhereInput {
  const walletId = scopedWalletId(actor);
  return { environment: environmentScope(actor), ...(walletId ? { walletId } : {}) };
}

/**
 * The endpoints an event may go to: the environment's, bound to no wallet or to the event's
 * wallet (the delivery trigger of migration 20261203120000 enforces the same for every writer).
 */
export function endpointsForWallet(walletId: string): Prisma.WebhookEndpointWhereInput {
  return { OR: [{ walletId: null }, ...(walletId ? [{ walletId }] : [])] };
}

async function findOwnEndpoint(actor: Actor, id: unknown): Promise<Row> {
  const row = await db.webhookEndpoint.findFirst({
    where: { id: checkId(id, "Webhook endpoint"), ...endpointScope(actor) },
    select: SELECT,
  });
  if (!row) throw notFound("Webhook endpoint");
  return row;
}

/**
 * Creates an endpoint; its secret is returned here once and stored encrypted. Created by a
 * wallet-scoped key, it is bound to that wallet: it receives that wallet's events only.
 */
export async function createEndpoint(actor: Actor, raw: unknown, options: { testInboxUrl?: string } = {}): Promise<{ endpoint: EndpointView; secret: string }> {
  authorize(actor, "WEBHOOKS", "WRITE");
  const input = parseInput(CreateEndpointInput, raw, "input");
  assertEnvironmentInKeyScope(actor, input.environment_id);
  const environment = await db.environment.findFirst({ where: { id: input.environment_id, teamId: actor.teamId }, select: { id: true } });
  if (!environment) throw notFound("Environment");
  const walletId = scopedWalletId(actor);
  // A sandbox test inbox is Boltrail's own route: its URL is generated, not user input.
  const url = options.testInboxUrl ?? (await validateEndpointUrl(input.url));
  const secret = generateWebhookSecret();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: { id: `wep_${ulid()}`, environmentId: environment.id, walletId, url, eventFilters: input.event_filters ?? [], secretEncrypted: encryptSecret(secret) },
      select: SELECT,
    });
    await recordAudit(tx, actor, "webhook_endpoint.created", { type: "webhook_endpoint", id: created.id }, { url, wallet_id: walletId });
    return created;
  });
  return { endpoint: toView(row), secret };
}

export async function updateEndpoint(actor: Actor, raw: unknown): Promise<EndpointView> {
  authorize(actor, "WEBHOOKS", "WRITE");
  const input = parseInput(UpdateEndpointInput, raw, "input");
  const current = await findOwnEndpoint(actor, input.id);
  const url = input.url && input.url !== current.url ? await validateEndpointUrl(input.url) : undefined;
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.webhookEndpoint.update({
      where: { id: current.id },
      data: {
        ...(url ? { url } : {}),
        ...(input.event_filters ? { eventFilters: input.event_filters } : {}),
        ...(input.active === true || input.active === false ? { active: input.active, pausedReason: input.active ? null : "Paused by hand" } : {}),
      },
      select: SELECT,
    });
    await recordAudit(tx, actor, "webhook_endpoint.updated", { type: "webhook_endpoint", id: current.id }, {
      url: url ?? null,
      event_filters: input.event_filters ?? null,
      active: input.active ?? null,
    });
    return updated;
  });
  return toView(row);
}

export async function deleteEndpoint(actor: Actor, id: unknown): Promise<true> {
  authorize(actor, "WEBHOOKS", "WRITE");
  const current = await findOwnEndpoint(actor, id);
  await db.$transaction(async (tx) => {
    await tx.webhookEndpoint.delete({ where: { id: current.id } });
    await recordAudit(tx, actor, "webhook_endpoint.deleted", { type: "webhook_endpoint", id: current.id }, { url: current.url });
  });
  return true;
}

/** A new secret, returned once; the previous one keeps verifying for 24 hours. */
export async function rotateEndpointSecret(actor: Actor, id: unknown): Promise<{ endpoint: EndpointView; secret: string }> {
  authorize(actor, "WEBHOOKS", "WRITE");
  const current = await findOwnEndpoint(actor, id);
  const secret = generateWebhookSecret();
  const row = await db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ secretEncrypted: string }[]>`SELECT "secretEncrypted" FROM webhook_endpoints WHERE id = ${current.id} FOR UPDATE`;
    const updated = await tx.webhookEndpoint.update({
      where: { id: current.id },
      data: {
        secretEncrypted: encryptSecret(secret),
        previousSecretEncrypted: locked.secretEncrypted,
        previousSecretExpiresAt: new Date(Date.now() + ROTATION_OVERLAP_MS),
      },
      select: SELECT,
    });
    await recordAudit(tx, actor, "webhook_endpoint.secret_rotated", { type: "webhook_endpoint", id: current.id });
    return updated;
  });
  return { endpoint: toView(row), secret };
}

export async function findEndpoint(actor: Actor, id: unknown): Promise<EndpointView> {
  authorize(actor, "WEBHOOKS", "READ");
  return toView(await findOwnEndpoint(actor, id));
}

export async function listEndpoints(actor: Actor, environmentId: unknown): Promise<EndpointView[]> {
  authorize(actor, "WEBHOOKS", "READ");
  const envId = checkId(environmentId, "Environment");
  await assertEnvironmentVisible(actor, envId);
  const rows = await db.webhookEndpoint.findMany({
    where: { environmentId: envId, ...endpointScope(actor) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: SELECT,
  });
  return rows.map(toView);
}

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export async function signingSecrets(endpointId: string): Promise<string[]> {
  const row = await db.webhookEndpoint.findUnique({
    where: { id: endpointId },
    select: { secretEncrypted: true, previousSecretEncrypted: true, previousSecretExpiresAt: true },
  });
  if (!row) return [];
  const secrets = [decryptSecret(row.secretEncrypted).toString("utf8")];
  if (row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now()) {
    secrets.push(decryptSecret(row.previousSecretEncrypted).toString("utf8"));
  }
  return secrets;
}
