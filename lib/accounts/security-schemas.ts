import { z } from "zod";
import { PASSWORD_MAX_LENGTH } from "../auth/password-policy";
import { choose, enter } from "../form-messages";
import { Email, NewPassword } from "./schemas";

// Isomorphic: the password, reset and two-factor forms validate with these in the browser too.

export const ChangePasswordInput = z.object({
  currentPassword: z.string({ error: enter("your current password") }).min(1, enter("your current password")).max(PASSWORD_MAX_LENGTH, "This is not your current password"),
  newPassword: NewPassword,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;

export const RequestPasswordResetInput = z.object({ email: Email });
export type RequestPasswordResetInput = z.infer<typeof RequestPasswordResetInput>;

export const CompletePasswordResetInput = z.object({
  token: z.string({ error: "This reset link is not valid" }).min(1, "This reset link is not valid").max(200, "This reset link is not valid"),
  password: NewPassword,
});
export type CompletePasswordResetInput = z.infer<typeof CompletePasswordResetInput>;

const CODE = enter("the 6-digit code from your authenticator app");
export const TwoFactorCodeInput = z.object({
  code: z.string({ error: CODE }).trim().min(1, CODE).max(64, `${CODE}, or a recovery code`),
});
export type TwoFactorCodeInput = z.infer<typeof TwoFactorCodeInput>;

export const MemberIdInput = z.object({ userId: z.string({ error: choose("a member") }).min(1, choose("a member")).max(200) });

export const TeamTwoFactorInput = z.object({ required: z.boolean({ error: "Must be true or false" }) });
