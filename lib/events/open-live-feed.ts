import "server-only";
import type { Actor } from "../auth/actor";
import { dbTimeouts } from "../db";
import { forbidden } from "../errors";
import { latestLiveEventId, readLiveEventsAfter } from "./feed";
import { liveHub, type LiveHub } from "./hub";
import type { LivePaymentEvent } from "./types";

export type LiveFeedOptions = {
  /** The last event the browser received (Last-Event-ID): the events after it are replayed first. */
  lastEventId?: bigint | null;
  /** The hub to subscribe to (tests); the process's own by default. */
  hub?: LiveHub;
};

/**
 * The payment changes a dashboard user may see, as they are committed: those of their team's
 * environments — the dashboard shows a user every environment of their team (lib/auth/permissions.ts
 * `environmentScope`), and nothing of another team. API keys have no live feed (their backends
 * get webhooks). With `lastEventId`, the team's events after it are delivered first, in order,
 * then the live ones, none twice. Returns the function that stops the feed.
 */
export async function openLiveFeed(actor: Actor, options: LiveFeedOptions, deliver: (event: LivePaymentEvent) => void): Promise<() => void> {
  if (actor.kind !== "user") throw forbidden("The live feed is for dashboard sessions; API clients receive webhooks");
  const hub = options.hub ?? liveHub();
  // Live events are held back until the replay has been delivered, so the order stays that of the ids.
  let held: LivePaymentEvent[] | null = [];
  const subscription = hub.subscribe(actor.teamId, (event) => (held ? held.push(event) : deliver(event)));
  try {
    const listening = await hub.ready(dbTimeouts().connectMs);
    const replayed = new Set<string>();
    if (options.lastEventId !== undefined && options.lastEventId !== null && listening) {
      for (const { event } of await readLiveEventsAfter(options.lastEventId, { teamId: actor.teamId })) {
        replayed.add(event.id);
        deliver(event);
      }
    }
    const waiting = held;
    held = null;
    for (const event of waiting) if (!replayed.has(event.id)) deliver(event);
  } catch (err) {
    subscription.unsubscribe();
    throw err;
  }
  return subscription.unsubscribe;
}

/**
 * Where a page's live feed starts: the newest event of the user's team when the page was rendered
 * (its first stream passes it as the last event seen, so a change committed between the render and
 * the stream's opening is replayed, not lost). "0" when the team has none.
 */
export async function liveFeedCursor(actor: Actor): Promise<string> {
  if (actor.kind !== "user") throw forbidden("The live feed is for dashboard sessions; API clients receive webhooks");
  return (await latestLiveEventId(actor.teamId)).toString();
}
