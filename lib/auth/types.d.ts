import "next-auth/jwt";

declare module "next-auth/jwt" {
  interface JWT {
    /** Token version: sessions whose version differs from the user's are refused. */
    tv?: number;
    /** Session id (an auth_sessions row): logging out revokes it. */
    sid?: string;
  }
}
