import { appError, loginRefusal, newMaster, newMember, PASSWORD, signedIn, totpCode, uniqueEmail, uniqueIp } from "./helpers";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticate, SecondFactorRequired } from "@/lib/accounts/authenticate";
import {
  completePasswordReset,
  describePasswordReset,
  issueAdminResetLink,
  issuePasswordResetLink,
  ISSUED_RESET_TTL_MS,
  requestPasswordReset,
  setPasswordAsAdmin,
} from "@/lib/accounts/password-reset";
import { confirmTwoFactorEnrolment, startTwoFactorEnrolment } from "@/lib/accounts/two-factor";
import { resolveSessionUser } from "@/lib/auth/session";

const NEW_PASSWORD = "my new reset passphrase";
const tokenOf = (path: string) => path.split("/reset-password/")[1];

describe("a master's reset link for a member", () => {
  it("works once, sets the password, and ends every session of the member", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    const phone = await signedIn(member.userId);
    const before = Date.now();
    const link = await issuePasswordResetLink(master.actor, { userId: member.userId });
    expect(link.path).toMatch(/^\/reset-password\/[A-Za-z0-9_-]{43}$/);
    expect(link.email).toBe(member.email);
    expect(link.expiresAt.getTime()).toBeGreaterThanOrEqual(before + ISSUED_RESET_TTL_MS - 1000);
    const token = tokenOf(link.path);
    // Only a hash is stored.
    const row = await db.passwordResetToken.findFirstOrThrow({ where: { userId: member.userId } });
    expect(row.tokenHash).not.toContain(token);
    expect(row.kind).toBe("MASTER");

    await expect(describePasswordReset(token)).resolves.toEqual({ status: "valid", email: member.email });
    await expect(completePasswordReset({ token, password: NEW_PASSWORD })).resolves.toEqual({ email: member.email, endedSessions: 2 });
    expect(await resolveSessionUser(member.userId, 0, member.sessionId)).toBeNull();
    expect(await resolveSessionUser(member.userId, 1, phone.sessionId)).toBeNull();
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).not.toBeNull(); // the master is untouched

    const ip = uniqueIp();
    expect(await loginRefusal(authenticate({ email: member.email, password: PASSWORD }, ip))).toEqual({ reason: "invalid" });
    await expect(authenticate({ email: member.email, password: NEW_PASSWORD }, ip)).resolves.toEqual({ id: member.userId, tokenVersion: 1 });

    // Single use.
    await expect(describePasswordReset(token)).resolves.toMatchObject({ status: "used" });
    expect(await appError(completePasswordReset({ token, password: "yet another passphrase" }))).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    await expect(authenticate({ email: member.email, password: NEW_PASSWORD }, ip)).resolves.toBeTruthy();
    expect(await db.auditLog.count({ where: { teamId: master.teamId, action: { in: ["user.password_reset_issued", "user.password_reset"] } } })).toBe(2);
  });

  it("is for the master's own team only, and only the master issues it", async () => {
    const master = await newMaster("A");
    const member = await newMember(master);
    const otherMaster = await newMaster("B");
    const otherMember = await newMember(otherMaster);
    expect(await appError(issuePasswordResetLink(master.actor, { userId: otherMember.userId }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await appError(issuePasswordResetLink(master.actor, { userId: otherMaster.userId }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await appError(issuePasswordResetLink(member.actor, { userId: master.userId }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await appError(issuePasswordResetLink(master.actor, { userId: master.userId }))).toMatchObject({ code: "BAD_USER_INPUT", field: "userId" });
    expect(await appError(issuePasswordResetLink(master.actor, {}))).toMatchObject({ code: "BAD_USER_INPUT", field: "userId" });
    expect(await appError(issuePasswordResetLink(master.actor, { userId: "no-such-user" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await db.passwordResetToken.count({ where: { userId: { in: [otherMember.userId, otherMaster.userId, master.userId] } } })).toBe(0);
  });

  it("a newer link replaces the older one", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    const first = tokenOf((await issuePasswordResetLink(master.actor, { userId: member.userId })).path);
    const second = tokenOf((await issuePasswordResetLink(master.actor, { userId: member.userId })).path);
    expect(await appError(completePasswordReset({ token: first, password: NEW_PASSWORD }))).toMatchObject({ field: "token" });
    await expect(completePasswordReset({ token: second, password: NEW_PASSWORD })).resolves.toMatchObject({ email: member.email });
  });
});

describe("completing a reset", () => {
  it("refuses an expired link, a wrong or made-up token, and a weak password (keeping the link)", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    const token = tokenOf((await issuePasswordResetLink(master.actor, { userId: member.userId })).path);

    const weak = await appError(completePasswordReset({ token, password: "short" }));
    expect(weak).toMatchObject({ code: "BAD_USER_INPUT", field: "password" });
    expect(weak.message).toMatch(/at least 10 characters/);
    await expect(describePasswordReset(token)).resolves.toMatchObject({ status: "valid" });

    expect(await appError(completePasswordReset({ token: token.slice(0, -1) + (token.endsWith("A") ? "B" : "A"), password: NEW_PASSWORD }))).toMatchObject({ field: "token" });
    expect(await appError(completePasswordReset({ token: "", password: NEW_PASSWORD }))).toMatchObject({ field: "token" });
    expect(await appError(completePasswordReset({ password: NEW_PASSWORD }))).toMatchObject({ field: "token" });
    await expect(describePasswordReset("made-up")).resolves.toBeNull();

    await db.passwordResetToken.updateMany({ where: { userId: member.userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(describePasswordReset(token)).resolves.toMatchObject({ status: "expired" });
    expect(await appError(completePasswordReset({ token, password: NEW_PASSWORD }))).toMatchObject({ code: "BAD_USER_INPUT", field: "token", message: expect.stringMatching(/expired/) });
    await expect(authenticate({ email: member.email, password: PASSWORD }, uniqueIp())).resolves.toBeTruthy();
  });

  it("two submissions of one link at once: exactly one wins", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    const token = tokenOf((await issuePasswordResetLink(master.actor, { userId: member.userId })).path);
    const results = await Promise.allSettled([completePasswordReset({ token, password: "first new passphrase" }), completePasswordReset({ token, password: "second new passphrase" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
  });

  it("keeps two-factor authentication: the login after a reset still asks for the code", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    const { secret } = await startTwoFactorEnrolment(member.actor);
    await confirmTwoFactorEnrolment(member.actor, { code: totpCode(secret) });
    const token = tokenOf((await issuePasswordResetLink(master.actor, { userId: member.userId })).path);
    await completePasswordReset({ token, password: NEW_PASSWORD });
    await expect(authenticate({ email: member.email, password: NEW_PASSWORD }, uniqueIp())).rejects.toBeInstanceOf(SecondFactorRequired);
  });
});

describe("reset by email without SMTP", () => {
  it("is not available, and says what to do instead", async () => {
    const master = await newMaster();
    const err = await appError(requestPasswordReset({ email: master.email }, uniqueIp()));
    expect(err.code).toBe("NOT_IMPLEMENTED");
    expect(err.message).toMatch(/master/);
    expect(await db.passwordResetToken.count({ where: { userId: master.userId } })).toBe(0);
  });
});

describe("the administrator's reset (npm run reset-password)", () => {
  it("issues a link for any account, at APP_URL or the local server", async () => {
    const master = await newMaster();
    const { link, email } = await issueAdminResetLink(`  ${master.email.toUpperCase()} `);
    expect(email).toBe(master.email);
    expect(link).toMatch(/^http:\/\/localhost:\d+\/reset-password\/[A-Za-z0-9_-]{43}$/);
    await expect(completePasswordReset({ token: link.split("/reset-password/")[1], password: NEW_PASSWORD })).resolves.toMatchObject({ endedSessions: 1 });
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).toBeNull();
  });

  it("sets a password directly, ending every session; can turn two-factor authentication off", async () => {
    const master = await newMaster();
    const { secret } = await startTwoFactorEnrolment(master.actor);
    await confirmTwoFactorEnrolment(master.actor, { code: totpCode(secret) });
    await expect(setPasswordAsAdmin(master.email, NEW_PASSWORD, { disableTwoFactor: true })).resolves.toEqual({ email: master.email, endedSessions: 1 });
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).toBeNull();
    await expect(authenticate({ email: master.email, password: NEW_PASSWORD }, uniqueIp())).resolves.toEqual({ id: master.userId, tokenVersion: 1 });
    expect(await db.recoveryCode.count({ where: { userId: master.userId } })).toBe(0);
  });

  it("refuses an unknown or invalid email and a weak password", async () => {
    expect(await appError(issueAdminResetLink(uniqueEmail("ghost")))).toMatchObject({ code: "NOT_FOUND" });
    expect(await appError(issueAdminResetLink("not an email"))).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    const master = await newMaster();
    expect(await appError(setPasswordAsAdmin(master.email, "short"))).toMatchObject({ code: "BAD_USER_INPUT", field: "password" });
    await expect(authenticate({ email: master.email, password: PASSWORD }, uniqueIp())).resolves.toBeTruthy();
  });
});
