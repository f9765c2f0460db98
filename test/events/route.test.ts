// GET /api/events: the server-sent-events stream of the signed-in user — 401 JSON without a
// session, the stream's headers and framing (retry, id/event/data, heartbeat comments), replay
// from Last-Event-ID, and an `end` event when the session ends.
import "./env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/events/route";
import { revokeSession } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { liveEventsResponse } from "@/lib/events/http";
import { LiveHub, liveHub } from "@/lib/events/hub";
import { transition } from "@/lib/transactions/lifecycle";
import { invoice, sessionCookie, teamWithWallet, waitFor } from "./helpers";
import { newTeam } from "../receive/helpers";

let team: Awaited<ReturnType<typeof teamWithWallet>>;
const hub = new LiveHub(() => {});
const URL_ = "http://localhost/api/events";

beforeAll(async () => {
  team = await teamWithWallet("Live route");
});
afterAll(async () => {
  await hub.close();
  await liveHub().close();
});

/** Reads a stream's text as it arrives. */
function reader(response: Response) {
  const body = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let done = false;
  void (async () => {
    for (;;) {
      const chunk = await body.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) break;
      text += decoder.decode(chunk.value, { stream: true });
    }
    done = true;
  })();
  return {
    text: () => text,
    done: () => done,
    /** The `payment` events received so far, parsed. */
    events: () =>
      text
        .split("\n\n")
        .filter((frame) => frame.includes("event: payment"))
        .map((frame) => {
          const fields = Object.fromEntries(frame.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
          return { id: fields.id, data: JSON.parse(fields.data) as { id: string; transactionId: string; status: string } };
        }),
    cancel: () => body.cancel(),
  };
}

async function open(headers: Record<string, string>, heartbeatMs?: number, query = "") {
  const abort = new AbortController();
  const response = await liveEventsResponse(new Request(URL_ + query, { headers, signal: abort.signal }), { hub, heartbeatMs });
  return { response, stream: reader(response), abort };
}

describe("GET /api/events", () => {
  it("answers 401 with a JSON error without a session, or with a forged or ended one", async () => {
    const anonymous = await GET(new Request(URL_));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await anonymous.json()).toEqual({ error: { code: "UNAUTHENTICATED", message: "Log in to receive live updates" } });

    const forged = await GET(new Request(URL_, { headers: { cookie: "authjs.session-token=not-a-token" } }));
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe("UNAUTHENTICATED");

    const ended = await newTeam("Ended");
    const cookie = await sessionCookie(ended.actor);
    await revokeSession(ended.actor.sessionId);
    const refused = await GET(new Request(URL_, { headers: { cookie } }));
    expect(refused.status).toBe(401);
  });

  it("streams the user's payment changes as SSE frames with ids, unbuffered and uncached", async () => {
    const { response, stream, abort } = await open({ cookie: await sessionCookie(team.actor) });
    const stranger = await teamWithWallet("Stranger");
    const theirs = await open({ cookie: await sessionCookie(stranger.actor) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("no-transform");
    expect(response.headers.get("cache-control")).toContain("no-cache");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    await waitFor(async () => stream.text().includes(": connected\n\n"));
    expect(stream.text().startsWith("retry: 2000\n\n: connected\n\n")).toBe(true);
    await waitFor(async () => hub.state().listening);

    const tx = await invoice(team, team.walletId, "50000", "Order #42");
    await transition(tx.id, "COMPLETED");
    await waitFor(async () => stream.events().length === 2, 3000, "two events");
    const rows = await db.liveEvent.findMany({ where: { transactionId: tx.id }, orderBy: { id: "asc" } });
    const frame = stream.text().split("\n\n").find((f) => f.startsWith(`id: ${rows[1].id}\n`))!;
    const lines = frame.split("\n");
    expect(lines.slice(0, 2)).toEqual([`id: ${rows[1].id}`, "event: payment"]);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2].replace(/^data: /, ""))).toEqual({
      id: rows[1].id.toString(),
      kind: "status",
      transactionId: tx.id,
      environmentId: team.environmentId,
      walletId: team.walletId,
      status: "COMPLETED",
      direction: "RECEIVE",
      amount: "50000",
      asset: { symbol: "BTC", precision: 8 },
      description: "Order #42",
      createdAt: rows[1].createdAt.toISOString(),
    });
    expect(stream.events().map((e) => e.id)).toEqual(rows.map((r) => r.id.toString()));
    // A user of another team, streaming at the same time, received none of it.
    expect(theirs.stream.text()).toContain(": connected");
    expect(theirs.stream.events()).toEqual([]);
    await theirs.stream.cancel();

    // The client goes away: the stream is torn down and its subscription with it.
    abort.abort();
    await waitFor(async () => hub.state().subscribers === 0, 2000, "the subscription to end");
  });

  it("replays what a reconnecting browser missed after its Last-Event-ID", async () => {
    const cookie = await sessionCookie(team.actor);
    const first = await open({ cookie });
    const seen = await invoice(team, team.walletId, "1000", "seen");
    await waitFor(async () => first.stream.events().some((e) => e.data.transactionId === seen.id));
    const lastEventId = first.stream.events().at(-1)!.id;
    await first.stream.cancel();

    const missed = [await invoice(team, team.walletId, "2000", "missed 1"), await invoice(team, team.walletId, "3000", "missed 2")];
    const again = await open({ cookie, "last-event-id": lastEventId });
    await waitFor(async () => again.stream.events().length === 2, 3000, "the replay");
    expect(again.stream.events().map((e) => e.data.transactionId)).toEqual(missed.map((m) => m.id));
    expect(again.stream.events().every((e) => BigInt(e.id) > BigInt(lastEventId))).toBe(true);
    await again.stream.cancel();

    // A stream the browser reopens itself passes the id in the query instead.
    const reopened = await open({ cookie }, undefined, `?lastEventId=${lastEventId}`);
    await waitFor(async () => reopened.stream.events().length === 2, 3000, "the replay by query");
    expect(reopened.stream.events().map((e) => e.data.transactionId)).toEqual(missed.map((m) => m.id));
    await reopened.stream.cancel();

    // A Last-Event-ID that is not an event id replays nothing.
    const bogus = await open({ cookie, "last-event-id": "0; DROP TABLE" });
    await waitFor(async () => bogus.stream.text().includes(": connected"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bogus.stream.events()).toEqual([]);
    await bogus.stream.cancel();
  });

  it("sends heartbeat comments, and ends the stream with an `end` event once the session ends", async () => {
    const user = await teamWithWallet("Heartbeat");
    const { stream } = await open({ cookie: await sessionCookie(user.actor) }, 100);
    await waitFor(async () => stream.text().split(": ping\n\n").length > 2, 3000, "two heartbeats");
    expect(stream.done()).toBe(false);
    await revokeSession(user.actor.sessionId);
    await waitFor(async () => stream.done(), 3000, "the stream to close");
    expect(stream.text().endsWith('event: end\ndata: {"reason":"signed_out"}\n\n')).toBe(true);
  });
});
