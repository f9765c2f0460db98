import type { z } from "zod";
import { AppError, badInput, notFound } from "./errors";

/**
 * Why a string cannot be stored or processed as text, or null when it can: PostgreSQL text holds
 * no NUL character, and a lone UTF-16 surrogate (half of a pair, e.g. `"\\ud800"` in JSON) is
 * not a character at all: it has no UTF-8 encoding.
 */
export function badString(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain NUL (\\u0000) characters";
  if (!value.isWellFormed()) return "must be valid Unicode text (it contains a lone UTF-16 surrogate, half of a surrogate pair)";
  return null;
}

/** The path and reason of the first string (object keys included) that is not storable text, or null. */
export function findBadString(value: unknown, path: string[] = []): { path: string[]; reason: string } | null {
  if (typeof value === "string") {
    const reason = badString(value);
    return reason ? { path, reason } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findBadString(value[i], [...path, String(i)]);
      if (found) return found;
    }
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const keyReason = badString(k);
      if (keyReason) return { path: [...path, k.replace(/[\u0000\ud800-\udfff]/g, "\ufffd")], reason: `has a key that ${keyReason}` };
      const found = findBadString(v, [...path, k]);
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
  if (typeof value !== "string" || value.length === 0 || value.length > 200 || badString(value)) throw notFound(what);
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
  const bad = findBadString(raw);
  if (bad) throw badInput([prefix, ...bad.path].filter(Boolean).join(".") || "input", bad.reason);
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
