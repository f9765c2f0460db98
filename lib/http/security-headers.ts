// Response headers of Boltrail, in one place:
//  - SECURITY_HEADERS: on every response. Next.js adds them to its own routes (next.config.ts
//    `headers()`), and the production server adds them to /graphql, which it serves without going
//    through Next.js (lib/graphql/http.ts);
//  - HSTS: on every response to a request that came over https (`isHttpsRequest`);
//  - the Content-Security-Policies: pages get a fresh nonce per request (proxy.ts), GraphiQL its
//    own (scripts from Boltrail's files only, lib/graphql/http.ts), other responses API_CSP where they set one.
// Pure: imported by next.config.ts and proxy.ts.

/**
 * Browser features no Boltrail page uses: denied to the page and to anything it could embed.
 * Only features Chromium recognises (an unknown name is logged as a console error). The
 * clipboard stays allowed: the copy buttons write to it.
 */
export const PERMISSIONS_POLICY = [
  "accelerometer",
  "autoplay",
  "bluetooth",
  "camera",
  "display-capture",
  "encrypted-media",
  "geolocation",
  "gyroscope",
  "hid",
  "idle-detection",
  "magnetometer",
  "microphone",
  "midi",
  "payment",
  "publickey-credentials-get",
  "screen-wake-lock",
  "serial",
  "usb",
  "xr-spatial-tracking",
]
  .map((feature) => `${feature}=()`)
  .join(", ");

export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: PERMISSIONS_POLICY },
];

/** Two years, subdomains included: sent only on responses to https requests (`isHttpsRequest`). */
export const HSTS_HEADER = { key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" } as const;

/**
 * `X-Forwarded-Proto` values that mean https: the first (client-side) entry is `https`. As a
 * next.config.ts `has` value (matched against the whole header).
 */
export const HTTPS_FORWARDED_PROTO = "[Hh][Tt][Tt][Pp][Ss](?:\\s*,.*)?";

/**
 * Whether a request reached Boltrail over https: a TLS socket, or a proxy in front that says so
 * in `X-Forwarded-Proto`. The header is not checked against a list of trusted proxies because
 * the only thing decided here is sending HSTS, and browsers ignore HSTS received over plain http
 * (RFC 6797 §8.1): a client forging the header over http gains nothing.
 */
export function isHttpsRequest(forwardedProto: string | string[] | null | undefined, tlsSocket = false): boolean {
  if (tlsSocket) return true;
  const value = Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto;
  return (value ?? "").split(",")[0].trim().toLowerCase() === "https";
}

const joinPolicy = (directives: ReadonlyArray<string | false>) => directives.filter(Boolean).join("; ");

/** What every HTML document Boltrail serves allows besides scripts (pages and GraphiQL alike). */
const DOCUMENT_DIRECTIVES = [
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/**
 * The policy of every Next.js page (set by proxy.ts on the request, so Next.js puts the nonce on
 * its own scripts, and on the response). Scripts: only those carrying this request's nonce, and
 * what they load ('strict-dynamic'). Styles: the build's stylesheets and inline styles — some
 * pages render `style` attributes, which a nonce cannot allow; styles cannot run code. Development
 * adds 'unsafe-eval', which React's dev build needs.
 */
export function pageContentSecurityPolicy(nonce: string, options: { dev?: boolean; https?: boolean } = {}): string {
  return joinPolicy([
    "default-src 'self'",
    // 'wasm-unsafe-eval': the team keys are derived with Argon2id in WebAssembly (lib/custody), in a same-origin worker.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${options.dev ? " 'unsafe-eval'" : ""}`,
    "worker-src 'self'",
    // A live send the client pays goes from the browser to the team's own node (its REST URL, any https host).
    ...DOCUMENT_DIRECTIVES.map((d) => (d === "connect-src 'self'" ? "connect-src 'self' https:" : d)),
    options.https === true && "upgrade-insecure-requests",
  ]);
}

/**
 * GraphiQL (GET /graphql from a browser, lib/graphql/graphiql.ts): scripts and editor workers
 * only from Boltrail's own files (/graphql/assets), never inline; its options are a JSON data
 * block, which runs nothing. The editor injects its own styles at run time, so inline styles are
 * allowed (styles only, never scripts).
 */
export function graphiqlContentSecurityPolicy(options: { https?: boolean } = {}): string {
  return joinPolicy([
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    ...DOCUMENT_DIRECTIVES,
    options.https === true && "upgrade-insecure-requests",
  ]);
}

/** Responses that are data, never a document: nothing may load or frame them. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A fresh CSP nonce: 16 random bytes, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
