/**
 * Boltrail's configuration: every environment variable, validated with zod.
 * The launcher (`scripts/boltrail.ts`) validates at boot, before anything starts, and prints one
 * line per bad variable; the app reads the typed result through `env()`.
 */
import { availableParallelism } from "node:os";
import { z } from "zod";
import { parseTrustedProxies } from "./http/client-ip";
import { DEFAULT_WEBHOOK_PORTS, parseAllowlist, parsePortPolicy, type PortPolicy } from "./webhooks/url-policy";

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .optional()
  .transform((v) => (v ? v : undefined));

/** A comma-separated list of hostnames and CIDRs (the URL allowlists), as entries, refused at boot when one is neither. */
function hostAllowlist(name: string) {
  return optionalString
    .transform((v) =>
      (v ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .superRefine((entries, ctx) => {
      try {
        parseAllowlist(entries);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `${name}: ${(err as Error).message.replace(/^WEBHOOK_URL_ALLOWLIST: /, "")} (expected hostnames and CIDRs, comma-separated)` });
      }
    });
}

function intInRange(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return fallback;
      if (!/^\d+$/.test(v.trim())) {
        ctx.addIssue({ code: "custom", message: `${name} must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v.trim());
      if (n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });
}

export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).optional().default("development"),
  DATA_DIR: optionalString.transform((v) => v ?? ".data"),
  DATABASE_URL: optionalString.refine(
    (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
    "DATABASE_URL must be a postgres:// or postgresql:// connection string",
  ),
  AUTH_SECRET: optionalString.refine(
    (v) => v === undefined || v.length >= 32,
    "AUTH_SECRET must be at least 32 characters (generate one with `openssl rand -base64 32`)",
  ),
  APP_ENCRYPTION_KEY: optionalString.refine(
    (v) => v === undefined || decodeKey(v) !== null,
    "APP_ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64 (generate one with `openssl rand -hex 32`)",
  ),
  APP_URL: optionalString.refine(
    (v) => v === undefined || /^https?:\/\/[^\s/]+/.test(v),
    "APP_URL must be an absolute http(s) URL such as https://pay.example.com",
  ),
  PORT: intInRange("PORT", 1, 65535, 3000),
  /** Server processes of `npm start` sharing PORT (node:cluster); by default one per core, at most 4. */
  WEB_CONCURRENCY: intInRange("WEB_CONCURRENCY", 1, 64, Math.min(4, availableParallelism())),
  /**
   * Reverse proxies (IP addresses and CIDRs) whose X-Forwarded-For names the client; empty: the
   * socket address is the client and X-Forwarded-For is ignored (login limits, LNURL limits).
   */
  TRUST_PROXY: optionalString.transform((v, ctx) => {
    const entries = (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    try {
      return parseTrustedProxies(entries);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `TRUST_PROXY: ${(err as Error).message.replace(/^WEBHOOK_URL_ALLOWLIST: /, "")} (expected IP addresses and CIDRs, comma-separated)` });
      return z.NEVER;
    }
  }),
  WEBHOOK_URL_ALLOWLIST: hostAllowlist("WEBHOOK_URL_ALLOWLIST"),
  /**
   * Hosts and CIDRs a Lightning node's REST URL may point at although private (a node on the same
   * network as Boltrail); other node URLs follow the webhook URL rules (public addresses only).
   */
  NODE_URL_ALLOWLIST: hostAllowlist("NODE_URL_ALLOWLIST"),
  /** The Bitcoin network attached (live) nodes must be on; testnet, signet and regtest are for testing with your own node. */
  LIVE_NETWORK: z
    .enum(["mainnet", "testnet", "signet", "regtest"], { error: "LIVE_NETWORK must be mainnet, testnet, signet or regtest" })
    .optional()
    .default("mainnet"),
  /** Ports webhook and Lightning Address URLs may use (allowlisted hosts excepted); database and infrastructure ports inside a range stay refused. */
  WEBHOOK_ALLOWED_PORTS: optionalString.transform((v, ctx): PortPolicy => {
    try {
      return parsePortPolicy(v ?? DEFAULT_WEBHOOK_PORTS);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  }),
  WEBHOOK_TIMEOUT_MS: intInRange("WEBHOOK_TIMEOUT_MS", 100, 120_000, 15_000),
  SANDBOX_SETTLE_DELAY_MS: intInRange("SANDBOX_SETTLE_DELAY_MS", 0, 86_400_000, 3_000),
  LOG_LEVEL: z.enum(LOG_LEVELS).optional().default("info"),
  SANDBOX_BTC_USD_PRICE: optionalString
    .refine((v) => v === undefined || (/^\d+(\.\d{1,2})?$/.test(v) && Number(v) > 0), "SANDBOX_BTC_USD_PRICE must be a positive USD amount such as 100000 or 97345.12")
    .transform((v) => v ?? "100000"),
  FEE_BASIS_POINTS: intInRange("FEE_BASIS_POINTS", 0, 10_000, 0),
  /** Sends to invoices of other nodes reserve max(SEND_FEE_RESERVE_MIN_SATS, amount × bps / 10 000) for routing fees. */
  SEND_FEE_RESERVE_BPS: intInRange("SEND_FEE_RESERVE_BPS", 0, 10_000, 50),
  SEND_FEE_RESERVE_MIN_SATS: intInRange("SEND_FEE_RESERVE_MIN_SATS", 0, 1_000_000, 10),
  /** Lightning Address (LNURL-pay) requests: the whole exchange with the payee's server, per request. */
  LNURL_TIMEOUT_MS: intInRange("LNURL_TIMEOUT_MS", 100, 60_000, 5_000),
  /**
   * PostgreSQL statement_timeout of the app's connections; the client also gives up on a query
   * 1 s after it (a paused or unreachable server). Migrations run on their own connection, without it.
   */
  DB_STATEMENT_TIMEOUT_MS: intInRange("DB_STATEMENT_TIMEOUT_MS", 100, 600_000, 5_000),
  /** Most time to get a database connection (from the pool, or a new one) before SERVICE_UNAVAILABLE. */
  DB_CONNECT_TIMEOUT_MS: intInRange("DB_CONNECT_TIMEOUT_MS", 100, 120_000, 3_000),
  /**
   * Password reset by email: an SMTP server as smtp://user:pass@host:587 (STARTTLS when offered)
   * or smtps://…:465 (TLS). Unset: no reset mail; a master issues reset links, or `npm run reset-password`.
   */
  SMTP_URL: optionalString.refine(
    (v) => v === undefined || /^smtps?:\/\/[^\s/]+/.test(v),
    "SMTP_URL must be an smtp:// or smtps:// URL such as smtp://user:password@mail.example.com:587",
  ),
  /** The From of Boltrail's mail, e.g. `Boltrail <no-reply@pay.example.com>`; defaults to no-reply@<host of APP_URL>. */
  MAIL_FROM: optionalString.refine(
    (v) => v === undefined || /^(?:[^<>\r\n]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/.test(v),
    "MAIL_FROM must be an email address, optionally with a name: Boltrail <no-reply@pay.example.com>",
  ),
  WORKER_IN_APP: z
    .enum(["true", "false"], { error: "WORKER_IN_APP must be true or false" })
    .optional()
    .transform((v) => v !== "false"),
});

export type Env = z.output<typeof EnvSchema>;

/** Decodes a 32-byte key given as 64 hex characters or base64; null when it is neither. */
export function decodeKey(value: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const buf = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return buf.length === 32 ? buf : null;
  }
  return null;
}

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

/**
 * Parses a set of variables. In production AUTH_SECRET and APP_ENCRYPTION_KEY are required
 * (elsewhere the launcher generates them into DATA_DIR before calling this).
 */
export function parseEnv(source: Record<string, string | undefined>): EnvResult {
  // A variable set to the empty string counts as unset.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = EnvSchema.safeParse(present);
  const problems: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      problems.push(issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`);
    }
    return { ok: false, problems };
  }
  const env = result.data;
  // Reset links in mail must point at this instance's public address, never at a Host header.
  if (env.SMTP_URL && !env.APP_URL) problems.push("APP_URL is required when SMTP_URL is set: password reset mails link to it (e.g. APP_URL=https://pay.example.com)");
  if (env.NODE_ENV === "production") {
    if (!env.AUTH_SECRET) problems.push("AUTH_SECRET is required when NODE_ENV=production (generate one with `openssl rand -base64 32`)");
    if (!env.APP_ENCRYPTION_KEY) problems.push("APP_ENCRYPTION_KEY is required when NODE_ENV=production (generate one with `openssl rand -hex 32`)");
  }
  return problems.length ? { ok: false, problems } : { ok: true, env };
}

let cached: Env | undefined;

/** The validated configuration of this process. Throws a readable error listing every problem. */
export function env(): Env {
  if (cached) return cached;
  const result = parseEnv(process.env);
  if (!result.ok) {
    throw new Error(`Invalid configuration:\n  - ${result.problems.join("\n  - ")}`);
  }
  cached = result.env;
  return cached;
}

/** The 32-byte key used for AES-256-GCM encryption of stored secrets. */
export function encryptionKey(): Buffer {
  const value = env().APP_ENCRYPTION_KEY;
  const key = value ? decodeKey(value) : null;
  if (!key) throw new Error("APP_ENCRYPTION_KEY is not set; start Boltrail with `npm start` or set it explicitly");
  return key;
}
