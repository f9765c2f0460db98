import { advanceClock, appError, loginRefusal, newMaster, newMember, PASSWORD, sessionToken, signedIn, totpCode, uniqueIp, wrongCode } from "./helpers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { authenticate, completeSecondFactor, LOCKOUT_MAX_FAILURES, LOGIN_CHALLENGE_MAX_FAILURES, SecondFactorRequired } from "@/lib/accounts/authenticate";
import {
  confirmTwoFactorEnrolment,
  disableTwoFactor,
  getTwoFactorStatus,
  listTeamTwoFactor,
  regenerateRecoveryCodes,
  setTeamTwoFactorRequirement,
  startTwoFactorEnrolment,
} from "@/lib/accounts/two-factor";
import { decryptSecret } from "@/lib/crypto";
import { resolveSessionUser } from "@/lib/auth/session";
import { resolveBearerToken } from "@/lib/auth/request-actor";
import type { UserActor } from "@/lib/auth/actor";

afterEach(() => {
  vi.useRealTimers();
});

/** Turns two-factor authentication on for `actor`; returns the secret and the recovery codes. */
async function enrol(actor: UserActor): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret } = await startTwoFactorEnrolment(actor);
  const { recoveryCodes } = await confirmTwoFactorEnrolment(actor, { code: totpCode(secret) });
  return { secret, recoveryCodes };
}

/** The challenge of a login whose password is right for an account with two-factor authentication. */
async function passwordStep(email: string, ip: string): Promise<string> {
  const err = await authenticate({ email, password: PASSWORD }, ip).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SecondFactorRequired);
  return (err as SecondFactorRequired).challenge;
}

describe("enrolment", () => {
  it("shows the secret as an otpauth:// URI, keeps it encrypted, and turns on only with a right code", async () => {
    const master = await newMaster();
    const { secret, uri } = await startTwoFactorEnrolment(master.actor);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe("otpauth:");
    expect(parsed.host).toBe("totp");
    expect(parsed.searchParams.get("secret")).toBe(secret);
    expect(parsed.searchParams.get("issuer")).toBe("Boltrail");
    expect(decodeURIComponent(parsed.pathname)).toContain(master.email);

    const row = await db.user.findUniqueOrThrow({ where: { id: master.userId } });
    expect(row.totpPendingSecretEncrypted).toMatch(/^v1\./);
    expect(row.totpPendingSecretEncrypted).not.toContain(secret);
    expect(decryptSecret(row.totpPendingSecretEncrypted!).toString()).toBe(secret);
    expect(row.totpEnabledAt).toBeNull();

    const wrong = await appError(confirmTwoFactorEnrolment(master.actor, { code: wrongCode(secret) }));
    expect(wrong).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    const empty = await appError(confirmTwoFactorEnrolment(master.actor, { code: "" }));
    expect(empty).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect((await getTwoFactorStatus(master.actor)).enabled).toBe(false);

    const { recoveryCodes } = await confirmTwoFactorEnrolment(master.actor, { code: totpCode(secret) });
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const stored = await db.recoveryCode.findMany({ where: { userId: master.userId } });
    expect(stored).toHaveLength(10);
    for (const { codeHash } of stored) for (const code of recoveryCodes) expect(codeHash).not.toContain(code.replace("-", ""));

    const enabled = await db.user.findUniqueOrThrow({ where: { id: master.userId } });
    expect(enabled.totpPendingSecretEncrypted).toBeNull();
    expect(decryptSecret(enabled.totpSecretEncrypted!).toString()).toBe(secret);
    await expect(getTwoFactorStatus(master.actor)).resolves.toMatchObject({ enabled: true, recoveryCodesLeft: 10 });

    // A second set-up is refused while it is on.
    expect(await appError(startTwoFactorEnrolment(master.actor))).toMatchObject({ code: "CONFLICT" });
  });

  it("refuses to confirm without a set-up in progress", async () => {
    const master = await newMaster();
    expect(await appError(confirmTwoFactorEnrolment(master.actor, { code: "123456" }))).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
  });
});

describe("login with a second factor", () => {
  it("asks for the code after the password, creates no session before it, and accepts a code computed from the secret", async () => {
    const master = await newMaster();
    const { secret } = await enrol(master.actor);
    const ip = uniqueIp();
    const challenge = await passwordStep(master.email, ip);
    expect(await db.loginChallenge.count({ where: { userId: master.userId, usedAt: null } })).toBe(1);

    // The enrolment code's step is spent; the next step's code (within the window) is accepted.
    const user = await completeSecondFactor({ challenge, code: totpCode(secret, Date.now() + 30_000) }, ip);
    expect(user).toEqual({ id: master.userId, tokenVersion: 0 });
    // The challenge works once.
    expect(await loginRefusal(completeSecondFactor({ challenge, code: totpCode(secret) }, ip))).toEqual({ reason: "challenge_expired" });
  });

  it("refuses a code replayed within its window, and the code used to confirm the set-up", async () => {
    const master = await newMaster();
    const { secret } = await startTwoFactorEnrolment(master.actor);
    const enrolCode = totpCode(secret);
    await confirmTwoFactorEnrolment(master.actor, { code: enrolCode });
    const ip = uniqueIp();

    expect(await loginRefusal(completeSecondFactor({ challenge: await passwordStep(master.email, ip), code: enrolCode }, ip))).toEqual({ reason: "invalid_code" });

    advanceClock(30_000);
    const code = totpCode(secret);
    await expect(completeSecondFactor({ challenge: await passwordStep(master.email, ip), code }, ip)).resolves.toMatchObject({ id: master.userId });
    // The same code again, a moment later (still inside its ±30 s window): refused.
    advanceClock(5_000);
    expect(await loginRefusal(completeSecondFactor({ challenge: await passwordStep(master.email, ip), code }, ip))).toEqual({ reason: "invalid_code" });
  });

  it("accepts each recovery code once, typed in any case with or without the dash", async () => {
    const master = await newMaster();
    const { recoveryCodes } = await enrol(master.actor);
    const ip = uniqueIp();
    const [first, second] = recoveryCodes;
    await expect(completeSecondFactor({ challenge: await passwordStep(master.email, ip), code: first }, ip)).resolves.toMatchObject({ id: master.userId });
    expect(await loginRefusal(completeSecondFactor({ challenge: await passwordStep(master.email, ip), code: first }, ip))).toEqual({ reason: "invalid_code" });
    await expect(completeSecondFactor({ challenge: await passwordStep(master.email, ip), code: ` ${second.replace("-", "").toUpperCase()} ` }, ip)).resolves.toMatchObject({ id: master.userId });
    await expect(getTwoFactorStatus(master.actor)).resolves.toMatchObject({ recoveryCodesLeft: 8 });
  });

  it("a challenge ends after five wrong codes, or when it expires; a made-up challenge is refused", async () => {
    const master = await newMaster();
    const { secret } = await enrol(master.actor);
    const ip = uniqueIp();
    const challenge = await passwordStep(master.email, ip);
    for (let i = 0; i < LOGIN_CHALLENGE_MAX_FAILURES; i++) {
      expect(await loginRefusal(completeSecondFactor({ challenge, code: wrongCode(secret) }, ip))).toEqual({ reason: "invalid_code" });
    }
    expect(await loginRefusal(completeSecondFactor({ challenge, code: totpCode(secret, Date.now() + 30_000) }, ip))).toEqual({ reason: "challenge_expired" });

    const late = await passwordStep(master.email, ip);
    await db.loginChallenge.updateMany({ where: { userId: master.userId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await loginRefusal(completeSecondFactor({ challenge: late, code: totpCode(secret, Date.now() + 30_000) }, ip))).toEqual({ reason: "challenge_expired" });
    expect(await loginRefusal(completeSecondFactor({ challenge: "made-up", code: "123456" }, ip))).toEqual({ reason: "challenge_expired" });
    expect(await loginRefusal(completeSecondFactor({ code: "123456" }, ip))).toEqual({ reason: "challenge_expired" });
  });

  it("wrong codes count toward the account's lockout, and a right password alone does not reset the count", async () => {
    const master = await newMaster();
    const { secret } = await enrol(master.actor);
    const ip = uniqueIp();
    let failures = 0;
    let challenge = "";
    while (failures < LOCKOUT_MAX_FAILURES) {
      challenge = await passwordStep(master.email, ip); // right password: no reset of the count
      for (let i = 0; i < 3 && failures < LOCKOUT_MAX_FAILURES; i++, failures++) {
        expect(await loginRefusal(completeSecondFactor({ challenge, code: wrongCode(secret) }, ip))).toEqual({ reason: "invalid_code" });
      }
    }
    expect(await db.loginAttempt.count({ where: { email: master.email, success: false } })).toBe(LOCKOUT_MAX_FAILURES);
    // Locked: the password is not even checked, and neither is a right code on a challenge still open.
    expect((await loginRefusal(authenticate({ email: master.email, password: PASSWORD }, ip))).reason).toBe("locked");
    const rightCode = totpCode(secret, Date.now() + 30_000);
    expect((await loginRefusal(completeSecondFactor({ challenge, code: rightCode }, ip))).reason).toBe("locked");
    expect(await db.loginAttempt.count({ where: { email: master.email } })).toBe(LOCKOUT_MAX_FAILURES);
    // Once the failures are older than the window, the account opens again.
    await db.loginAttempt.updateMany({ where: { email: master.email }, data: { createdAt: new Date(Date.now() - 16 * 60 * 1000) } });
    await expect(completeSecondFactor({ challenge, code: rightCode }, ip)).resolves.toMatchObject({ id: master.userId });
  });

  it("an account without two-factor authentication logs in with the password alone", async () => {
    const master = await newMaster();
    await expect(authenticate({ email: master.email, password: PASSWORD }, uniqueIp())).resolves.toEqual({ id: master.userId, tokenVersion: 0 });
  });
});

describe("turning it off and new recovery codes", () => {
  it("needs a valid code; a wrong one is refused naming the field and counts toward the lockout", async () => {
    const master = await newMaster();
    const { secret, recoveryCodes } = await enrol(master.actor);
    const ip = uniqueIp();
    const wrong = await appError(disableTwoFactor(master.actor, { code: wrongCode(secret) }, ip));
    expect(wrong).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect(await db.loginAttempt.count({ where: { email: master.email, success: false } })).toBe(1);

    const { recoveryCodes: fresh } = await regenerateRecoveryCodes(master.actor, { code: recoveryCodes[0] }, ip);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    // The old codes stopped working.
    expect(await appError(disableTwoFactor(master.actor, { code: recoveryCodes[1] }, ip))).toMatchObject({ field: "code" });

    advanceClock(30_000);
    await disableTwoFactor(master.actor, { code: totpCode(secret) }, ip);
    const row = await db.user.findUniqueOrThrow({ where: { id: master.userId } });
    expect(row.totpSecretEncrypted).toBeNull();
    expect(row.totpEnabledAt).toBeNull();
    expect(await db.recoveryCode.count({ where: { userId: master.userId } })).toBe(0);
    await expect(authenticate({ email: master.email, password: PASSWORD }, ip)).resolves.toMatchObject({ id: master.userId });
    expect(await appError(disableTwoFactor(master.actor, { code: "123456" }, ip))).toMatchObject({ code: "CONFLICT" });
  });
});

describe("team requirement", () => {
  it("only the master sets it, only once they have it themselves; members without it must enrol, in the dashboard and over the API", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    expect(await appError(setTeamTwoFactorRequirement(member.actor, { required: true }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await appError(setTeamTwoFactorRequirement(master.actor, { required: true }))).toMatchObject({ code: "BAD_USER_INPUT", field: "required" });
    expect(await appError(setTeamTwoFactorRequirement(master.actor, { required: "yes" }))).toMatchObject({ code: "BAD_USER_INPUT", field: "required" });

    await enrol(master.actor);
    await expect(setTeamTwoFactorRequirement(master.actor, { required: true })).resolves.toEqual({ required: true, membersWithout: 1 });
    await expect(listTeamTwoFactor(master.actor)).resolves.toMatchObject({
      required: true,
      members: [
        { id: master.userId, role: "MASTER", twoFactor: true },
        { id: member.userId, role: "MEMBER", twoFactor: false },
      ],
    });

    const memberNow = await resolveSessionUser(member.userId, 0, member.sessionId);
    expect(memberNow?.mustEnrolTwoFactor).toBe(true);
    expect((await resolveSessionUser(master.userId, 0, master.sessionId))?.mustEnrolTwoFactor).toBeUndefined();
    const token = await sessionToken(member.userId, member.sessionId);
    expect(await appError(resolveBearerToken(token))).toMatchObject({ code: "UNAUTHENTICATED", message: expect.stringMatching(/requires two-factor/) });

    await enrol(memberNow!);
    expect((await resolveSessionUser(member.userId, 0, member.sessionId))?.mustEnrolTwoFactor).toBeUndefined();
    await expect(resolveBearerToken(token)).resolves.toMatchObject({ userId: member.userId });

    await expect(setTeamTwoFactorRequirement(master.actor, { required: false })).resolves.toEqual({ required: false, membersWithout: 0 });
  });

  it("another team's requirement does not touch this team", async () => {
    const a = await newMaster("A");
    const b = await newMaster("B");
    await enrol(a.actor);
    await setTeamTwoFactorRequirement(a.actor, { required: true });
    const { actor } = await signedIn(b.userId);
    expect(actor.mustEnrolTwoFactor).toBeUndefined();
  });
});
