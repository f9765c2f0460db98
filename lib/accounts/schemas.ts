import { z } from "zod";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../auth/password";

export const Email = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .min(1, "Email is required")
  .max(254, "Email must be at most 254 characters")
  .pipe(z.email({ error: "Enter a valid email address, such as you@example.com" }));

export const NewPassword = z
  .string({ error: "Password is required" })
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `Password must be at most ${PASSWORD_MAX_LENGTH} characters`);

export const SignUpInput = z.object({
  email: Email,
  password: NewPassword,
  teamName: z
    .string({ error: "Team name is required" })
    .trim()
    .min(1, "Team name is required")
    .max(80, "Team name must be at most 80 characters"),
});
export type SignUpInput = z.infer<typeof SignUpInput>;

export const LoginInput = z.object({
  email: Email,
  password: z.string({ error: "Password is required" }).min(1, "Password is required").max(PASSWORD_MAX_LENGTH),
});
export type LoginInput = z.infer<typeof LoginInput>;

export const AcceptInvitationInput = z.object({
  token: z.string().min(1, "Invitation token is required").max(200),
  email: Email,
  password: NewPassword,
});
export type AcceptInvitationInput = z.infer<typeof AcceptInvitationInput>;
