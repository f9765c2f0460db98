import "server-only";
import pg from "pg";
import { dbTimeouts } from "../db";
import { latestLiveEventId, readLiveEvents, readLiveEventsAfter, type TeamEvent } from "./feed";
import type { LivePaymentEvent } from "./types";

/** The NOTIFY channel of the live_events trigger (migration 20261205100000_live_events). */
export const LIVE_CHANNEL = "boltrail_live";
/** The listener stays connected this long after its last subscriber left (a page reload reconnects at once). */
const IDLE_CLOSE_MS = 30_000;
/** How often the LISTEN connection is checked with a query (a half-open TCP connection notifies nothing). */
const PING_MS = 30_000;
/** Reconnection backoff: 250 ms doubling to 10 s, with jitter. */
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** Event ids remembered to drop duplicates (a notification and a catch-up read announcing the same event). */
const RECENT_IDS = 2_000;
const CATCH_UP_LIMIT = 1_000;

type Subscriber = { teamId: string; deliver: (event: LivePaymentEvent) => void };
export type Subscription = { unsubscribe: () => void };
export type HubState = { listening: boolean; subscribers: number };

/**
 * The one LISTEN connection of this process, shared by every open stream: NOTIFY boltrail_live
 * carries an event id; the hub reads those rows (one query per burst of notifications) and hands
 * each event to the subscribers of its team only. It connects on the first subscriber, reconnects
 * with backoff when the connection drops — then reads what was committed meanwhile, so nothing is
 * lost across a database restart — and disconnects a while after the last subscriber left.
 */
export class LiveHub {
  private readonly subscribers = new Set<Subscriber>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private listening = false;
  private waiters: (() => void)[] = [];
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  /** The highest event id handed out (or the newest when the hub first connected): where a catch-up starts. */
  private lastId: bigint | null = null;
  private readonly pending = new Set<bigint>();
  private flushing: Promise<void> | null = null;
  private readonly recent = new Set<string>();
  private closed = false;

  constructor(private readonly log: (msg: string) => void = (m) => console.warn(`[live] ${m}`)) {}

  /** Receives the events of `teamId` from now on. */
  subscribe(teamId: string, deliver: (event: LivePaymentEvent) => void): Subscription {
    const subscriber: Subscriber = { teamId, deliver };
    this.closed = false;
    this.subscribers.add(subscriber);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.ensureConnected();
    return {
      unsubscribe: () => {
        if (!this.subscribers.delete(subscriber) || this.subscribers.size > 0) return;
        this.idleTimer = setTimeout(() => void this.disconnect(), IDLE_CLOSE_MS);
        this.idleTimer.unref();
      },
    };
  }

  /** Resolves once the LISTEN is in place (at once when it is), or after `timeoutMs` regardless. */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.listening) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  state(): HubState {
    return { listening: this.listening, subscribers: this.subscribers.size };
  }

  /** Ends the connection and every timer (tests, shutdown); a later subscribe starts again. */
  async close(): Promise<void> {
    this.closed = true;
    this.subscribers.clear();
    await this.disconnect();
    await this.flushing;
  }

  private ensureConnected() {
    if (this.client || this.connecting || this.retryTimer || this.closed) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
  }

  private async connect(): Promise<void> {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) return;
    const { connectMs, queryMs } = dbTimeouts();
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: connectMs, query_timeout: queryMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client.on("notification", (message) => {
      if (message.channel !== LIVE_CHANNEL || !message.payload || !/^[0-9]{1,19}$/.test(message.payload)) return;
      this.pending.add(BigInt(message.payload));
      this.scheduleFlush();
    });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${LIVE_CHANNEL}`);
      if (this.closed || this.subscribers.size === 0) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.attempt = 0;
      // Everything committed from now on is announced; what was committed while nobody listened
      // (the connection dropped) is read now. A first connection starts at the newest event.
      if (this.lastId === null) this.lastId = await latestLiveEventId();
      else await this.catchUp();
      this.listening = true;
      this.pingTimer = setInterval(() => {
        client.query("SELECT 1").catch(() => this.lost(client));
      }, PING_MS);
      this.pingTimer.unref();
      for (const waiter of this.waiters.splice(0)) waiter();
    } catch (err) {
      if (this.client === client) this.client = null;
      void client.end().catch(() => {});
      this.log(`listener could not connect: ${(err as Error).message}`);
      this.scheduleRetry();
    }
  }

  private lost(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    void client.end().catch(() => {});
    this.scheduleRetry();
  }

  private scheduleRetry() {
    if (this.closed || this.subscribers.size === 0 || this.retryTimer) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 10);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.ensureConnected();
    }, base / 2 + Math.random() * (base / 2));
    this.retryTimer.unref();
  }

  private async disconnect() {
    for (const timer of [this.retryTimer, this.idleTimer]) if (timer) clearTimeout(timer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = this.idleTimer = this.pingTimer = null;
    await this.connecting;
    const client = this.client;
    this.client = null;
    this.listening = false;
    // A later connection catches up from the newest event then, not from here (nobody listened meanwhile).
    this.lastId = null;
    await client?.end().catch(() => {});
  }

  private async catchUp() {
    if (this.lastId === null) return;
    for (;;) {
      const events = await readLiveEventsAfter(this.lastId, { limit: CATCH_UP_LIMIT });
      for (const event of events) this.dispatch(event);
      if (events.length < CATCH_UP_LIMIT) return;
    }
  }

  private scheduleFlush() {
    if (this.flushing) return;
    this.flushing = (async () => {
      // The notifications of one burst (a batch of settlements) are read with one query.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.pending.size > 0) {
        const ids = [...this.pending];
        this.pending.clear();
        try {
          for (const event of await readLiveEvents(ids)) this.dispatch(event);
        } catch (err) {
          // Read again shortly; should the listener's connection drop too, its catch-up reads them.
          for (const id of ids) this.pending.add(id);
          this.log(`could not read live events: ${(err as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
          if (!this.client) {
            this.pending.clear();
            return;
          }
        }
      }
    })().finally(() => {
      this.flushing = null;
    });
  }

  private dispatch({ teamId, event }: TeamEvent) {
    if (this.recent.has(event.id)) return;
    this.recent.add(event.id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value as string);
    const id = BigInt(event.id);
    if (this.lastId === null || id > this.lastId) this.lastId = id;
    for (const subscriber of this.subscribers) {
      if (subscriber.teamId !== teamId) continue;
      try {
        subscriber.deliver(event);
      } catch (err) {
        this.log(`a subscriber failed: ${(err as Error).message}`);
      }
    }
  }
}

type GlobalWithHub = typeof globalThis & { __boltrailLiveHub?: LiveHub };

/** The process's hub (on globalThis: every copy of this module in the process shares one connection). */
export function liveHub(): LiveHub {
  const store = globalThis as GlobalWithHub;
  return (store.__boltrailLiveHub ??= new LiveHub());
}
