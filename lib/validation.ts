import type { z } from "zod";
import { AppError, badInput, notFound } from "./errors";

/** Path of the first string containing a NUL character (PostgreSQL text cannot hold one), or null. */
function findNul(value: unknown, path: string[] = []): string[] | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const found = findNul(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * An object id as given by a caller: anything that cannot be an id (not a string, too long, a NUL
 * character) simply matches nothing, so it is NOT_FOUND like any id outside the caller's scope.
 */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 200 || value.includes("\u0000")) throw notFound(what);
  return value;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A strict ISO 8601 date or date-time; impossible dates (2099-02-31, 25:00) are refused, not rolled over. */
export function parseIsoDate(value: string): Date | null {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", sec = "0"] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const ms = Date.parse(value.trim().length === 10 ? `${value.trim()}T00:00:00Z` : value.trim());
  return Number.isNaN(ms) ? null : new Date(ms);
}

/**
 * Parses raw input with a zod schema; the first problem becomes a BAD_USER_INPUT AppError naming
 * the field (dotted path, e.g. `permissions.0.level`).
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, prefix?: string): z.output<S> {
  const nul = findNul(raw);
  if (nul) throw badInput([prefix, ...nul].filter(Boolean).join(".") || "input", "must not contain NUL (\\u0000) characters");
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new AppError("BAD_USER_INPUT", "Invalid input");
  const field = [prefix, ...issue.path.map(String)].filter(Boolean).join(".") || "input";
  throw badInput(field, issue.message);
}

/** FormData → plain object of strings (for server actions). Repeated keys become arrays. */
export function formToObject(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string") continue;
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
