/**
 * One error type for the whole service layer, and one table mapping its codes to each transport:
 * GraphQL `extensions.code`, HTTP status, and the result of a server action. Anything that is not
 * an AppError becomes INTERNAL_SERVER_ERROR with a generic message: internals never leak.
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
  console.error("[boltrail] unexpected error:", err);
  return INTERNAL;
}

export function httpStatus(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** The result of every server action: data, or an error safe to show to the user. */
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: PublicError };
