import type { PublicError } from "@/lib/errors";

/** Where a server error is shown: beside one of the form's fields, or above the submit button. */
export type PlacedError = { field: string; message: string } | { field?: undefined; message: string };

/**
 * The form fields a server error's `field` may stand for, most precise first. Services name fields
 * as their API does (`input.name`, `input.lnd.rest`, `permissions.0.level`); a form registers
 * shorter names. Tried in turn: the path without `input.`, the path without its leading segments
 * (`lnd.rest` → `rest`), then without its trailing segments (`permissions.0.level` → `permissions`).
 */
export function fieldCandidates(field: string): string[] {
  const parts = field.replace(/^input\./, "").split(".").filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) out.push(parts.slice(i).join("."));
  for (let i = parts.length - 1; i > 0; i--) out.push(parts.slice(0, i).join("."));
  return [...new Set(out)];
}

/**
 * A message in the forms' one style (see lib/form-messages.ts): first letter upper case, no trailing
 * period (after a single sentence). Schemas already follow it; some service checks still answer in lower case
 * (`must be a JSON object…`), which this evens out where a form shows them.
 */
export function sentence(message: string): string {
  // One sentence loses its period; a message of several sentences keeps its punctuation.
  const trimmed = /\.\s/.test(message.trim()) ? message.trim() : message.trim().replace(/(?<!\.)\.$/, "");
  // Only a leading lower-case word: a message that starts with a field path (`input.wallet_id: …`) stays as it is.
  return /^[a-z]+[\s,:]/.test(trimmed) ? trimmed.charAt(0).toUpperCase() + trimmed.slice(1) : trimmed;
}

/**
 * Places a server error: beside the first field of the form it names (its `detail`, the message
 * without the field name, since the label is right there), or else as the form's general error
 * (the whole message, which names the field). `aliases` maps a service's field name to the form's
 * when they differ (`{ expires_at: "expiresOn" }`).
 */
export function placeServerError(error: PublicError, fields: Iterable<string>, aliases: Record<string, string> = {}): PlacedError {
  const known = new Set(fields);
  if (error.field) {
    for (const candidate of fieldCandidates(error.field)) {
      const name = aliases[candidate] ?? candidate;
      if (known.has(name)) return { field: name, message: sentence(error.detail ?? error.message) };
    }
  }
  return { message: sentence(error.message) };
}

/**
 * A failure found in the browser (a wrong team password, a macaroon that is not one) or told by an
 * action that does not answer with an ActionResult (login), in the shape a server error has, so
 * useServerForm places it the same way: beside `field`, or above the button.
 */
export function formFailure(message: string, field?: string, code: PublicError["code"] = "BAD_USER_INPUT"): { ok: false; error: PublicError } {
  return { ok: false, error: { code, message, ...(field ? { field, detail: message } : {}) } };
}
