import { badInput } from "../errors";

/**
 * Destructive actions (delete an environment, revoke a key, rotate a webhook secret) ask for the
 * object's name to be typed. One rule for the button (enabled once this is true) and the server
 * action (which refuses otherwise): the same text, ignoring spaces around it.
 */
export function typedNameMatches(typed: unknown, expected: string): boolean {
  return typeof typed === "string" && typed.trim() === expected.trim() && expected.trim() !== "";
}

/** For server actions: BAD_USER_INPUT naming `confirmation` unless the typed text matches. */
export function requireTypedName(typed: unknown, expected: string, what: string): void {
  if (!typedNameMatches(typed, expected)) throw badInput("confirmation", `Type ${what} exactly ("${expected}") to confirm`);
}

/** What to type to confirm an action on a webhook endpoint: its URL's host (with any port). */
export function endpointConfirmationName(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}
