import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { endpointConfirmationName, requireTypedName, typedNameMatches } from "@/lib/auth/typed-confirmation";
import { parseEnv } from "@/lib/env";
import { describeUserAgent } from "@/lib/auth/user-agent";

describe("typed confirmation of destructive actions", () => {
  it("matches the exact name, ignoring spaces around it only", () => {
    expect(typedNameMatches("Shop sandbox", "Shop sandbox")).toBe(true);
    expect(typedNameMatches("  Shop sandbox ", "Shop sandbox")).toBe(true);
    for (const typed of ["shop sandbox", "Shop  sandbox", "Shop", "", undefined, null, 42]) expect(typedNameMatches(typed, "Shop sandbox")).toBe(false);
    expect(typedNameMatches("", "")).toBe(false);
  });

  it("the server refuses a mismatch naming the field `confirmation`", () => {
    expect(() => requireTypedName("Shop sandbox", "Shop sandbox", "the environment's name")).not.toThrow();
    let err: unknown;
    try {
      requireTypedName("shop", "Shop sandbox", "the environment's name");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "BAD_USER_INPUT", field: "confirmation" });
    expect((err as AppError).message).toContain('"Shop sandbox"');
  });

  it("a webhook endpoint is confirmed by its host", () => {
    expect(endpointConfirmationName("https://hooks.example.com/boltrail?x=1")).toBe("hooks.example.com");
    expect(endpointConfirmationName("http://127.0.0.1:3100/hooks/inbox/abc")).toBe("127.0.0.1:3100");
    expect(endpointConfirmationName("not a url")).toBe("not a url");
  });
});

describe("mail configuration", () => {
  it("accepts smtp:// and smtps:// URLs with APP_URL, and a From address", () => {
    const ok = parseEnv({ SMTP_URL: "smtps://user:pw@mail.example.com:465", APP_URL: "https://pay.example.com", MAIL_FROM: "Boltrail <no-reply@pay.example.com>" });
    expect(ok.ok && ok.env.SMTP_URL).toBe("smtps://user:pw@mail.example.com:465");
    expect(parseEnv({ MAIL_FROM: "ops@example.com" }).ok).toBe(true);
  });

  it.each([
    [{ SMTP_URL: "http://mail.example.com", APP_URL: "https://pay.example.com" }, /^SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/],
    [{ SMTP_URL: "smtp://mail.example.com" }, /^APP_URL is required when SMTP_URL is set/],
    [{ MAIL_FROM: "not an address" }, /^MAIL_FROM must be an email address/],
  ])("refuses %j with a clear message", (vars, message) => {
    const result = parseEnv(vars);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.some((p) => message.test(p))).toBe(true);
  });
});

describe("device names in the sessions list", () => {
  it.each([
    ["Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", "Firefox on Linux"],
    ["Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", "Safari on macOS"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1", "Safari on iOS"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36 Edg/140.0.0.0", "Edge on Windows"],
    ["Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36", "Chrome on Android"],
    ["curl/8.5.0", "curl"],
    [null, "Unknown device"],
  ])("%s → %s", (ua, name) => expect(describeUserAgent(ua)).toBe(name));
});
