import "server-only";
import { clientIp } from "../http/client-ip";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authenticate, LoginRefused, type LoginFailure } from "../accounts/authenticate";
import { createSession, resolveSessionUser, SESSION_MAX_AGE_SECONDS } from "./session";

/** Carries the reason of a refused login (`invalid`, `locked:<seconds>`, `rate_limited:<seconds>`). */
export class LoginRefusedSignin extends CredentialsSignin {
  constructor(failure: LoginFailure) {
    super();
    this.code = failure.reason === "invalid" ? "invalid" : `${failure.reason}:${failure.retryAfterSeconds}`;
  }
}

export function parseSigninCode(code: string | undefined): LoginFailure {
  const [reason, seconds] = (code ?? "invalid").split(":");
  const retryAfterSeconds = Number(seconds) || 0;
  if (reason === "locked") return { reason: "locked", retryAfterSeconds };
  if (reason === "rate_limited") return { reason: "rate_limited", retryAfterSeconds };
  return { reason: "invalid" };
}

/**
 * Sessions are JWTs holding only the user id, token version and session id, so the cookie stays a
 * single small chunk and can be sent as `Authorization: Bearer <cookie value>` to /graphql. Every
 * use of a session re-checks that its session row stands (not logged out, not expired), that the
 * user still exists and belongs to a team, and that the token version did not change.
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login" },
  logger: {
    error(error) {
      if (error instanceof CredentialsSignin) return;
      console.error("[auth]", error);
    },
    warn() {},
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        try {
          const user = await authenticate(credentials, clientIp(request));
          return { id: user.id, tokenVersion: user.tokenVersion, sessionId: await createSession(user.id) };
        } catch (err) {
          if (err instanceof LoginRefused) throw new LoginRefusedSignin(err.failure);
          throw err;
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        const { tokenVersion, sessionId } = user as { tokenVersion?: number; sessionId?: string };
        return { sub: user.id, tv: tokenVersion ?? 0, sid: sessionId };
      }
      const actor = await resolveSessionUser(token.sub, token.tv, token.sid);
      return actor ? token : null;
    },
    async session({ session, token }) {
      return { ...session, user: { ...session.user, id: token.sub ?? "" }, tokenVersion: token.tv, sessionId: token.sid };
    },
  },
});
