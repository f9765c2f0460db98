import "server-only";
import { badInput } from "../errors";
import { SANDBOX_BEHAVIORS } from "./schemas";

/** `metadata` of create_receive and create_send: a JSON object as a string, with an optional sandbox behavior. */
export function parseMetadata(raw: string | null | undefined): { text: string | null; behavior: (typeof SANDBOX_BEHAVIORS)[number] | null } {
  if (raw === null || raw === undefined) return { text: null, behavior: null };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw badInput("input.metadata", 'must be a JSON object encoded as a string, e.g. "{\\"order_id\\":\\"42\\"}"');
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw badInput("input.metadata", "must encode a JSON object (not an array, string or number)");
  const behavior = (value as Record<string, unknown>).amb_sandbox_behavior;
  if (behavior === undefined) return { text: raw, behavior: null };
  if (typeof behavior !== "string" || !(SANDBOX_BEHAVIORS as readonly string[]).includes(behavior)) {
    throw badInput("input.metadata.amb_sandbox_behavior", `must be one of ${SANDBOX_BEHAVIORS.join(", ")}`);
  }
  return { text: raw, behavior: behavior as (typeof SANDBOX_BEHAVIORS)[number] };
}
