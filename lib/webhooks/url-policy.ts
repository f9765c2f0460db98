/**
 * Which webhook URLs Boltrail will deliver to (DESIGN.md §7): `https` URLs whose host resolves only
 * to public addresses. Two layers:
 *
 * - `checkWebhookUrl` — the static rules, at create/update and again before every delivery: scheme,
 *   credentials, hostname shape (`localhost`, `.local`, `.internal`, single-label, …) and IP literals.
 * - `resolveAndCheck` — resolves the host (one DNS lookup) and refuses it when ANY answer is not
 *   public. `safeDeliver` (./safe-fetch) then connects to exactly those validated addresses, so a
 *   second, different DNS answer can never be used (no DNS-rebinding window).
 *
 * `WEBHOOK_URL_ALLOWLIST` (hostnames and CIDRs) exempts matching hosts and addresses from the
 * public-address, the https and the port rules — for self-hosters with internal receivers, and for
 * tests. `WEBHOOK_ALLOWED_PORTS` (default `443,1024-65535`) names the ports other URLs may use;
 * database and infrastructure ports inside its ranges stay refused (see `parsePortPolicy`), and
 * port 0 is never valid, allowlisted or not.
 *
 * Pure node: no `server-only`, no database. (lib/env imports this module to validate the two
 * variables; this module reads `env()` only when called, never while loading.)
 */
import dns from "node:dns";
import net from "node:net";
import { env } from "../env";
import { badInput } from "../errors";

// ---------------------------------------------------------------------------------------------
// IP addresses as bytes

type Ip = { version: 4; bytes: Uint8Array } | { version: 6; bytes: Uint8Array };

function parseIPv4(text: string): Uint8Array | null {
  // net.isIPv4 is strict: four decimal parts 0-255 without leading zeros, so "0177.0.0.1" or
  // "127.1" are not IPs here (the WHATWG URL parser has already normalised them in URLs).
  if (!net.isIPv4(text)) return null;
  return Uint8Array.from(text.split(".").map(Number));
}

function parseIPv6(text: string): Uint8Array | null {
  const zone = text.indexOf("%");
  const address = zone === -1 ? text : text.slice(0, zone);
  if (!net.isIPv6(address)) return null;
  let groups = address;
  let tail: number[] = [];
  // A dotted IPv4 tail (::ffff:127.0.0.1, 64:ff9b::1.2.3.4) is two groups.
  const lastColon = groups.lastIndexOf(":");
  const last = groups.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIPv4(last);
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    groups = groups.slice(0, lastColon + 1);
    if (groups.endsWith(":") && !groups.endsWith("::")) groups = groups.slice(0, -1);
  }
  const parseGroups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  let words: number[];
  const gap = groups.indexOf("::");
  if (gap === -1) {
    words = [...parseGroups(groups), ...tail];
  } else {
    const head = parseGroups(groups.slice(0, gap));
    const rest = [...parseGroups(groups.slice(gap + 2)), ...tail];
    const zeros = 8 - head.length - rest.length;
    if (zeros < 0) return null;
    words = [...head, ...new Array<number>(zeros).fill(0), ...rest];
  }
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

/** Removes the brackets of a URL's IPv6 hostname (`[::1]` → `::1`). */
function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function parseIp(text: string): Ip | null {
  const host = unbracket(text);
  const v4 = parseIPv4(host);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = parseIPv6(host);
  return v6 ? { version: 6, bytes: v6 } : null;
}

function inPrefix(bytes: Uint8Array, network: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== network[i]) return false;
  const bits = prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (bytes[full] & mask) === (network[full] & mask);
}

/** The IPv4 address of an IPv4-mapped IPv6 address (::ffff:a.b.c.d), else null. */
function mappedIPv4(bytes: Uint8Array): Uint8Array | null {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return null;
  return bytes[10] === 0xff && bytes[11] === 0xff ? bytes.slice(12, 16) : null;
}

// ---------------------------------------------------------------------------------------------
// Public or not

type Range = { network: Uint8Array; prefix: number; label: string };

function range(cidr: string, label: string): Range {
  const [address, prefix] = cidr.split("/");
  const ip = parseIp(address);
  if (!ip) throw new Error(`bad built-in range ${cidr}`);
  return { network: ip.bytes, prefix: Number(prefix), label };
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates), most specific first.
const V4_NON_PUBLIC: Range[] = [
  range("0.0.0.0/32", "an unspecified"),
  range("0.0.0.0/8", "a reserved"),
  range("10.0.0.0/8", "a private"),
  range("100.64.0.0/10", "a carrier-grade NAT"),
  range("127.0.0.0/8", "a loopback"),
  range("169.254.0.0/16", "a link-local"),
  range("172.16.0.0/12", "a private"),
  range("192.0.0.0/24", "an IETF-reserved"),
  range("192.0.2.0/24", "a documentation"),
  range("192.88.99.0/24", "a reserved"), // deprecated 6to4 relay anycast
  range("192.168.0.0/16", "a private"),
  range("198.18.0.0/15", "a benchmarking"),
  range("198.51.100.0/24", "a documentation"),
  range("203.0.113.0/24", "a documentation"),
  range("224.0.0.0/4", "a multicast"),
  range("255.255.255.255/32", "a broadcast"),
  range("240.0.0.0/4", "a reserved"),
];

// IPv6: only global unicast (2000::/3) can be public, minus the special ranges inside it; the
// translation prefixes below are judged by the IPv4 address they embed.
const V6_NON_PUBLIC: Range[] = [
  range("::/128", "an unspecified"),
  range("::1/128", "a loopback"),
  range("100::/64", "a discard-only"),
  range("64:ff9b:1::/48", "a local NAT64"),
  range("fc00::/7", "a private"),
  range("fe80::/10", "a link-local"),
  range("fec0::/10", "a site-local"),
  range("ff00::/8", "a multicast"),
  range("2001::/32", "a Teredo"),
  range("2001:2::/48", "a benchmarking"),
  range("2001:db8::/32", "a documentation"),
  range("2001::/23", "an IETF-reserved"),
  range("3fff::/20", "a documentation"),
];
const V6_GLOBAL_UNICAST = range("2000::/3", "");
const NAT64 = range("64:ff9b::/96", "");
const SIX_TO_FOUR = range("2002::/16", "");

function classifyV4(bytes: Uint8Array): string | null {
  for (const r of V4_NON_PUBLIC) if (inPrefix(bytes, r.network, r.prefix)) return r.label;
  return null;
}

function classifyV6(bytes: Uint8Array): string | null {
  const mapped = mappedIPv4(bytes);
  if (mapped) return classifyV4(mapped);
  if (inPrefix(bytes, NAT64.network, NAT64.prefix)) return classifyV4(bytes.slice(12, 16));
  if (inPrefix(bytes, SIX_TO_FOUR.network, SIX_TO_FOUR.prefix)) return classifyV4(bytes.slice(2, 6));
  for (const r of V6_NON_PUBLIC) if (inPrefix(bytes, r.network, r.prefix)) return r.label;
  if (!inPrefix(bytes, V6_GLOBAL_UNICAST.network, V6_GLOBAL_UNICAST.prefix)) return "a reserved";
  return null;
}

/**
 * Why an address is not public, as a phrase for messages ("a loopback", "a private", …), or null
 * when it is public. Anything that is not an IP address is "an invalid" (fail closed).
 */
export function classifyAddress(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return "an invalid";
  return parsed.version === 4 ? classifyV4(parsed.bytes) : classifyV6(parsed.bytes);
}

/**
 * Whether a literal IP address (v4 dotted quad or v6, brackets allowed) is publicly routable.
 * False for loopback, private, link-local, CGNAT, multicast, reserved, documentation, benchmarking
 * and unspecified ranges, for IPv4-mapped / NAT64 / 6to4 addresses embedding such an IPv4 address,
 * and for anything that is not an IP address.
 */
export function isPublicAddress(ip: string): boolean {
  return classifyAddress(ip) === null;
}

// ---------------------------------------------------------------------------------------------
// Allowlist

export type Cidr = { version: 4 | 6; network: Uint8Array; prefix: number; text: string };

export interface Allowlist {
  readonly hostnames: ReadonlySet<string>;
  readonly cidrs: readonly Cidr[];
  /** Exact hostname match: case-insensitive, trailing dot ignored. */
  hasHostname(hostname: string): boolean;
  /** Whether an IP address (brackets allowed) is inside one of the CIDRs (or equals an IP entry). */
  hasAddress(ip: string): boolean;
  /** A URL host: IP literals are matched against the CIDRs, names against the hostnames. */
  matchesHost(host: string): boolean;
}

/** The allowlist as `checkWebhookUrl` & co. accept it: parsed, or the raw entries of lib/env. */
export type AllowlistInput = Allowlist | readonly string[];

function normalizeHostname(host: string): string {
  const lower = unbracket(host.trim()).toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

function parseCidr(entry: string): Cidr | null {
  const slash = entry.lastIndexOf("/");
  const addressPart = slash === -1 ? entry : entry.slice(0, slash);
  const ip = parseIp(addressPart);
  if (!ip) return null;
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const prefixPart = entry.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixPart)) return null;
    prefix = Number(prefixPart);
    if (prefix > max) return null;
  }
  return { version: ip.version, network: ip.bytes, prefix, text: entry };
}

/** The hostname of an allowlist entry in URL form (lowercase, punycode), or null when it is not one. */
function parseHostnameEntry(entry: string): string | null {
  if (/[/:@?#\s\\]/.test(entry)) return null;
  let url: URL;
  try {
    url = new URL(`http://${entry}`);
  } catch {
    return null;
  }
  if (url.host !== url.hostname || url.pathname !== "/" || url.search || url.hash) return null;
  const hostname = normalizeHostname(url.hostname);
  return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(hostname) ? hostname : null;
}

function matchesCidrs(cidrs: readonly Cidr[], ip: string): boolean {
  const parsed = parseIp(ip);
  if (!parsed) return false;
  const forms: Array<{ version: 4 | 6; bytes: Uint8Array }> = [parsed];
  // 127.0.0.1 and ::ffff:127.0.0.1 are the same endpoint: match either against either family.
  if (parsed.version === 6) {
    const v4 = mappedIPv4(parsed.bytes);
    if (v4) forms.push({ version: 4, bytes: v4 });
  } else {
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    mapped.set(parsed.bytes, 12);
    forms.push({ version: 6, bytes: mapped });
  }
  return cidrs.some((c) => forms.some((f) => f.version === c.version && inPrefix(f.bytes, c.network, c.prefix)));
}

/**
 * Parses `WEBHOOK_URL_ALLOWLIST` entries: hostnames (exact, case-insensitive, trailing dot
 * ignored), IP addresses, and CIDRs (v4 and v6, e.g. `127.0.0.1/32`, `10.0.0.0/8`, `fd00::/8`).
 * Throws on an entry that is none of these, so a typo cannot silently allow nothing (or more).
 */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  const hostnames = new Set<string>();
  const cidrs: Cidr[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const cidr = parseCidr(entry);
    if (cidr) {
      cidrs.push(cidr);
      continue;
    }
    const hostname = entry.includes("/") ? null : parseHostnameEntry(entry);
    // A name the URL parser turns into an IPv4 address ("2130706433") is that address.
    const asIp = hostname ? parseCidr(hostname) : null;
    if (asIp) cidrs.push({ ...asIp, text: entry });
    else if (hostname) hostnames.add(hostname);
    else throw new Error(`WEBHOOK_URL_ALLOWLIST: "${entry}" is not a hostname, IP address or CIDR`);
  }
  const hasHostname = (hostname: string) => hostnames.size > 0 && hostnames.has(normalizeHostname(hostname));
  const hasAddress = (ip: string) => cidrs.length > 0 && matchesCidrs(cidrs, ip);
  return {
    hostnames,
    cidrs,
    hasHostname,
    hasAddress,
    matchesHost: (host) => (parseIp(host) ? hasAddress(host) : hasHostname(host)),
  };
}

function toAllowlist(input: AllowlistInput): Allowlist {
  return Array.isArray(input) ? parseAllowlist(input) : (input as Allowlist);
}

// ---------------------------------------------------------------------------------------------
// Ports

/**
 * Well-known database, cache, queue and infrastructure ports: never a webhook receiver, always
 * worth probing from inside a network. Refused even inside an allowed range; an operator who
 * really runs a receiver on one lists that port on its own in WEBHOOK_ALLOWED_PORTS.
 */
export const INFRASTRUCTURE_PORTS: ReadonlyMap<number, string> = new Map([
  [1433, "Microsoft SQL Server"],
  [1521, "Oracle Database"],
  [2049, "NFS"],
  [2375, "Docker API"],
  [2376, "Docker API over TLS"],
  [2379, "etcd"],
  [2380, "etcd peer"],
  [3306, "MySQL"],
  [3389, "RDP"],
  [4369, "Erlang port mapper"],
  [5432, "PostgreSQL"],
  [5601, "Kibana"],
  [5672, "AMQP"],
  [5900, "VNC"],
  [5984, "CouchDB"],
  [6379, "Redis"],
  [6443, "Kubernetes API"],
  [7001, "WebLogic"],
  [8086, "InfluxDB"],
  [8500, "Consul"],
  [8983, "Solr"],
  [9042, "Cassandra"],
  [9092, "Kafka"],
  [9200, "Elasticsearch"],
  [9300, "Elasticsearch transport"],
  [9229, "Node.js inspector"],
  [10250, "Kubelet API"],
  [11211, "Memcached"],
  [15672, "RabbitMQ management"],
  [27017, "MongoDB"],
  [27018, "MongoDB"],
  [28015, "RethinkDB"],
]);

export const DEFAULT_WEBHOOK_PORTS = "443,1024-65535";

export type PortPolicy = {
  /** The ranges given (single ports are ranges of one), inclusive. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  /** Ports listed on their own: allowed even when they are INFRASTRUCTURE_PORTS. */
  readonly listed: ReadonlySet<number>;
  /** The normalised spec, for messages. */
  readonly text: string;
};

/**
 * Parses `WEBHOOK_ALLOWED_PORTS`: comma-separated ports and inclusive ranges (`443,1024-65535`),
 * each within 1–65535. Throws a readable Error on anything else (port 0 included), so a typo
 * cannot silently allow nothing, or everything.
 */
export function parsePortPolicy(spec: string): PortPolicy {
  const ranges: Array<readonly [number, number]> = [];
  const listed = new Set<number>();
  const entries = spec.split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error("WEBHOOK_ALLOWED_PORTS: no ports given (expected e.g. 443,1024-65535)");
  const port = (text: string, entry: string) => {
    if (!/^\d{1,5}$/.test(text)) throw new Error(`WEBHOOK_ALLOWED_PORTS: "${entry}" is not a port or a range of ports such as 1024-65535`);
    const n = Number(text);
    if (n < 1 || n > 65535) throw new Error(`WEBHOOK_ALLOWED_PORTS: "${entry}" is outside 1-65535 (port 0 is never valid)`);
    return n;
  };
  for (const entry of entries) {
    const dash = entry.indexOf("-");
    if (dash === -1) {
      const n = port(entry, entry);
      listed.add(n);
      ranges.push([n, n]);
      continue;
    }
    const low = port(entry.slice(0, dash).trim(), entry);
    const high = port(entry.slice(dash + 1).trim(), entry);
    if (low > high) throw new Error(`WEBHOOK_ALLOWED_PORTS: "${entry}" is an empty range`);
    ranges.push([low, high]);
  }
  return { ranges, listed, text: entries.map((e) => e.replace(/\s+/g, "")).join(",") };
}

/** WEBHOOK_ALLOWED_PORTS of this process (lib/env parses and validates it). */
function configuredPorts(): PortPolicy {
  return env().WEBHOOK_ALLOWED_PORTS;
}

/** The port a URL connects to: its explicit port, else its scheme's default. */
function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "http:" ? 80 : 443;
}

/** Why a URL's port is refused, or null. Allowlisted hosts skip everything but the port 0 rule. */
function portProblem(url: URL, policy: PortPolicy, allowlisted: boolean): string | null {
  const port = effectivePort(url);
  if (port === 0) return "port 0 is not a valid port";
  if (allowlisted) return null;
  if (!policy.ranges.some(([low, high]) => port >= low && port <= high)) {
    return `port ${port} is not allowed (allowed ports: ${policy.text})`;
  }
  const service = INFRASTRUCTURE_PORTS.get(port);
  if (service && !policy.listed.has(port)) return `port ${port} is not allowed (${service} port)`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Static URL rules

export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Special-use and local-only names (RFC 6761, 6762, 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = ["localhost", "local", "internal", "localdomain", "home.arpa"];

function hostnameProblem(hostname: string): string | null {
  const name = normalizeHostname(hostname);
  if (!name) return "URL must have a host";
  for (const suffix of LOCAL_SUFFIXES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return `host ${name} is a local-only name`;
  }
  const labels = name.split(".");
  if (labels.length < 2) return `host ${name} must be a fully qualified domain name`;
  if (name.length > 253 || labels.some((l) => l.length === 0 || l.length > 63)) return `host ${name} is not a valid domain name`;
  return null;
}

/**
 * The static rules, at create/update and before every delivery. `{ url }` when acceptable (the
 * parsed, normalised URL), else `{ error }`: a short message meant for `input.url: <message>`.
 * Allowlisted hosts (by hostname, or IP literals by CIDR) skip the https, public-address and port
 * rules (port 0 stays refused). `ports` defaults to WEBHOOK_ALLOWED_PORTS.
 */
export function checkWebhookUrl(
  raw: string,
  allowlist: AllowlistInput,
  options: { ports?: PortPolicy } = {},
): { url: URL } | { error: string } {
  if (typeof raw !== "string" || raw.trim() === "") return { error: "URL is required" };
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return { error: `URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: "URL is not a valid absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { error: "URL must use https" };
  if (url.username || url.password) return { error: "URL must not contain credentials" };
  if (!url.hostname) return { error: "URL must have a host" };

  const list = toAllowlist(allowlist);
  // The WHATWG parser has already turned 2130706433, 0177.0.0.1, 0x7f.0.0.1 and 127.1 into
  // 127.0.0.1, and [::ffff:127.0.0.1] into [::ffff:7f00:1].
  const ip = parseIp(url.hostname);
  const allowlisted = ip ? list.hasAddress(url.hostname) : list.hasHostname(url.hostname);
  if (allowlisted) {
    const problem = portProblem(url, options.ports ?? configuredPorts(), true);
    return problem ? { error: problem } : { url };
  }

  if (url.protocol !== "https:") return { error: "URL must use https" };
  if (ip) {
    const kind = classifyAddress(url.hostname);
    if (kind) return { error: `host is ${kind} address ${unbracket(url.hostname)}` };
  } else {
    const problem = hostnameProblem(url.hostname);
    if (problem) return { error: problem };
  }
  const portRefused = portProblem(url, options.ports ?? configuredPorts(), false);
  return portRefused ? { error: portRefused } : { url };
}

// ---------------------------------------------------------------------------------------------
// Resolution

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** A DNS lookup with the shape of `dns.promises.lookup(hostname, { all: true, verbatim: true })`. */
export type LookupFn = (
  hostname: string,
  options: { all: true; verbatim: true },
) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const defaultLookup: LookupFn = (hostname, options) => dns.promises.lookup(hostname, options);

export type ResolveResult =
  | { addresses: ResolvedAddress[] }
  /** `blocked`: refused by policy; `unresolved`: the name did not resolve (a network condition). */
  | { error: string; reason: "blocked" | "unresolved" };

/**
 * Resolves a URL hostname with ONE lookup and validates every answer: all must be public (or inside
 * an allowlisted CIDR) — a single non-public answer refuses the host, so a mixed answer cannot
 * smuggle in a private address. Allowlisted hostnames accept whatever they resolve to. IP literals
 * are checked without DNS. The result is the list of addresses to connect to, and nothing else.
 */
export async function resolveAndCheck(
  hostname: string,
  options: { allowlist: AllowlistInput; lookup?: LookupFn },
): Promise<ResolveResult> {
  const list = toAllowlist(options.allowlist);
  const host = unbracket(hostname);
  const literal = parseIp(host);
  if (literal) {
    const family = literal.version;
    if (list.hasAddress(host)) return { addresses: [{ address: host, family }] };
    const problem = classifyAddress(host);
    return problem
      ? { error: `host is ${problem} address ${host}`, reason: "blocked" }
      : { addresses: [{ address: host, family }] };
  }

  const lookup = options.lookup ?? defaultLookup;
  let answers: ReadonlyArray<{ address: string; family: number }>;
  try {
    answers = await lookup(host, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    return { error: `host ${host} could not be resolved${typeof code === "string" ? ` (${code})` : ""}`, reason: "unresolved" };
  }
  if (!Array.isArray(answers) || answers.length === 0) {
    return { error: `host ${host} did not resolve to any address`, reason: "unresolved" };
  }

  const hostAllowed = list.hasHostname(host);
  const addresses: ResolvedAddress[] = [];
  for (const answer of answers) {
    const address = typeof answer?.address === "string" ? answer.address : "";
    const version = net.isIP(address);
    if (version === 0) return { error: `host ${host} resolved to an invalid address`, reason: "blocked" };
    if (!hostAllowed && !list.hasAddress(address)) {
      const problem = classifyAddress(address);
      if (problem) return { error: `host resolves to ${problem} address ${address}`, reason: "blocked" };
    }
    if (!addresses.some((a) => a.address === address)) addresses.push({ address, family: version as 4 | 6 });
  }
  return { addresses };
}

/**
 * Create/update validation: the static rules, then one resolution, throwing BAD_USER_INPUT
 * (`input.url: <message>`) on the first problem. Returns the normalised URL.
 */
export async function validateWebhookUrl(
  raw: string,
  options: { allowlist: AllowlistInput; lookup?: LookupFn; field?: string; ports?: PortPolicy },
): Promise<URL> {
  const field = options.field ?? "input.url";
  const checked = checkWebhookUrl(raw, options.allowlist, { ports: options.ports });
  if ("error" in checked) throw badInput(field, checked.error);
  const resolved = await resolveAndCheck(checked.url.hostname, options);
  if ("error" in resolved) throw badInput(field, resolved.error);
  return checked.url;
}
