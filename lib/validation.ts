import type { z } from "zod";
import { AppError, badInput } from "./errors";

/**
 * Parses raw input with a zod schema; the first problem becomes a BAD_USER_INPUT AppError naming
 * the field (dotted path, e.g. `permissions.0.level`).
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, prefix?: string): z.output<S> {
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
