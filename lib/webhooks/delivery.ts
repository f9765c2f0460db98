import "server-only";
import { sql } from "@/lib/db";
import { env } from "../env";
import { webhookAllowlist } from "./endpoint-url";
import { decryptSecret } from "../crypto";
import { DeliveryError, safeDeliver } from "./safe-fetch";
import { parseAllowlist, type Allowlist } from "./url-policy";
import { signatureHeaders } from "./signing";

export const MAX_ATTEMPTS = 8;

/** A claimed delivery with everything its attempt needs (the claim statement returns it all). */
export type ClaimedDelivery = {
  id: string;
  eventId: string;
  endpointId: string;
  attemptCount: number;
  attemptBase: number;
  idempotencyKey: string;
  eventType: string;
  payload: string;
  url: string;
  inboxToken: string | null;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
  /** Local clock just before the claim statement was sent: the lease runs from no earlier than this. */
  claimedAt: number;
};

// Decrypted secrets, keyed by their sealed value: sealing uses a random IV, so a rotation (or any
// new secret) is a new key and can never be answered with an older plaintext. Entries expire after
// a few minutes so the plaintext of a deleted endpoint's secret does not stay in memory for long.
const SECRET_TTL_MS = 5 * 60_000;
const SECRET_CACHE_MAX = 10_000;
const opened = new Map<string, { secret: string; until: number }>();

/** The plaintext of a sealed endpoint secret (cached briefly by its sealed value). */
export function openSecret(sealed: string, now = Date.now()): string {
  const hit = opened.get(sealed);
  if (hit && hit.until > now) return hit.secret;
  const secret = decryptSecret(sealed).toString("utf8");
  if (opened.size >= SECRET_CACHE_MAX) opened.clear();
  opened.set(sealed, { secret, until: now + SECRET_TTL_MS });
  return secret;
}

/** The secrets that sign a delivery now: the current one, and the previous one during its 24 h overlap. */
function currentSecrets(row: ClaimedDelivery): string[] {
  const secrets = [openSecret(row.secretEncrypted)];
  if (row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now()) {
    secrets.push(openSecret(row.previousSecretEncrypted));
  }
  return secrets;
}

/** A claimed delivery stays ours this long past its timeout; a crashed worker's claims come back after it. */
export const leaseMs = () => env().WEBHOOK_TIMEOUT_MS + 30_000;
/** At most this many requests in flight to one endpoint from one worker. */
export const PER_ENDPOINT_CONCURRENCY = 4;
/**
 * Claimed deliveries a worker may hold per endpoint beyond those in flight, ready to start the
 * moment a slot frees. Bounded by the cap so that a queued one always starts within one timeout of
 * its claim, far inside its lease (see `startDeadline`).
 */
export const PER_ENDPOINT_QUEUE = PER_ENDPOINT_CONCURRENCY;
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * The latest local time a claimed delivery may still be sent: its lease must outlast the whole
 * exchange (≤ timeout) plus a margin for recording it, or another worker could take it up while
 * we are still sending. A queued delivery past this point is released unsent.
 */
export function startDeadline(claimedAt: number): number {
  const { WEBHOOK_TIMEOUT_MS } = env();
  return claimedAt + leaseMs() - WEBHOOK_TIMEOUT_MS - 15_000;
}

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

export type ClaimOptions = {
  /** Endpoints to leave out entirely (this worker holds all it may for them). */
  skipEndpoints?: string[];
  /** How many more deliveries this worker may take per endpoint; endpoints not listed: `defaultRoom`. */
  room?: Map<string, number>;
  defaultRoom?: number;
};

/**
 * Claims due deliveries (PENDING and due, or IN_PROGRESS with a lapsed lease) with FOR UPDATE SKIP
 * LOCKED and a lease, at most `limit` in all and at most the room given per endpoint, and returns
 * with each everything its attempt needs (event, endpoint URL, sealed secrets, test inbox): no
 * per-delivery reads. Candidates locked but not taken (over an endpoint's room) are unlocked when
 * the statement ends, untouched.
 */
export async function claimDueDeliveries(workerId: string, limit: number, options: ClaimOptions = {}): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const room = options.room ?? new Map<string, number>();
  const defaultRoom = options.defaultRoom ?? PER_ENDPOINT_CONCURRENCY + PER_ENDPOINT_QUEUE;
  const claimedAt = Date.now();
  const rows = await sql<Omit<ClaimedDelivery, "claimedAt">>(
    `WITH candidates AS (
       SELECT d.id, d."endpointId", d."nextAttemptAt"
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d."endpointId"
       WHERE e.active AND NOT (d."endpointId" = ANY($1::text[])) AND (
         (d.status = 'PENDING' AND d."nextAttemptAt" <= now())
         OR (d.status = 'IN_PROGRESS' AND d."lockedUntil" < now())
       )
       ORDER BY d."nextAttemptAt", d.id
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED
     ),
     picked AS (
       SELECT id FROM (
         SELECT c.id, c."nextAttemptAt",
                row_number() OVER (PARTITION BY c."endpointId" ORDER BY c."nextAttemptAt", c.id) AS n,
                coalesce(r.room, $5::int) AS room
         FROM candidates c LEFT JOIN unnest($3::text[], $4::int[]) AS r(endpoint_id, room) ON r.endpoint_id = c."endpointId"
       ) ranked
       WHERE n <= room
       ORDER BY "nextAttemptAt"
       LIMIT $6
     ),
     claimed AS (
       UPDATE webhook_deliveries d SET status = 'IN_PROGRESS', "lockedUntil" = now() + ($7::int * interval '1 millisecond'),
              "lockedBy" = $8, "updatedAt" = now()
       FROM picked WHERE d.id = picked.id
       RETURNING d.id, d."eventId", d."endpointId", d."attemptCount", d."attemptBase"
     )
     SELECT c.id, c."eventId", c."endpointId", c."attemptCount", c."attemptBase",
            ev."idempotencyKey", ev."eventType", ev.payload, ep.url, ti.token AS "inboxToken",
            ep."secretEncrypted", ep."previousSecretEncrypted", ep."previousSecretExpiresAt"
     FROM claimed c
     JOIN webhook_events ev ON ev.id = c."eventId"
     JOIN webhook_endpoints ep ON ep.id = c."endpointId"
     LEFT JOIN test_inboxes ti ON ti."endpointId" = ep.id`,
    [
      options.skipEndpoints ?? [],
      // Enough candidates that one busy endpoint at the head does not starve the claim of others.
      Math.max(limit * 2, 32),
      [...room.keys()],
      [...room.values()],
      defaultRoom,
      limit,
      leaseMs(),
      workerId,
    ],
  );
  return rows.map((row) => ({ ...row, claimedAt }));
}

const INBOX_ALLOWLIST: Allowlist = parseAllowlist(["127.0.0.1/32"]);

/** Where a delivery actually goes: test inboxes are Boltrail's own route, reached on loopback. */
function target(claimed: ClaimedDelivery) {
  if (claimed.inboxToken) {
    return { url: `http://127.0.0.1:${env().PORT}/hooks/inbox/${claimed.inboxToken}`, allowlist: INBOX_ALLOWLIST };
  }
  return { url: claimed.url, allowlist: webhookAllowlist() };
}

/** One finished attempt, as it is recorded. */
export type AttemptResult = {
  deliveryId: string;
  endpointId: string;
  attemptNumber: number;
  requestHeaders: Record<string, string>;
  status: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  /** When the exchange ended. */
  finishedAt: Date;
  outcome: Outcome;
  nextAttemptAt: Date | null;
};

/** Signs and sends one attempt (no redirects, address checked at connect); does not record it. */
export async function sendAttempt(claimed: ClaimedDelivery): Promise<AttemptResult> {
  const attemptNumber = claimed.attemptCount + 1;
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = signatureHeaders({
    secrets: currentSecrets(claimed),
    msgId: claimed.idempotencyKey,
    eventType: claimed.eventType,
    timestamp,
    body: claimed.payload,
  });
  const { url, allowlist } = target(claimed);

  let status: number | null = null;
  let responseBody: string | null = null;
  let retryAfter: number | null = null;
  let error: string | null = null;
  let errorKind: "blocked" | "timeout" | "network" | undefined;
  const started = Date.now();
  try {
    const response = await safeDeliver({ url, method: "POST", headers, body: claimed.payload, timeoutMs: env().WEBHOOK_TIMEOUT_MS, allowlist });
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
  const finished = Date.now();
  let outcome = classifyResponse(status, errorKind);
  const attemptsInRun = attemptNumber - claimed.attemptBase;
  if (outcome === "retry" && attemptsInRun >= MAX_ATTEMPTS) outcome = "fail";
  const nextAttemptAt = outcome === "retry" ? new Date(finished + Math.max(retryDelayMs(attemptsInRun), retryAfter ?? 0)) : null;
  return {
    deliveryId: claimed.id,
    endpointId: claimed.endpointId,
    attemptNumber,
    requestHeaders: headers,
    status,
    responseBody,
    error: error?.slice(0, 2000) ?? null,
    durationMs: finished - started,
    finishedAt: new Date(finished),
    outcome,
    nextAttemptAt,
  };
}

/** `timestamp(3)` columns hold UTC without a zone. */
const utc = (d: Date | null) => (d ? d.toISOString().slice(0, -1) : null);

/**
 * Records finished attempts in ONE statement: every attempt row (always, even when the lease was
 * lost), each delivery's new state (only where this worker still holds it: the lockedBy guard keeps
 * a worker whose lease ran out from overwriting the delivery another worker now owns), and the
 * pause of endpoints that answered 410.
 */
export async function recordAttempts(results: AttemptResult[], workerId: string): Promise<void> {
  if (results.length === 0) return;
  await sql(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::timestamp[],
                            $9::text[], $10::text[], $11::timestamp[], $12::text[], $13::boolean[])
         AS i(delivery_id, attempt_number, headers, status, body, error, duration_ms, finished_at,
              new_status, last_error, next_attempt_at, endpoint_id, gone)
     ),
     attempts AS (
       INSERT INTO webhook_attempts (id, "deliveryId", "attemptNumber", "requestHeaders", "responseStatus", "responseBody", error, "durationMs", "createdAt")
       SELECT gen_random_uuid()::text, delivery_id, attempt_number, headers::jsonb, status, body, error, duration_ms, finished_at FROM input
     ),
     paused AS (
       UPDATE webhook_endpoints SET active = false, "pausedReason" = 'Paused: the receiver answered 410 Gone', "updatedAt" = now()
       WHERE id IN (SELECT endpoint_id FROM input WHERE gone)
     )
     UPDATE webhook_deliveries d SET status = i.new_status::"WebhookDeliveryStatus", "attemptCount" = i.attempt_number,
            "lastHttpStatus" = i.status, "lastError" = i.last_error, "nextAttemptAt" = i.next_attempt_at,
            "lockedUntil" = NULL, "lockedBy" = NULL, "updatedAt" = now()
     FROM input i WHERE d.id = i.delivery_id AND d.id = ANY($1::text[]) AND d."lockedBy" = $14`,
    [
      results.map((r) => r.deliveryId),
      results.map((r) => r.attemptNumber),
      results.map((r) => JSON.stringify(r.requestHeaders)),
      results.map((r) => r.status),
      results.map((r) => r.responseBody),
      results.map((r) => r.error),
      results.map((r) => r.durationMs),
      results.map((r) => utc(r.finishedAt)),
      results.map((r) => (r.outcome === "success" ? "SUCCESS" : r.outcome === "retry" ? "PENDING" : "FAILED")),
      results.map((r) => (r.outcome === "success" ? null : (r.error ?? (r.status !== null ? `HTTP ${r.status}` : null)))),
      results.map((r) => utc(r.nextAttemptAt)),
      results.map((r) => r.endpointId),
      results.map((r) => r.outcome === "gone"),
      workerId,
    ],
  );
}

/** One attempt of one delivery: sign, send, record. */
export async function attemptDelivery(claimed: ClaimedDelivery, workerId: string): Promise<Outcome> {
  const result = await sendAttempt(claimed);
  await recordAttempts([result], workerId);
  return result.outcome;
}

/** Gives back claimed deliveries this worker will not attempt (stopping, endpoint gone, lease too short). */
export async function releaseDeliveries(ids: string[], workerId: string): Promise<void> {
  if (ids.length === 0) return;
  await sql(
    `UPDATE webhook_deliveries SET status = 'PENDING', "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = now()
     WHERE id = ANY($1::text[]) AND "lockedBy" = $2 AND status = 'IN_PROGRESS'`,
    [ids, workerId],
  );
}

/** How long a worker sends nothing more to an endpoint that answered 410 (its pause is recorded well within). */
const GONE_HOLD_MS = 15_000;

/**
 * Attempts finished close together are recorded together: one statement per batch, one batch at a
 * time (while one is being written the next accumulates). Each `record` resolves once its attempt
 * is stored, or rejects if the statement failed (the delivery then stays leased and comes back
 * after its lease: at least once, same envelope id).
 */
class AttemptRecorder {
  private queue: { result: AttemptResult; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing = false;
  private scheduled = false;

  constructor(private readonly workerId: string) {}

  record(result: AttemptResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ result, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    // Let the attempts finishing in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush() {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue;
    this.queue = [];
    try {
      await recordAttempts(
        batch.map((b) => b.result),
        this.workerId,
      );
      for (const b of batch) b.resolve();
    } catch (err) {
      for (const b of batch) b.reject(err);
    } finally {
      this.writing = false;
      if (this.queue.length) this.schedule();
    }
  }
}

/**
 * The deliveries of one worker. At most `maxInFlight` HTTP exchanges in all and
 * PER_ENDPOINT_CONCURRENCY per endpoint; each runs on its own, so a slow or failing receiver never
 * holds back others. The worker claims ahead: up to PER_ENDPOINT_QUEUE more per endpoint wait here
 * (still leased to this worker) and start the moment a slot of their endpoint frees, instead of
 * waiting for the next claim. Finished attempts are recorded in batches (AttemptRecorder).
 */
export class DeliveryPool {
  private readonly inFlight = new Map<string, number>();
  private readonly queued = new Map<string, ClaimedDelivery[]>();
  private queuedCount = 0;
  private inFlightCount = 0;
  private readonly tasks = new Set<Promise<void>>();
  private readonly recorder: AttemptRecorder;
  /** Endpoints that answered 410, until when: nothing more is sent to them meanwhile (their pause is being recorded). */
  private readonly gone = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly workerId: string,
    private readonly log: (msg: string) => void,
    /** Called when the pool could take more deliveries (an endpoint's queue ran low). */
    private readonly onWantMore: () => void,
    readonly maxInFlight = 64,
  ) {
    this.recorder = new AttemptRecorder(workerId);
  }

  /** Deliveries held (in flight or queued) for `endpointId`. */
  private held(endpointId: string): number {
    return (this.inFlight.get(endpointId) ?? 0) + (this.queued.get(endpointId)?.length ?? 0);
  }

  /** How many more deliveries to claim now (in all): at most `maxInFlight` in flight plus as many queued. */
  get capacity(): number {
    if (this.stopping) return 0;
    return Math.max(0, 2 * this.maxInFlight - this.inFlightCount - this.queuedCount);
  }

  /** What the next claim may take: endpoints to skip (full here) and the room left for the others held. */
  claimOptions(): Required<ClaimOptions> {
    const perEndpoint = PER_ENDPOINT_CONCURRENCY + PER_ENDPOINT_QUEUE;
    const skipEndpoints: string[] = [];
    const room = new Map<string, number>();
    const now = Date.now();
    for (const [id, until] of this.gone) {
      if (until > now) skipEndpoints.push(id);
      else this.gone.delete(id);
    }
    for (const id of new Set([...this.inFlight.keys(), ...this.queued.keys()])) {
      const left = perEndpoint - this.held(id);
      if (left <= 0) skipEndpoints.push(id);
      else room.set(id, left);
    }
    return { skipEndpoints, room, defaultRoom: perEndpoint };
  }

  /** Takes claimed deliveries: starts what the caps allow, queues the rest. */
  start(claimed: ClaimedDelivery[]): void {
    const now = Date.now();
    const unsent: string[] = [];
    for (const c of claimed) {
      if ((this.gone.get(c.endpointId) ?? 0) > now) {
        unsent.push(c.id);
        continue;
      }
      const q = this.queued.get(c.endpointId);
      if (q) q.push(c);
      else this.queued.set(c.endpointId, [c]);
      this.queuedCount++;
    }
    if (unsent.length) this.release(unsent, "the endpoint answered 410");
    this.pump();
  }

  private pump() {
    const late: string[] = [];
    for (const [endpointId, q] of this.queued) {
      while (q.length > 0 && this.inFlightCount < this.maxInFlight && (this.inFlight.get(endpointId) ?? 0) < PER_ENDPOINT_CONCURRENCY) {
        const c = q.shift()!;
        this.queuedCount--;
        if (Date.now() > startDeadline(c.claimedAt)) late.push(c.id);
        else this.launch(c);
      }
      if (q.length === 0) this.queued.delete(endpointId);
    }
    if (late.length) this.release(late, "its lease was too close to running out");
  }

  private release(ids: string[], why: string) {
    const task = releaseDeliveries(ids, this.workerId).catch((err: unknown) =>
      this.log(`could not release ${ids.length} deliveries (${why}): ${(err as Error).message}`),
    );
    this.track(task);
  }

  private track(task: Promise<void>) {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private launch(c: ClaimedDelivery) {
    this.inFlight.set(c.endpointId, (this.inFlight.get(c.endpointId) ?? 0) + 1);
    this.inFlightCount++;
    const task = (async () => {
      let result: AttemptResult | undefined;
      try {
        result = await sendAttempt(c);
      } catch (err) {
        this.log(`delivery ${c.id} could not be attempted: ${(err as Error).message}`);
      } finally {
        // The slot frees when the exchange ends; recording happens alongside the next sends.
        const left = (this.inFlight.get(c.endpointId) ?? 1) - 1;
        if (left <= 0) this.inFlight.delete(c.endpointId);
        else this.inFlight.set(c.endpointId, left);
        this.inFlightCount--;
        if (result?.outcome === "gone") this.dropQueued(c.endpointId);
        this.pump();
        if (!this.stopping && (this.queued.get(c.endpointId)?.length ?? 0) < PER_ENDPOINT_QUEUE / 2 + 1) this.onWantMore();
      }
      if (result) {
        try {
          await this.recorder.record(result);
        } catch (err) {
          this.log(`attempt of delivery ${c.id} could not be recorded: ${(err as Error).message}`);
        }
      }
    })();
    this.track(task);
  }

  /** The endpoint answered 410 (it is being paused): what is queued for it is given back unsent. */
  private dropQueued(endpointId: string) {
    this.gone.set(endpointId, Date.now() + GONE_HOLD_MS);
    const q = this.queued.get(endpointId);
    if (!q) return;
    this.queued.delete(endpointId);
    this.queuedCount -= q.length;
    this.release(
      q.map((c) => c.id),
      "the endpoint answered 410",
    );
  }

  /** Stops taking work: queued deliveries are given back, those in flight finish and are recorded. */
  async drain(): Promise<void> {
    this.stopping = true;
    const waiting = [...this.queued.values()].flat().map((c) => c.id);
    this.queued.clear();
    this.queuedCount = 0;
    if (waiting.length) this.release(waiting, "the worker is stopping");
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }
}
