import { z } from "zod";
import { PASSWORD_MAX_LENGTH } from "../auth/password";
import { Email, NewPassword } from "./schemas";

export const ChangePasswordInput = z.object({
  currentPassword: z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(PASSWORD_MAX_LENGTH, "This is not your current password"),
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

export const TwoFactorCodeInput = z.object({
  code: z
    .string({ error: "Enter the 6-digit code from your authenticator app" })
    .trim()
    .min(1, "Enter the 6-digit code from your authenticator app")
    .max(64, "Enter the 6-digit code from your authenticator app, or a recovery code"),
});
export type TwoFactorCodeInput = z.infer<typeof TwoFactorCodeInput>;

export const MemberIdInput = z.object({ userId: z.string({ error: "Choose a member" }).min(1, "Choose a member").max(200) });

export const TeamTwoFactorInput = z.object({ required: z.boolean({ error: "required must be true or false" }) });
