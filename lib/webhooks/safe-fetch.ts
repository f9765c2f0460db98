/**
 * One webhook delivery over HTTP(S), safe against SSRF (DESIGN.md §7):
 *
 * - the URL is re-checked (`checkWebhookUrl`) and its host resolved ONCE and validated
 *   (`resolveAndCheck`) at delivery time;
 * - the connection goes to those validated addresses only: node's `lookup` hook is replaced by one
 *   that returns them, so there is no second DNS query to rebind. For https the SNI servername and
 *   the Host header stay the original hostname and certificates are verified as usual;
 * - redirects are never followed (a 3xx is just the response);
 * - one timeout covers the whole exchange (DNS, connect, TLS, request, response body);
 * - at most 2 KB of the response body is kept, then the connection is closed: an endless or huge
 *   body is never buffered;
 * - connections are kept alive and reused, but only within what this delivery validated (see
 *   `agentFor`).
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { StringDecoder } from "node:string_decoder";
import {
  checkWebhookUrl,
  resolveAndCheck,
  type AllowlistInput,
  type LookupFn,
  type ResolvedAddress,
} from "./url-policy";

/** How much of a response body is kept (and read at all). */
export const MAX_STORED_BODY_BYTES = 2048;

export type DeliveryErrorKind = "blocked" | "timeout" | "network";

/**
 * A delivery that produced no HTTP response. `blocked`: refused by the URL policy (not retryable);
 * `timeout`: no complete response within `timeoutMs`; `network`: DNS failure, refused or reset
 * connection, TLS failure, malformed response.
 */
export class DeliveryError extends Error {
  readonly kind: DeliveryErrorKind;

  constructor(kind: DeliveryErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeliveryError";
    this.kind = kind;
  }
}

export type SafeDeliverOptions = {
  url: string;
  /** POST (webhooks, the default) or GET (LNURL: no body). */
  method?: "POST" | "GET";
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** How much of the response body is kept (default MAX_STORED_BODY_BYTES); the rest is never read. */
  maxBodyBytes?: number;
  /** Over the whole exchange, DNS to the end of the (stored part of the) response body. */
  timeoutMs: number;
  /** `WEBHOOK_URL_ALLOWLIST`, parsed or as the entries of lib/env. */
  allowlist: AllowlistInput;
  /** DNS lookup, injectable for tests; called exactly once per delivery for a hostname URL. */
  lookup?: LookupFn;
};

export type DeliveryResponse = {
  status: number;
  /** Response headers, lowercase names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The first 2048 (`maxBodyBytes`) bytes of the body as UTF-8 (a cut character dropped, NUL replaced by U+FFFD). */
  body: string;
  /** The body was longer than what was kept. */
  truncated: boolean;
  durationMs: number;
  /** The validated address actually connected to. */
  remoteAddress: string | null;
};

// Headers the transport owns: the caller cannot override the Host (the URL's) or framing.
const OWNED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
  "expect",
]);

/**
 * Keep-alive agents, one per (scheme, hostname, port, exact set of validated addresses).
 *
 * Why reuse cannot skip the address check: every delivery still runs `checkWebhookUrl` and its own
 * `resolveAndCheck` first, and only then picks the agent keyed by what it validated. An agent only
 * ever connects through `pinnedLookup` for its own key's hostname and addresses, so every socket it
 * holds is connected to one of the addresses this very delivery has just validated. When DNS now
 * answers differently, or an address is no longer allowed, the delivery gets another agent (new
 * connection to the new validated address) or is blocked before any agent is chosen; the old
 * agent's sockets are never used for it. The hostname is in the key, so a TLS connection
 * (certificate verified for that SNI name at connect) is only reused for that same name. A socket
 * goes back to its agent only after a complete response was read; anything cut short (2 KB cap,
 * timeout, error) is destroyed. Redirects are still never followed. Idle sockets close after
 * AGENT_IDLE_MS; at most MAX_AGENTS agents are kept (the least recently used is destroyed).
 */
const AGENT_IDLE_MS = 4_000;
const MAX_AGENTS = 256;
const agents = new Map<string, http.Agent>();

function agentFor(isHttps: boolean, host: string, port: number, addresses: readonly ResolvedAddress[]): http.Agent {
  const key = `${isHttps ? "https" : "http"}|${host}|${port}|${addresses.map((a) => `${a.family}/${a.address}`).join(",")}`;
  let agent = agents.get(key);
  if (agent) {
    // Most recently used last.
    agents.delete(key);
    agents.set(key, agent);
    return agent;
  }
  const agentOptions: https.AgentOptions = { keepAlive: true, maxFreeSockets: 8, timeout: AGENT_IDLE_MS, scheduling: "lifo" };
  agent = isHttps ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  agents.set(key, agent);
  if (agents.size > MAX_AGENTS) {
    const [oldest, old] = agents.entries().next().value as [string, http.Agent];
    agents.delete(oldest);
    old.destroy();
  }
  return agent;
}

/** Closes every kept-alive connection (tests; shutdown). */
export function closeIdleConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** Performs one delivery; resolves with the response (any status, 3xx included) or throws DeliveryError. */
export async function safeDeliver(options: SafeDeliverOptions): Promise<DeliveryResponse> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new TypeError("safeDeliver: timeoutMs must be a positive number");

  const checked = checkWebhookUrl(options.url, options.allowlist);
  if ("error" in checked) throw new DeliveryError("blocked", checked.error);
  const url = checked.url;

  const resolved = await withTimeout(
    resolveAndCheck(url.hostname, { allowlist: options.allowlist, lookup: options.lookup }),
    timeoutMs,
    () => new DeliveryError("timeout", `timed out after ${timeoutMs} ms resolving ${url.hostname}`),
  );
  if ("error" in resolved) throw new DeliveryError(resolved.reason === "blocked" ? "blocked" : "network", resolved.error);

  const remaining = () => timeoutMs - (performance.now() - started);
  if (remaining() <= 0) throw new DeliveryError("timeout", `timed out after ${timeoutMs} ms`);
  let response: Omit<DeliveryResponse, "durationMs">;
  try {
    response = await exchange(url, resolved.addresses, options, remaining(), timeoutMs, true);
  } catch (err) {
    // A kept-alive connection the receiver had just closed: send again, once, on a new connection
    // (to the same validated addresses). The receiver may see the request twice: same envelope id.
    if (!(err instanceof StaleConnection)) throw err;
    if (remaining() <= 0) throw new DeliveryError("timeout", `timed out after ${timeoutMs} ms`);
    response = await exchange(url, resolved.addresses, options, remaining(), timeoutMs, false);
  }
  return { ...response, durationMs: Math.round(performance.now() - started) };
}

/** A reused keep-alive connection failed before any response: retried on a new connection. */
class StaleConnection extends Error {}
const STALE_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** A `lookup` for node's http(s) that only ever answers the addresses validated for `host`. */
function pinnedLookup(host: string, addresses: readonly ResolvedAddress[]): net.LookupFunction {
  return (hostname, lookupOptions, callback) => {
    const fail = (message: string) =>
      process.nextTick(() => callback(Object.assign(new Error(message), { code: "ENOTFOUND" }), "", 0));
    if (hostname !== host) return fail(`refusing to resolve ${hostname}: only ${host} was validated`);
    const family = lookupOptions.family === 4 || lookupOptions.family === "IPv4" ? 4 : lookupOptions.family === 6 || lookupOptions.family === "IPv6" ? 6 : 0;
    const candidates = family ? addresses.filter((a) => a.family === family) : addresses;
    if (candidates.length === 0) return fail(`no validated IPv${family} address for ${host}`);
    process.nextTick(() => {
      if (lookupOptions.all) callback(null, candidates.map((a) => ({ address: a.address, family: a.family })));
      else callback(null, candidates[0].address, candidates[0].family);
    });
  };
}

function networkMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e?.address ? ` (${e.address}${e.port ? `:${e.port}` : ""})` : "";
  switch (e?.code) {
    case "ECONNREFUSED":
      return `connection refused${where}`;
    case "ECONNRESET":
      return `connection reset${where}`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `host unreachable${where}`;
    case "ETIMEDOUT":
      return `connection timed out${where}`;
    case "EPIPE":
      return `connection closed while sending${where}`;
    default: {
      const message = e?.message || String(err);
      return e?.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
    }
  }
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function exchange(
  url: URL,
  addresses: readonly ResolvedAddress[],
  options: SafeDeliverOptions,
  budgetMs: number,
  timeoutMs: number,
  reuse: boolean,
): Promise<Omit<DeliveryResponse, "durationMs">> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === "https:";
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const ipLiteral = net.isIP(host) !== 0;
    const payload = options.body === undefined ? null : typeof options.body === "string" ? Buffer.from(options.body, "utf8") : Buffer.from(options.body);
    const maxBody = options.maxBodyBytes ?? MAX_STORED_BODY_BYTES;

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!OWNED_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
    if (!Object.keys(headers).some((n) => n.toLowerCase() === "user-agent")) headers["user-agent"] = "Boltrail-Webhooks/1.0";
    headers.host = url.host;
    if (payload) headers["content-length"] = String(payload.length);
    if (!reuse) headers.connection = "close";
    const port = url.port ? Number(url.port) : isHttps ? 443 : 80;

    const requestOptions: https.RequestOptions = {
      protocol: url.protocol,
      host,
      port,
      path: `${url.pathname}${url.search}`,
      method: options.method ?? "POST",
      headers,
      agent: reuse ? agentFor(isHttps, host, port, addresses) : false,
      // IP literals connect directly (already validated); names go through the pinned lookup.
      lookup: pinnedLookup(host, addresses),
    };
    if (isHttps && !ipLiteral) requestOptions.servername = host.endsWith(".") ? host.slice(0, -1) : host;

    let settled = false;
    let response: http.IncomingMessage | undefined;
    let ended = false;
    const finish = (outcome: { ok: true; value: Omit<DeliveryResponse, "durationMs"> } | { ok: false; error: Error }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Only a connection whose response was read to its end goes back to the agent; anything
      // else (2 KB cap reached, timeout, error) is closed whatever is left of the body.
      if (!(outcome.ok && ended)) {
        response?.destroy();
        req.destroy();
      }
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    };
    const fail = (kind: DeliveryErrorKind, message: string, cause?: unknown) =>
      finish({ ok: false, error: new DeliveryError(kind, message, cause === undefined ? undefined : { cause }) });

    const req = (isHttps ? https : http).request(requestOptions);
    const timer = setTimeout(() => fail("timeout", `no complete response within ${timeoutMs} ms`), budgetMs);
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (!response && req.reusedSocket && (STALE_CODES.has(err.code ?? "") || /socket hang up/.test(err.message))) {
        finish({ ok: false, error: new StaleConnection(err.message, { cause: err }) });
      } else {
        fail("network", networkMessage(err), err);
      }
    });
    req.on("response", (res) => {
      response = res;
      const chunks: Buffer[] = [];
      let stored = 0;
      // Read now: a kept-alive socket is handed back to its agent once the response has ended.
      const remoteAddress = res.socket?.remoteAddress ?? null;
      const done = (truncated: boolean) => {
        const decoder = new StringDecoder("utf8");
        // write() keeps back an incomplete trailing character: the stored text stays valid UTF-8.
        const body = decoder.write(Buffer.concat(chunks, stored)).replace(/\u0000/g, "\uFFFD");
        finish({
          ok: true,
          value: {
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            body,
            truncated,
            remoteAddress,
          },
        });
      };
      res.on("data", (chunk: Buffer) => {
        const over = stored + chunk.length > maxBody;
        if (stored < maxBody) {
          const part = chunk.subarray(0, maxBody - stored);
          chunks.push(part);
          stored += part.length;
        }
        if (over) done(true);
      });
      res.on("end", () => {
        ended = true;
        done(false);
      });
      res.on("error", (err) => fail("network", `response interrupted: ${networkMessage(err)}`, err));
      res.on("close", () => {
        if (!ended) fail("network", "connection closed before the response was complete");
      });
    });
    if (payload) req.end(payload);
    else req.end();
  });
}
