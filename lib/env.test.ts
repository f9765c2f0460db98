import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { decodeKey, parseEnv } from "./env";

describe("parseEnv", () => {
  it("applies the documented defaults", () => {
    const result = parseEnv({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.env.DATA_DIR).toBe(".data");
    expect(result.env.PORT).toBe(3000);
    expect(result.env.DATABASE_URL).toBeUndefined();
    expect(result.env.WEBHOOK_TIMEOUT_MS).toBe(15_000);
    expect(result.env.SANDBOX_SETTLE_DELAY_MS).toBe(3_000);
    expect(result.env.WEBHOOK_URL_ALLOWLIST).toEqual([]);
    expect(result.env.LOG_LEVEL).toBe("info");
    expect(result.env.WEB_CONCURRENCY).toBe(Math.min(4, availableParallelism()));
  });

  it("WEB_CONCURRENCY: a whole number of processes from 1 to 64", () => {
    const parsed = (value: string) => parseEnv({ WEB_CONCURRENCY: value });
    const ok = parsed("8");
    expect(ok.ok && ok.env.WEB_CONCURRENCY).toBe(8);
    for (const bad of ["0", "65", "two", "1.5", "-1"]) {
      const result = parsed(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.problems.join("\n")).toContain("WEB_CONCURRENCY");
    }
  });

  it("names every bad variable at once", () => {
    const result = parseEnv({
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      AUTH_SECRET: "short",
      APP_ENCRYPTION_KEY: "nothex",
      LOG_LEVEL: "loud",
      WEBHOOK_TIMEOUT_MS: "5",
      APP_URL: "pay.example.com",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join("\n");
    for (const name of ["PORT", "DATABASE_URL", "AUTH_SECRET", "APP_ENCRYPTION_KEY", "LOG_LEVEL", "WEBHOOK_TIMEOUT_MS", "APP_URL"]) {
      expect(text).toContain(name);
    }
    expect(result.problems).toHaveLength(7);
  });

  it("names each bad allowlist, proxy list or network with what it expects", () => {
    const result = parseEnv({ WEBHOOK_URL_ALLOWLIST: "a b", NODE_URL_ALLOWLIST: "10.0.0.0/99", TRUST_PROXY: "proxy.internal", LIVE_NETWORK: "moon" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join("\n");
    expect(text).toMatch(/WEBHOOK_URL_ALLOWLIST: .*expected hostnames and CIDRs/);
    expect(text).toMatch(/NODE_URL_ALLOWLIST: .*expected hostnames and CIDRs/);
    expect(text).not.toMatch(/NODE_URL_ALLOWLIST: WEBHOOK_URL_ALLOWLIST/);
    expect(text).toMatch(/TRUST_PROXY: .*not hostnames/);
    expect(text).toMatch(/LIVE_NETWORK must be mainnet, testnet, signet or regtest/);
  });

  it("refuses to run in production without the two secrets, naming them", () => {
    const result = parseEnv({ NODE_ENV: "production" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join("\n")).toMatch(/AUTH_SECRET is required when NODE_ENV=production/);
    expect(result.problems.join("\n")).toMatch(/APP_ENCRYPTION_KEY is required when NODE_ENV=production/);
  });

  it("accepts production with both secrets and parses the allowlist", () => {
    const result = parseEnv({
      NODE_ENV: "production",
      AUTH_SECRET: "x".repeat(32),
      APP_ENCRYPTION_KEY: "ab".repeat(32),
      WEBHOOK_URL_ALLOWLIST: " 127.0.0.1/32 , hooks.internal ,",
      PORT: "8080",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.env.WEBHOOK_URL_ALLOWLIST).toEqual(["127.0.0.1/32", "hooks.internal"]);
    expect(result.env.PORT).toBe(8080);
  });
});

describe("decodeKey", () => {
  it("reads 32 bytes from hex or base64 and refuses anything else", () => {
    expect(decodeKey("00".repeat(32))?.length).toBe(32);
    expect(decodeKey(Buffer.alloc(32, 7).toString("base64"))?.length).toBe(32);
    expect(decodeKey(Buffer.alloc(32, 7).toString("base64url"))?.length).toBe(32);
    expect(decodeKey("00".repeat(31))).toBeNull();
    expect(decodeKey(Buffer.alloc(16).toString("base64"))).toBeNull();
    expect(decodeKey("")).toBeNull();
  });
});
