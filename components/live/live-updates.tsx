"use client";
import { usePathname, useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { useToast } from "@/components/ui/toast";
import { LIVE_EVENT, type LivePaymentEvent, type LiveStatus } from "@/lib/events/types";
import { describeEvent } from "./describe-event";
import { BrowserNotifications, useBrowserNotifications } from "./browser-notifications";
import { mergeStatus, StatusStore } from "./status-store";

/** The stream of the signed-in user's payment changes (app/api/events). */
const STREAM_URL = "/api/events";
/** Changes arriving together (a batch of settlements) refresh the page once. */
const REFRESH_DEBOUNCE_MS = 150;
/** After the server refused the stream (it answered an error, so EventSource gave up): retry, backing off to 30 s. */
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

type LiveUpdates = {
  /** The stream is open: statuses arrive as they change. */
  connected: boolean;
  /** The stream is down (it failed, and is being reopened): badges poll meanwhile. */
  down: boolean;
  store: StatusStore;
  /** A status learnt otherwise (a poll while the stream is down): shared with every badge, and the page refreshed. */
  report: (transactionId: string, status: LiveStatus) => void;
};

const LiveUpdatesContext = createContext<LiveUpdates | null>(null);

/** The dashboard's live updates, or null outside the dashboard (the public checkout page). */
export function useLiveUpdates(): LiveUpdates | null {
  return useContext(LiveUpdatesContext);
}

const noStore = () => () => {};

/**
 * The status to show for a payment: what the server rendered, overtaken by what the live stream
 * (or a poll) reported since. The same answer for every badge of the page.
 */
export function useTransactionStatus(transactionId: string, initial: LiveStatus): LiveStatus {
  const live = useLiveUpdates();
  const reported = useSyncExternalStore(
    live?.store.subscribe ?? noStore,
    () => live?.store.get(transactionId),
    () => undefined,
  );
  return mergeStatus(initial, reported) ?? initial;
}

/** Whether an event changes what the page at `pathname` shows (its environment's pages, and the environments overview). */
function concernsPage(pathname: string, event: LivePaymentEvent): boolean {
  return pathname === "/pay" || pathname === `/pay/${event.environmentId}` || pathname.startsWith(`/pay/${event.environmentId}/`);
}

/**
 * Mounted once, by the dashboard layout: one EventSource per tab for every page. Each payment
 * change updates the shared statuses at once, refreshes the server-rendered lists, counts and
 * balances of the page in place (debounced), shows a toast when a payment completed or failed,
 * and — when the user opted in — a browser notification while the tab is in the background.
 * EventSource reconnects by itself with Last-Event-ID (the server replays what was missed); when
 * the server refused it, it is reopened with backoff, passing the last id itself. `since` (the
 * newest event when the layout rendered) makes the first stream replay what happened meanwhile.
 */
export function LiveUpdatesProvider({ since, children }: { since?: string; children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const toast = useToast();
  const notifications = useBrowserNotifications();
  const [stream, setStream] = useState<"connecting" | "open" | "down">("connecting");
  const connected = stream === "open";
  const [store] = useState(() => new StatusStore());
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // The newest event when the page was first rendered: the first stream starts after it (later renders change nothing).
  const [cursor] = useState(since ?? null);

  // The latest values, for the long-lived event handlers.
  const latest = useRef({ pathname, toast, notify: notifications.notify, router });
  useEffect(() => {
    latest.current = { pathname, toast, notify: notifications.notify, router };
  });

  const refreshSoon = useCallback(() => {
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      latest.current.router.refresh();
    }, REFRESH_DEBOUNCE_MS);
  }, []);

  useEffect(() => {
    let source: EventSource | null = null;
    let lastEventId: string | null = cursor;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let wasDown = false;
    let stopped = false;

    const onPayment = (message: MessageEvent<string>) => {
      let event: LivePaymentEvent;
      try {
        event = JSON.parse(message.data) as LivePaymentEvent;
      } catch {
        return;
      }
      if (message.lastEventId) lastEventId = message.lastEventId;
      store.report(event.transactionId, event.status);
      const { pathname: path, toast: show, notify } = latest.current;
      if (concernsPage(path, event)) refreshSoon();
      const notice = describeEvent(event);
      if (notice) {
        show(notice.message, notice.kind, { action: { href: notice.href, label: "View payment" } });
        notify(notice.message, event.id, notice.href);
      }
    };

    const open = () => {
      if (stopped) return;
      const url = lastEventId ? `${STREAM_URL}?lastEventId=${encodeURIComponent(lastEventId)}` : STREAM_URL;
      source = new EventSource(url);
      source.addEventListener("open", () => {
        failures = 0;
        setStream("open");
        // Back after a gap: the replay covered the events, a refresh covers anything older.
        if (wasDown) refreshSoon();
        wasDown = false;
      });
      source.addEventListener(LIVE_EVENT.payment, onPayment as EventListener);
      source.addEventListener(LIVE_EVENT.end, () => {
        // The session ended: the page's own check sends the user to the login page.
        stopped = true;
        source?.close();
        setStream("down");
        latest.current.router.refresh();
      });
      source.addEventListener("error", () => {
        setStream("down");
        wasDown = true;
        // CONNECTING: the browser reconnects by itself (with Last-Event-ID). CLOSED: it gave up.
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        source = null;
        const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** failures);
        failures += 1;
        retry = setTimeout(open, delay / 2 + Math.random() * (delay / 2));
      });
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
      if (refreshTimer.current) clearTimeout(refreshTimer.current);
    };
  }, [store, refreshSoon, cursor]);

  const report = useCallback(
    (transactionId: string, status: LiveStatus) => {
      if (store.report(transactionId, status)) refreshSoon();
    },
    [store, refreshSoon],
  );
  const value = useMemo(() => ({ connected, down: stream === "down", store, report }), [connected, stream, store, report]);

  return (
    <LiveUpdatesContext.Provider value={value}>
      {children}
      <footer className="mt-12 flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-gray-200 pt-4 text-xs text-gray-600 dark:border-gray-800 dark:text-gray-400">
        <span className="flex items-center gap-1.5" data-testid="live-state">
          <span aria-hidden="true" className={`size-2 rounded-full ${connected ? "bg-green-600" : "bg-gray-400"}`} />
          {connected ? "Live updates on" : stream === "down" ? "Live updates paused, reconnecting…" : "Live updates connecting…"}
        </span>
        <BrowserNotifications state={notifications} />
      </footer>
    </LiveUpdatesContext.Provider>
  );
}
