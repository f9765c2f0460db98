import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/password-policy";
import { atLeast, atMost, enter } from "../form-messages";

// Isomorphic: the sign-up, login and invitation forms validate with these in the browser too.

export const Email = z
  .string({ error: enter("your email") })
  .trim()
  .toLowerCase()
  .min(1, enter("your email"))
  .max(254, atMost(254))
  .pipe(z.email({ error: "Enter a valid email address, such as you@example.com" }));

export const NewPassword = z
  .string({ error: enter("a password") })
  .min(1, enter("a password"))
  .min(PASSWORD_MIN_LENGTH, atLeast(PASSWORD_MIN_LENGTH))
  .max(PASSWORD_MAX_LENGTH, atMost(PASSWORD_MAX_LENGTH));

export const TeamName = z.string({ error: enter("a team name") }).trim().min(1, enter("a team name")).max(80, atMost(80));

export const SignUpInput = z.object({ email: Email, password: NewPassword, teamName: TeamName });
export type SignUpInput = z.infer<typeof SignUpInput>;

export const LoginInput = z.object({
  email: Email,
  password: z.string({ error: enter("your password") }).min(1, enter("your password")).max(PASSWORD_MAX_LENGTH, atMost(PASSWORD_MAX_LENGTH)),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const AcceptInvitationInput = z.object({
  token: z.string({ error: "This invitation link is not valid" }).min(1, "This invitation link is not valid").max(200, "This invitation link is not valid"),
  email: Email,
  password: NewPassword,
});
export type AcceptInvitationInput = z.infer<typeof AcceptInvitationInput>;
