import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "../errors";
import { createSession, resolveSessionUser, revokeSession } from "../auth/session";
import { authenticate, LoginRefused, LOCKOUT_MAX_FAILURES } from "./authenticate";
import { signUp } from "./sign-up";

let n = 0;
const email = (p = "u") => `${p}-${++n}-${Date.now()}@example.com`;
const PASSWORD = "correct horse battery";

async function refusal(promise: Promise<unknown>): Promise<LoginRefused> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof LoginRefused) return err;
    throw err;
  }
  throw new Error("expected the login to be refused");
}

describe("signUp", () => {
  it("creates the user, the team and makes the user its master", async () => {
    const address = email("Master");
    const { userId, teamId } = await signUp({ email: `  ${address.toUpperCase()} `, password: PASSWORD, teamName: " Acme " });
    const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { membership: { include: { team: true } } } });
    expect(user.email).toBe(address.toLowerCase());
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(PASSWORD);
    expect(user.membership?.role).toBe("MASTER");
    expect(user.membership?.team.name).toBe("Acme");
    expect(user.membership?.teamId).toBe(teamId);
  });

  it.each([
    [{ email: "not-an-email", password: PASSWORD, teamName: "A" }, "email"],
    [{ email: "", password: PASSWORD, teamName: "A" }, "email"],
    [{ email: email(), password: "short", teamName: "A" }, "password"],
    [{ email: email(), password: "x".repeat(257), teamName: "A" }, "password"],
    [{ email: email(), password: PASSWORD, teamName: "   " }, "teamName"],
    [{ email: email(), password: PASSWORD, teamName: "t".repeat(81) }, "teamName"],
    [{ email: email(), password: 12345678901, teamName: "A" }, "password"],
    [{}, "email"],
  ])("rejects %j naming %s, writing nothing", async (input, field) => {
    const before = await db.user.count();
    const err = await signUp(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("BAD_USER_INPUT");
    expect((err as AppError).field).toBe(field);
    expect((err as AppError).message.startsWith(`${field}:`)).toBe(true);
    expect(await db.user.count()).toBe(before);
  });

  it("refuses a second account with the same email, whatever its case, and leaves no orphan team", async () => {
    const address = email("dup");
    await signUp({ email: address, password: PASSWORD, teamName: "One" });
    const teams = await db.team.count();
    const err = await signUp({ email: address.toUpperCase(), password: PASSWORD, teamName: "Two" }).catch((e: AppError) => e);
    expect(err).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    expect(await db.team.count()).toBe(teams);
  });
});

describe("authenticate", () => {
  it("accepts the right password and refuses a wrong one or an unknown email alike", async () => {
    const address = email("login");
    const { userId } = await signUp({ email: address, password: PASSWORD, teamName: "T" });
    await expect(authenticate({ email: address, password: PASSWORD }, "10.0.0.1")).resolves.toEqual({ id: userId, tokenVersion: 0 });
    const wrong = await refusal(authenticate({ email: address, password: "nope nope nope" }, "10.0.0.1"));
    const unknown = await refusal(authenticate({ email: email("ghost"), password: PASSWORD }, "10.0.0.1"));
    expect(wrong.failure).toEqual({ reason: "invalid" });
    expect(unknown.failure).toEqual({ reason: "invalid" });
    expect(wrong.message).toBe(unknown.message);
  });

  it("an email or password that is not text (NUL, a lone surrogate) is an ordinary refusal, not a database error", async () => {
    for (const input of [
      { email: "a\u0000@example.com", password: PASSWORD },
      { email: "a\ud800@example.com", password: PASSWORD },
      { email: email("text"), password: "pass\u0000word" },
    ]) {
      expect((await refusal(authenticate(input, "10.0.0.9"))).failure).toEqual({ reason: "invalid" });
    }
  });

  it("locks an account after ten failures, even for the right password, without extending the lock", async () => {
    const address = email("lock");
    await signUp({ email: address, password: PASSWORD, teamName: "T" });
    for (let i = 0; i < LOCKOUT_MAX_FAILURES; i++) {
      expect((await refusal(authenticate({ email: address, password: `wrong ${i}` }, "10.0.0.2"))).failure.reason).toBe("invalid");
    }
    const locked = await refusal(authenticate({ email: address, password: PASSWORD }, "10.0.0.2"));
    expect(locked.failure.reason).toBe("locked");
    expect(locked.message).toMatch(/locked for 15 more minutes/);
    expect(await db.loginAttempt.count({ where: { email: address } })).toBe(LOCKOUT_MAX_FAILURES);

    // Once the failures are older than the window, the account opens again.
    await db.loginAttempt.updateMany({ where: { email: address }, data: { createdAt: new Date(Date.now() - 16 * 60 * 1000) } });
    await expect(authenticate({ email: address, password: PASSWORD }, "10.0.0.2")).resolves.toMatchObject({ tokenVersion: 0 });
  });

  it("counts parallel guesses exactly: twenty at once leave the account locked after ten", async () => {
    const address = email("parallel");
    await signUp({ email: address, password: PASSWORD, teamName: "T" });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => refusal(authenticate({ email: address, password: `guess ${i}` }, "10.0.0.3"))),
    );
    expect(results.filter((r) => r.failure.reason === "invalid")).toHaveLength(LOCKOUT_MAX_FAILURES);
    expect(results.filter((r) => r.failure.reason === "locked")).toHaveLength(10);
  });

  it("successful login resets the failure count", async () => {
    const address = email("reset");
    await signUp({ email: address, password: PASSWORD, teamName: "T" });
    for (let i = 0; i < LOCKOUT_MAX_FAILURES - 1; i++) await refusal(authenticate({ email: address, password: `w${i}` }, "10.0.0.4"));
    await authenticate({ email: address, password: PASSWORD }, "10.0.0.4");
    await refusal(authenticate({ email: address, password: "w again" }, "10.0.0.4"));
    await expect(authenticate({ email: address, password: PASSWORD }, "10.0.0.4")).resolves.toBeTruthy();
  });
});

describe("resolveSessionUser", () => {
  it("refuses a session whose token version changed or whose user is gone", async () => {
    const { userId, teamId } = await signUp({ email: email("sess"), password: PASSWORD, teamName: "T" });
    const sid = await createSession(userId);
    await expect(resolveSessionUser(userId, 0, sid)).resolves.toMatchObject({ kind: "user", userId, teamId, isMaster: true });
    await db.user.update({ where: { id: userId }, data: { tokenVersion: 1 } });
    await expect(resolveSessionUser(userId, 0, sid)).resolves.toBeNull();
    await expect(resolveSessionUser(userId, 1, sid)).resolves.not.toBeNull();
    await db.user.delete({ where: { id: userId } });
    await expect(resolveSessionUser(userId, 1, sid)).resolves.toBeNull();
    await expect(resolveSessionUser(undefined, 1, sid)).resolves.toBeNull();
    await expect(resolveSessionUser(userId, "1", sid)).resolves.toBeNull();
  });

  it("refuses a session that was logged out, expired, never existed, is missing, or belongs to someone else", async () => {
    const a = await signUp({ email: email("sess-a"), password: PASSWORD, teamName: "A" });
    const b = await signUp({ email: email("sess-b"), password: PASSWORD, teamName: "B" });
    const [one, two, other] = await Promise.all([createSession(a.userId), createSession(a.userId), createSession(b.userId)]);
    await revokeSession(one);
    await expect(resolveSessionUser(a.userId, 0, one)).resolves.toBeNull();
    await expect(resolveSessionUser(a.userId, 0, two)).resolves.not.toBeNull(); // another device stays signed in
    await expect(resolveSessionUser(a.userId, 0, other)).resolves.toBeNull();
    await expect(resolveSessionUser(a.userId, 0, "no-such-session")).resolves.toBeNull();
    await expect(resolveSessionUser(a.userId, 0, undefined)).resolves.toBeNull();
    await db.authSession.update({ where: { id: two }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(resolveSessionUser(a.userId, 0, two)).resolves.toBeNull();
  });
});
