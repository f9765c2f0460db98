import "server-only";
import { env } from "../env";
import { parseAllowlist, validateWebhookUrl, type Allowlist } from "./url-policy";

let cached: { source: string[]; matcher: Allowlist } | null = null;

/** WEBHOOK_URL_ALLOWLIST, parsed once per process. */
export function webhookAllowlist(): Allowlist {
  const source = env().WEBHOOK_URL_ALLOWLIST;
  if (!cached || cached.source !== source) cached = { source, matcher: parseAllowlist(source) };
  return cached.matcher;
}

/**
 * The rules of DESIGN.md §7 at create/update: https, no credentials, no local or internal names,
 * and every address the host resolves to is public (unless allowlisted). Returns the normalised URL.
 */
export async function validateEndpointUrl(raw: string, field = "input.url"): Promise<string> {
  return (await validateWebhookUrl(raw, { allowlist: webhookAllowlist(), field })).toString();
}
