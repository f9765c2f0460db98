import { parseAllowlist, type Allowlist } from "../webhooks/url-policy";

/**
 * The header through which Boltrail's own HTTP server (scripts/server.ts) tells the app who the
 * client is. The server sets it on every request, replacing whatever the client sent, so nothing
 * a client writes can choose the address that rate limits and lockouts count against.
 */
export const CLIENT_IP_HEADER = "x-boltrail-client-ip";

/**
 * Parses `TRUST_PROXY`: the addresses and CIDRs of the reverse proxies whose `X-Forwarded-For`
 * is believed (e.g. `127.0.0.1,10.0.0.0/8`). Empty: no proxy is trusted, the socket address is the client.
 */
export function parseTrustedProxies(entries: readonly string[]): Allowlist {
  const list = parseAllowlist(entries.map((e) => e.trim()).filter(Boolean));
  if (list.hostnames.size > 0) throw new Error(`TRUST_PROXY takes IP addresses and CIDRs, not hostnames (${[...list.hostnames].join(", ")})`);
  return list;
}

const unmapped = (ip: string) => (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip);

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then
 * X-Forwarded-For is read from the right, skipping trusted proxies, and the first address that is
 * not one is the client (the leftmost entries are whatever the client itself wrote).
 */
export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: Allowlist): string {
  const peer = socketAddress ? unmapped(socketAddress) : "unknown";
  if (!socketAddress || !trusted.hasAddress(socketAddress)) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? ""))
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmapped(hops[i].replace(/^\[(.*)\](?::\d+)?$/, "$1"));
    client = hop;
    if (!trusted.hasAddress(hop)) break;
  }
  return client;
}

/** The client's address as Boltrail's server determined it (see CLIENT_IP_HEADER), else "unknown" (e.g. under `next dev`). */
export function clientIp(request: Request): string {
  return request.headers.get(CLIENT_IP_HEADER) || "unknown";
}
