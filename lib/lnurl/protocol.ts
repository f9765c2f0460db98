/**
 * LNURL-pay as Boltrail speaks it, both ways (LUD-06 pay requests, LUD-09 success actions, LUD-12
 * comments, LUD-16 Lightning Addresses). Pure: no network, no database, no server-only. The
 * payer side (./pay) and the payee side (./serve) share these shapes and checks.
 */

/** LUD-16: the name part is a-z0-9-_.+ ; Boltrail's own names are a-z0-9._- (no `+`). */
const USER_PART = /^[a-z0-9\-_.+]{1,64}$/;
export const OWN_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;

export type LightningAddress = {
  /** `user@domain`, lowercase. */
  address: string;
  user: string;
  /** host, with a port when the address names one (`name@127.0.0.1:4000`, tests and self-hosters). */
  domain: string;
};

/** Parses `name@domain` (a leading `lightning:` or surrounding spaces are tolerated). null when it is not one. */
export function parseLightningAddress(text: string): LightningAddress | null {
  let value = text.trim().toLowerCase();
  if (value.startsWith("lightning:")) value = value.slice("lightning:".length);
  const at = value.lastIndexOf("@");
  if (at <= 0 || at !== value.indexOf("@")) return null;
  const user = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!USER_PART.test(user)) return null;
  let url: URL;
  try {
    url = new URL(`https://${domain}/`);
  } catch {
    return null;
  }
  // The domain must be exactly a host (and port): no path, credentials or query smuggled in.
  if (url.host !== domain || !/^[a-z0-9.\-[\]:]+$/.test(domain) || !url.hostname.includes(".") && !url.hostname.startsWith("[") && url.hostname !== "localhost") {
    return null;
  }
  return { address: `${user}@${domain}`, user, domain };
}

/** Where a Lightning Address's pay request lives (LUD-16): https, or http for .onion and for `plainHttp` (allowlisted internal hosts). */
export function wellKnownUrl(address: LightningAddress, plainHttp: boolean): string {
  const host = new URL(`https://${address.domain}/`).hostname;
  const scheme = plainHttp || host.endsWith(".onion") ? "http" : "https";
  return `${scheme}://${address.domain}/.well-known/lnurlp/${encodeURIComponent(address.user)}`;
}

/** The metadata string of a Boltrail Lightning Address (LUD-06 `metadata`; LUD-16 `text/identifier`). */
export function addressMetadata(address: string): string {
  return JSON.stringify([
    ["text/plain", `Payment to ${address}`],
    ["text/identifier", address],
  ]);
}

export type PayRequest = {
  callback: string;
  minSendable: bigint;
  maxSendable: bigint;
  metadata: string;
  commentAllowed: number;
};

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const msat = (v: unknown): bigint | null => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : typeof v === "string" && /^\d{1,18}$/.test(v) ? BigInt(v) : null);

/** An LNURL `{"status":"ERROR","reason":…}` reply, as the reason to show (bounded, one line). */
export function errorReason(body: unknown): string | null {
  if (!isObject(body) || typeof body.status !== "string" || body.status.toUpperCase() !== "ERROR") return null;
  const reason = typeof body.reason === "string" && body.reason.trim() ? body.reason.trim() : "no reason given";
  return reason.replace(/\s+/g, " ").slice(0, 300);
}

/** Checks a LUD-06 pay request (the first reply). */
export function checkPayRequest(body: unknown): Checked<PayRequest> {
  const error = errorReason(body);
  if (error !== null) return { ok: false, reason: `refused: ${error}` };
  if (!isObject(body)) return { ok: false, reason: "did not answer with an LNURL pay request (a JSON object)" };
  if (body.tag !== "payRequest") return { ok: false, reason: `did not answer with an LNURL pay request (tag is ${JSON.stringify(body.tag ?? null)}, not "payRequest")` };
  if (typeof body.callback !== "string" || body.callback.length > 2048) return { ok: false, reason: "answered a pay request without a valid callback URL" };
  const min = msat(body.minSendable);
  const max = msat(body.maxSendable);
  if (min === null || max === null || min < BigInt(1) || max < min) return { ok: false, reason: "answered a pay request with invalid minSendable/maxSendable" };
  if (typeof body.metadata !== "string") return { ok: false, reason: "answered a pay request without metadata" };
  try {
    const parsed: unknown = JSON.parse(body.metadata);
    if (!Array.isArray(parsed)) throw new Error("not an array");
  } catch {
    return { ok: false, reason: "answered a pay request whose metadata is not a JSON array" };
  }
  const commentAllowed = typeof body.commentAllowed === "number" && Number.isSafeInteger(body.commentAllowed) && body.commentAllowed > 0 ? body.commentAllowed : 0;
  return { ok: true, value: { callback: body.callback, minSendable: min, maxSendable: max, metadata: body.metadata, commentAllowed } };
}

/** The callback URL with `amount` (millisatoshis) and, when given, `comment` (LUD-12) added to its query. */
export function callbackUrl(callback: string, amountMsat: bigint, comment: string | null): string | null {
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    return null;
  }
  url.searchParams.set("amount", amountMsat.toString());
  if (comment) url.searchParams.set("comment", comment);
  return url.toString();
}

export type SuccessAction = { tag: "message"; message: string } | { tag: "url"; description: string; url: string };

/** A LUD-09 successAction worth keeping (message, or an http(s) url); anything else is dropped. */
export function checkSuccessAction(value: unknown): SuccessAction | null {
  if (!isObject(value)) return null;
  if (value.tag === "message" && typeof value.message === "string" && value.message.length <= 144) return { tag: "message", message: value.message };
  if (value.tag === "url" && typeof value.url === "string" && typeof value.description === "string" && value.description.length <= 144) {
    try {
      const url = new URL(value.url);
      if (url.protocol === "https:" || url.protocol === "http:") return { tag: "url", description: value.description, url: url.toString() };
    } catch {
      return null;
    }
  }
  return null;
}

/** The callback's reply: the invoice text and a success action. */
export function checkCallbackReply(body: unknown): Checked<{ pr: string; successAction: SuccessAction | null }> {
  const error = errorReason(body);
  if (error !== null) return { ok: false, reason: `refused the payment: ${error}` };
  if (!isObject(body) || typeof body.pr !== "string" || body.pr.length === 0) return { ok: false, reason: "did not answer the callback with an invoice (pr)" };
  return { ok: true, value: { pr: body.pr, successAction: checkSuccessAction(body.successAction) } };
}
