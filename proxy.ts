import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE_NAMES } from "@/lib/auth/session-cookie";
import { isHttpsRequest, newNonce, pageContentSecurityPolicy } from "@/lib/http/security-headers";

/** The dashboard: /pay and /settings and everything under them. */
const GUARDED = /^\/(?:pay|settings)(?:\/|$)/;

/**
 * Runs before every page (see `config.matcher`):
 *
 * - Guards the dashboard: without a session cookie, /pay and /settings redirect to the login page
 *   (same host, relative path, so the cookie set after login applies to this host). The session
 *   itself is verified by every page and action (`requireUser`), which also refuses sessions of
 *   removed users. The proxy deliberately does not refresh the cookie: a refreshed cookie racing a
 *   logout could bring a session back to life.
 * - Sets the page's Content-Security-Policy with a fresh nonce, on the request (Next.js reads the
 *   nonce from it and puts it on its own scripts; `x-nonce` for any server component that needs
 *   it) and on the response.
 */
export function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (isForeignServerAction(request)) {
    return new NextResponse("Forbidden: this form was submitted from another site.", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  if (GUARDED.test(pathname) && !SESSION_COOKIE_NAMES.some((name) => request.cookies.has(name))) {
    const login = new URL("/login", request.nextUrl);
    login.searchParams.set("next", pathname + search);
    return NextResponse.redirect(login);
  }
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy(nonce, {
    dev: process.env.NODE_ENV === "development",
    https: isHttpsRequest(request.headers.get("x-forwarded-proto")),
  });
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

/**
 * A server action (POST with a `Next-Action` header) sent from a page of another origin (CSRF).
 * Next.js refuses it too, but answers 500 and logs an error; this answers 403 first. The origin
 * compared with is the request's own host as the client addressed it (X-Forwarded-Host behind a
 * proxy, else Host), which is what Next.js checks; an `Origin: null` (sandboxed frame, file://) is foreign.
 */
function isForeignServerAction(request: NextRequest): boolean {
  if (request.method !== "POST" || !request.headers.has("next-action")) return false;
  const origin = request.headers.get("origin");
  if (origin === null) return false; // no Origin: not a browser's cross-site form post; Next.js decides
  const host = (request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? "").split(",")[0].trim().toLowerCase();
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true;
  }
  return !host || originHost !== host;
}

export const config = {
  // Every page: not the API and webhook routes (/api, /hooks, /graphql, /.well-known, which set
  // their own headers and whose bodies must not be copied for the proxy), nor static files.
  matcher: ["/((?!api/|hooks/|graphql(?:/|$)|\\.well-known/|_next/static/|_next/image|favicon\\.ico$|icon\\.svg$|robots\\.txt$).*)"],
};
