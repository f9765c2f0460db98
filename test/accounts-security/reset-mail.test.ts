// Password reset by email against a real SMTP server (the sink below), through nodemailer.
import { appError, loginRefusal, newMaster, PASSWORD, uniqueEmail, uniqueIp } from "./helpers";
import { afterAll, describe, expect, it } from "vitest";
import { decodedBody, header, startSmtpSink } from "./smtp-sink";

// lib/env.ts reads the configuration on first use, after this.
const sink = await startSmtpSink();
process.env.SMTP_URL = sink.url;
process.env.APP_URL = "https://pay.example.test";
process.env.MAIL_FROM = "Boltrail <no-reply@pay.example.test>";

const { db } = await import("@/lib/db");
const { authenticate } = await import("@/lib/accounts/authenticate");
const { completePasswordReset, describePasswordReset, requestPasswordReset, RESET_REQUESTS_PER_EMAIL, RESET_REQUESTS_PER_IP } = await import("@/lib/accounts/password-reset");
const { resolveSessionUser } = await import("@/lib/auth/session");

afterAll(() => sink.close());

const NEW_PASSWORD = "mailed reset passphrase";
const LINK = /https:\/\/pay\.example\.test\/reset-password\/([A-Za-z0-9_-]{43})/;
/** Waits a moment for any mail in flight (sending happens in the background). */
const settle = () => new Promise((r) => setTimeout(r, 600));

describe("reset by email", () => {
  it("mails a link at APP_URL whose token resets the password once and ends every session", async () => {
    const master = await newMaster();
    await expect(requestPasswordReset({ email: ` ${master.email.toUpperCase()} ` }, uniqueIp())).resolves.toBeUndefined();
    const mail = await sink.nextMessage((m) => m.to.includes(master.email));
    expect(mail.from).toBe("no-reply@pay.example.test");
    expect(header(mail.raw, "Subject")).toBe("Reset your Boltrail password");
    expect(header(mail.raw, "To")).toBe(master.email);
    const body = decodedBody(mail.raw);
    const match = LINK.exec(body);
    expect(match, "the reset link in the mail").not.toBeNull();
    expect(body).toMatch(/30 minutes/);
    const token = match![1];

    const row = await db.passwordResetToken.findFirstOrThrow({ where: { userId: master.userId } });
    expect(row.kind).toBe("EMAIL");
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeLessThanOrEqual(30 * 60 * 1000 + 1000);
    expect(row.tokenHash).not.toContain(token);

    await expect(describePasswordReset(token)).resolves.toEqual({ status: "valid", email: master.email });
    await expect(completePasswordReset({ token, password: NEW_PASSWORD })).resolves.toMatchObject({ email: master.email, endedSessions: 1 });
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).toBeNull();
    const ip = uniqueIp();
    expect((await loginRefusal(authenticate({ email: master.email, password: PASSWORD }, ip))).reason).toBe("invalid");
    await expect(authenticate({ email: master.email, password: NEW_PASSWORD }, ip)).resolves.toMatchObject({ id: master.userId });
    expect(await appError(completePasswordReset({ token, password: "another new passphrase" }))).toMatchObject({ field: "token" });
  });

  it("answers the same for an email with no account, and sends nothing", async () => {
    const ghost = uniqueEmail("ghost");
    await expect(requestPasswordReset({ email: ghost }, uniqueIp())).resolves.toBeUndefined();
    await settle();
    expect(sink.messages.filter((m) => m.to.includes(ghost))).toEqual([]);
  });

  it("sends at most a few mails per email an hour, silently; too many requests from one address are refused", async () => {
    const master = await newMaster();
    for (let i = 0; i < RESET_REQUESTS_PER_EMAIL + 2; i++) await requestPasswordReset({ email: master.email }, uniqueIp());
    await settle();
    expect(sink.messages.filter((m) => m.to.includes(master.email))).toHaveLength(RESET_REQUESTS_PER_EMAIL);

    const ip = uniqueIp();
    for (let i = 0; i < RESET_REQUESTS_PER_IP; i++) await requestPasswordReset({ email: uniqueEmail("any") }, ip);
    const limited = await appError(requestPasswordReset({ email: uniqueEmail("any") }, ip));
    expect(limited).toMatchObject({ code: "RATE_LIMITED", message: expect.stringMatching(/Too many reset requests/) });
  });

  it("refuses a malformed email naming the field", async () => {
    expect(await appError(requestPasswordReset({ email: "nope" }, uniqueIp()))).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    expect(await appError(requestPasswordReset({}, uniqueIp()))).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
  });
});
