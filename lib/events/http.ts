import "server-only";
import type { UserActor } from "../auth/actor";
import { resolveBearerToken } from "../auth/request-actor";
import { SESSION_COOKIE_NAMES } from "../auth/session-cookie";
import { AppError, httpStatus, toPublicError, unauthenticated } from "../errors";
import { openLiveFeed } from "./open-live-feed";
import type { LiveHub } from "./hub";
import { parseLastEventId, sseComment, sseEvent, sseRetry } from "./sse";
import { LIVE_EVENT } from "./types";

/** A comment every 15 s keeps proxies from closing an idle stream; the session is checked as often. */
export const HEARTBEAT_MS = 15_000;
/** The browser's reconnection delay after the stream drops. */
export const RETRY_MS = 2_000;

export type LiveStreamOptions = { heartbeatMs?: number; hub?: LiveHub };

/** What the stream's responses carry: never cached, never compressed or buffered on the way. */
export const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  // no-transform: Next.js's compression (and other proxies) leave the stream alone, so every
  // event is sent as it happens rather than when a compression block fills.
  "cache-control": "no-cache, no-store, no-transform",
  // nginx and similar reverse proxies: do not buffer this response.
  "x-accel-buffering": "no",
} as const;

function cookieValue(header: string | null, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** The signed-in user of the request's session cookie, or UNAUTHENTICATED. */
async function sessionUser(request: Request): Promise<UserActor> {
  const cookies = request.headers.get("cookie");
  for (const name of SESSION_COOKIE_NAMES) {
    const token = cookieValue(cookies, name);
    if (token) return resolveBearerToken(token);
  }
  throw unauthenticated("Log in to receive live updates");
}

function jsonError(err: unknown): Response {
  const error = toPublicError(err);
  return Response.json({ error: { code: error.code, message: error.message } }, { status: httpStatus(error.code), headers: { "cache-control": "no-store" } });
}

/**
 * GET /api/events: the signed-in user's payment changes as server-sent events (issue 15 §3).
 * `id:` is the event id, so a browser that reconnects sends Last-Event-ID and gets what it missed;
 * a comment every 15 s; the session is checked as often, and when it has ended (signed out,
 * revoked, expired, removed from the team) an `end` event is sent and the stream closes. Without a
 * session: 401 with a JSON error.
 */
export async function liveEventsResponse(request: Request, options: LiveStreamOptions = {}): Promise<Response> {
  let actor: UserActor;
  try {
    actor = await sessionUser(request);
  } catch (err) {
    return jsonError(err);
  }
  // The browser's own reconnection sends the header; a stream it reopens after a refusal, the query.
  const lastEventId = parseLastEventId(request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("lastEventId"));
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const encoder = new TextEncoder();
  let closed = false;
  let stop: (() => void) | null = null;
  let controller!: ReadableStreamDefaultController<Uint8Array>;

  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    request.signal.removeEventListener("abort", close);
    stop?.();
    try {
      controller.close();
    } catch {
      // already closed or cancelled by the client
    }
  };
  const send = (text: string) => {
    if (closed) return;
    try {
      controller.enqueue(encoder.encode(text));
    } catch {
      close();
    }
  };
  const end = (reason: string) => {
    send(sseEvent({ event: LIVE_EVENT.end, data: { reason } }));
    close();
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      send(sseRetry(RETRY_MS));
      send(sseComment("connected"));
    },
    cancel() {
      close();
    },
  });
  const heartbeat = setInterval(() => {
    send(sseComment("ping"));
    sessionUser(request).then(
      (current) => {
        if (current.teamId !== actor.teamId || current.userId !== actor.userId) end("session_changed");
      },
      (err: unknown) => {
        // A database that is away for a moment ends nothing; a session that ended does.
        if (err instanceof AppError && err.code === "UNAUTHENTICATED") end("signed_out");
      },
    );
  }, heartbeatMs);
  if (request.signal.aborted) close();
  request.signal.addEventListener("abort", close);

  openLiveFeed(actor, { lastEventId, hub: options.hub }, (event) => send(sseEvent({ id: event.id, event: LIVE_EVENT.payment, data: event }))).then(
    (unsubscribe) => {
      if (closed) unsubscribe();
      else stop = unsubscribe;
    },
    (err: unknown) => {
      toPublicError(err);
      close();
    },
  );

  return new Response(stream, { headers: STREAM_HEADERS });
}
