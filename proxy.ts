import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE_NAMES } from "@/lib/auth/session-cookie";

/**
 * Guards the dashboard: without a session cookie, /pay and /settings redirect to the login page
 * (same host, relative path, so the cookie set after login applies to this host). The session
 * itself is verified by every page and action (`requireUser`), which also refuses sessions of
 * removed users. The proxy deliberately does not refresh the cookie: a refreshed cookie racing a
 * logout could bring a session back to life.
 */
export function proxy(request: NextRequest) {
  if (SESSION_COOKIE_NAMES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const login = new URL("/login", request.nextUrl);
  login.searchParams.set("next", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(login);
}

export const config = {
  matcher: ["/pay/:path*", "/settings/:path*"],
};
