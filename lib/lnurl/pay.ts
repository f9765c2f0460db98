import "server-only";
import { env } from "../env";
import { decodeInvoice, sha256Hex, type DecodedInvoice } from "../lightning/decode";
import { webhookAllowlist } from "../webhooks/endpoint-url";
import { DeliveryError, safeDeliver } from "../webhooks/safe-fetch";
import { callbackUrl, checkCallbackReply, checkPayRequest, parseLightningAddress, wellKnownUrl, type LightningAddress, type PayRequest, type SuccessAction } from "./protocol";
import { ownHost, ownOrigin } from "./own-host";
import { servePayRequest, serveCallback } from "./serve";

/** The largest LNURL reply read (a pay request, or a callback's invoice); anything longer is refused. */
export const MAX_LNURL_REPLY_BYTES = 64 * 1024;

export type AddressResolution =
  | { ok: true; address: string; invoice: DecodedInvoice; successAction: SuccessAction | null }
  | { ok: false; field: "address" | "amount" | "comment"; reason: string };

/**
 * Turns a Lightning Address and an amount into an invoice to pay (LUD-16 → LUD-06): the pay
 * request from `/.well-known/lnurlp/<user>`, its limits checked, then the callback with
 * `amount=<msat>` (and the LUD-12 comment). The invoice is refused unless it asks for exactly the
 * requested amount and commits to the pay request's metadata (description_hash). Remote servers are
 * reached through the webhooks' safe fetcher (public addresses only, checked on the connected
 * address, no redirects, one timeout, a size cap); this instance's own addresses are answered
 * in-process by the same code that serves them over HTTP.
 */
export async function resolveAddressInvoice(request: { address: string; amountMsat: bigint; comment: string | null }): Promise<AddressResolution> {
  const fetched = await fetchPayRequest(request.address);
  if (!fetched.ok) return { ok: false, field: "address", reason: fetched.reason };
  const { parsed, local, payRequest } = fetched;
  const { address } = parsed;
  const fail = (field: "address" | "amount" | "comment", reason: string): AddressResolution => ({ ok: false, field, reason: `${address} ${reason}` });
  const { minSendable, maxSendable, metadata, commentAllowed } = payRequest;

  const sats = (msat: bigint) => `${(msat + BigInt(999)) / BigInt(1000)} sats`;
  if (request.amountMsat < minSendable) return fail("amount", `accepts at least ${sats(minSendable)}; ${sats(request.amountMsat)} is below that`);
  if (request.amountMsat > maxSendable) return fail("amount", `accepts at most ${sats(maxSendable)}; ${sats(request.amountMsat)} is above that`);
  if (request.comment && request.comment.length > commentAllowed) {
    return fail("comment", commentAllowed === 0 ? "does not accept comments" : `accepts comments of at most ${commentAllowed} characters`);
  }

  const url = callbackUrl(payRequest.callback, request.amountMsat, request.comment);
  if (!url) return fail("address", "answered a pay request without a valid callback URL");
  const second: JsonReply = local ? { ok: true, body: (await serveCallback(parsed.user, ownOrigin(), new URL(url).searchParams, "in-process")).body } : await getJson(url);
  if (!second.ok) return fail("address", second.reason);
  const reply = checkCallbackReply(second.body);
  if (!reply.ok) return fail("address", reply.reason);

  const decoded = decodeInvoice(reply.value.pr);
  if (!decoded.ok) return fail("address", `returned an invoice that ${decoded.reason}`);
  const invoice = decoded.invoice;
  if (invoice.amountMsat !== request.amountMsat) {
    return fail("address", `returned an invoice for ${invoice.amountMsat === null ? "no amount" : `${invoice.amountMsat} msat`} instead of the ${request.amountMsat} msat asked for; it was not paid`);
  }
  if (invoice.descriptionHash !== sha256Hex(metadata)) {
    return fail("address", "returned an invoice whose description_hash is not the SHA-256 of its metadata; it was not paid");
  }
  return { ok: true, address, invoice, successAction: reply.value.successAction };
}

type Fetched = { ok: true; parsed: LightningAddress; local: boolean; payRequest: PayRequest } | { ok: false; reason: string };

/** The first half of LUD-16: the address parsed, and its pay request fetched and checked. */
async function fetchPayRequest(text: string): Promise<Fetched> {
  const parsed = parseLightningAddress(text);
  if (!parsed) return { ok: false, reason: `"${text.slice(0, 80)}" is not a Lightning Address (name@domain, e.g. alice@example.com)` };
  const local = parsed.domain === ownHost();
  const plainHttp = webhookAllowlist().hasHostname(hostOf(parsed.domain)) || isAllowlistedIp(parsed.domain);
  const first: JsonReply = local ? { ok: true, body: (await servePayRequest(parsed.user, ownOrigin())).body } : await getJson(wellKnownUrl(parsed, plainHttp));
  if (!first.ok) return { ok: false, reason: `${parsed.address} ${first.reason}` };
  const payRequest = checkPayRequest(first.body);
  if (!payRequest.ok) return { ok: false, reason: `${parsed.address} ${payRequest.reason}` };
  return { ok: true, parsed, local, payRequest: payRequest.value };
}

/** What the dashboard shows of an address before the amount is chosen: its limits and description (LUD-06 text/plain). */
export async function describeAddress(text: string): Promise<
  { ok: true; value: { address: string; description: string; minSendableMsat: bigint; maxSendableMsat: bigint; commentAllowed: number } } | { ok: false; reason: string }
> {
  const fetched = await fetchPayRequest(text);
  if (!fetched.ok) return fetched;
  let description = "";
  try {
    const entries = JSON.parse(fetched.payRequest.metadata) as unknown[];
    const plain = entries.find((e): e is [string, string] => Array.isArray(e) && e[0] === "text/plain" && typeof e[1] === "string");
    description = plain ? plain[1].slice(0, 300) : "";
  } catch {
    description = "";
  }
  const { minSendable, maxSendable, commentAllowed } = fetched.payRequest;
  return { ok: true, value: { address: fetched.parsed.address, description, minSendableMsat: minSendable, maxSendableMsat: maxSendable, commentAllowed } };
}

const hostOf = (domain: string) => new URL(`https://${domain}/`).hostname;
const isAllowlistedIp = (domain: string) => webhookAllowlist().hasAddress(hostOf(domain));

type JsonReply = { ok: true; body: unknown } | { ok: false; reason: string };

/** One GET of an LNURL endpoint through the safe fetcher, as parsed JSON. */
async function getJson(url: string): Promise<JsonReply> {
  let response;
  try {
    response = await safeDeliver({
      url,
      method: "GET",
      headers: { accept: "application/json", "user-agent": "Boltrail-LNURL/1.0" },
      timeoutMs: env().LNURL_TIMEOUT_MS,
      allowlist: webhookAllowlist(),
      maxBodyBytes: MAX_LNURL_REPLY_BYTES,
    });
  } catch (err) {
    if (err instanceof DeliveryError) {
      if (err.kind === "timeout") return { ok: false, reason: `did not answer within ${env().LNURL_TIMEOUT_MS} ms` };
      if (err.kind === "blocked") return { ok: false, reason: `cannot be reached from here: ${err.message.replace(/^URL /, "its URL ")}` };
      return { ok: false, reason: `could not be reached: ${err.message}` };
    }
    throw err;
  }
  if (response.truncated) return { ok: false, reason: `answered with more than ${MAX_LNURL_REPLY_BYTES / 1024} KB; refused` };
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return { ok: false, reason: response.status === 200 ? "did not answer with JSON" : `answered HTTP ${response.status}` };
  }
  // LUD-06: errors are {"status":"ERROR"} with any status; other non-200 replies are failures.
  if (response.status !== 200 && !(body && typeof body === "object" && (body as { status?: unknown }).status === "ERROR")) {
    return { ok: false, reason: `answered HTTP ${response.status}` };
  }
  return { ok: true, body };
}
