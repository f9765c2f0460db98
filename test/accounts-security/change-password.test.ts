import { appError, loginRefusal, newMaster, PASSWORD, signedIn, uniqueIp } from "./helpers";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { authenticate, LOCKOUT_MAX_FAILURES } from "@/lib/accounts/authenticate";
import { changePassword } from "@/lib/accounts/change-password";
import { resolveSessionUser } from "@/lib/auth/session";

const NEW_PASSWORD = "a brand new passphrase";

describe("changePassword", () => {
  it("needs the current password; ends the other sessions and keeps this one", async () => {
    const master = await newMaster();
    const laptop = master; // this session
    const phone = await signedIn(master.userId, { userAgent: "phone" });
    const tablet = await signedIn(master.userId, { userAgent: "tablet" });

    await expect(changePassword(laptop.actor, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, uniqueIp())).resolves.toEqual({ endedSessions: 2 });
    expect(await resolveSessionUser(master.userId, 0, laptop.sessionId)).not.toBeNull();
    expect(await resolveSessionUser(master.userId, 0, phone.sessionId)).toBeNull();
    expect(await resolveSessionUser(master.userId, 0, tablet.sessionId)).toBeNull();

    const ip = uniqueIp();
    expect(await loginRefusal(authenticate({ email: master.email, password: PASSWORD }, ip))).toEqual({ reason: "invalid" });
    await expect(authenticate({ email: master.email, password: NEW_PASSWORD }, ip)).resolves.toMatchObject({ id: master.userId });
    const row = await db.user.findUniqueOrThrow({ where: { id: master.userId } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await db.auditLog.count({ where: { teamId: master.teamId, action: "user.password_changed" } })).toBe(1);
  });

  it("refuses a wrong current password naming the field, changing nothing, and counts it toward the lockout", async () => {
    const master = await newMaster();
    const other = await signedIn(master.userId);
    const before = (await db.user.findUniqueOrThrow({ where: { id: master.userId } })).passwordHash;
    const err = await appError(changePassword(master.actor, { currentPassword: "not my password", newPassword: NEW_PASSWORD }, uniqueIp()));
    expect(err).toMatchObject({ code: "BAD_USER_INPUT", field: "currentPassword" });
    expect((await db.user.findUniqueOrThrow({ where: { id: master.userId } })).passwordHash).toBe(before);
    expect(await resolveSessionUser(master.userId, 0, other.sessionId)).not.toBeNull();
    expect(await db.loginAttempt.count({ where: { email: master.email, success: false } })).toBe(1);
  });

  it("is refused while the account is locked, even with the right current password", async () => {
    const master = await newMaster();
    const ip = uniqueIp();
    for (let i = 0; i < LOCKOUT_MAX_FAILURES; i++) {
      await appError(changePassword(master.actor, { currentPassword: `guess ${i}`, newPassword: NEW_PASSWORD }, ip));
    }
    const locked = await appError(changePassword(master.actor, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, ip));
    expect(locked).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/locked/) });
    expect((await loginRefusal(authenticate({ email: master.email, password: PASSWORD }, ip))).reason).toBe("locked");
  });

  it.each([
    [{ currentPassword: PASSWORD, newPassword: "short" }, "newPassword", /at least 10 characters/],
    [{ currentPassword: PASSWORD, newPassword: "x".repeat(257) }, "newPassword", /at most 256 characters/],
    [{ currentPassword: PASSWORD, newPassword: PASSWORD }, "newPassword", /different/],
    [{ currentPassword: PASSWORD }, "newPassword", /Enter a password/],
    [{ currentPassword: "", newPassword: NEW_PASSWORD }, "currentPassword", /current password/],
    [{ newPassword: NEW_PASSWORD }, "currentPassword", /current password/],
    [{ currentPassword: PASSWORD, newPassword: "with a \u0000 NUL char" }, "newPassword", /NUL/],
  ])("refuses %j naming %s, before checking anything", async (input, field, message) => {
    const master = await newMaster();
    const err = await appError(changePassword(master.actor, input, uniqueIp()));
    expect(err).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(err.message).toMatch(message);
    expect(await db.loginAttempt.count({ where: { email: master.email } })).toBe(0);
  });
});
