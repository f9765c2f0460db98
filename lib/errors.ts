/**
 * One error type for the whole service layer, and one table mapping its codes to each transport:
 * GraphQL `extensions.code`, HTTP status, and the result of a server action. Anything that is not
 * an AppError becomes INTERNAL_SERVER_ERROR with a generic message: internals never leak, except
 * a database that is unreachable or timed out, which becomes SERVICE_UNAVAILABLE (503): the caller
 * should retry, and a supervisor can tell it from a bug.
 */

export const ERROR_CODES = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  NOT_IMPLEMENTED: 501,
  INTERNAL_SERVER_ERROR: 500,
  /** The database is unreachable, too slow or restarting (a timeout or a lost connection): try again shortly. */
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** The input field at fault, for BAD_USER_INPUT (e.g. "amount", "input.wallet_id"). */
  readonly field?: string;
  /** The message without the field name, for display beside a form field. */
  readonly detail?: string;

  constructor(code: ErrorCode, message: string, options?: { field?: string; detail?: string }) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.field = options?.field;
    this.detail = options?.detail;
  }
}

/** BAD_USER_INPUT whose message names the field: `amount: must be a whole number of satoshis`. */
export const badInput = (field: string, detail: string) =>
  new AppError("BAD_USER_INPUT", `${field}: ${detail}`, { field, detail });
export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
export const forbidden = (message: string) => new AppError("FORBIDDEN", message);
export const unauthenticated = (message = "Authentication required") => new AppError("UNAUTHENTICATED", message);

const SERVICE_UNAVAILABLE_MESSAGE = "The service is temporarily unavailable (database not reachable in time). Please try again in a few seconds.";
export const serviceUnavailable = (message = SERVICE_UNAVAILABLE_MESSAGE) => new AppError("SERVICE_UNAVAILABLE", message);

// What a lost, unreachable or overloaded database looks like, through every layer it can come
// from: node's sockets, pg (its own Errors carry no code), PostgreSQL's SQLSTATEs, @prisma/adapter-pg's
// error kinds and Prisma's codes. Found on the error or anything it wraps (cause, the driver
// adapter's error, an AggregateError's errors).
const UNAVAILABLE_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ENOTFOUND"]);
/** 57014 statement timeout, 57P01–57P03 shutting down / crashed / starting up, 53300 too many connections, 55P03 lock timeout, class 08 connection exceptions. */
const UNAVAILABLE_SQLSTATES = new Set(["57014", "57P01", "57P02", "57P03", "53300", "55P03"]);
const UNAVAILABLE_ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** P1001 can't reach, P1002/P1008 timed out, P1017 connection closed, P2024 pool timeout, P2028 transaction could not start or expired. */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028"]);
const UNAVAILABLE_MESSAGE =
  /Query read timeout|timeout exceeded when trying to connect|Connection terminated|not queryable|Connection closed|canceling statement due to (statement|lock) timeout|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Can't reach database server|Timed out fetching a new connection|Unable to start a transaction in the given time|Transaction already closed/;

/** True when `err` (or what it wraps) says the database is unreachable, timed out or went away. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== "object" || err === null) return false;
  if (err instanceof AppError) return err.code === "SERVICE_UNAVAILABLE";
  const e = err as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; errors?: unknown };
  if (typeof e.code === "string") {
    if (UNAVAILABLE_ERRNOS.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || UNAVAILABLE_PRISMA_CODES.has(e.code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  if (typeof e.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(e.kind)) return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1)) return true;
  if (e.meta?.driverAdapterError !== undefined && isDatabaseUnavailable(e.meta.driverAdapterError, depth + 1)) return true;
  if (Array.isArray(e.errors)) return e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
  return false;
}

/** One warning line per burst (at most every 5 s), not one stack per request, while the database is away. */
let lastUnavailableLog = 0;
function logUnavailable(err: unknown) {
  const now = Date.now();
  if (now - lastUnavailableLog < 5_000) return;
  lastUnavailableLog = now;
  const message = err instanceof Error ? err.message.split("\n").filter(Boolean).slice(-1)[0] : String(err);
  console.warn(`[boltrail] database unavailable (answering SERVICE_UNAVAILABLE): ${message}`);
}

export type PublicError = { code: ErrorCode; message: string; field?: string; detail?: string };

const INTERNAL: PublicError = {
  code: "INTERNAL_SERVER_ERROR",
  message: "Something went wrong on our side. Please try again; if it persists, check the server logs.",
};

/** The client-safe view of any thrown value. Unknown errors are logged here, once. */
export function toPublicError(err: unknown): PublicError {
  if (err instanceof AppError) {
    const out: PublicError = { code: err.code, message: err.message };
    if (err.field) out.field = err.field;
    if (err.detail) out.detail = err.detail;
    return out;
  }
  if (isDatabaseUnavailable(err)) {
    logUnavailable(err);
    return { code: "SERVICE_UNAVAILABLE", message: SERVICE_UNAVAILABLE_MESSAGE };
  }
  console.error("[boltrail] unexpected error:", err);
  return INTERNAL;
}

export function httpStatus(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** The result of every server action: data, or an error safe to show to the user. */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: PublicError };
