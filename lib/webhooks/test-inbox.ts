import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { forbidden, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { assertEnvironmentInKeyScope, authorize, environmentScope, scopedWalletId } from "../auth/permissions";
import { env } from "../env";
import { checkId } from "../validation";
import { createEndpoint, signingSecrets } from "./endpoints";
import { verifyBoltrailSignature } from "./signing";

export const INBOX_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const INBOX_KEEP = 100;
const MAX_STORED_BODY = 64 * 1024;

/**
 * Sandbox "Generate test URL": an inbox served by Boltrail itself at /hooks/inbox/<token>, and an
 * endpoint (all events; a wallet-scoped key's: all of its wallet's) pointing at it. Returns the
 * endpoint's secret once, like any endpoint.
 */
export async function createTestInbox(actor: Actor, environmentId: unknown, origin: string) {
  authorize(actor, "WEBHOOKS", "WRITE");
  const envId = checkId(environmentId, "Environment");
  assertEnvironmentInKeyScope(actor, envId);
  const environment = await db.environment.findFirst({ where: { id: envId, teamId: actor.teamId }, select: { id: true, type: true } });
  if (!environment) throw notFound("Environment");
  if (environment.type !== "SANDBOX") throw forbidden("Test URLs are for sandbox environments");
  const token = randomBytes(24).toString("base64url");
  const base = (env().APP_URL ?? origin).replace(/\/+$/, "");
  const url = `${base}/hooks/inbox/${token}`;
  const { endpoint, secret } = await createEndpoint(actor, { environment_id: environment.id, url, event_filters: [] }, { testInboxUrl: url });
  const inbox = await db.testInbox.create({ data: { environmentId: environment.id, token, endpointId: endpoint.id, expiresAt: new Date(Date.now() + INBOX_TTL_MS) } });
  return { inboxId: inbox.id, url, endpointId: endpoint.id, secret };
}

export type InboxRequestView = { id: string; method: string; headers: Record<string, string>; body: string; signatureValid: boolean | null; receivedAt: Date };

/** Public receiver: stores the request (the inbox keeps its last 100) and checks its signature against the endpoint's secrets. */
export async function receiveInboxRequest(token: string, request: { method: string; headers: Record<string, string>; body: string }): Promise<"stored" | "unknown"> {
  const inbox = await db.testInbox.findUnique({ where: { token: String(token).slice(0, 100) }, select: { id: true, endpointId: true, expiresAt: true } });
  if (!inbox || inbox.expiresAt.getTime() <= Date.now()) return "unknown";
  const secrets = inbox.endpointId ? await signingSecrets(inbox.endpointId) : [];
  const signatureValid = secrets.length
    ? secrets.some((s) => verifyBoltrailSignature(s, request.headers["x-webhook-timestamp"] ?? null, request.body, request.headers["x-webhook-signature"] ?? null))
    : null;
  await db.$transaction(async (tx) => {
    await tx.inboxRequest.create({
      data: { inboxId: inbox.id, method: request.method, headers: request.headers, body: request.body.slice(0, MAX_STORED_BODY), signatureValid },
    });
    await tx.$executeRaw`
      DELETE FROM inbox_requests WHERE "inboxId" = ${inbox.id} AND id NOT IN (
        SELECT id FROM inbox_requests WHERE "inboxId" = ${inbox.id} ORDER BY "receivedAt" DESC, id DESC LIMIT ${INBOX_KEEP}
      )`;
  });
  return "stored";
}

/** The inbox page: its URL and the requests received, newest first. */
export async function getTestInbox(actor: Actor, inboxId: unknown) {
  authorize(actor, "WEBHOOKS", "READ");
  const inbox = await db.testInbox.findFirst({
    where: {
      id: checkId(inboxId, "Test inbox"),
      environment: environmentScope(actor),
      // A wallet-scoped key: only the inboxes of endpoints bound to its wallet.
      ...(scopedWalletId(actor) ? { endpoint: { walletId: scopedWalletId(actor) } } : {}),
    },
    select: {
      id: true,
      token: true,
      environmentId: true,
      endpointId: true,
      expiresAt: true,
      createdAt: true,
      endpoint: { select: { url: true, active: true } },
      requests: { orderBy: [{ receivedAt: "desc" }, { id: "desc" }], take: INBOX_KEEP },
    },
  });
  if (!inbox) throw notFound("Test inbox");
  return {
    ...inbox,
    requests: inbox.requests.map((r): InboxRequestView => ({ id: r.id, method: r.method, headers: r.headers as Record<string, string>, body: r.body, signatureValid: r.signatureValid, receivedAt: r.receivedAt })),
  };
}

/** Removes expired inboxes (their endpoints go with them). Run by the worker's sweep. */
export async function sweepExpiredInboxes(): Promise<number> {
  const expired = await db.testInbox.findMany({ where: { expiresAt: { lte: new Date() } }, select: { id: true, endpointId: true }, take: 100 });
  if (expired.length === 0) return 0;
  await db.$transaction([
    db.webhookEndpoint.deleteMany({ where: { id: { in: expired.map((i) => i.endpointId).filter((id): id is string => !!id) } } }),
    db.testInbox.deleteMany({ where: { id: { in: expired.map((i) => i.id) } } }),
  ]);
  return expired.length;
}
