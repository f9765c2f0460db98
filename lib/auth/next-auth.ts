import "server-only";
import { clientIp } from "../http/client-ip";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authenticate, completeSecondFactor, LoginRefused, SecondFactorRequired, type LoginFailure } from "../accounts/authenticate";
import { createSession, resolveSessionUser, SESSION_MAX_AGE_SECONDS } from "./session";

/** What a refused sign-in says: a failure, or that the password was right and a code is due. */
export type SigninOutcome = LoginFailure | { reason: "second_factor"; challenge: string };

/**
 * Carries the reason of a refused login (`invalid`, `invalid_code`, `challenge_expired`,
 * `locked:<seconds>`, `rate_limited:<seconds>`), or `second_factor:<challenge>` when the password
 * was right and the account's two-factor code is due.
 */
export class LoginRefusedSignin extends CredentialsSignin {
  constructor(outcome: SigninOutcome) {
    super();
    this.code =
      outcome.reason === "second_factor"
        ? `second_factor:${outcome.challenge}`
        : outcome.reason === "locked" || outcome.reason === "rate_limited"
          ? `${outcome.reason}:${outcome.retryAfterSeconds}`
          : outcome.reason;
  }
}

export function parseSigninCode(code: string | undefined): SigninOutcome {
  const [reason, value = ""] = (code ?? "invalid").split(":");
  const retryAfterSeconds = Number(value) || 0;
  if (reason === "second_factor" && /^[A-Za-z0-9_-]{1,200}$/.test(value)) return { reason: "second_factor", challenge: value };
  if (reason === "locked") return { reason: "locked", retryAfterSeconds };
  if (reason === "rate_limited") return { reason: "rate_limited", retryAfterSeconds };
  if (reason === "invalid_code") return { reason: "invalid_code" };
  if (reason === "challenge_expired") return { reason: "challenge_expired" };
  return { reason: "invalid" };
}

/**
 * Sessions are JWTs holding only the user id, token version and session id, so the cookie stays a
 * single small chunk and can be sent as `Authorization: Bearer <cookie value>` to /graphql. Every
 * use of a session re-checks that its session row stands (not logged out, not expired), that the
 * user still exists and belongs to a team, and that the token version did not change.
 *
 * The credentials are either `email` + `password`, or — for an account with two-factor
 * authentication, after its password was accepted — `challenge` + `code`.
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
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" }, challenge: {}, code: {} },
      async authorize(credentials, request) {
        const ip = clientIp(request);
        try {
          const user = credentials.challenge !== undefined ? await completeSecondFactor(credentials, ip) : await authenticate(credentials, ip);
          const sessionId = await createSession(user.id, { userAgent: request.headers.get("user-agent"), ip });
          return { id: user.id, tokenVersion: user.tokenVersion, sessionId };
        } catch (err) {
          if (err instanceof SecondFactorRequired) throw new LoginRefusedSignin({ reason: "second_factor", challenge: err.challenge });
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
