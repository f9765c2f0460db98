/**
 * A client for LND's REST API (DESIGN.md §6, live environments): the macaroon in
 * `Grpc-Metadata-macaroon` (hex), TLS pinned to the node's own certificate, and the node's URL
 * held to the webhook URL rules (public addresses, checked on the address actually connected to,
 * no redirects) with `NODE_URL_ALLOWLIST` for nodes on a private network.
 *
 * - `lndCall` sends one request and reads one JSON answer (capped);
 * - `lndStream` reads a newline-delimited JSON stream (`{"result": …}` per line, LND's REST
 *   gateway for server-streaming RPCs) until it ends, fails or is aborted.
 */
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { checkWebhookUrl, resolveAndCheck, type AllowlistInput, type LookupFn } from "../webhooks/url-policy";

export type LndConnection = {
  /** https://host:port of LND's REST listener. */
  restUrl: string;
  /** The node's tls.cert (PEM). Null: a certificate from a public CA, verified as usual. */
  tlsCertPem: string | null;
  /** The macaroon, hex. */
  macaroonHex: string;
};

export type LndErrorKind =
  /** The URL rules refused the address. */
  | "blocked"
  /** DNS failure, connection refused or reset. */
  | "unreachable"
  /** The node's certificate is not the one given. */
  | "tls"
  /** No answer in time. */
  | "timeout"
  /** The node refused the macaroon itself. */
  | "macaroon"
  /** The macaroon is valid but lacks a permission. */
  | "permission"
  /** Any other error answer (its gRPC message is kept). */
  | "node"
  /** Not LND's wire format. */
  | "protocol";

export class LndError extends Error {
  readonly kind: LndErrorKind;
  readonly status: number | null;
  /** The gRPC status code of the node's error answer, when it gave one. */
  readonly grpcCode: number | null;
  constructor(kind: LndErrorKind, message: string, extra: { status?: number; grpcCode?: number; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.name = "LndError";
    this.kind = kind;
    this.status = extra.status ?? null;
    this.grpcCode = extra.grpcCode ?? null;
  }
}

export type LndCallOptions = {
  allowlist: AllowlistInput;
  timeoutMs?: number;
  /** Largest JSON answer read (default 4 MiB). */
  maxBytes?: number;
  lookup?: LookupFn;
  signal?: AbortSignal;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/** A macaroon as people paste it (hex, or base64 / base64url as some tools export it) → lowercase hex; null when neither. */
export function normalizeMacaroon(raw: string): string | null {
  const text = raw.trim().replace(/\s+/g, "");
  if (!text) return null;
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return text.toLowerCase();
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    // A macaroon (v2 binary format) starts with version byte 0x02; v1 (base64 text) starts with "MDAx".
    if (bytes.length >= 32) return bytes.toString("hex");
  }
  return null;
}

/** The SHA-256 fingerprint of a PEM certificate ("AB:CD:…"), or null when it is not one. */
export function certificateFingerprint(pem: string): string | null {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return null;
  }
}

function grpcError(status: number, body: string): LndError {
  let message = body.trim().slice(0, 300) || `HTTP ${status}`;
  let code: number | undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; code?: unknown; error?: { message?: unknown; code?: unknown } };
    const inner = parsed.error && typeof parsed.error === "object" ? parsed.error : parsed;
    if (typeof inner.message === "string") message = inner.message;
    if (typeof inner.code === "number") code = inner.code;
  } catch {
    // Not JSON: keep the text.
  }
  const kind: LndErrorKind = /permission denied/i.test(message)
    ? "permission"
    : /verification failed|cannot get macaroon|invalid macaroon|macaroon.*(not|unable|expired)|expected 1 macaroon/i.test(message)
      ? "macaroon"
      : "node";
  return new LndError(kind, message, { status, grpcCode: code });
}

/**
 * Keep-alive agents for one-shot calls, one per (validated address, port, TLS name, pinned
 * certificate): a live create_receive reuses its TLS connection to the node instead of a new
 * handshake per invoice. An agent only ever connects to the address it is keyed by, which the
 * call using it has just validated.
 */
const agents = new Map<string, https.Agent>();
function agentFor(address: string, port: number, hostname: string, fingerprint: string | null): https.Agent {
  const key = `${address}|${port}|${hostname}|${fingerprint ?? ""}`;
  let agent = agents.get(key);
  if (!agent) {
    if (agents.size >= 64) {
      const [oldest, old] = agents.entries().next().value as [string, https.Agent];
      agents.delete(oldest);
      old.destroy();
    }
    agent = new https.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 30_000, scheduling: "lifo" });
    agents.set(key, agent);
  }
  return agent;
}

async function open(
  conn: LndConnection,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body: unknown,
  options: LndCallOptions,
  timeoutMs: number | null,
  /** Streams: the timeout covers the TLS handshake only (LND sends a stream's headers with its first message, maybe much later). */
  connectOnly = false,
): Promise<{ response: IncomingMessage; abort: () => void }> {
  const checked = checkWebhookUrl(conn.restUrl, options.allowlist);
  if ("error" in checked) throw new LndError("blocked", checked.error);
  const url = checked.url;
  if (url.protocol !== "https:") throw new LndError("blocked", "the node's REST URL must use https (LND serves REST over TLS)");
  const resolved = await resolveAndCheck(url.hostname, { allowlist: options.allowlist, lookup: options.lookup });
  if ("error" in resolved) throw new LndError(resolved.reason === "blocked" ? "blocked" : "unreachable", resolved.error);
  const [target] = resolved.addresses;
  const expected = conn.tlsCertPem ? certificateFingerprint(conn.tlsCertPem) : null;
  if (conn.tlsCertPem && !expected) throw new LndError("tls", "the TLS certificate is not a PEM certificate");
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const hostname = url.hostname.replace(/^\[|\]$/g, "");

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: LndError) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const request = https.request({
      host: target.address,
      family: target.family,
      port: url.port ? Number(url.port) : 443,
      method,
      path: `${url.pathname.replace(/\/$/, "")}${path}`,
      headers: {
        "Grpc-Metadata-macaroon": conn.macaroonHex,
        accept: "application/json",
        ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
      },
      // SNI and certificate checks for the name in the URL, while connecting to the validated address.
      servername: /^[\d.]+$|:/.test(hostname) ? undefined : hostname,
      // Streams hold their connection for hours: one of their own. Calls reuse kept-alive ones.
      agent: connectOnly ? false : agentFor(target.address, url.port ? Number(url.port) : 443, hostname, expected),
      ...(expected
        ? {
            ca: conn.tlsCertPem!,
            // Pinned: the node's own certificate and nothing else, whatever names it lists.
            checkServerIdentity: (_host: string, cert: { fingerprint256?: string }) =>
              cert.fingerprint256 === expected ? undefined : new Error("the node presented a different certificate"),
          }
        : {}),
      signal: options.signal,
    });
    const timer =
      timeoutMs === null
        ? null
        : setTimeout(() => {
            fail(new LndError("timeout", `the node did not answer within ${timeoutMs} ms`));
            request.destroy();
          }, timeoutMs);
    if (connectOnly && timer) request.on("socket", (socket) => socket.once("secureConnect", () => clearTimeout(timer)));
    request.on("error", (err: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      const code = err.code ?? "";
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL|different certificate/i.test(code + err.message)) {
        fail(new LndError("tls", `TLS: ${err.message}; give the node's current tls.cert`, { cause: err }));
      } else if (err.name === "AbortError") {
        fail(new LndError("unreachable", "aborted", { cause: err }));
      } else {
        fail(new LndError("unreachable", `cannot reach the node at ${url.host} (${code || err.message})`, { cause: err }));
      }
    });
    request.on("response", (response) => {
      if (timer) clearTimeout(timer);
      if (settled) {
        response.destroy();
        return;
      }
      settled = true;
      resolve({ response, abort: () => request.destroy() });
    });
    request.end(payload);
  });
}

async function readCapped(response: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw new LndError("protocol", `the node's answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** One REST call; the parsed JSON answer, or LndError. */
export async function lndCall<T>(conn: LndConnection, method: "GET" | "POST" | "DELETE", path: string, body: unknown, options: LndCallOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const { response } = await open(conn, method, path, body, { ...options, signal }, timeoutMs);
  let text: string;
  try {
    text = await readCapped(response, options.maxBytes ?? DEFAULT_MAX_BYTES);
  } catch (err) {
    if (err instanceof LndError) throw err;
    throw new LndError(deadline.aborted ? "timeout" : "unreachable", deadline.aborted ? `the node did not answer within ${timeoutMs} ms` : "the connection to the node broke", { cause: err });
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw grpcError(status, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LndError("protocol", `the node's answer is not JSON (HTTP ${status})`);
  }
}

export type LndStreamHandle = {
  /** Resolves when the stream ends (the node closed it); rejects on an error line or a broken connection. */
  done: Promise<void>;
  close: () => void;
};

/**
 * A server-streaming call: `onMessage` gets each `result` in order (awaited, so a slow consumer
 * applies back-pressure). An `{"error": …}` line rejects `done` with its LndError.
 */
export async function lndStream<T>(
  conn: LndConnection,
  method: "GET" | "POST",
  path: string,
  body: unknown,
  onMessage: (message: T) => Promise<void> | void,
  options: LndCallOptions & { connectTimeoutMs?: number; maxLineBytes?: number },
): Promise<LndStreamHandle> {
  const { response, abort } = await open(conn, method, path, body, options, options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS, true);
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    const text = await readCapped(response, 64 * 1024).catch(() => "");
    throw grpcError(status, text);
  }
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_BYTES;
  const done = (async () => {
    let buffered = "";
    for await (const chunk of response as AsyncIterable<Buffer>) {
      buffered += chunk.toString("utf8");
      if (buffered.length > maxLine && !buffered.includes("\n")) throw new LndError("protocol", `a stream message is larger than ${maxLine} bytes`);
      let newline: number;
      while ((newline = buffered.indexOf("\n")) !== -1) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        let parsed: { result?: T; error?: { message?: string; code?: number } };
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new LndError("protocol", "the node's stream sent a line that is not JSON");
        }
        if (parsed.error) throw grpcError(status, JSON.stringify(parsed.error));
        if (parsed.result !== undefined) await onMessage(parsed.result);
      }
    }
  })();
  done.catch(() => {}); // observed by the caller; never an unhandled rejection
  return { done, close: () => { response.destroy(); abort(); } };
}
