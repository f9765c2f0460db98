import { appError, newMaster, signedIn } from "./helpers";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { listSessions, revokeOtherSessions, revokeOwnSession } from "@/lib/accounts/sessions";
import { LAST_SEEN_RESOLUTION_MS, resolveSessionUser, revokeSession } from "@/lib/auth/session";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0";

describe("sessions list", () => {
  it("lists the live sessions with device, address and times, this one first and marked", async () => {
    const master = await newMaster();
    const firefox = await signedIn(master.userId, { userAgent: FIREFOX, ip: "203.0.113.7" });
    const noIp = await signedIn(master.userId, { userAgent: "curl/8.0", ip: "unknown" });
    const gone = await signedIn(master.userId);
    await revokeSession(gone.sessionId);
    const expired = await signedIn(master.userId);
    await db.authSession.update({ where: { id: expired.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const list = await listSessions(firefox.actor);
    // This one, then the most recently seen (each session was seen when it was created).
    expect(list.map((s) => s.id)).toEqual([firefox.sessionId, noIp.sessionId, master.sessionId]);
    expect(list[0]).toMatchObject({ current: true, userAgent: FIREFOX, ip: "203.0.113.7" });
    expect(list[0].createdAt).toBeInstanceOf(Date);
    expect(list[0].lastSeenAt).toBeInstanceOf(Date);
    expect(list.find((s) => s.id === noIp.sessionId)).toMatchObject({ current: false, ip: null, userAgent: "curl/8.0" });
    expect(list.filter((s) => s.current)).toHaveLength(1);
    // Another user's sessions are not in it.
    const other = await newMaster();
    expect((await listSessions(other.actor)).map((s) => s.id)).toEqual([other.sessionId]);
  });

  it("records the last use of a session, at most every few minutes", async () => {
    const master = await newMaster();
    const old = new Date(Date.now() - LAST_SEEN_RESOLUTION_MS - 60_000);
    await db.authSession.update({ where: { id: master.sessionId }, data: { lastSeenAt: old } });
    await resolveSessionUser(master.userId, 0, master.sessionId);
    const seen = (await db.authSession.findUniqueOrThrow({ where: { id: master.sessionId } })).lastSeenAt!;
    expect(seen.getTime()).toBeGreaterThan(Date.now() - 10_000);
    await resolveSessionUser(master.userId, 0, master.sessionId);
    expect((await db.authSession.findUniqueOrThrow({ where: { id: master.sessionId } })).lastSeenAt).toEqual(seen);
  });
});

describe("signing sessions out", () => {
  it("signs one other session out; not this one, nor anyone else's", async () => {
    const master = await newMaster();
    const phone = await signedIn(master.userId);
    await revokeOwnSession(master.actor, phone.sessionId);
    expect(await resolveSessionUser(master.userId, 0, phone.sessionId)).toBeNull();
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).not.toBeNull();

    expect(await appError(revokeOwnSession(master.actor, master.sessionId))).toMatchObject({ code: "BAD_USER_INPUT", field: "sessionId" });
    expect(await appError(revokeOwnSession(master.actor, phone.sessionId))).toMatchObject({ code: "NOT_FOUND" }); // already ended
    const stranger = await newMaster();
    expect(await appError(revokeOwnSession(master.actor, stranger.sessionId))).toMatchObject({ code: "NOT_FOUND" });
    expect(await resolveSessionUser(stranger.userId, 0, stranger.sessionId)).not.toBeNull();
    for (const bad of [undefined, 42, "", "x".repeat(500), "a\u0000b"]) {
      expect(await appError(revokeOwnSession(master.actor, bad))).toMatchObject({ code: "NOT_FOUND" });
    }
  });

  it("signs out everywhere else", async () => {
    const master = await newMaster();
    const others = await Promise.all([signedIn(master.userId), signedIn(master.userId), signedIn(master.userId)]);
    const stranger = await newMaster();
    await expect(revokeOtherSessions(master.actor)).resolves.toEqual({ endedSessions: 3 });
    for (const s of others) expect(await resolveSessionUser(master.userId, 0, s.sessionId)).toBeNull();
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).not.toBeNull();
    expect(await resolveSessionUser(stranger.userId, 0, stranger.sessionId)).not.toBeNull();
    await expect(revokeOtherSessions(master.actor)).resolves.toEqual({ endedSessions: 0 });
  });
});
