import type { Metadata } from "next";
import Link from "next/link";
import { describePasswordReset } from "@/lib/accounts/password-reset";
import { ResetPasswordForm } from "../../_components/credentials-form";

export const metadata: Metadata = { title: "Choose a new password" };

const UNUSABLE = {
  expired: "This reset link has expired. Ask for a new one.",
  used: "This reset link was already used, or a newer one replaced it. Ask for a new one.",
} as const;

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const reset = await describePasswordReset(token);
  if (!reset || reset.status !== "valid") {
    const problem = reset && reset.status !== "valid" ? UNUSABLE[reset.status] : null;
    return (
      <>
        <h1 className="text-xl font-semibold">{problem ? "This link cannot be used" : "Reset link not found"}</h1>
        <p className="mt-2 text-sm text-gray-600 dark:text-gray-400">{problem ?? "Check that you copied the whole link, or ask for a new one."}</p>
        <p className="mt-6 text-center text-sm">
          <Link href="/forgot-password" className="font-semibold text-indigo-700 underline dark:text-indigo-300">
            Reset your password
          </Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      <p className="mt-1 mb-6 text-sm break-words text-gray-600 dark:text-gray-400">
        For <span className="font-medium text-gray-900 dark:text-gray-100">{reset.email}</span>. Every session of the account is signed out afterwards.
      </p>
      <ResetPasswordForm token={token} />
    </>
  );
}
