import "server-only";
import { createUlidFactory } from "@/lib/ids";
import { db, type Prisma } from "@/lib/db";
import { AppError, badInput, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { authorize, environmentScope, scopedWalletId } from "../auth/permissions";
import { assertEnvironmentVisible } from "../environments/visible";
import { assertWalletVisible } from "../wallets/visible";
import { endpointScope, endpointsForWallet } from "./endpoints";
import { checkId, parseInput, parseIsoDate } from "../validation";
import { z } from "zod";

const ulid = createUlidFactory();

export type DeliveryView = {
  id: string;
  endpointId: string;
  status: "PENDING" | "IN_PROGRESS" | "SUCCESS" | "FAILED";
  attemptCount: number;
  lastHttpStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

export type WebhookEventView = {
  id: string;
  environmentId: string;
  walletId: string;
  transactionId: string | null;
  eventType: string;
  idempotencyKey: string;
  payload: string;
  createdAt: Date;
  deliveries: DeliveryView[];
};

const DELIVERY_SELECT = {
  id: true,
  endpointId: true,
  status: true,
  attemptCount: true,
  lastHttpStatus: true,
  lastError: true,
  nextAttemptAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** The events an actor sees: its team's (a key: its environments'); a wallet-scoped key: its wallet's only. */
function scope(actor: Actor): Prisma.WebhookEventWhereInput {
  const walletId = scopedWalletId(actor);
  return { environment: environmentScope(actor), ...(walletId ? { walletId } : {}) };
}

/** A wallet-scoped key sees the deliveries to its own endpoints only (not the environment's others). */
function deliveryScope(actor: Actor): Prisma.WebhookDeliveryWhereInput {
  return scopedWalletId(actor) ? { endpoint: endpointScope(actor) } : {};
}

export async function findWebhookEvent(actor: Actor, id: unknown): Promise<WebhookEventView> {
  authorize(actor, "WEBHOOKS", "READ");
  const row = await db.webhookEvent.findFirst({
    where: { id: checkId(id, "Webhook event"), ...scope(actor) },
    include: { deliveries: { where: deliveryScope(actor), select: DELIVERY_SELECT, orderBy: { createdAt: "asc" } } },
  });
  if (!row) throw notFound("Webhook event");
  return row;
}

const ListInput = z.object({
  environment_id: z.string({ error: "is required" }).trim().min(1, "is required").max(100),
  filter: z
    .object({
      date_range: z.object({ from: z.string().nullish(), to: z.string().nullish() }).nullish(),
      endpoint_id: z.string().max(100).nullish(),
      event_type: z.string().max(100).nullish(),
      transaction_id: z.string().max(100).nullish(),
      wallet_id: z.string().max(100).nullish(),
    })
    .nullish(),
  page: z
    .object({
      limit: z.number().int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100"),
      offset: z.number().int("must be a whole number").min(0, "must not be negative").max(1_000_000),
    })
    .nullish(),
});

export async function listWebhookEvents(actor: Actor, raw: unknown) {
  authorize(actor, "WEBHOOKS", "READ");
  const input = parseInput(ListInput, raw, "input");
  await assertEnvironmentVisible(actor, input.environment_id);
  const f = input.filter;
  if (f?.wallet_id) await assertWalletVisible(actor, f.wallet_id);
  const date = (field: string, v: string | null | undefined) => {
    if (!v) return undefined;
    const d = parseIsoDate(v);
    if (!d) throw badInput(field, "must be a valid ISO 8601 date");
    return d;
  };
  const from = date("input.filter.date_range.from", f?.date_range?.from);
  const to = date("input.filter.date_range.to", f?.date_range?.to);
  const where: Prisma.WebhookEventWhereInput = {
    ...scope(actor),
    environmentId: input.environment_id,
    ...(f?.event_type ? { eventType: f.event_type } : {}),
    ...(f?.transaction_id ? { transactionId: f.transaction_id } : {}),
    ...(f?.wallet_id ? { walletId: f.wallet_id } : {}),
    ...(f?.endpoint_id ? { deliveries: { some: { endpointId: f.endpoint_id, ...deliveryScope(actor) } } } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
  };
  const limit = input.page?.limit ?? 20;
  const offset = input.page?.offset ?? 0;
  const list = await db.webhookEvent.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit, skip: offset });
  let count: Promise<number> | undefined;
  return { list, limit, offset, totalCount: () => (count ??= db.webhookEvent.count({ where })) };
}

/**
 * Queues the event again for one endpoint (or every active endpoint of its environment that
 * receives it): a new run of up to 8 attempts. Only endpoints the caller sees (a wallet-scoped
 * key: those bound to its wallet) and that may receive the event (bound to no wallet or to the
 * event's); any other endpoint id is NOT_FOUND.
 */
export async function redeliverWebhookEvent(actor: Actor, eventId: unknown, endpointId?: unknown): Promise<WebhookEventView> {
  authorize(actor, "WEBHOOKS", "WRITE");
  const event = await findWebhookEvent(actor, eventId);
  const targets = await db.webhookEndpoint.findMany({
    where: {
      AND: [endpointScope(actor), endpointsForWallet(event.walletId)],
      environmentId: event.environmentId,
      ...(endpointId ? { id: checkId(endpointId, "Webhook endpoint") } : { active: true }),
    },
    select: { id: true, active: true },
  });
  if (endpointId && targets.length === 0) throw notFound("Webhook endpoint");
  if (endpointId && !targets[0].active) throw new AppError("CONFLICT", "endpoint_id: this endpoint is paused; resume it first", { field: "endpoint_id", detail: "This endpoint is paused; resume it first" });
  await db.$transaction(async (tx) => {
    for (const target of targets) {
      const existing = await tx.webhookDelivery.findUnique({ where: { eventId_endpointId: { eventId: event.id, endpointId: target.id } } });
      if (existing) {
        await tx.webhookDelivery.update({
          where: { id: existing.id },
          data: { status: "PENDING", nextAttemptAt: new Date(), attemptBase: existing.attemptCount, lockedBy: null, lockedUntil: null },
        });
      } else {
        await tx.webhookDelivery.create({ data: { eventId: event.id, endpointId: target.id } });
      }
    }
  });
  return findWebhookEvent(actor, event.id);
}

/** A `webhook.test` event sent to one endpoint (whatever its filters), to check a receiver end to end. */
export async function sendTestEvent(actor: Actor, endpointId: unknown): Promise<WebhookEventView> {
  authorize(actor, "WEBHOOKS", "WRITE");
  const endpoint = await db.webhookEndpoint.findFirst({
    where: { id: checkId(endpointId, "Webhook endpoint"), ...endpointScope(actor) },
    select: { id: true, active: true, environmentId: true, walletId: true, environment: { select: { type: true } } },
  });
  if (!endpoint) throw notFound("Webhook endpoint");
  if (!endpoint.active) throw new AppError("CONFLICT", "id: this endpoint is paused; resume it first", { field: "id", detail: "This endpoint is paused; resume it first" });
  const id = `evt_test_${ulid()}`;
  const envelope = {
    id: `webhook.test:${id}`,
    event_type: "webhook.test",
    environment: endpoint.environment.type === "LIVE" ? "live" : "sandbox",
    environment_id: endpoint.environmentId,
    wallet_id: endpoint.walletId,
    node_id: null,
    data: { message: "This is a test event from Boltrail. Verify its signature and answer 2xx." },
  };
  const event = await db.$transaction(async (tx) => {
    const created = await tx.webhookEvent.create({
      // An endpoint bound to a wallet gets a test event of that wallet (its key sees it).
      data: { environmentId: endpoint.environmentId, walletId: endpoint.walletId ?? "", transactionId: null, eventType: "webhook.test", idempotencyKey: envelope.id, payload: JSON.stringify(envelope) },
    });
    await tx.webhookDelivery.create({ data: { eventId: created.id, endpointId: endpoint.id } });
    return created;
  });
  return findWebhookEvent(actor, event.id);
}

export type AttemptView = {
  id: string;
  attemptNumber: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  createdAt: Date;
};

/** An endpoint's most recent deliveries with their event and every attempt (the endpoint page). */
export async function listEndpointDeliveries(actor: Actor, endpointId: unknown, limit = 50) {
  authorize(actor, "WEBHOOKS", "READ");
  const id = checkId(endpointId, "Webhook endpoint");
  const endpoint = await db.webhookEndpoint.findFirst({ where: { id, ...endpointScope(actor) }, select: { id: true } });
  if (!endpoint) throw notFound("Webhook endpoint");
  const rows = await db.webhookDelivery.findMany({
    where: { endpointId: endpoint.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, limit), 200),
    select: {
      ...DELIVERY_SELECT,
      event: { select: { id: true, eventType: true, idempotencyKey: true, payload: true, createdAt: true } },
      attempts: { orderBy: { attemptNumber: "asc" } },
    },
  });
  return rows.map((r) => ({
    ...r,
    attempts: r.attempts.map(
      (a): AttemptView => ({
        id: a.id,
        attemptNumber: a.attemptNumber,
        requestHeaders: a.requestHeaders as Record<string, string>,
        responseStatus: a.responseStatus,
        responseBody: a.responseBody,
        error: a.error,
        durationMs: a.durationMs,
        createdAt: a.createdAt,
      }),
    ),
  }));
}
