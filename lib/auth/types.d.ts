import "next-auth/jwt";

declare module "next-auth/jwt" {
  interface JWT {
    /** Token version: sessions whose version differs from the user's are refused. */
    tv?: number;
  }
}
