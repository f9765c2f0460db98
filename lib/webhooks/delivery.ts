import "server-only";
import { db, sql } from "@/lib/db";
import { env } from "../env";
import { webhookAllowlist } from "./endpoint-url";
import { decryptSecret } from "../crypto";
import { DeliveryError, safeDeliver } from "./safe-fetch";
import { parseAllowlist } from "./url-policy";
import { signatureHeaders } from "./signing";

export const MAX_ATTEMPTS = 8;

type AttemptContext = {
  idempotencyKey: string;
  eventType: string;
  payload: string;
  url: string;
  inboxToken: string | null;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
};

const opened = new Map<string, string>();

/** Decrypted secrets, cached by their sealed value (a rotation seals a new value). */
function open(sealed: string): string {
  let secret = opened.get(sealed);
  if (secret === undefined) {
    secret = decryptSecret(sealed).toString("utf8");
    if (opened.size > 10_000) opened.clear();
    opened.set(sealed, secret);
  }
  return secret;
}

/** The secrets that sign a delivery now: the current one, and the previous one during its 24 h overlap. */
function currentSecrets(row: AttemptContext): string[] {
  const secrets = [open(row.secretEncrypted)];
  if (row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now()) {
    secrets.push(open(row.previousSecretEncrypted));
  }
  return secrets;
}
/** A claimed delivery stays ours this long past its timeout; a crashed worker's claims come back after it. */
export const leaseMs = () => env().WEBHOOK_TIMEOUT_MS + 30_000;
/** At most this many requests in flight to one endpoint from one worker. */
export const PER_ENDPOINT_CONCURRENCY = 4;
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** Delay before attempt n+1 after attempt n failed: 10 s, 60 s, then 10 min; ±10 % jitter. */
export function retryDelayMs(attemptInRun: number, random = Math.random): number {
  const base = attemptInRun <= 1 ? 10_000 : attemptInRun === 2 ? 60_000 : 600_000;
  return Math.round(base * (0.9 + 0.2 * random()));
}

/** Retry-After as seconds or an HTTP date → milliseconds from now (capped), or null. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : null;
}

export type Outcome = "success" | "retry" | "fail" | "gone";

/** 2xx delivered; 410 pauses the endpoint; 408/429/5xx, timeouts and network errors retry; other 4xx fail at once. */
export function classifyResponse(status: number | null, errorKind?: "blocked" | "timeout" | "network"): Outcome {
  if (status === null) return errorKind === "blocked" ? "fail" : "retry";
  if (status >= 200 && status < 300) return "success";
  if (status === 410) return "gone";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  return "fail";
}

type Claimed = { id: string; eventId: string; endpointId: string; attemptCount: number; attemptBase: number };

export async function claimDueDeliveries(workerId: string, limit: number, skipEndpoints: string[] = []): Promise<Claimed[]> {
  if (limit <= 0) return [];
  return db.$queryRaw<Claimed[]>`
    UPDATE webhook_deliveries SET status = 'IN_PROGRESS', "lockedUntil" = now() + (${leaseMs()}::int * interval '1 millisecond'), "lockedBy" = ${workerId}, "updatedAt" = now()
    WHERE id IN (
      SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d."endpointId"
      WHERE e.active AND NOT (d."endpointId" = ANY(${skipEndpoints}::text[])) AND (
        (d.status = 'PENDING' AND d."nextAttemptAt" <= now())
        OR (d.status = 'IN_PROGRESS' AND d."lockedUntil" < now())
      )
      ORDER BY d."nextAttemptAt"
      LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    )
    RETURNING id, "eventId", "endpointId", "attemptCount", "attemptBase"`;
}

/** Where a delivery actually goes: test inboxes are Boltrail's own route, reached on loopback. */
function target(endpoint: { url: string; testInbox: { token: string } | null }) {
  if (endpoint.testInbox) {
    return { url: `http://127.0.0.1:${env().PORT}/hooks/inbox/${endpoint.testInbox.token}`, allowlist: parseAllowlist(["127.0.0.1/32"]) };
  }
  return { url: endpoint.url, allowlist: webhookAllowlist() };
}

/** One attempt of one delivery: sign, send (no redirects, address checked at connect), record. */
export async function attemptDelivery(claimed: Claimed, workerId: string): Promise<Outcome> {
  // Everything one attempt needs, in one statement (the hot path of delivery; see lib/db.ts `sql`).
  const [row] = await sql<AttemptContext>(
    `SELECT ev."idempotencyKey", ev."eventType", ev.payload, ep.url, ti.token AS "inboxToken",
            ep."secretEncrypted", ep."previousSecretEncrypted", ep."previousSecretExpiresAt"
     FROM webhook_events ev, webhook_endpoints ep LEFT JOIN test_inboxes ti ON ti."endpointId" = ep.id
     WHERE ev.id = $1 AND ep.id = $2`,
    [claimed.eventId, claimed.endpointId],
  );
  const event = row ? { idempotencyKey: row.idempotencyKey, eventType: row.eventType, payload: row.payload } : null;
  const endpoint = row ? { url: row.url, testInbox: row.inboxToken ? { token: row.inboxToken } : null } : null;
  const secrets = row ? currentSecrets(row) : [];
  if (!event || !endpoint || secrets.length === 0) return "fail";
  const attemptNumber = claimed.attemptCount + 1;
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = signatureHeaders({ secrets, msgId: event.idempotencyKey, eventType: event.eventType, timestamp, body: event.payload });
  const { url, allowlist } = target(endpoint);

  let status: number | null = null;
  let responseBody: string | null = null;
  let retryAfter: number | null = null;
  let error: string | null = null;
  let errorKind: "blocked" | "timeout" | "network" | undefined;
  const started = Date.now();
  try {
    const response = await safeDeliver({ url, method: "POST", headers, body: event.payload, timeoutMs: env().WEBHOOK_TIMEOUT_MS, allowlist });
    status = response.status;
    responseBody = response.body;
    retryAfter = parseRetryAfter(response.headers["retry-after"] as string | undefined);
  } catch (err) {
    if (err instanceof DeliveryError) {
      errorKind = err.kind;
      error = `${err.kind}: ${err.message}`;
    } else {
      errorKind = "network";
      error = `network: ${(err as Error).message}`;
    }
  }
  const durationMs = Date.now() - started;
  let outcome = classifyResponse(status, errorKind);
  const attemptsInRun = attemptNumber - claimed.attemptBase;
  if (outcome === "retry" && attemptsInRun >= MAX_ATTEMPTS) outcome = "fail";
  const nextAttemptAt = outcome === "retry" ? new Date(Date.now() + Math.max(retryDelayMs(attemptsInRun), retryAfter ?? 0)) : null;

  // Attempt, delivery and (on 410) endpoint in one statement; the lockedBy guard keeps a worker
  // whose lease ran out from overwriting the delivery another worker now owns.
  await sql(
    `WITH a AS (
       INSERT INTO webhook_attempts (id, "deliveryId", "attemptNumber", "requestHeaders", "responseStatus", "responseBody", error, "durationMs", "createdAt")
       VALUES (gen_random_uuid()::text, $1, $2, $3::jsonb, $4, $5, $6, $7, now())),
     d AS (
       UPDATE webhook_deliveries SET status = $8::"WebhookDeliveryStatus", "attemptCount" = $2, "lastHttpStatus" = $4, "lastError" = $9,
              "nextAttemptAt" = $10::timestamp, "lockedUntil" = NULL, "lockedBy" = NULL, "updatedAt" = now()
       WHERE id = $1 AND "lockedBy" = $11)
     UPDATE webhook_endpoints SET active = false, "pausedReason" = 'Paused: the receiver answered 410 Gone', "updatedAt" = now()
     WHERE id = $12 AND $13::boolean`,
    [
      claimed.id,
      attemptNumber,
      JSON.stringify(headers),
      status,
      responseBody,
      error?.slice(0, 2000) ?? null,
      durationMs,
      outcome === "success" ? "SUCCESS" : outcome === "retry" ? "PENDING" : "FAILED",
      outcome === "success" ? null : (error ?? (status !== null ? `HTTP ${status}` : null)),
      nextAttemptAt ? nextAttemptAt.toISOString().slice(0, -1) : null,
      workerId,
      claimed.endpointId,
      outcome === "gone",
    ],
  );
  return outcome;
}

/** Gives back claimed deliveries this worker will not attempt now (its per-endpoint cap is reached). */
export async function releaseDeliveries(ids: string[], workerId: string): Promise<void> {
  if (ids.length === 0) return;
  await db.webhookDelivery.updateMany({ where: { id: { in: ids }, lockedBy: workerId }, data: { status: "PENDING", lockedBy: null, lockedUntil: null } });
}

/**
 * The deliveries in flight in one worker: at most `maxInFlight` in all and PER_ENDPOINT_CONCURRENCY
 * per endpoint, each running on its own so a slow or failing receiver never holds back others.
 */
export class DeliveryPool {
  private readonly perEndpoint = new Map<string, number>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly workerId: string,
    private readonly log: (msg: string) => void,
    private readonly onSlotFree: () => void,
    readonly maxInFlight = 64,
  ) {}

  get capacity(): number {
    return this.maxInFlight - this.running.size;
  }

  /** Endpoints at their cap, to leave out of the next claim. */
  saturated(): string[] {
    return [...this.perEndpoint].filter(([, n]) => n >= PER_ENDPOINT_CONCURRENCY).map(([id]) => id);
  }

  async start(claimed: Claimed[]): Promise<void> {
    const release: string[] = [];
    for (const c of claimed) {
      const n = this.perEndpoint.get(c.endpointId) ?? 0;
      if (n >= PER_ENDPOINT_CONCURRENCY) {
        release.push(c.id);
        continue;
      }
      this.perEndpoint.set(c.endpointId, n + 1);
      const task: Promise<unknown> = attemptDelivery(c, this.workerId)
        .catch((err: unknown) => this.log(`delivery ${c.id} could not be attempted: ${(err as Error).message}`))
        .finally(() => {
          const left = (this.perEndpoint.get(c.endpointId) ?? 1) - 1;
          if (left <= 0) this.perEndpoint.delete(c.endpointId);
          else this.perEndpoint.set(c.endpointId, left);
          this.running.delete(task);
          this.onSlotFree();
        });
      this.running.add(task);
    }
    await releaseDeliveries(release, this.workerId);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }
}
